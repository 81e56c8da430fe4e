import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { acceptPackage, isWellFormedPackage } from '../../src/mempool/package.ts';
import { admit } from '../../src/mempool/admit.ts';
import { cand, coinTxid, hex, newPool, packageHooks, tx, whex } from './helpers.ts';

describe('package well-formedness (policy/packages.cpp)', () => {
  test('count, weight, duplicates, sorting, conflicts', () => {
    const many = Array.from({ length: 26 }, () => tx({ ins: [[coinTxid(), 0]] }));
    assert.deepEqual(isWellFormedPackage(many), { ok: false, reason: 'package-too-many-transactions' });
    const big = tx({ ins: [[coinTxid(), 0]], outs: 2500 });
    const big2 = tx({ ins: [[coinTxid(), 0]], outs: 2500 });
    assert.ok(big.weight + big2.weight > 404_000);
    assert.deepEqual(isWellFormedPackage([big, big2]), { ok: false, reason: 'package-too-large' });
    const a = tx({ ins: [[coinTxid(), 0]] });
    assert.deepEqual(isWellFormedPackage([a, a]), { ok: false, reason: 'package-contains-duplicates' });
    const child = tx({ ins: [a] });
    assert.deepEqual(isWellFormedPackage([child, a]), { ok: false, reason: 'package-not-sorted' });
    const c = coinTxid();
    const x = tx({ ins: [[c, 0]] });
    const y = tx({ ins: [[c, 0]], tag: 2 });
    assert.deepEqual(isWellFormedPackage([x, y]), { ok: false, reason: 'conflict-in-package' });
  });
});

describe('submitpackage (AcceptPackage)', () => {
  test('package-not-child-with-parents and package-not-child-with-unconfirmed-parents', async () => {
    const { pool } = newPool();
    const a = tx({ ins: [[coinTxid(), 0]] });
    const b = tx({ ins: [[coinTxid(), 0]] });
    const r = await acceptPackage(pool, [a, b], packageHooks(new Map()));
    assert.equal(r.message, 'package-not-child-with-parents');
    const m = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(m, 1000)).ok);
    const child = tx({ ins: [a, m] });
    const r2 = await acceptPackage(pool, [a, child], packageHooks(new Map()));
    assert.equal(r2.message, 'package-not-child-with-unconfirmed-parents');
  });

  test('CPFP: a parent below the mempool minimum is carried by its child', async () => {
    const { pool } = newPool();
    pool['rollingMinimumFeeRate' as never] = 5000 as never; // as after evictions
    assert.equal(pool.getMinFee(), 5000);
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    const fees = new Map([[hex(p), p.vsize * 2], [hex(c), c.vsize * 10]]);
    // Alone, the parent fails for a reconsiderable fee reason.
    const single = await acceptPackage(pool, [p], packageHooks(fees));
    assert.equal(single.message, 'transaction failed');
    assert.equal(single.results.get(whex(p))?.reject?.reason, 'mempool min fee not met');
    const r = await acceptPackage(pool, [p, c], packageHooks(fees));
    assert.equal(r.message, 'success');
    assert.equal(r.results.get(whex(p))?.status, 'accepted');
    assert.deepEqual(r.results.get(whex(c))?.effectiveIncludes, [whex(p), whex(c)]);
    assert.equal(pool.size, 2);
    // Submitting again: both are already in the mempool.
    const again = await acceptPackage(pool, [p, c], packageHooks(fees));
    assert.equal(again.results.get(whex(c))?.status, 'already-in-mempool');
  });

  test('package fee rate too low → transaction failed with mempool min fee not met on the child', async () => {
    const { pool } = newPool();
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    const fees = new Map([[hex(p), p.vsize], [hex(c), c.vsize * 2]]);
    const r = await acceptPackage(pool, [p, c], packageHooks(fees));
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(c))?.reject?.reason, 'mempool min fee not met');
    assert.equal(pool.size, 0);
  });

  test('non-fee failure of a parent stops package evaluation', async () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    // 0-fee non-TRUC parent: min relay fee is not reconsiderable.
    const r = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(c), 100_000]])));
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(p))?.reject?.reason, 'min relay fee not met');
    assert.equal(r.results.get(whex(c))?.reject?.reason, 'bad-txns-inputs-missingorspent');
  });

  test('TRUC 0-fee parent with a fee-paying child (package TRUC checks pass)', async () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], version: 3 });
    const c = tx({ ins: [p], version: 3 });
    const r = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(c), 10_000]])));
    assert.equal(r.message, 'success');
    assert.equal(pool.size, 2);
  });

  test('package TRUC violation: v3 child of a non-v3 parent in the package', async () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p], version: 3 });
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const r = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(p), 200], [hex(c), 100_000]])));
    assert.equal(r.message, 'TRUC-violation');
    assert.equal(r.details, `version=3 tx ${hex(c)} (wtxid=${whex(c)}) cannot spend from non-version=3 tx ${hex(p)} (wtxid=${whex(p)})`);
  });

  test('package-mempool-limits', async () => {
    const { pool } = newPool({ limits: { ancestorCount: 3, ancestorSizeVbytes: 101_000, descendantCount: 25, descendantSizeVbytes: 101_000 } });
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const g = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(g, 100_000)).ok);
    const m = tx({ ins: [g] });
    assert.ok(admit(pool, cand(m, 100_000)).ok);
    const p = tx({ ins: [m] });
    const c = tx({ ins: [p] });
    const r = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(p), 200], [hex(c), 100_000]])));
    assert.equal(r.message, 'package-mempool-limits');
    assert.equal(r.details, 'possibly too many unconfirmed ancestors [limit: 3]');
  });

  test('package RBF (1 parent, 1 child) replaces a conflicting parent', async () => {
    const { pool } = newPool();
    const coin = coinTxid();
    const old = tx({ ins: [[coin, 0]] });
    assert.ok(admit(pool, cand(old, 1000, 200)).ok);
    const p = tx({ ins: [[coin, 0]], tag: 9 });
    const c = tx({ ins: [p] });
    const fees = new Map([[hex(p), 1000], [hex(c), 20_000]]);
    const vs = new Map([[hex(p), 200], [hex(c), 200]]);
    const r = await acceptPackage(pool, [p, c], packageHooks(fees, vs));
    assert.equal(r.message, 'success');
    assert.deepEqual(r.replaced, [hex(old)]);
    assert.ok(!pool.has(hex(old)));
    const fees2 = new Map([[hex(p), 1000], [hex(c), 1000]]);
    const { pool: q } = newPool();
    assert.ok(admit(q, cand(old, 1000, 200)).ok);
    const r2 = await acceptPackage(q, [p, c], packageHooks(fees2, vs));
    assert.equal(r2.message, 'package RBF failed: package feerate is less than or equal to parent feerate');
  });
});
