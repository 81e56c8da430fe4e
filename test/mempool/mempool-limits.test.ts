import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit, reject } from '../../src/mempool/admit.ts';
import { feeAtRate } from '../../src/mempool/format.ts';
import type { MempoolReject } from '../../src/mempool/types.ts';
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
