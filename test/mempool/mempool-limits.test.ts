import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
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
