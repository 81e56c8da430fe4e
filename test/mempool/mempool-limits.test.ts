import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit, reject } from '../../src/mempool/admit.ts';
import { feeAtRate } from '../../src/mempool/format.ts';
import { DEFAULT_LIMITS, type MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';
import type { Transaction } from '../../src/primitives/tx.ts';

function rej(r: { ok: boolean }): MempoolReject {
  assert.equal(r.ok, false, 'expected a rejection');
  return r as MempoolReject;
}

function chain(pool: ReturnType<typeof newPool>['pool'], n: number, vsize?: number): Transaction[] {
  const out: Transaction[] = [];
  let prev: Transaction | Uint8Array = coinTxid();
  for (let i = 0; i < n; i++) {
    const t: Transaction = tx({ ins: [prev instanceof Uint8Array ? [prev, 0] : prev], outs: 2 });
    assert.ok(admit(pool, cand(t, 1000, vsize)).ok, `chain tx ${i}`);
    out.push(t);
    prev = t;
  }
  return out;
}

describe('ancestor/descendant limits → too-long-mempool-chain (Core CalculateAncestorsAndCheckLimits texts)', () => {
  test('26th in a chain: too many unconfirmed ancestors', () => {
    const { pool } = newPool();
    const c = chain(pool, 25);
    const r = rej(admit(pool, cand(tx({ ins: [c[24]!] }), 1000)));
    assert.equal(r.reason, 'too-long-mempool-chain');
    assert.equal(r.details, 'too many unconfirmed ancestors [limit: 25]');
  });

  test('26th descendant too large for the carve-out: too many descendants', () => {
    const { pool } = newPool();
    const root = tx({ ins: [[coinTxid(), 0]], outs: 30 });
    assert.ok(admit(pool, cand(root, 1000)).ok);
    for (let i = 0; i < 24; i++) assert.ok(admit(pool, cand(tx({ ins: [[root, i]] }), 1000)).ok);
    const r = rej(admit(pool, cand(tx({ ins: [[root, 25]] }), 100_000, 10_001)));
    assert.equal(r.details, `too many descendants for tx ${hex(root)} [limit: 25]`);
  });

  test('too many unconfirmed parents', () => {
    const { pool } = newPool({ limits: { ancestorCount: 3, ancestorSizeVbytes: 101_000, descendantCount: 25, descendantSizeVbytes: 101_000 } });
    const ps = [0, 1, 2].map(() => tx({ ins: [[coinTxid(), 0]] }));
    for (const p of ps) assert.ok(admit(pool, cand(p, 1000)).ok);
    const r = rej(admit(pool, cand(tx({ ins: ps }), 5000)));
    assert.equal(r.details, 'too many unconfirmed parents [limit: 3]');
  });

  test('exceeds ancestor size limit and descendant size limit', () => {
    const { pool } = newPool({ limits: { ancestorCount: 25, ancestorSizeVbytes: 1000, descendantCount: 25, descendantSizeVbytes: 100_000 } });
    const p = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    assert.ok(admit(pool, cand(p, 1000, 600)).ok);
    const r = rej(admit(pool, cand(tx({ ins: [[p, 0]] }), 1000, 401)));
    assert.equal(r.details, 'exceeds ancestor size limit [limit: 1000]');
    // Over 10,000 vB the CPFP carve-out does not apply.
    const { pool: p2 } = newPool({ limits: { ancestorCount: 25, ancestorSizeVbytes: 100_000, descendantCount: 25, descendantSizeVbytes: 10_500 } });
    assert.ok(admit(p2, cand(p, 1000, 600)).ok);
    const r2 = rej(admit(p2, cand(tx({ ins: [[p, 0]] }), 100_000, 10_001)));
    assert.equal(r2.details, `exceeds descendant size limit for tx ${hex(p)} [limit: 10500]`);
  });

  test('CPFP carve-out: one extra small child of a parent at the descendant limit', () => {
    const { pool } = newPool();
    const root = tx({ ins: [[coinTxid(), 0]], outs: 30 });
    assert.ok(admit(pool, cand(root, 1000)).ok);
    for (let i = 0; i < 24; i++) assert.ok(admit(pool, cand(tx({ ins: [[root, i]] }), 1000)).ok);
    const extra = tx({ ins: [[root, 25]] });
    assert.ok(admit(pool, cand(extra, 1000)).ok, 'carve-out admits the 26th');
    const r = rej(admit(pool, cand(tx({ ins: [[root, 26]] }), 1000)));
    assert.equal(r.details, `too many descendants for tx ${hex(root)} [limit: 25]`);
  });

  test('CPFP carve-out: the parent\'s descendant size may grow by up to 10,000 vB more', () => {
    // A 60,000 vB parent with a 41,000 vB child is at the 101,000 vB descendant size; a third
    // transaction of 10,000 vB takes it to 111,000 vB, within the carve-out's extra room.
    const { pool } = newPool();
    const root = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    assert.ok(admit(pool, cand(root, 60_000, 60_000)).ok);
    assert.ok(admit(pool, cand(tx({ ins: [[root, 0]] }), 41_000, 41_000)).ok);
    assert.ok(admit(pool, cand(tx({ ins: [[root, 1]] }), 100_000, 10_000)).ok, 'carve-out within the size bound');
  });

  test('TRUC transactions get no carve-out', () => {
    // -limitdescendantcount=1: a second transaction in the cluster needs the carve-out.
    const limits = { ...DEFAULT_LIMITS, descendantCount: 1 };
    for (const version of [2, 3]) {
      const { pool } = newPool({ limits });
      const p = tx({ ins: [[coinTxid(), 0]], version });
      assert.ok(admit(pool, cand(p, 1000)).ok);
      const r = admit(pool, cand(tx({ ins: [p], version }), 5000));
      if (version === 2) assert.ok(r.ok, 'a v2 child enters through the carve-out');
      else assert.deepEqual(rej(r).details, `too many descendants for tx ${hex(p)} [limit: 1]`);
    }
  });

  test('replacing exactly one transaction: one more descendant, and the conflict\'s descendant size, are allowed', () => {
    // The parent has 25 descendants; a 10,001 vB child (too large for the carve-out) replacing
    // one of its children would be the 26th before the conflict goes.
    const { pool } = newPool();
    const root = tx({ ins: [[coinTxid(), 0]], outs: 25 });
    assert.ok(admit(pool, cand(root, 1000)).ok);
    const kids = Array.from({ length: 24 }, (_, i) => tx({ ins: [[root, i]] }));
    for (const k of kids) assert.ok(admit(pool, cand(k, 1000)).ok);
    assert.equal(rej(admit(pool, cand(tx({ ins: [[root, 24]] }), 300_000, 10_001))).details, `too many descendants for tx ${hex(root)} [limit: 25]`);
    const r = admit(pool, cand(tx({ ins: [[root, 0]], tag: 1 }), 300_000, 10_001));
    assert.ok(r.ok, 'the single-conflict allowance');
    assert.deepEqual(r.replaced.map((e) => e.txid), [hex(kids[0]!)]);
    // With a carve-out child the parent has 26 descendants: the allowance goes no further.
    assert.ok(admit(pool, cand(tx({ ins: [[root, 24]] }), 1000)).ok);
    assert.equal(rej(admit(pool, cand(tx({ ins: [[root, 1]], tag: 1 }), 300_000, 10_001))).details,
      `too many descendants for tx ${hex(root)} [limit: 26]`);
    // Sizes: a 60,000 vB parent with a 30,000 vB child; a 30,000 vB replacement of the child
    // counts against 101,000 + 30,000 vB (90,000 + 30,000 = 120,000 vB of descendants).
    const { pool: q } = newPool();
    const big = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    assert.ok(admit(q, cand(big, 60_000, 60_000)).ok);
    const child = tx({ ins: [[big, 0]] });
    assert.ok(admit(q, cand(child, 30_000, 30_000)).ok);
    assert.equal(rej(admit(q, cand(tx({ ins: [[big, 1]] }), 100_000, 30_000))).details,
      `exceeds descendant size limit for tx ${hex(big)} [limit: 101000]`);
    const r2 = admit(q, cand(tx({ ins: [[big, 0]], tag: 2 }), 100_000, 30_000));
    assert.ok(r2.ok, 'the conflict\'s descendant size is added to the limit');
    assert.deepEqual(r2.replaced.map((e) => e.txid), [hex(child)]);
    assert.equal(rej(admit(q, cand(tx({ ins: [[big, 0]], tag: 3 }), 300_000, 45_000))).details,
      `exceeds descendant size limit for tx ${hex(big)} [limit: 131000]`);
  });

  test('aggregates track ancestors and descendants', () => {
    const { pool } = newPool();
    const c = chain(pool, 3, 100);
    const [a, b, d] = c.map((t) => pool.get(hex(t))!);
    assert.deepEqual([a!.descCount, a!.descSize, a!.descFee], [3, 300, 3000]);
    assert.deepEqual([d!.ancCount, d!.ancSize, d!.ancFee], [3, 300, 3000]);
    assert.deepEqual([b!.ancCount, b!.descCount], [2, 2]);
  });
});

describe('PreChecks fee checks (CheckFeeRate and the min relay fee)', () => {
  test('a prioritisetransaction delta recorded before arrival counts in the modified fee', () => {
    const { pool } = newPool();
    const t = tx({ ins: [[coinTxid(), 0]] });
    pool.prioritise(hex(t), 5000);
    const r = admit(pool, cand(t, 0));
    assert.ok(r.ok);
    assert.equal(r.entry.modFee, 5000);
  });

  test('mempool min fee: reconsiderable, with the fee and the minimum in the details', () => {
    const { pool } = newPool();
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const t = tx({ ins: [[coinTxid(), 0]] });
    const min = feeAtRate(5000, t.vsize);
    assert.deepEqual(rej(admit(pool, cand(t, 200))), { ok: false, reason: 'mempool min fee not met', kind: 'fee', details: `200 < ${min}`, reconsiderable: true });
  });

  test('a TRUC transaction with a negative modified fee and no mempool minimum fails the min relay fee', () => {
    const { pool } = newPool();
    assert.equal(pool.getMinFee(), 0);
    const t = tx({ ins: [[coinTxid(), 0]], version: 3 });
    pool.prioritise(hex(t), -1000);
    const relay = feeAtRate(pool.opts.minRelayFeeRate, t.vsize);
    assert.deepEqual(rej(admit(pool, cand(t, 0))), { ok: false, reason: 'min relay fee not met', kind: 'fee', details: `-1000 < ${relay}`, reconsiderable: true });
  });

  test('reject(): details only when given and not empty', () => {
    assert.deepEqual(reject('policy', 'x'), { ok: false, reason: 'x', kind: 'policy' });
    assert.deepEqual(reject('policy', 'x', ''), { ok: false, reason: 'x', kind: 'policy' });
    assert.deepEqual(reject('policy', 'x', 'd'), { ok: false, reason: 'x', kind: 'policy', details: 'd' });
  });

  test('limit and TRUC rejections are policy rejections; a plain admission replaces nothing', () => {
    const { pool } = newPool({ limits: { ancestorCount: 1, ancestorSizeVbytes: 101_000, descendantCount: 25, descendantSizeVbytes: 101_000 } });
    const p = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const r = admit(pool, cand(p, 1000));
    assert.ok(r.ok);
    assert.deepEqual(r.replaced, []);
    // Too large for the carve-out, then within it but a grandchild.
    assert.equal(rej(admit(pool, cand(tx({ ins: [[p, 0]] }), 100_000, 20_000))).kind, 'policy');
    const c = tx({ ins: [[p, 1]] });
    assert.ok(admit(pool, cand(c, 1000)).ok, 'carve-out');
    assert.deepEqual(rej(admit(pool, cand(tx({ ins: [c] }), 1000))).kind, 'policy');
    const { pool: q } = newPool();
    const v3 = tx({ ins: [[coinTxid(), 0]], version: 3 });
    assert.ok(admit(q, cand(v3, 1000)).ok);
    assert.equal(rej(admit(q, cand(tx({ ins: [v3] }), 1000))).kind, 'policy');
  });
});
