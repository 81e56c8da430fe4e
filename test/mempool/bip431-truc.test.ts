import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { acceptPackage } from '../../src/mempool/package.ts';
import type { MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, packageHooks, tx, whex } from './helpers.ts';

function rej(r: { ok: boolean }): MempoolReject {
  assert.equal(r.ok, false, 'expected a rejection');
  return r as MempoolReject;
}

describe('TRUC (v3) rules → TRUC-violation', () => {
  test('v3 tx larger than 10,000 vB', () => {
    const { pool } = newPool();
    const t = tx({ ins: [[coinTxid(), 0]], version: 3 });
    const r = rej(admit(pool, cand(t, 100_000, 10_001)));
    assert.equal(r.reason, 'TRUC-violation');
    assert.equal(r.details, `version=3 tx ${hex(t)} (wtxid=${whex(t)}) is too big: 10001 > 10000 virtual bytes`);
  });

  test('v3 child larger than 1,000 vB', () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], version: 3 });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    const c = tx({ ins: [p], version: 3 });
    const r = rej(admit(pool, cand(c, 100_000, 1001)));
    assert.equal(r.details, `version=3 child tx ${hex(c)} (wtxid=${whex(c)}) is too big: 1001 > 1000 virtual bytes`);
  });

  test('v3 child size at the boundary: 999 and 1000 vB are accepted, 1001 is not', () => {
    for (const vsize of [999, 1000, 1001]) {
      const { pool } = newPool();
      const p = tx({ ins: [[coinTxid(), 0]], version: 3 });
      assert.ok(admit(pool, cand(p, 1000)).ok);
      const c = tx({ ins: [p], version: 3 });
      const r = admit(pool, cand(c, 100_000, vsize));
      if (vsize <= 1000) assert.ok(r.ok, `child of ${vsize} vB`);
      else assert.equal(rej(r).details, `version=3 child tx ${hex(c)} (wtxid=${whex(c)}) is too big: 1001 > 1000 virtual bytes`);
    }
  });

  test('v3 child size at the boundary in a package (PackageTRUCChecks): 999 and 1000 vB pass, 1001 does not', async () => {
    // The parent (0 fee, not in the mempool) only enters with its child, so the child's size
    // is checked against its in-package parent.
    for (const vsize of [999, 1000, 1001]) {
      const { pool } = newPool();
      const p = tx({ ins: [[coinTxid(), 0]], version: 3 });
      const c = tx({ ins: [p], version: 3 });
      const r = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(c), 100_000]]), new Map([[hex(c), vsize]])));
      if (vsize <= 1000) {
        assert.equal(r.message, 'success', `child of ${vsize} vB`);
        assert.equal(pool.size, 2);
      } else {
        assert.equal(r.message, 'TRUC-violation');
        assert.equal(r.details, `version=3 child tx ${hex(c)} (wtxid=${whex(c)}) is too big: 1001 > 1000 virtual bytes`);
        assert.equal(pool.size, 0);
      }
    }
  });

  test('v3 cannot spend non-v3 unconfirmed; non-v3 cannot spend v3 unconfirmed', () => {
    const { pool } = newPool();
    const p2 = tx({ ins: [[coinTxid(), 0]] });
    const p3 = tx({ ins: [[coinTxid(), 0]], version: 3 });
    assert.ok(admit(pool, cand(p2, 1000)).ok);
    assert.ok(admit(pool, cand(p3, 1000)).ok);
    const c3 = tx({ ins: [p2], version: 3 });
    assert.equal(rej(admit(pool, cand(c3, 1000))).details,
      `version=3 tx ${hex(c3)} (wtxid=${whex(c3)}) cannot spend from non-version=3 tx ${hex(p2)} (wtxid=${whex(p2)})`);
    const c2 = tx({ ins: [p3] });
    assert.equal(rej(admit(pool, cand(c2, 1000))).details,
      `non-version=3 tx ${hex(c2)} (wtxid=${whex(c2)}) cannot spend from version=3 tx ${hex(p3)} (wtxid=${whex(p3)})`);
  });

  test('only one unconfirmed ancestor', () => {
    const { pool } = newPool();
    const g = tx({ ins: [[coinTxid(), 0]], version: 3 });
    assert.ok(admit(pool, cand(g, 1000)).ok);
    const p = tx({ ins: [g], version: 3 });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    const c = tx({ ins: [p], version: 3 });
    assert.equal(rej(admit(pool, cand(c, 1000))).details, `tx ${hex(c)} (wtxid=${whex(c)}) would have too many ancestors`);
  });

  test('one child: sibling eviction under RBF rules, else descendant count limit', () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 2 });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    const c1 = tx({ ins: [[p, 0]], version: 3 });
    assert.ok(admit(pool, cand(c1, 2000)).ok);
    const c2 = tx({ ins: [[p, 1]], version: 3 });
    const low = rej(admit(pool, cand(c2, 2000)));
    assert.equal(low.reason, 'insufficient fee (including sibling eviction)');
    const r = admit(pool, cand(c2, 5000));
    assert.ok(r.ok);
    assert.deepEqual(r.replaced.map((e) => e.txid), [hex(c1)]);
    // A parent with two children (possible after a reorg) cannot evict a sibling.
    const { pool: q } = newPool();
    const pp = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 3 });
    assert.ok(admit(q, cand(pp, 1000)).ok);
    const k = tx({ ins: [[pp, 0]], version: 3 });
    assert.ok(admit(q, cand(k, 2000)).ok);
    const gk = tx({ ins: [k], version: 3 });
    const r2 = rej(admit(q, cand(gk, 2000)));
    assert.equal(r2.details, `tx ${hex(gk)} (wtxid=${whex(gk)}) would have too many ancestors`);
    const k2 = tx({ ins: [[pp, 1]], version: 3 });
    const nonTruc = admit(q, cand(k2, 1_000_000));
    assert.ok(nonTruc.ok, 'sibling eviction of k');
  });
});
