/**
 * AcceptPackage's paths (validation.cpp AcceptPackage, AcceptSubPackage,
 * AcceptMultipleTransactions, PackageMempoolChecks): the arguments of the single tries
 * (ATMPArgs::SingleInPackageAccept) and of the package evaluation
 * (ATMPArgs::PackageChildWithParents), failures at each stage of the evaluation, and a
 * mempool that moves while scripts are checked.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit, reject } from '../../src/mempool/admit.ts';
import { removeForBlock } from '../../src/mempool/block.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import { acceptPackage, type PackageHooks } from '../../src/mempool/package.ts';
import { DEFAULT_LIMITS } from '../../src/mempool/types.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { cand, coinTxid, hex, newPool, packageHooks, tx, whex } from './helpers.ts';

/** Raises the rolling minimum fee to 5000 sat/kvB, as after an eviction. */
function raise(pool: Mempool): Mempool {
  pool['rollingMinimumFeeRate' as never] = 5000 as never;
  return pool;
}

/** A parent with 24 children in the mempool: 25 descendants, the default limit. */
function fullParent(pool: Mempool): Transaction {
  const root = tx({ ins: [[coinTxid(), 0]], outs: 26 });
  assert.ok(admit(pool, cand(root, 1000)).ok);
  for (let i = 0; i < 24; i++) assert.ok(admit(pool, cand(tx({ ins: [[root, i]] }), 1000)).ok);
  return root;
}

const fees = (...pairs: [Transaction, number][]) => new Map(pairs.map(([t, f]) => [hex(t), f]));

describe('the arguments of the single tries and of the package evaluation', () => {
  test('a transaction tried alone in a package gets no CPFP carve-out', async () => {
    const { pool } = newPool();
    const root = fullParent(pool);
    const x = tx({ ins: [[root, 24]] });
    const r = await acceptPackage(pool, [x], packageHooks(fees([x, 5000])));
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(x))?.reject?.reason, 'too-long-mempool-chain');
    assert.equal(r.results.get(whex(x))?.reject?.details, `too many descendants for tx ${hex(root)} [limit: 25]`);
    assert.ok(admit(pool, cand(x, 5000)).ok, 'alone, outside a package, the carve-out admits it');
  });

  test('the package evaluation gets no CPFP carve-out either', async () => {
    const { pool } = newPool();
    const root = fullParent(pool);
    raise(pool);
    const q = tx({ ins: [[root, 24]] });
    const c = tx({ ins: [q] });
    const r = await acceptPackage(pool, [q, c], packageHooks(fees([q, 200], [c, 100_000])));
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(q))?.reject?.reason, 'too-long-mempool-chain');
    assert.equal(pool.size, 25);
  });

  test('the package evaluation does no sibling eviction', async () => {
    // A v3 parent with a child in the mempool; a 0-fee v3 sibling and its child as a package.
    const { pool } = newPool();
    const vp = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 2 });
    assert.ok(admit(pool, cand(vp, 1000)).ok);
    assert.ok(admit(pool, cand(tx({ ins: [[vp, 0]], version: 3 }), 1000)).ok);
    const q = tx({ ins: [[vp, 1]], version: 3 });
    const c = tx({ ins: [q], version: 3 });
    const r = await acceptPackage(pool, [q, c], packageHooks(fees([c, 100_000])));
    assert.equal(r.message, 'transaction failed');
    assert.deepEqual(r.results.get(whex(q))?.reject, {
      ok: false, reason: 'TRUC-violation', kind: 'policy', details: `tx ${hex(vp)} (wtxid=${whex(vp)}) would exceed descendant count limit`,
    });
    assert.equal(pool.size, 2);
  });

  test('in the package evaluation each transaction still pays the min relay fee (no bypass_limits)', async () => {
    // a pays the min relay fee but not the mempool minimum; b (0 fee) only missed a alone.
    const pool = raise(newPool().pool);
    const a = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const b = tx({ ins: [[a, 0]] });
    const c = tx({ ins: [[a, 1], b] });
    const r = await acceptPackage(pool, [a, b, c], packageHooks(fees([a, 200], [c, 100_000])));
    assert.equal(r.message, 'transaction failed');
    assert.deepEqual(r.results.get(whex(b))?.reject, { ok: false, reason: 'min relay fee not met', kind: 'fee', details: `0 < ${Math.ceil(b.vsize / 10)}` });
    assert.equal(pool.size, 0);
  });
});

describe('a transaction tried alone in a package', () => {
  test('its script failure rejects it', async () => {
    const { pool } = newPool();
    const x = tx({ ins: [[coinTxid(), 0]] });
    const bad = reject('consensus', 'mandatory-script-verify-flag-failed');
    const r = await acceptPackage(pool, [x], { ...packageHooks(fees([x, 5000])), checkScripts: async () => bad });
    assert.equal(r.message, 'transaction failed');
    assert.deepEqual(r.results.get(whex(x)), { txid: hex(x), wtxid: whex(x), status: 'rejected', reject: bad });
    assert.equal(pool.size, 0);
  });

  test('a rival that enters while its scripts are checked rejects it at commit', async () => {
    const { pool } = newPool();
    const coin = coinTxid();
    const x = tx({ ins: [[coin, 0]] });
    const hooks: PackageHooks = {
      ...packageHooks(fees([x, 5000])),
      checkScripts: async () => (assert.ok(admit(pool, cand(tx({ ins: [[coin, 0]], tag: 9 }), 100_000)).ok), undefined),
    };
    const r = await acceptPackage(pool, [x], hooks);
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.results.get(whex(x))?.reject?.reason, 'insufficient fee');
    assert.equal(pool.has(hex(x)), false);
  });

  test('a lone transaction failing for its fee is not tried again (a package of one is no package to retry)', async () => {
    const { pool } = newPool();
    const coin = coinTxid();
    assert.ok(admit(pool, cand(tx({ ins: [[coin, 0]] }), 5000)).ok);
    const x = tx({ ins: [[coin, 0]], tag: 1 });
    const base = packageHooks(fees([x, 1000]));
    let tries = 0;
    const r = await acceptPackage(pool, [x], { ...base, preCheck: (t, v, o) => (tries++, base.preCheck(t, v, o)) });
    assert.equal(r.results.get(whex(x))?.reject?.reason, 'insufficient fee');
    assert.equal(tries, 1);
  });

  test('it is not trimmed alone: the mempool is trimmed once, after the whole package', async () => {
    // The pool holds the parent alone; with its child it is over the limit and both go.
    const p = tx({ ins: [[coinTxid(), 0]] });
    const c = tx({ ins: [p] });
    const probe = newPool().pool;
    assert.ok(admit(probe, cand(p, 5000)).ok);
    const { pool } = newPool({ maxSizeBytes: probe.memoryUsage });
    const r = await acceptPackage(pool, [p, c], packageHooks(fees([p, 5000], [c, 7000])));
    assert.equal(r.message, 'transaction failed');
    const full = reject('fee', 'mempool full', undefined, true);
    for (const t of [p, c]) assert.deepEqual(r.results.get(whex(t)), { txid: hex(t), wtxid: whex(t), status: 'rejected', reject: full });
    assert.equal(pool.size, 0);
  });

  test('a lone leftover accepted on its second try: success, with what it replaced', async () => {
    // The child conflicts with a mempool sibling paying a higher fee rate; a
    // prioritisetransaction arriving while it is checked again lets it replace the sibling.
    const { pool } = newPool();
    const p = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(p, 1000)).ok);
    const sibling = tx({ ins: [p], tag: 1 });
    assert.ok(admit(pool, cand(sibling, 5000)).ok);
    const c = tx({ ins: [p], tag: 2 });
    const base = packageHooks(fees([c, 2000]));
    let tries = 0;
    const hooks: PackageHooks = {
      ...base,
      preCheck: (t, v, o) => {
        if (hex(t) === hex(c) && ++tries === 2) pool.prioritise(hex(c), 10_000);
        return base.preCheck(t, v, o);
      },
    };
    const r = await acceptPackage(pool, [p, c], hooks);
    assert.equal(tries, 2);
    assert.equal(r.message, 'success');
    assert.equal(r.results.get(whex(p))?.status, 'already-in-mempool');
    assert.equal(r.results.get(whex(c))?.status, 'accepted');
    assert.deepEqual(r.replaced, [hex(sibling)]);
    assert.deepEqual(r.results.get(whex(c))?.replaced, [hex(sibling)]);
  });
});

describe('AcceptMultipleTransactions: failures at each stage', () => {
  test('a parent whose input is missing fails its PreChecks in the package too', async () => {
    const { pool } = newPool();
    const p = tx({ ins: [[new Uint8Array(32).fill(0xee), 0]] });
    const c = tx({ ins: [p] });
    const r = await acceptPackage(pool, [p, c], packageHooks(fees([c, 100_000])));
    assert.equal(r.message, 'transaction failed');
    assert.deepEqual(r.results.get(whex(p))?.reject, { ok: false, reason: 'bad-txns-inputs-missingorspent', kind: 'missing-inputs' });
    assert.equal(r.results.get(whex(c))?.reject?.kind, 'missing-inputs');
    assert.equal(pool.size, 0);
  });

  test('package RBF: more than 100 potential replacements', async () => {
    // -limitdescendantcount=200: one conflict with 101 descendants of its own.
    const { pool } = newPool({ limits: { ...DEFAULT_LIMITS, descendantCount: 200, descendantSizeVbytes: 1e9 } });
    const coin = coinTxid();
    const m = tx({ ins: [[coin, 0]], outs: 101 });
    assert.ok(admit(pool, cand(m, 50_000)).ok);
    for (let i = 0; i < 101; i++) assert.ok(admit(pool, cand(tx({ ins: [[m, i]] }), 1000)).ok);
    const p = tx({ ins: [[coin, 0]], tag: 1 });
    const c = tx({ ins: [p] });
    const r = await acceptPackage(pool, [p, c], packageHooks(fees([p, 100], [c, 1_000_000])));
    assert.equal(r.message, 'package RBF failed: too many potential replacements');
    assert.equal(r.details, `rejecting replacement ${hex(c)}; too many potential replacements (102 > 100)`);
    assert.equal(pool.size, 102);
  });

  test('unspent ephemeral dust of a package parent: unspent-dust, the child rejected; not checked without standardness', async () => {
    const p = tx({ ins: [[coinTxid(), 0]], version: 3, outs: 2, outValues: [10_000n, 0n] });
    const c = tx({ ins: [[p, 0]], version: 3 });
    const { pool } = newPool();
    const r = await acceptPackage(pool, [p, c], packageHooks(fees([c, 10_000])));
    assert.equal(r.message, 'unspent-dust');
    assert.deepEqual(r.results.get(whex(c)), {
      txid: hex(c), wtxid: whex(c), status: 'rejected',
      reject: { ok: false, reason: 'missing-ephemeral-spends', kind: 'policy', details: `tx ${hex(c)} (wtxid=${whex(c)}) did not spend parent's ephemeral dust` },
    });
    assert.equal(pool.size, 0);
    const lax = newPool({ requireStandard: false }).pool;
    assert.equal((await acceptPackage(lax, [p, c], packageHooks(fees([c, 10_000])))).message, 'success');
    assert.equal(lax.size, 2);
  });
});

describe('SubmitPackage after the scripts: the mempool parents of the plan', () => {
  /** A mempool parent g, a package [p, c] with p (spending g) under the rolling minimum; `change` runs during the first script check. */
  async function during(change: (pool: Mempool, g: Transaction) => void) {
    const { pool } = newPool();
    const coin = coinTxid();
    const g = tx({ ins: [[coin, 0]] });
    assert.ok(admit(pool, cand(g, 5000)).ok);
    raise(pool);
    const p = tx({ ins: [g] });
    const c = tx({ ins: [p] });
    let once = false;
    const hooks: PackageHooks = {
      ...packageHooks(fees([p, 200], [c, 100_000])),
      checkScripts: async () => (once || ((once = true), change(pool, g)), undefined),
    };
    return { r: await acceptPackage(pool, [p, c], hooks), pool, coin, g, p };
  }

  test('a mempool parent still there: accepted', async () => {
    const { r, pool } = await during((pool) => assert.ok(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 100_000)).ok));
    assert.equal(r.message, 'success');
    assert.equal(pool.size, 4);
  });

  test('a mempool parent gone (a block spent its input): transaction failed', async () => {
    const { r, pool, g, p } = await during((pool, g) => {
      removeForBlock(pool, [tx({ ins: [[g.inputs[0]!.prevout.txid, 0]], tag: 3 })]);
      assert.equal(pool.has(hex(g)), false);
    });
    assert.equal(r.message, 'transaction failed');
    assert.equal(r.details, `${hex(p)} lost mempool parent ${hex(g)}`);
    assert.equal(pool.size, 0);
  });
});
