// The Esplora / mempool.space subset: POST /api/tx (txid as text; Esplora's error text),
// GET /api/mempool (fee_histogram), /api/mempool/txids, /api/v1/fees/recommended,
// /api/v1/fees/mempool-blocks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { mempoolApp, spend, TestMempoolNode } from './mempool-deps.ts';

const id = (t: { txid: Uint8Array }) => hashToHex(t.txid);

describe('Esplora API subset', () => {
  const node = new TestMempoolNode();
  const { app } = mempoolApp(node);
  const postTx = (body: string) => app.request('/api/tx', { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

  test('POST /api/tx: the txid as text, or 400 with the RPC error as Esplora words it', async () => {
    const a = spend([node.fund(100_000n)], [99_000n]);
    const ok = await postTx(toHex(a.raw));
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), id(a));
    const orphan = spend([{ txid: new Uint8Array(32).fill(4), vout: 0 }], [10n]);
    const bad = await postTx(toHex(orphan.raw));
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'sendrawtransaction RPC error: {"code":-25,"message":"bad-txns-inputs-missingorspent"}');
    const free = spend([node.fund(1000n)], [1000n]);
    assert.equal(await (await postTx(toHex(free.raw))).text(),
      `sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met, 0 < ${Math.ceil(free.vsize / 10)}"}`);
    assert.equal(await (await postTx('nothex')).text(),
      'sendrawtransaction RPC error: {"code":-22,"message":"TX decode failed. Make sure the tx has at least one input."}');
  });

  test('GET /api/mempool and /api/mempool/txids', async () => {
    const b = spend([node.fund(100_000n)], [80_000n]);
    assert.equal((await postTx(toHex(b.raw))).status, 200);
    const m = await (await app.request('/api/mempool')).json() as { count: number; vsize: number; total_fee: number; fee_histogram: [number, number][] };
    assert.equal(m.count, 2);
    assert.equal(m.vsize, node.mempool.totalVsize);
    assert.equal(m.total_fee, 21_000);
    // Highest fee rate first; every vsize counted once.
    assert.equal(m.fee_histogram.reduce((s, [, v]) => s + v, 0), m.vsize);
    for (let i = 1; i < m.fee_histogram.length; i++) assert.ok(m.fee_histogram[i - 1]![0] > m.fee_histogram[i]![0]);
    assert.ok(m.fee_histogram[0]![0] <= 20_000 / b.vsize);
    assert.deepEqual(new Set(await (await app.request('/api/mempool/txids')).json() as string[]), new Set([...node.mempool.entries()].map((e) => e.txid)));
  });

  test('GET /api/v1/fees/recommended and /api/v1/fees/mempool-blocks (mempool.space shapes)', async () => {
    const rec = await (await app.request('/api/v1/fees/recommended')).json() as Record<string, number>;
    assert.deepEqual(Object.keys(rec), ['fastestFee', 'halfHourFee', 'hourFee', 'economyFee', 'minimumFee']);
    const blocks = await (await app.request('/api/v1/fees/mempool-blocks')).json() as Record<string, unknown>[];
    assert.equal(blocks.length, 1);
    assert.deepEqual(Object.keys(blocks[0]!), ['blockSize', 'blockVSize', 'nTx', 'totalFees', 'medianFee', 'feeRange']);
    assert.equal(blocks[0]!.nTx, node.mempool.size);
    assert.equal(blocks[0]!.totalFees, node.mempool.totalFee);
  });
});
