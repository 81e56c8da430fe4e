/**
 * Every entry point reaches the one acceptance path (src/mempool/accept.ts, MemPoolAccept):
 * a spy on its first stage counts each entry point's calls — POST /validate (stateful and
 * with supplied coins), POST /tx, JSON-RPC testmempoolaccept (one and several),
 * sendrawtransaction and submitpackage, Esplora POST /api/tx, the mempool reload at start
 * and transactions returning after a reorg. And no other file calls the stages the path is
 * made of: a second acceptance implementation would have to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.ts';
import { mountMempool } from '../../src/api/mempool-routes.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import { MemPoolAccept } from '../../src/mempool/accept.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { buildE2eChain, COIN, payTo, signSpend } from '../e2e/fixture.ts';
import { AUTH } from '../api/mempool-deps.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { REGTEST } from '../../src/chain/params.ts';

/** The transactions that reached PreChecks while `f` ran (every acceptance flow starts there). */
async function stagesRun(f: () => unknown): Promise<number> {
  const original = MemPoolAccept.prototype.preChecks;
  const seen = new Set<string>();
  MemPoolAccept.prototype.preChecks = function (this: MemPoolAccept, ...args: Parameters<typeof original>) {
    seen.add(hashToHex(args[0].wtxid));
    return original.apply(this, args);
  };
  try {
    await f();
  } finally {
    MemPoolAccept.prototype.preChecks = original;
  }
  return seen.size;
}

test('every entry point goes through MemPoolAccept', async () => {
  const chain = buildE2eChain();
  const dir = mkdtempSync(join(tmpdir(), 'txgate-one-path-'));
  let node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir: dir });
  try {
    for (const b of chain.blocks) assert.ok(!(await node.submitBlock(b)).busy);
    let app = createApp(node);
    let mount = mountMempool(app, node, { rpcUser: 'alice', rpcPassword: 's3cret' });
    const rpc = (method: string, params: unknown[]) =>
      Promise.resolve(app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method, params }) })).then((r) => r.json() as Promise<{ result: any; error: unknown }>);
    const hexBody = (tx: { raw: Uint8Array }) => ({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: toHex(tx.raw) });
    const spend = (i: number, fee: bigint) => signSpend([chain.spare[i]!], [payTo(COIN - fee)]);

    const t0 = spend(0, 10_000n);
    assert.equal(await stagesRun(() => app.request('/validate', hexBody(t0))), 1, 'POST /validate');
    const withCoins = { tx: toHex(t0.raw), prevouts: [{ scriptPubKey: toHex(payTo(0n, 40).scriptPubKey), amount: Number(COIN) }], at: { height: 200, mtp: 0 } };
    assert.equal(await stagesRun(() => app.request('/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(withCoins) })), 1, 'POST /validate with prevouts');
    assert.equal(await stagesRun(() => rpc('testmempoolaccept', [[toHex(t0.raw)]])), 1, 'testmempoolaccept');
    const t1 = spend(1, 10_000n);
    const t1child = signSpend([{ txid: t1.txid, vout: 0, value: COIN - 10_000n, kind: 'p2wpkh', key: 50 }], [payTo(COIN - 20_000n)]);
    assert.equal(await stagesRun(() => rpc('testmempoolaccept', [[toHex(t1.raw), toHex(t1child.raw)]])), 2, 'testmempoolaccept of a package');
    assert.equal(await stagesRun(() => app.request('/tx', hexBody(t0))), 1, 'POST /tx');
    assert.equal(await stagesRun(() => rpc('sendrawtransaction', [toHex(spend(2, 10_000n).raw)])), 1, 'sendrawtransaction');
    assert.equal(await stagesRun(() => rpc('submitpackage', [[toHex(t1.raw), toHex(t1child.raw)]])), 2, 'submitpackage');
    assert.equal(await stagesRun(() => app.request('/api/tx', hexBody(spend(3, 10_000n)))), 1, 'Esplora POST /api/tx');
    assert.equal(node.mempool.size, 5);

    // A reorg: the block that confirmed two of them is replaced; they come back through the path.
    const base = { hash: chain.next.tipHash, height: chain.next.height, time: chain.next.time };
    const block = chain.next.next({ txs: [t0, spend(4, 10_000n)] });
    assert.ok((await node.submitBlock(block.raw)).busy === false);
    const fork = new RegtestChainBuilder(REGTEST, base);
    const a = fork.next({ tag: 9 }), b = fork.next({ tag: 9 });
    assert.ok(!(await node.submitBlock(a.raw)).busy);
    assert.equal(await stagesRun(() => node.submitBlock(b.raw)), 2, 'a reorg returns the disconnected transactions');
    assert.ok(node.mempool.get(hashToHex(t0.txid)));

    // A restart: the saved mempool comes back through the path, one call per transaction.
    const saved = node.mempool.size;
    mount.close();
    await node.close();
    assert.equal(await stagesRun(async () => {
      node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir: dir });
    }), saved, 'the mempool reload');
    assert.equal(node.mempool.size, saved);
    app = createApp(node);
    mount = mountMempool(app, node, {});
    mount.close();

    // The stateless validator is the same path.
    const stateless = statelessDeps();
    assert.equal(await stagesRun(() => stateless.validate([{ tx: t0, prevouts: [{ scriptPubKey: payTo(0n, 40).scriptPubKey, amount: COIN }] }])), 1, 'stateless validation');
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const SRC = new URL('../../src/', import.meta.url);
function sources(dir: URL, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = new URL(name, dir);
    if (statSync(p).isDirectory()) out.push(...sources(new URL(`${name}/`, dir), `${rel}${name}/`));
    else if (name.endsWith('.ts')) out.push(`${rel}${name}`);
  }
  return out;
}

test('the acceptance stages are called from the acceptance path only', () => {
  // Stage → the files allowed to call it (besides the file that defines it).
  const stages: Record<string, string[]> = {
    contextChecks: ['mempool/accept.ts'],
    inputChecks: ['mempool/accept.ts'],
    checkInputScripts: ['mempool/accept.ts'],
    prepare: ['mempool/accept.ts', 'mempool/package.ts'],
    commit: ['mempool/accept.ts', 'mempool/package.ts'],
    checkKnown: ['mempool/accept.ts'],
  };
  const bad: string[] = [];
  for (const f of sources(SRC)) {
    const code = readFileSync(new URL(f, SRC), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const [stage, allowed] of Object.entries(stages)) {
      const defines = new RegExp(`export (?:async )?function ${stage}\\b`).test(code);
      if (defines || allowed.includes(f)) continue;
      if (new RegExp(`\\b${stage}\\(`).test(code)) bad.push(`src/${f} calls ${stage}`);
    }
  }
  assert.deepEqual(bad, []);
});
