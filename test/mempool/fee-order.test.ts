/**
 * The fee-rate arithmetic and orders of the mempool: CFeeRate(fee, size) (sat/kvB,
 * truncated), CFeeRate::ToString ("%d.%08d BTC/kvB"), CFeeRate::GetFee (rounded up), and
 * the ancestor_score / descendant_score orders of txmempool.h
 * (CompareTxMemPoolEntryByAncestorFee with GetModFeeAndSize, CompareTxMemPoolEntryByDescendantScore)
 * with the ScoreIndex keys that realise them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { feeAtRate, feeRatePerK, formatFeeRate } from '../../src/mempool/format.ts';
import {
  ANCESTOR_KEY, compareAncestorScore, compareDescendantScore, DESCENDANT_KEY, setAncestorKey, setDescendantKey, txidPrefix,
} from '../../src/mempool/scores.ts';
import { ScoreIndex } from '../../src/mempool/score-index.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';

describe('CFeeRate arithmetic and text', () => {
  test('feeRatePerK: fee × 1000 / vsize truncated; 0 for an empty size', () => {
    assert.equal(feeRatePerK(1000, 300), 3333);
    assert.equal(feeRatePerK(1, 1), 1000);
    assert.equal(feeRatePerK(1000, 0), 0);
    assert.equal(feeRatePerK(1000, -1), 0);
  });

  test('formatFeeRate: whole BTC, 8 decimals, sign in front', () => {
    assert.equal(formatFeeRate(0), '0.00000000 BTC/kvB');
    assert.equal(formatFeeRate(1000), '0.00001000 BTC/kvB');
    assert.equal(formatFeeRate(123_456_789), '1.23456789 BTC/kvB');
    assert.equal(formatFeeRate(-1000), '-0.00001000 BTC/kvB');
    assert.equal(formatFeeRate(-1), '-0.00000001 BTC/kvB');
  });

  test('feeAtRate: rate × vsize / 1000 rounded up (N-1, N, N+1 around a whole fee)', () => {
    assert.equal(feeAtRate(1000, 250), 250);
    assert.equal(feeAtRate(1001, 999), 1000); // 999.999 → 1000
    assert.equal(feeAtRate(1001, 1000), 1001);
    assert.equal(feeAtRate(1001, 1001), 1003); // 1002.001 → 1003
    assert.equal(feeAtRate(1, 1), 1);
    assert.equal(feeAtRate(0, 500), 0);
    assert.equal(feeAtRate(-1000, 100), -100);
    assert.equal(feeAtRate(-1500, 1), -1);
  });
});

type Fields = Partial<Pick<MempoolEntry, 'aKeyFee' | 'aKeySize' | 'dKeyFee' | 'dKeySize' | 'time' | 'sequence' | 'modFee' | 'vsize' | 'ancFee' | 'ancSize' | 'descFee' | 'descSize'>>;

function entry(txidBytes: number[], f: Fields = {}): MempoolEntry {
  const txid = new Uint8Array(32);
  txid.set(txidBytes);
  return { tx: { txid }, txidPrefix: txidPrefix(txid), time: 0, sequence: 0, ...f } as unknown as MempoolEntry;
}

/** The order a ScoreIndex with `key` keeps. */
function indexOrder(key: typeof ANCESTOR_KEY, es: MempoolEntry[]): MempoolEntry[] {
  const idx = new ScoreIndex<MempoolEntry>(key);
  for (const e of es) idx.insert(e);
  return idx.toArray();
}

describe('ancestor and descendant score orders', () => {
  test('txidPrefix: the first six internal-order bytes, big-endian', () => {
    const t = new Uint8Array(32);
    t.set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xff]);
    assert.equal(txidPrefix(t), 0x010203040506);
    t.set([0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa]);
    assert.equal(txidPrefix(t), 0xfffefdfcfbfa);
    t.set([0, 0, 0, 0, 0, 1]);
    assert.equal(txidPrefix(t), 1);
  });

  test('ancestor score: higher fee rate first, then lower txid (the prefix, then every byte)', () => {
    const rich = entry([9], { aKeyFee: 301, aKeySize: 100 });
    const poor = entry([1], { aKeyFee: 3000, aKeySize: 1001 }); // 2.997 sat/vB
    const tieLow = entry([2, 0, 0, 0, 0, 0, 1], { aKeyFee: 600, aKeySize: 200 });
    const tieHigh = entry([2, 0, 0, 0, 0, 0, 2], { aKeyFee: 300, aKeySize: 100 });
    const tieFirst = entry([1, 0, 0, 0, 0, 9], { aKeyFee: 30, aKeySize: 10 });
    const want = [rich, tieFirst, tieLow, tieHigh, poor];
    const shuffled = [tieHigh, poor, tieLow, rich, tieFirst];
    assert.deepEqual([...shuffled].sort(compareAncestorScore), want);
    assert.deepEqual(indexOrder(ANCESTOR_KEY, shuffled), want);
    assert.equal(compareAncestorScore(rich, rich), 0);
    assert.ok(compareAncestorScore(tieFirst, tieLow) < 0 && compareAncestorScore(tieLow, tieFirst) > 0);
    assert.ok(compareAncestorScore(tieLow, tieHigh) < 0 && compareAncestorScore(tieHigh, tieLow) > 0);
  });

  test('descendant score: lower fee rate first, then the newer entry, then the later sequence', () => {
    const low = entry([1], { dKeyFee: 1000, dKeySize: 1001, time: 5, sequence: 1 });
    const high = entry([2], { dKeyFee: 101, dKeySize: 100, time: 9, sequence: 2 });
    const old = entry([3], { dKeyFee: 100, dKeySize: 100, time: 5, sequence: 3 });
    const newer = entry([4], { dKeyFee: 200, dKeySize: 200, time: 6, sequence: 4 });
    const sameTimeLater = entry([5], { dKeyFee: 100, dKeySize: 100, time: 5, sequence: 7 });
    const want = [low, newer, sameTimeLater, old, high];
    const shuffled = [old, high, sameTimeLater, low, newer];
    assert.deepEqual([...shuffled].sort(compareDescendantScore), want);
    assert.deepEqual(indexOrder(DESCENDANT_KEY, shuffled), want);
    assert.ok(compareDescendantScore(newer, old) < 0 && compareDescendantScore(old, newer) > 0);
    assert.ok(compareDescendantScore(sameTimeLater, old) < 0 && compareDescendantScore(old, sameTimeLater) > 0);
    assert.ok(compareDescendantScore(low, high) < 0 && compareDescendantScore(high, low) > 0);
  });

  test('the ancestor index breaks a tie on all six prefix bytes by the whole txid', () => {
    const a = entry([7, 7, 7, 7, 7, 7, 1], { aKeyFee: 100, aKeySize: 100 });
    const b = entry([7, 7, 7, 7, 7, 7, 2], { aKeyFee: 100, aKeySize: 100 });
    assert.deepEqual(indexOrder(ANCESTOR_KEY, [b, a]), [a, b]);
    assert.deepEqual(indexOrder(ANCESTOR_KEY, [a, b]), [a, b]);
  });

  test('GetModFeeAndSize: the lower of own and ancestor fee rate; the own pair on a tie', () => {
    const e = { modFee: 1000, vsize: 100, ancFee: 1500, ancSize: 200 } as MempoolEntry;
    setAncestorKey(e); // ancestors 7.5 < own 10
    assert.deepEqual([e.aKeyFee, e.aKeySize], [1500, 200]);
    Object.assign(e, { ancFee: 2000, ancSize: 200 }); // equal rates
    setAncestorKey(e);
    assert.deepEqual([e.aKeyFee, e.aKeySize], [1000, 100]);
    Object.assign(e, { ancFee: 2002, ancSize: 200 }); // ancestors higher
    setAncestorKey(e);
    assert.deepEqual([e.aKeyFee, e.aKeySize], [1000, 100]);
  });

  test('the descendant key: the higher of own and descendant fee rate; the own pair on a tie', () => {
    const e = { modFee: 1000, vsize: 100, descFee: 2500, descSize: 200 } as MempoolEntry;
    setDescendantKey(e); // descendants 12.5 > own 10
    assert.deepEqual([e.dKeyFee, e.dKeySize], [2500, 200]);
    Object.assign(e, { descFee: 2000, descSize: 200 });
    setDescendantKey(e);
    assert.deepEqual([e.dKeyFee, e.dKeySize], [1000, 100]);
    Object.assign(e, { descFee: 1998, descSize: 200 });
    setDescendantKey(e);
    assert.deepEqual([e.dKeyFee, e.dKeySize], [1000, 100]);
  });
});
