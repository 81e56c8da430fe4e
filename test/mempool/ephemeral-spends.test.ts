/**
 * CheckEphemeralSpends (policy/ephemeral_policy.cpp) as the mempool applies it: a child must
 * spend every dust output of its in-mempool and in-package parents ("missing-ephemeral-spends").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, prepare } from '../../src/mempool/admit.ts';
import { checkEphemeralSpends } from '../../src/mempool/ephemeral.ts';
import { cand, coinTxid, hex, newPool, tx, whex } from './helpers.ts';

const missing = (t: ReturnType<typeof tx>): string => `tx ${hex(t)} (wtxid=${whex(t)}) did not spend parent's ephemeral dust`;

describe('ephemeral dust spends', () => {
  test('a child of an in-mempool parent with dust must spend the dust', () => {
    const { pool } = newPool();
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 2, outValues: [10_000n, 0n] });
    assert.equal(admit(pool, cand(parent, 1000)).ok, true);
    const skips = tx({ ins: [[parent, 0]], tag: 1 });
    const r = prepare(pool, cand(skips, 1000));
    assert.deepEqual(r, { ok: false, reason: 'missing-ephemeral-spends', kind: 'policy', details: missing(skips) });
    const spends = tx({ ins: [[parent, 0], [parent, 1]], tag: 2 });
    assert.equal(admit(pool, cand(spends, 1000)).ok, true);
  });

  test('a parent without dust, or a pool without standardness, asks nothing', () => {
    const { pool } = newPool();
    const clean = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    assert.equal(admit(pool, cand(clean, 1000)).ok, true);
    assert.equal(admit(pool, cand(tx({ ins: [[clean, 0]], tag: 1 }), 1000)).ok, true);
    const lax = newPool({ requireStandard: false }).pool;
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 2, outValues: [10_000n, 0n] });
    assert.equal(admit(lax, cand(parent, 1000)).ok, true);
    assert.equal(admit(lax, cand(tx({ ins: [[parent, 0]], tag: 2 }), 1000)).ok, true);
  });

  test('every parent counts: dust of a second parent left unspent fails', () => {
    const { pool } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]], outs: 1 });
    const b = tx({ ins: [[coinTxid(), 0]], outs: 2, outValues: [10_000n, 0n] });
    for (const t of [a, b]) assert.equal(admit(pool, cand(t, 1000)).ok, true);
    const child = tx({ ins: [[a, 0], [b, 0]], tag: 3 });
    assert.equal(prepare(pool, cand(child, 2000)).ok, false);
    assert.equal(admit(pool, cand(tx({ ins: [[a, 0], [b, 0], [b, 1]], tag: 4 }), 2000)).ok, true);
  });

  test('the dust is matched by parent and output index together', () => {
    const { pool } = newPool();
    const clean = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const dusty = tx({ ins: [[coinTxid(), 0]], outs: 2, outValues: [10_000n, 0n] });
    // Output 1 of the clean parent is no spend of output 1 of the dusty one.
    const wrong = tx({ ins: [[clean, 1], [dusty, 0]], tag: 9 });
    assert.deepEqual(checkEphemeralSpends([clean, dusty, wrong], pool.opts.dustRelayFeeRate, pool), { tx: wrong, details: missing(wrong) });
    const right = tx({ ins: [[clean, 1], [dusty, 1]], tag: 10 });
    assert.equal(checkEphemeralSpends([clean, dusty, right], pool.opts.dustRelayFeeRate, pool), undefined);
  });

  test('a mempool parent\'s dust is worked out again at another dust relay fee', () => {
    const { pool } = newPool();
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 2, outValues: [10_000n, 500n] });
    assert.equal(admit(pool, cand(parent, 1000)).ok, true);
    const skips = tx({ ins: [[parent, 0]], tag: 11 });
    // At 0 sat/kvB the dust threshold is 0: nothing is dust (the first rate asked for).
    assert.equal(checkEphemeralSpends([skips], 0, pool), undefined);
    // 500 sat is above the 294-sat P2WPKH threshold at 3000 sat/kvB, dust at 6000 (588).
    assert.equal(checkEphemeralSpends([skips], 3000, pool), undefined);
    assert.deepEqual(checkEphemeralSpends([skips], 6000, pool), { tx: skips, details: missing(skips) });
    assert.equal(checkEphemeralSpends([skips], 3000, pool), undefined);
    assert.equal(checkEphemeralSpends([skips], 0, pool), undefined);
  });

  test('package parents count as parents (checked before they are in the mempool)', () => {
    const { pool } = newPool();
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 3, outValues: [10_000n, 0n, 0n] });
    const partial = tx({ ins: [[parent, 0], [parent, 2]], tag: 5 });
    assert.deepEqual(checkEphemeralSpends([parent, partial], pool.opts.dustRelayFeeRate, pool), { tx: partial, details: missing(partial) });
    const full = tx({ ins: [[parent, 1], [parent, 2]], tag: 6 });
    assert.equal(checkEphemeralSpends([parent, full], pool.opts.dustRelayFeeRate, pool), undefined);
    // A higher dust relay fee makes the 10,000-sat output dust too.
    assert.deepEqual(checkEphemeralSpends([parent, full], 1e8, pool), { tx: full, details: missing(full) });
  });

  test('many inputs and many dust outputs', () => {
    const { pool } = newPool();
    const values = Array.from({ length: 24 }, () => 0n);
    const parent = tx({ ins: [[coinTxid(), 0]], outs: 24, outValues: values });
    assert.equal(admit(pool, cand(parent, 5000)).ok, true);
    const confirmed = Array.from({ length: 6 }, (): [Uint8Array, number] => [coinTxid(), 0]);
    const all = Array.from({ length: 24 }, (_, k): [ReturnType<typeof tx>, number] => [parent, k]);
    const missingOne = tx({ ins: [...confirmed, ...all.slice(1)], tag: 7 });
    assert.equal(prepare(pool, cand(missingOne, 20_000)).ok, false);
    const everything = tx({ ins: [...confirmed, ...all], tag: 8 });
    assert.equal(admit(pool, cand(everything, 20_000)).ok, true);
  });
});
