import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { acceptPackage } from '../../src/mempool/package.ts';
import { packageTrucChecks, singleTrucChecks } from '../../src/mempool/truc.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import type { MempoolEntry, MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, packageHooks, tx, whex } from './helpers.ts';

function rej(r: { ok: boolean }): MempoolReject {
  assert.equal(r.ok, false, 'expected a rejection');
  return r as MempoolReject;
}

describe('TRUC (v3) rules → TRUC-violation', () => {
  /** A v3 parent with two outputs in the mempool, and a v3 child spending its output 0. */
  function parentWithChild() {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 2 });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    const c1 = tx({ ins: [[p, 0]], version: 3 });
    assert.ok(admit(pool, cand(c1, 2000)).ok);
    return { pool, p, c1 };
  }

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

  test('with a v3 and a non-v3 parent, the error names the parent of the other version', () => {
    // Ancestors are looked at in txid order (internal bytes): put the same-version one first.
    const pair = (firstVersion: number, secondVersion: number) => {
      for (;;) {
        const a = tx({ ins: [[coinTxid(), 0]], version: firstVersion }), b = tx({ ins: [[coinTxid(), 0]], version: secondVersion });
        const i = a.txid.findIndex((x, k) => x !== b.txid[k]);
        if (a.txid[i]! < b.txid[i]!) return [a, b] as const;
      }
    };
    const [v2first, v3second] = pair(2, 3);
    const { pool } = newPool();
    for (const t of [v2first, v3second]) assert.ok(admit(pool, cand(t, 1000)).ok);
    const c2 = tx({ ins: [v2first, v3second] });
    assert.equal(rej(admit(pool, cand(c2, 1000))).details,
      `non-version=3 tx ${hex(c2)} (wtxid=${whex(c2)}) cannot spend from version=3 tx ${hex(v3second)} (wtxid=${whex(v3second)})`);
    const [v3first, v2second] = pair(3, 2);
    const { pool: q } = newPool();
    for (const t of [v3first, v2second]) assert.ok(admit(q, cand(t, 1000)).ok);
    const c3 = tx({ ins: [v3first, v2second], version: 3 });
    assert.equal(rej(admit(q, cand(c3, 1000))).details,
      `version=3 tx ${hex(c3)} (wtxid=${whex(c3)}) cannot spend from non-version=3 tx ${hex(v2second)} (wtxid=${whex(v2second)})`);
  });

  test('a child that directly replaces a child of the parent is no extra descendant', () => {
    const { pool, p, c1 } = parentWithChild();
    // Same input as c1: plain RBF rules, not sibling eviction.
    const again = tx({ ins: [[p, 0]], version: 3, tag: 1 });
    assert.equal(rej(admit(pool, cand(again, 2000))).reason, 'insufficient fee');
    const r = admit(pool, cand(again, 5000));
    assert.ok(r.ok);
    assert.deepEqual(r.replaced.map((e) => e.txid), [hex(c1)]);
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
    const { pool, p, c1 } = parentWithChild();
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

  test('sibling eviction keeps the direct conflicts: a child that also double-spends its parent spends a conflicting tx', () => {
    // The new child spends the parent's second output and the parent's own input: its direct
    // conflict (the parent) is its ancestor, and the sibling it would evict joins the conflicts.
    const { pool, p } = parentWithChild();
    const both = tx({ ins: [[p, 1], [p.inputs[0]!.prevout.txid, 0]], version: 3 });
    const r = rej(admit(pool, cand(both, 50_000)));
    assert.equal(r.reason, 'bad-txns-spends-conflicting-tx');
    assert.equal(r.details, `${hex(both)} spends conflicting transaction ${hex(p)}`);
  });
});

describe('PackageTRUCChecks on its own (a package transaction against mempool ancestors and package parents)', () => {
  const ids = (t: ReturnType<typeof tx>) => `${hex(t)} (wtxid=${whex(t)})`;
  const none = new Set<MempoolEntry>();
  /** A v3 parent in a fresh mempool, with its entry. */
  function mempoolParent(version = 3, children = 0) {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], version, outs: 2 });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    for (let k = 0; k < children; k++) assert.ok(admit(pool, cand(tx({ ins: [[p, k]], version }), 1000)).ok);
    return { p, entry: pool.get(hex(p))! };
  }

  test('v3 size: 10,000 vB pass, 10,001 do not', () => {
    const t = tx({ ins: [[coinTxid(), 0]], version: 3 });
    assert.equal(packageTrucChecks(t, 10_000, [t], none), undefined);
    assert.equal(packageTrucChecks(t, 10_001, [t], none), `version=3 tx ${ids(t)} is too big: 10001 > 10000 virtual bytes`);
  });

  test('ancestors: mempool and in-package parents count together, at most one', () => {
    const a = tx({ ins: [[coinTxid(), 0]], version: 3 }), b = tx({ ins: [[coinTxid(), 0]], version: 3 });
    const two = tx({ ins: [a, b], version: 3 });
    assert.equal(packageTrucChecks(two, 100, [a, b, two], none), `tx ${ids(two)} would have too many ancestors`);
    const { p, entry } = mempoolParent();
    const mixed = tx({ ins: [[p, 0], a], version: 3 });
    assert.equal(packageTrucChecks(mixed, 100, [a, mixed], new Set([entry])), `tx ${ids(mixed)} would have too many ancestors`);
    const one = tx({ ins: [a], version: 3 });
    assert.equal(packageTrucChecks(one, 1000, [a, one], none), undefined);
    assert.equal(packageTrucChecks(one, 1001, [a, one], none), `version=3 child tx ${ids(one)} is too big: 1001 > 1000 virtual bytes`);
  });

  test('only package transactions before it are its parents', () => {
    const v2 = tx({ ins: [[coinTxid(), 0]] });
    const child = tx({ ins: [v2], version: 3 });
    // After the child, the v2 parent is not looked at (the package is sorted before this check).
    assert.equal(packageTrucChecks(child, 100, [child, v2], none), undefined);
    assert.equal(packageTrucChecks(child, 100, [v2, child], none), `version=3 tx ${ids(child)} cannot spend from non-version=3 tx ${hex(v2)} (wtxid=${whex(v2)})`);
    // An earlier package transaction it does not spend is no parent.
    const unrelated = tx({ ins: [[coinTxid(), 0]] });
    const lone = tx({ ins: [[coinTxid(), 0]], version: 3 });
    assert.equal(packageTrucChecks(lone, 100, [unrelated, lone], none), undefined);
  });

  test('a mempool parent: its version, and no other child in the mempool or the package', () => {
    const v2 = mempoolParent(2);
    const c2 = tx({ ins: [[v2.p, 0]], version: 3 });
    assert.equal(packageTrucChecks(c2, 100, [c2], new Set([v2.entry])), `version=3 tx ${ids(c2)} cannot spend from non-version=3 tx ${hex(v2.p)} (wtxid=${whex(v2.p)})`);
    const free = mempoolParent();
    const c = tx({ ins: [[free.p, 0]], version: 3 });
    assert.equal(packageTrucChecks(c, 100, [c], new Set([free.entry])), undefined);
    const sibling = tx({ ins: [[free.p, 1]], version: 3 });
    assert.equal(packageTrucChecks(c, 100, [c, sibling], new Set([free.entry])), `tx ${hex(free.p)} (wtxid=${whex(free.p)}) would exceed descendant count limit`);
    const grandchild = tx({ ins: [c], version: 3 });
    assert.equal(packageTrucChecks(c, 100, [c, grandchild], new Set([free.entry])), `tx ${ids(grandchild)} would have too many ancestors`);
    const taken = mempoolParent(3, 1);
    assert.equal(taken.entry.descCount, 2);
    const late = tx({ ins: [[taken.p, 1]], version: 3 });
    assert.equal(packageTrucChecks(late, 100, [late], new Set([taken.entry])), `tx ${hex(taken.p)} (wtxid=${whex(taken.p)}) would exceed descendant count limit`);
  });

  test('a non-v3 transaction cannot spend a v3 parent, in the mempool or in the package', () => {
    const v3 = mempoolParent();
    const c = tx({ ins: [[v3.p, 0]] });
    assert.equal(packageTrucChecks(c, 100, [c], new Set([v3.entry])), `non-version=3 tx ${ids(c)} cannot spend from version=3 tx ${hex(v3.p)} (wtxid=${whex(v3.p)})`);
    const p = tx({ ins: [[coinTxid(), 0]], version: 3 });
    const c2 = tx({ ins: [p] });
    assert.equal(packageTrucChecks(c2, 100, [p, c2], none), `non-version=3 tx ${ids(c2)} cannot spend from version=3 tx ${ids(p)}`);
    const v2 = mempoolParent(2);
    const c3 = tx({ ins: [[v2.p, 0]] });
    assert.equal(packageTrucChecks(c3, 100_000, [c3], new Set([v2.entry])), undefined);
  });
});

describe('SingleTRUCChecks on its own: the descendant limit and sibling eviction', () => {
  /**
   * The entry fields SingleTRUCChecks reads, for mempool shapes admit() never builds (a v3
   * parent with two children, a v3 child with a second unconfirmed parent: reorg leftovers).
   */
  function entry(t: Transaction, o: { children?: MempoolEntry[]; ancCount?: number } = {}): MempoolEntry {
    const children = new Set(o.children ?? []);
    return { tx: t, txid: hex(t), wtxid: whex(t), children, descCount: 1 + children.size, ancCount: o.ancCount ?? 1 } as unknown as MempoolEntry;
  }
  const p = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 3 });
  const k1 = tx({ ins: [[p, 0]], version: 3 }), k2 = tx({ ins: [[p, 1]], version: 3 });
  const c = tx({ ins: [[p, 2]], version: 3 });
  const limit = `tx ${hex(p)} (wtxid=${whex(p)}) would exceed descendant count limit`;

  test('one child with no other ancestor: the error names the parent and offers the child for eviction', () => {
    const child = entry(k1, { ancCount: 2 });
    assert.deepEqual(singleTrucChecks(c, new Set([entry(p, { children: [child] })]), new Set(), 100), { error: limit, sibling: child });
  });

  test('a child with a second unconfirmed parent is not offered for eviction', () => {
    const child = entry(k1, { ancCount: 3 });
    assert.deepEqual(singleTrucChecks(c, new Set([entry(p, { children: [child] })]), new Set(), 100), { error: limit, sibling: undefined });
  });

  test('two children: none is offered; one of them being replaced lifts the limit', () => {
    const parent = entry(p, { children: [entry(k1, { ancCount: 2 }), entry(k2, { ancCount: 2 })] });
    assert.deepEqual(singleTrucChecks(c, new Set([parent]), new Set(), 100), { error: limit, sibling: undefined });
    assert.equal(singleTrucChecks(c, new Set([parent]), new Set([hex(k1)]), 100), undefined);
    assert.equal(singleTrucChecks(c, new Set([parent]), new Set([hex(k2)]), 100), undefined);
  });
});
