/**
 * A closed node releases everything: a node (its chain state, UTXO set, mempool, verdict
 * cache, worker pool) opened behind the HTTP app with its mempool routes, fed blocks and
 * transactions through /validate and JSON-RPC, then closed and dropped, is garbage —
 * nothing module-level, no timer, listener or worker keeps it. Checked with WeakRefs after
 * a full collection, several nodes in a row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { mountMempool } from '../../src/api/mempool-routes.ts';
import { TxgateNode, type NodeOptions } from '../../src/node/node.ts';
import { spawnValidator } from '../../src/runtime/spawn.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { RegtestChainBuilder, outputScript, signSpend } from '../util/regtest-builder.ts';
import { AUTH } from '../api/mempool-deps.ts';

/** A full collection: Bun's, the global one, or V8's exposed through node:v8 and node:vm. */
async function collector(): Promise<() => void> {
  const g = globalThis as { Bun?: { gc(full: boolean): void }; gc?: () => void };
  if (g.Bun) return () => g.Bun!.gc(true);
  if (typeof g.gc === 'function') return g.gc;
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

/** At least one turn of the event loop: WeakRef targets are kept to the end of the current job. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Refs {
  node: WeakRef<object>;
  mempool: WeakRef<object>;
  coins: WeakRef<object>;
  app: WeakRef<object>;
  pool?: WeakRef<object>;
}

/** Opens a node and its app, gives it work, closes it; only WeakRefs leave this function. */
async function useAndClose(opts: NodeOptions): Promise<Refs> {
  const node = await TxgateNode.start(opts);
  const app = createApp(node);
  const mount = mountMempool(app, node, { rpcUser: 'alice', rpcPassword: 's3cret' });
  const refs: Refs = {
    node: new WeakRef(node), mempool: new WeakRef(node.mempool), coins: new WeakRef(node.coins), app: new WeakRef(app),
    ...(node.pool ? { pool: new WeakRef(node.pool) } : {}),
  };
  try {
    const b = new RegtestChainBuilder();
    const coins = [];
    for (let i = 0; i < 103; i++) {
      const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
      if (i < 3) coins.push(m.coinbase);
      const r = await node.submitBlock(m.raw);
      assert.ok(!r.busy && r.accepted);
    }
    for (const coin of coins) {
      const hex = toHex(signSpend([coin], [{ value: coin.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 2) }]).raw);
      const v = await app.request('/validate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hex });
      assert.equal((await v.json() as { allowed: boolean }).allowed, true);
      const r = await app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method: 'sendrawtransaction', params: [hex] }) });
      assert.equal((await r.json() as { error: unknown }).error, null);
    }
    assert.equal(node.mempool.size, coins.length);
  } finally {
    mount.close();
    await node.close();
  }
  return refs;
}

async function assertReleased(opts: NodeOptions, times: number): Promise<void> {
  const gc = await collector();
  const all: Refs[] = [];
  for (let i = 0; i < times; i++) all.push(await useAndClose(opts));
  const alive = () => all.flatMap((r, i) => Object.entries(r).filter(([, ref]) => ref.deref() !== undefined).map(([name]) => `node ${i}: ${name}`));
  // A web Worker's terminate() returns before its thread has gone; until then the runtime
  // keeps the Worker and its listeners (Bun), so collections a moment apart, for up to 15 s
  // (a loaded machine; a real leak stays reachable however long this waits).
  for (let i = 0; i < 300 && (i < 3 || alive().length > 0); i++) {
    await pause(i < 3 ? 0 : 50);
    gc();
  }
  assert.deepEqual(alive(), [], 'still reachable after close');
}

test('closed nodes (scripts on this thread) are garbage', { timeout: 60_000 }, async () => {
  await assertReleased({ network: 'regtest', workers: 0 }, 3);
});

test('closed nodes with a worker pool are garbage', { timeout: 60_000 }, async () => {
  await assertReleased({ network: 'regtest', workers: 1, spawn: spawnValidator }, 2);
});
