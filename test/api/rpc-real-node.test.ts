// The mempool interfaces over the real TxgateNode (chain state, UTXO set, validation with
// scripts, mempool): a regtest chain is connected, then signed transactions go through
// JSON-RPC, REST and Esplora.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { mountMempool, type MempoolMount } from '../../src/api/mempool-routes.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { buildE2eChain, COIN, inputOf, payTo, signSpend, TIP_HEIGHT, unsignedTx } from '../e2e/fixture.ts';
import { AUTH } from './mempool-deps.ts';
import type { Hono } from 'hono';

describe('JSON-RPC, REST and Esplora over TxgateNode', () => {
  let node: TxgateNode;
  let app: Hono;
  let mount: MempoolMount;
  const chain = buildE2eChain();
  const rpc = async (method: string, params: unknown = []) => {
    const res = await app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method, params }) });
    return await res.json() as { result: any; error: { code: number; message: string } | null };
  };

  before(async () => {
    node = await TxgateNode.start({ network: 'regtest', workers: 0, policy: { permitBareMultisig: false, maxDatacarrierBytes: 42 } });
    for (const b of chain.blocks) {
      const r = await node.submitBlock(b);
      assert.ok(!r.busy && r.accepted, JSON.stringify(r));
    }
    app = createApp(node);
    mount = mountMempool(app, node, { rpcUser: 'alice', rpcPassword: 's3cret' });
  });
  after(async () => {
    mount?.close();
    await node?.close();
  });

  test('chain RPCs answer from the node', async () => {
    assert.equal((await rpc('getblockcount')).result, TIP_HEIGHT);
    const info = (await rpc('getblockchaininfo')).result;
    assert.equal(info.chain, 'regtest');
    assert.equal(info.bestblockhash, (await rpc('getbestblockhash')).result);
    const out = (await rpc('gettxout', [hashToHex(chain.spare[0]!.txid), chain.spare[0]!.vout])).result;
    assert.equal(out.value, 1);
    assert.equal(out.scriptPubKey.type, 'witness_v0_keyhash');
    assert.match(out.scriptPubKey.address, /^bcrt1q/);
  });

  test('testmempoolaccept, sendrawtransaction, mempool queries, RBF reject, missing inputs', async () => {
    const tx = signSpend([chain.spare[0]!], [payTo(COIN - 10_000n)]);
    const txid = hashToHex(tx.txid);
    const tested = (await rpc('testmempoolaccept', [[toHex(tx.raw)]])).result;
    assert.equal(tested[0].allowed, true, JSON.stringify(tested));
    assert.equal(tested[0].fees.base, 0.0001);
    assert.equal((await rpc('sendrawtransaction', [toHex(tx.raw)])).result, txid);
    assert.deepEqual((await rpc('getrawmempool')).result, [txid]);
    const entry = (await rpc('getmempoolentry', [txid])).result;
    assert.equal(entry.fees.base, 0.0001);
    assert.equal(entry.height, TIP_HEIGHT);
    const info = (await rpc('getmempoolinfo')).result;
    assert.deepEqual([info.size, info.permitbaremultisig, info.maxdatacarriersize], [1, false, 42], 'the node policy');
    const low = signSpend([chain.spare[0]!], [payTo(COIN - 10_001n)]);
    const rbf = await rpc('sendrawtransaction', [toHex(low.raw)]);
    assert.equal(rbf.error?.code, -26);
    assert.match(rbf.error!.message, /^insufficient fee, rejecting replacement/);
    const orphan = unsignedTx([inputOf({ txid: new Uint8Array(32).fill(6), vout: 0 })], [payTo(1000n)]);
    assert.deepEqual((await rpc('sendrawtransaction', [toHex(orphan.raw)])).error, { code: -25, message: 'bad-txns-inputs-missingorspent' });
    assert.equal((await rpc('gettxout', [hashToHex(chain.spare[0]!.txid), chain.spare[0]!.vout])).result, null, 'spent in the mempool');
    assert.equal((await rpc('gettxout', [txid, 0])).result.confirmations, 0);
  });

  test('REST POST /tx and Esplora POST /api/tx on the real pipeline', async () => {
    const a = signSpend([chain.spare[1]!], [payTo(COIN - 20_000n)]);
    const r = await app.request('/tx', { method: 'POST', body: toHex(a.raw), headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 200);
    assert.equal((await r.json() as { txid: string }).txid, hashToHex(a.txid));
    const b = signSpend([chain.spare[2]!], [payTo(COIN - 20_000n)]);
    const e = await app.request('/api/tx', { method: 'POST', body: toHex(b.raw), headers: { 'content-type': 'text/plain' } });
    assert.equal(await e.text(), hashToHex(b.txid));
    const bad = signSpend([chain.spare[3]!], [payTo(COIN - 20_000n)]);
    const broken = new Uint8Array(bad.raw);
    // Flip a byte of the signature: a script failure is a reject (422), not a malformed request.
    broken[broken.length - 40]! ^= 1;
    const rej = await app.request('/tx', { method: 'POST', body: toHex(broken), headers: { 'content-type': 'text/plain' } });
    assert.equal(rej.status, 422);
    assert.match((await rej.json() as { reason: string }).reason, /script-verify-flag-failed|non-mandatory|mandatory/);
    const m = await (await app.request('/api/mempool')).json() as { count: number };
    assert.equal(m.count, 3);
  });
  test('POST /tx keeps a transaction with an unknown parent as an orphan and says so; GET /mempool/orphans lists it', async () => {
    const parent = signSpend([chain.spare[5]!], [payTo(COIN - 10_000n)]);
    const child = signSpend([{ txid: parent.txid, vout: 0, value: COIN - 10_000n, kind: 'p2wpkh', key: 50 }], [payTo(COIN - 20_000n)]);
    const res = await app.request('/tx', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: toHex(child.raw) });
    assert.equal(res.status, 422);
    const body = await res.json() as Record<string, unknown>;
    assert.deepEqual([body.reason, body.kind, body.orphan], ['bad-txns-inputs-missingorspent', 'missing-inputs', true]);
    const listed = async () => await (await app.request('/mempool/orphans')).json() as { txid: string; wtxid: string }[];
    // (An earlier test's missing-inputs transaction waits there too.)
    assert.deepEqual((await listed()).filter((o) => o.txid === hashToHex(child.txid)), [{ txid: hashToHex(child.txid), wtxid: hashToHex(child.wtxid) }]);
    // The parent arrives: both enter the mempool, the orphan pool empties.
    const p = await app.request('/tx', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: toHex(parent.raw) });
    assert.equal(p.status, 200);
    assert.ok(node.mempool.get(hashToHex(child.txid)));
    assert.ok(!(await listed()).some((o) => o.txid === hashToHex(child.txid)));
  });

});
