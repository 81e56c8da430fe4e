import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { acceptPackage, isChildWithParentsTree, isWellFormedPackage, type PackageHooks } from '../../src/mempool/package.ts';
import { feeRatePerK } from '../../src/mempool/format.ts';
import { makeTx } from '../../src/primitives/tx.ts';
import { admit, reject } from '../../src/mempool/admit.ts';
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

  test('a lone transaction over the package weight is left to its own checks; no inputs is conflict-in-package', () => {
    const huge = tx({ ins: [[coinTxid(), 0]], outs: 4000 });
    assert.ok(huge.weight > 404_000);
    assert.deepEqual(isWellFormedPackage([huge]), { ok: true });
    const noInputs = { ...tx({ ins: [[coinTxid(), 0]] }), inputs: [] };
    assert.deepEqual(isWellFormedPackage([noInputs]), { ok: false, reason: 'conflict-in-package' });
  });

  test('IsChildWithParentsTree: every other transaction is a parent of the last, and no parent spends another', () => {
    const a = tx({ ins: [[coinTxid(), 0]] }), b = tx({ ins: [[coinTxid(), 0]] });
    assert.equal(isChildWithParentsTree([a, b, tx({ ins: [a, b] })]), true);
    assert.equal(isChildWithParentsTree([a]), false);
    // b is no parent of the last: only the first parent is spent.
    assert.equal(isChildWithParentsTree([a, b, tx({ ins: [a] })]), false);
    assert.equal(isChildWithParentsTree([b, a, tx({ ins: [a] })]), false);
    const aChild = tx({ ins: [a] });
    assert.equal(isChildWithParentsTree([a, aChild, tx({ ins: [a, aChild] })]), false);
    // The parent spending another parent need not be the second, nor spend only from it.
    const mixed = tx({ ins: [[coinTxid(), 0], a] });
    assert.equal(isChildWithParentsTree([b, a, mixed, tx({ ins: [b, a, mixed] })]), false);
  });
});

/** packageHooks, recording the packageFeerates flag of each preCheck. */
function recordingHooks(fees: Map<string, number>, vsizes?: Map<string, number>): { hooks: PackageHooks; flags: boolean[] } {
  const base = packageHooks(fees, vsizes);
  const flags: boolean[] = [];
  return { flags, hooks: { ...base, preCheck: (t, v, o) => (flags.push(o.packageFeerates), base.preCheck(t, v, o)) } };
}

describe('submitpackage: transactions that pass alone, and the package-level messages', () => {
  test('each transaction paying for itself is accepted alone, at its own fee rate', async () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    const { hooks, flags } = recordingHooks(new Map([[hex(p), 5000], [hex(c), 7000]]));
    const r = await acceptPackage(pool, [p, c], hooks);
    assert.equal(r.message, 'success');
    assert.equal('details' in r, false);
    assert.deepEqual(flags, [false, false]);
    for (const [t, fee] of [[p, 5000], [c, 7000]] as const) {
      assert.deepEqual(r.results.get(whex(t)), {
        txid: hex(t), wtxid: whex(t), status: 'accepted', vsize: t.vsize, fee: BigInt(fee),
        effectiveFeeRate: feeRatePerK(fee, t.vsize), effectiveIncludes: [whex(t)], replaced: [],
      });
    }
    assert.equal(pool.size, 2);
  });

  test('a lone transaction: rejected with its reason, or accepted replacing a conflict', async () => {
    const { pool } = newPool();
    const coin = coinTxid();
    const old = tx({ ins: [[coin, 0]] });
    assert.ok(admit(pool, cand(old, 1000, 200)).ok);
    const low = tx({ ins: [[coin, 0]], tag: 1 });
    const r = await acceptPackage(pool, [low], packageHooks(new Map([[hex(low), 1000]]), new Map([[hex(low), 200]])));
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(low))?.status, 'rejected');
    assert.equal(r.results.get(whex(low))?.reject?.reason, 'insufficient fee');
    const high = tx({ ins: [[coin, 0]], tag: 2 });
    const ok = await acceptPackage(pool, [high], packageHooks(new Map([[hex(high), 5000]]), new Map([[hex(high), 200]])));
    assert.equal(ok.message, 'success');
    assert.deepEqual(ok.replaced, [hex(old)]);
    assert.deepEqual(ok.results.get(whex(high))?.replaced, [hex(old)]);
  });

  test('a lone TRUC child may evict its sibling (sibling eviction is on for single transactions)', async () => {
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 2 });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    const k1 = tx({ ins: [[p, 0]], version: 3 });
    assert.ok(admit(pool, cand(k1, 1000)).ok);
    const k2 = tx({ ins: [[p, 1]], version: 3 });
    const r = await acceptPackage(pool, [p, k2], packageHooks(new Map([[hex(k2), 50_000]])));
    assert.equal(r.message, 'success');
    assert.equal(r.results.get(whex(p))?.status, 'already-in-mempool');
    assert.deepEqual(r.replaced, [hex(k1)]);
  });

  test('package-empty, a malformed package, and a transaction known with another witness', async () => {
    const { pool } = newPool();
    assert.deepEqual(await acceptPackage(pool, [], packageHooks(new Map())), { message: 'package-empty', results: new Map(), replaced: [] });
    const a = tx({ ins: [[coinTxid(), 0]] });
    assert.equal((await acceptPackage(pool, [a, a], packageHooks(new Map()))).message, 'package-contains-duplicates');
    const w = tx({ ins: [[coinTxid(), 0]], witness: [new Uint8Array([1])] });
    assert.ok(admit(pool, cand(w, 1000)).ok);
    const other = makeTx({ ...w, inputs: w.inputs.map((i) => ({ ...i, witness: [new Uint8Array([2])] })) });
    assert.equal(hex(other), hex(w));
    const r = await acceptPackage(pool, [other], packageHooks(new Map()));
    assert.equal(r.message, 'success');
    assert.deepEqual(r.results.get(whex(other)), { txid: hex(w), wtxid: whex(other), status: 'different-witness', otherWtxid: whex(w) });
  });
});

describe('the package evaluation after the single tries', () => {
  /** A parent under the 5000 sat/kvB rolling minimum and a child paying for both. */
  function cpfp() {
    const { pool } = newPool();
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    return { pool, p, c, fees: new Map([[hex(p), 200], [hex(c), 100_000]]) };
  }

  test('a lone leftover is tried alone again: a child paying too little after its parent got in', async () => {
    const { pool, p, c } = cpfp();
    const { hooks, flags } = recordingHooks(new Map([[hex(p), 100_000], [hex(c), 200]]));
    const r = await acceptPackage(pool, [p, c], hooks);
    assert.deepEqual(flags, [false, false, false], 'the second try is a single one too, without package fee rates');
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(p))?.status, 'accepted');
    assert.equal(r.results.get(whex(c))?.reject?.reason, 'mempool min fee not met');
    assert.equal(pool.size, 1);
  });

  test('a script failure in the package evaluation rejects that transaction and the package', async () => {
    const { pool, p, c, fees } = cpfp();
    const bad = reject('consensus', 'mandatory-script-verify-flag-failed');
    const hooks = { ...packageHooks(fees), checkScripts: async (k: { tx: typeof c }) => (hex(k.tx) === hex(c) ? bad : undefined) };
    const r = await acceptPackage(pool, [p, c], hooks);
    assert.equal(r.message, 'transaction failed');
    assert.deepEqual(r.results.get(whex(c)), { txid: hex(c), wtxid: whex(c), status: 'rejected', reject: bad });
    assert.equal(pool.size, 0);
  });

  test('the mempool moving during the script checks: re-checked, and a new conflict or the transaction itself stops it', async () => {
    const during = async (change: (pool: ReturnType<typeof newPool>['pool'], p: ReturnType<typeof tx>) => void) => {
      const { pool, p, c, fees } = cpfp();
      let once = false;
      const hooks = { ...packageHooks(fees), checkScripts: async () => (once || ((once = true), change(pool, p)), undefined) };
      return { r: await acceptPackage(pool, [p, c], hooks), p };
    };
    const unrelated = await during((pool) => assert.ok(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 100_000)).ok));
    assert.equal(unrelated.r.message, 'success');
    let rival: ReturnType<typeof tx> | undefined;
    const conflict = await during((pool, p) => {
      rival = tx({ ins: [[p.inputs[0]!.prevout.txid, 0]], tag: 77 });
      assert.ok(admit(pool, cand(rival, 100_000)).ok);
    });
    assert.equal(conflict.r.message, 'transaction failed');
    assert.equal(conflict.r.details, `${hex(conflict.p)} has a new conflict ${hex(rival!)}`);
    const itself = await during((pool, p) => assert.ok(admit(pool, cand(p, 100_000)).ok));
    assert.equal(itself.r.details, `${hex(itself.p)} entered the mempool meanwhile`);
  });
});

describe('LimitMempoolSize once after the package', () => {
  test('transactions accepted alone or together, then trimmed away, are reported as mempool full', async () => {
    const full = reject('fee', 'mempool full', undefined, true);
    const { pool } = newPool({ maxSizeBytes: 1 });
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    const alone = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(p), 5000], [hex(c), 7000]])));
    assert.equal(alone.message, 'transaction failed');
    for (const t of [p, c]) assert.deepEqual(alone.results.get(whex(t)), { txid: hex(t), wtxid: whex(t), status: 'rejected', reject: full });
    assert.equal(pool.size, 0);
    const { pool: q } = newPool({ maxSizeBytes: 1 });
    q['rollingMinimumFeeRate' as never] = 5000 as never;
    const together = await acceptPackage(q, [p, c], packageHooks(new Map([[hex(p), 200], [hex(c), 100_000]])));
    assert.equal(together.message, 'transaction failed');
    for (const t of [p, c]) assert.deepEqual(together.results.get(whex(t)), { txid: hex(t), wtxid: whex(t), status: 'rejected', reject: full });
  });
});

describe('CheckPackageLimits (txmempool.cpp) at the limits', () => {
  /** Two parents under the rolling minimum and a child paying for both: they meet in AcceptMultipleTransactions. */
  async function twoParents(limits: Partial<typeof DEFAULT>, vsize = 200) {
    const { pool } = newPool({ limits: { ...DEFAULT, ...limits } });
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const a = tx({ ins: [[coinTxid(), 0]] }), b = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [a, b] });
    const fees = new Map([[hex(a), 200], [hex(b), 200], [hex(c), 100_000]]);
    const vs = new Map([[hex(a), vsize], [hex(b), vsize], [hex(c), vsize]]);
    const { hooks, flags } = recordingHooks(fees, vs);
    const r = await acceptPackage(pool, [a, b, c], hooks);
    return { r, flags, pool };
  }
  const DEFAULT = { ancestorCount: 25, ancestorSizeVbytes: 101_000, descendantCount: 25, descendantSizeVbytes: 101_000 };

  test('package count against the ancestor and descendant counts', async () => {
    const ok = await twoParents({ ancestorCount: 3, descendantCount: 3 });
    assert.equal(ok.r.message, 'success');
    assert.deepEqual(ok.flags, [false, false, false, true, true, true]);
    assert.equal((await twoParents({ ancestorCount: 2 })).r.details, 'package count 3 exceeds ancestor count limit [limit: 2]');
    assert.equal((await twoParents({ descendantCount: 2 })).r.details, 'package count 3 exceeds descendant count limit [limit: 2]');
    assert.equal((await twoParents({ descendantCount: 2 })).r.message, 'package-mempool-limits');
  });

  test('package size against the ancestor and descendant sizes', async () => {
    assert.equal((await twoParents({ ancestorSizeVbytes: 600, descendantSizeVbytes: 600 })).r.message, 'success');
    assert.equal((await twoParents({ ancestorSizeVbytes: 599 })).r.details, 'package size 600 exceeds ancestor size limit [limit: 599]');
    assert.equal((await twoParents({ descendantSizeVbytes: 599 })).r.details, 'package size 600 exceeds descendant size limit [limit: 599]');
  });

  test('mempool parents and the package count together', async () => {
    const limits = { ...DEFAULT, ancestorCount: 3 };
    const run = async (mempoolParents: number) => {
      const { pool } = newPool({ limits });
      pool['rollingMinimumFeeRate' as never] = 5000 as never;
      const ms = Array.from({ length: mempoolParents }, () => tx({ ins: [[coinTxid(), 0]] }));
      for (const m of ms) assert.ok(admit(pool, cand(m, 100_000)).ok);
      const p = tx({ ins: [[coinTxid(), 0]] });
      const c = tx({ ins: [p, ...ms] });
      // The mempool parents are in the package too (all unconfirmed parents must be).
      return acceptPackage(pool, [...ms, p, c], packageHooks(new Map([[hex(p), 200], [hex(c), 100_000]])));
    };
    assert.equal((await run(1)).message, 'success');
    const r = await run(2);
    assert.equal(r.message, 'package-mempool-limits');
    assert.equal(r.details, 'too many unconfirmed parents [limit: 3]');
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
    const { hooks, flags } = recordingHooks(new Map([[hex(c), 100_000]]));
    const r = await acceptPackage(pool, [p, c], hooks);
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(p))?.reject?.reason, 'min relay fee not met');
    assert.equal(r.results.get(whex(c))?.reject?.reason, 'bad-txns-inputs-missingorspent');
    assert.deepEqual(flags, [false, false], 'each tried once, alone');
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
    const removed: string[] = [];
    pool.events.on((e) => { if (e.type === 'removed') removed.push(`${e.entry.txid} ${e.reason}`); });
    const r = await acceptPackage(pool, [p, c], packageHooks(fees, vs));
    assert.equal(r.message, 'success');
    assert.deepEqual(r.replaced, [hex(old)]);
    assert.deepEqual(removed, [`${hex(old)} replaced`]);
    for (const t of [p, c]) assert.deepEqual(r.results.get(whex(t))?.replaced, [hex(old)]);
    assert.ok(!pool.has(hex(old)));
    const fees2 = new Map([[hex(p), 1000], [hex(c), 1000]]);
    const { pool: q } = newPool();
    assert.ok(admit(q, cand(old, 1000, 200)).ok);
    const r2 = await acceptPackage(q, [p, c], packageHooks(fees2, vs));
    assert.equal(r2.message, 'package RBF failed: package feerate is less than or equal to parent feerate');
    assert.equal(r2.details, 'package feerate 0.00005000 BTC/kvB <= parent feerate is 0.00005000 BTC/kvB');
  });

  /** A mempool transaction `old` (fee, vsize) and a parent conflicting with it, under a 5000 sat/kvB rolling minimum. */
  function conflictSetup(oldFee: number, oldVsize = 200) {
    const { pool } = newPool();
    const coin = coinTxid();
    const old = tx({ ins: [[coin, 0]] });
    assert.ok(admit(pool, cand(old, oldFee, oldVsize)).ok);
    pool['rollingMinimumFeeRate' as never] = 5000 as never;
    const p = tx({ ins: [[coin, 0]], tag: 9 });
    return { pool, old, p };
  }

  test('package RBF only for 1 parent and 1 child, none with mempool ancestors', async () => {
    const { pool, p } = conflictSetup(1000);
    const b = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p, b] });
    const three = await acceptPackage(pool, [p, b, c], packageHooks(new Map([[hex(p), 1000], [hex(b), 200], [hex(c), 100_000]])));
    assert.equal(three.message, 'package RBF failed: package must be 1-parent-1-child');
    assert.equal(pool.size, 1);
    const m = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(m, 100_000)).ok);
    const c2 = tx({ ins: [p, m] });
    const withAncestor = await acceptPackage(pool, [m, p, c2], packageHooks(new Map([[hex(p), 1000], [hex(c2), 100_000]])));
    assert.equal(withAncestor.message, 'package RBF failed: new transaction cannot have mempool ancestors');
  });

  test('package RBF: less fees than the conflicts, and a worse feerate diagram', async () => {
    const { pool, p } = conflictSetup(10_000);
    const c = tx({ ins: [p] });
    const vs = new Map([[hex(p), 200], [hex(c), 200]]);
    const poor = await acceptPackage(pool, [p, c], packageHooks(new Map([[hex(p), 1000], [hex(c), 8000]]), vs));
    assert.equal(poor.message, 'package RBF failed: insufficient anti-DoS fees');
    assert.equal(poor.details, `rejecting replacement ${hex(c)}, less fees than conflicting txs; 0.00009 < 0.0001`);
    // More fees in total, but the old transaction's 100 vB at 100 sat/vB beat the package's first 100 vB.
    const { pool: q, old: old2, p: p2 } = conflictSetup(10_000, 100);
    const c2 = tx({ ins: [p2] });
    const r = await acceptPackage(q, [p2, c2], packageHooks(new Map([[hex(p2), 1000], [hex(c2), 11_000]]), new Map([[hex(p2), 200], [hex(c2), 200]])));
    assert.match(r.message, /^package RBF failed: insufficient feerate: /);
    assert.ok(q.has(hex(old2)));
  });
});
