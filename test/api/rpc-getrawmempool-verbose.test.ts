/**
 * getrawmempool true (rpc/mempool.cpp MempoolToJSON, entryToJSON) written as streamed bytes:
 * a mempool large enough to span many chunks gives exactly the text of its entries, in
 * CTxMemPool::entryAll order, and the same answer through coreJson and coreJsonBody.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admit } from '../../src/mempool/admit.ts';
import { CHUNK, JsonWriter } from '../../src/api/json-writer.ts';
import { amount, coreJson, coreJsonBody } from '../../src/api/rpc-json.ts';
import { entryJsonText, rawMempoolVerbose, sortedForDump } from '../../src/api/rpc-mempool-json.ts';
import { compareBytes } from '../../src/primitives/bytes.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';
import { cand, coinTxid, newPool, tx } from '../mempool/helpers.ts';

const decode = (parts: Iterable<Uint8Array>): string => {
  const dec = new TextDecoder();
  let s = '';
  for (const p of parts) s += dec.decode(p, { stream: true });
  return s + dec.decode();
};

function bigPool(n: number) {
  const { pool } = newPool();
  const txs = [];
  for (let i = 0; i < n; i++) {
    // Each group of three: a parent spending a confirmed coin, then two children spending its
    // two outputs (so spentby lists two). Fee rates repeat: the txid tie-break is exercised.
    const parent = i % 3 === 0 ? undefined : txs[i - (i % 3)];
    const t = tx({ ins: parent ? [[parent, (i % 3) - 1]] : [[coinTxid(), 0]], outs: 2, sequence: i % 5 === 0 ? 0xffffffff : 0xfffffffd, tag: i });
    const r = admit(pool, cand(t, 1_000 * (1 + (i % 4))));
    assert.ok(r.ok, `admit ${i}`);
    txs.push(t);
  }
  return pool;
}

test('getrawmempool true: many chunks, entryAll order, every entry as entryToJSON writes it', () => {
  const pool = bigPool(1500);
  const body = coreJsonBody({ result: rawMempoolVerbose(pool), error: null, id: 1 }, '\n');
  assert.notEqual(typeof body, 'string');
  const chunks = [...(body as Iterable<Uint8Array>)];
  assert.ok(chunks.length > 3, `${chunks.length} chunks`);
  const text = decode(chunks);
  assert.ok(text.length > 2 * CHUNK);
  assert.ok(text.endsWith('}\n'));
  const reply = JSON.parse(text) as { result: Record<string, unknown>; error: null; id: number };
  const order = sortedForDump(pool);
  assert.deepEqual(Object.keys(reply.result), order.map((e) => e.txid));
  // DepthAndScoreComparator, checked pairwise from the entries themselves.
  for (let i = 1; i < order.length; i++) assert.ok(depthAndScore(order[i - 1]!, order[i]!) < 0, `order at ${i}`);
  const expected = '{"result":{' + order.map((e) => `"${e.txid}":${entryJsonText(e)}`).join(',') + '},"error":null,"id":1}\n';
  assert.equal(text, expected);
  // The string path (coreJson) splices the same bytes.
  assert.equal(coreJson({ result: rawMempoolVerbose(pool), error: null, id: 1 }) + '\n', expected);
  const withKids = order.find((e) => e.children.size > 1)!;
  const parsed = reply.result[withKids.txid] as { spentby: string[]; 'bip125-replaceable': boolean };
  assert.equal(parsed.spentby.length, withKids.children.size);
});

function depthAndScore(a: MempoolEntry, b: MempoolEntry): number {
  if (a.ancCount !== b.ancCount) return a.ancCount - b.ancCount;
  const f1 = a.modFee * b.vsize;
  const f2 = b.modFee * a.vsize;
  if (f1 !== f2) return f1 > f2 ? -1 : 1;
  return compareBytes(b.tx.txid, a.tx.txid);
}

test('JsonWriter: integers and ValueFromAmount text, across chunk boundaries', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -2_100_000_000_000_000, max: 2_100_000_000_000_000 })), { maxLength: 3000 }), (items) => {
      const w = new JsonWriter(256);
      let expected = '';
      const parts: Uint8Array[] = [];
      for (const [n, sats] of items) {
        w.int(n);
        w.byte(0x2c);
        w.btc(sats);
        w.byte(0x2c);
        expected += `${n},${amount(sats).toString()},`;
        if (w.pos > 200) parts.push(w.take());
      }
      parts.push(w.take());
      assert.equal(decode(parts), expected);
    }),
    { numRuns: 30 },
  );
});
