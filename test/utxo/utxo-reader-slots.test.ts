/**
 * Reader slots (src/utxo/layout.ts): ordinary readers pin in the shared range only; a
 * validation worker pins in a range of its own, which UtxoSet.releaseReaderSlots frees when
 * the worker is gone — so a worker that died holding a pin cannot hold back reclamation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UtxoSet } from '../../src/utxo/set.ts';
import { UtxoReader } from '../../src/utxo/reader.ts';
import { READER_SLOTS, SHARED_READER_SLOTS } from '../../src/utxo/layout.ts';
import type { Coin } from '../../src/utxo/coin.ts';

const small = { indexSegments: 1, heapSegments: 1 };
const coin: Coin = { value: 50_000n, scriptPubKey: Uint8Array.from([0x00, 0x14, ...new Array(20).fill(9)]), height: 7, coinbase: false };
const txid = (n: number): Uint8Array => {
  const t = new Uint8Array(32);
  t[0] = n & 255;
  t[1] = n >> 8;
  t[31] = 0xaa;
  return t;
};

test('a default reader pins only in the shared range', () => {
  const set = UtxoSet.create(small);
  const reader = UtxoReader.attach(set.shared());
  const pins = [];
  for (let i = 0; i < SHARED_READER_SLOTS; i++) pins.push(reader.pin());
  assert.throws(() => reader.pin(), /reader slots/);
  // A worker's range is still free.
  const worker = UtxoReader.attach(set.shared(), { from: SHARED_READER_SLOTS, count: 4 });
  const p = worker.pin();
  p.release();
  for (const s of pins) s.release();
  assert.throws(() => UtxoReader.attach(set.shared(), { from: READER_SLOTS - 1, count: 2 }), RangeError);
});

test("freeing a dead worker's range releases its pins and lets reclamation go on", () => {
  const set = UtxoSet.create(small);
  set.applyBatch({ add: [{ txid: txid(1), vout: 0, coin }] });
  const range = { from: SHARED_READER_SLOTS + 8, count: 8 };
  const worker = UtxoReader.attach(set.shared(), range);
  const held = worker.pin(); // never released: the worker "dies" holding it
  const pinned = held.version;
  set.applyBatch({ spend: [{ txid: txid(1), vout: 0 }], add: [{ txid: txid(2), vout: 0, coin }] });
  set.applyBatch({ add: [{ txid: txid(3), vout: 0, coin }] });
  assert.equal(set.minPinned(), pinned, 'the lost pin holds the old version');
  // Still visible to the pinned snapshot, as it must be while pinned.
  assert.ok(held.getCoin(txid(1), 0));
  assert.throws(() => set.releaseReaderSlots(0, 8), RangeError, 'the shared range is never force-freed');
  set.releaseReaderSlots(range.from, range.count);
  assert.ok(set.minPinned() > set.version, 'no pin left');
  // The next block reclaims the spent coin; a replacement in the same range pins the latest.
  set.applyBatch({ add: [{ txid: txid(4), vout: 0, coin }] });
  const replacement = UtxoReader.attach(set.shared(), range);
  const s = replacement.pin();
  assert.equal(s.version, set.version);
  assert.equal(s.getCoin(txid(1), 0), undefined);
  assert.ok(s.getCoin(txid(4), 0));
  s.release();
});
