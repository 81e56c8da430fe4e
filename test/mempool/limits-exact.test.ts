// Every numeric mempool limit at N-1, N and N+1 (Core's kernel/mempool_limits.h defaults,
// validation.cpp's CPFP carve-out, policy/rbf.cpp, policy/truc_policy.cpp, policy/packages.h,
// txorphanage.cpp, txmempool.cpp). Pinned elsewhere at all three points: the ancestor and
// descendant counts (mempool-limits.test.ts), the TRUC ancestor and descendant counts and
// child size (bip431-truc.test.ts), MAX_REPLACEMENT_CANDIDATES and RBF rule 6
// (bip125-rbf.test.ts), the expiry age (mempool-size-expiry.test.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit, type AdmitResult } from '../../src/mempool/admit.ts';
import { isWellFormedPackage } from '../../src/mempool/package.ts';
import { checkConflictTopology } from '../../src/mempool/rbf.ts';
import { Orphanage } from '../../src/mempool/orphanage.ts';
import { calculateAncestorsAndCheckLimits } from '../../src/mempool/mempool.ts';
import { DEFAULT_LIMITS, type MempoolOptions } from '../../src/mempool/types.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { withWeight } from '../util/weight.ts';
import { cand, coinTxid, hex, newPool, tx, whex } from './helpers.ts';

/** [N-1, N, N+1] → the three expected verdicts. */
function atBoundary<T>(n: number, f: (x: number) => T, expect: [T, T, T]): void {
  assert.deepEqual([f(n - 1), f(n), f(n + 1)], expect, `around ${n}`);
}
/** 'ok', or the reason and Core's text with txids as <txid>. */
function verdict(r: AdmitResult): string {
  if (r.ok) return 'ok';
  return (r.details === undefined ? r.reason : `${r.reason}: ${r.details}`).replace(/[0-9a-f]{64}/g, '<txid>');
}
const fresh = (o: Partial<MempoolOptions> = {}) => newPool(o).pool;
const lone = (o: { version?: number } = {}) => tx({ ins: [[coinTxid(), 0]], ...o });

describe('ancestor and descendant sizes (101,000 vB) and the CPFP carve-out (10,000 vB)', () => {
  /** A 60,000 vB parent and a child of total - 60,000 vB. */
  function parentAndChild(total: number, o: Partial<MempoolOptions>): string {
    const pool = fresh(o);
    const p = lone();
    assert.ok(admit(pool, cand(p, 60_000, 60_000)).ok);
    return verdict(admit(pool, cand(tx({ ins: [p] }), 100_000, total - 60_000)));
  }
  test('ancestor size', () => {
    atBoundary(101_000, (total) => parentAndChild(total, { limits: { ...DEFAULT_LIMITS, descendantSizeVbytes: 1e9 } }),
      ['ok', 'ok', 'too-long-mempool-chain: exceeds ancestor size limit [limit: 101000]']);
  });
  test('descendant size', () => {
    atBoundary(101_000, (total) => parentAndChild(total, { limits: { ...DEFAULT_LIMITS, ancestorSizeVbytes: 1e9 } }),
      ['ok', 'ok', 'too-long-mempool-chain: exceeds descendant size limit for tx <txid> [limit: 101000]']);
  });
  test('CalculateAncestorsAndCheckLimits itself (the package path; single admission re-checks with it on failure)', () => {
    // A 60,000 vB mempool parent and an entry (or package) of total - 60,000 vB.
    const check = (total: number, limits: Partial<typeof DEFAULT_LIMITS>) => {
      const pool = fresh();
      const p = lone();
      assert.ok(admit(pool, cand(p, 60_000, 60_000)).ok);
      const r = calculateAncestorsAndCheckLimits(total - 60_000, 1, new Set([pool.get(hex(p))!]), { ...DEFAULT_LIMITS, ...limits });
      return r.ok ? 'ok' : r.error.replace(/[0-9a-f]{64}/, '<txid>');
    };
    atBoundary(101_000, (total) => check(total, { descendantSizeVbytes: 1e9 }), ['ok', 'ok', 'exceeds ancestor size limit [limit: 101000]']);
    atBoundary(101_000, (total) => check(total, { ancestorSizeVbytes: 1e9 }),
      ['ok', 'ok', 'exceeds descendant size limit for tx <txid> [limit: 101000]']);
  });
  test('EXTRA_DESCENDANT_TX_SIZE_LIMIT: the 26th child of a parent enters only up to 10,000 vB', () => {
    atBoundary(10_000, (vsize) => {
      const pool = fresh();
      const root = tx({ ins: [[coinTxid(), 0]], outs: 26 });
      assert.ok(admit(pool, cand(root, 1000)).ok);
      for (let i = 0; i < 24; i++) assert.ok(admit(pool, cand(tx({ ins: [[root, i]] }), 1000)).ok);
      return verdict(admit(pool, cand(tx({ ins: [[root, 25]] }), 100_000, vsize)));
    }, ['ok', 'ok', 'too-long-mempool-chain: too many descendants for tx <txid> [limit: 25]']);
  });
});

describe('TRUC_MAX_VSIZE 10,000 vB in the mempool (SingleTRUCChecks)', () => {
  test('a version 3 transaction of 9,999 / 10,000 / 10,001 vB', () => {
    atBoundary(10_000, (vsize) => verdict(admit(fresh(), cand(lone({ version: 3 }), 100_000, vsize))),
      ['ok', 'ok', 'TRUC-violation: version=3 tx <txid> (wtxid=<txid>) is too big: 10001 > 10000 virtual bytes']);
  });
});

describe('fees: minimum relay, rolling minimum and incremental relay fees, rounded up', () => {
  test('-minrelaytxfee: 100 sat/kvB × 201 vB = 20.1 → 21 sat; 1234 sat/kvB × 201 vB = 248.034 → 249', () => {
    atBoundary(21, (fee) => verdict(admit(fresh(), cand(lone(), fee, 201))), ['min relay fee not met: 20 < 21', 'ok', 'ok']);
    atBoundary(249, (fee) => verdict(admit(fresh({ minRelayFeeRate: 1234 }), cand(lone(), fee, 201))),
      ['min relay fee not met: 248 < 249', 'ok', 'ok']);
  });
  test('the rolling minimum fee: 1100 sat/kvB × 201 vB = 221.1 → 222', () => {
    atBoundary(222, (fee) => {
      const pool = fresh();
      pool['rollingMinimumFeeRate' as never] = 1100 as never; // as after an eviction
      return verdict(admit(pool, cand(lone(), fee, 201)));
    }, ['mempool min fee not met: 221 < 222', 'ok', 'ok']);
  });
  test('RBF rule 4: the additional fee covers -incrementalrelayfee × vsize (100 × 201 vB → 21 sat)', () => {
    atBoundary(21, (extra) => {
      const pool = fresh();
      const c = coinTxid();
      assert.ok(admit(pool, cand(tx({ ins: [[c, 0]] }), 1000, 200)).ok);
      return verdict(admit(pool, cand(tx({ ins: [[c, 0]], tag: 1 }), 1000 + extra, 201)));
    }, ['insufficient fee: rejecting replacement <txid>, not enough additional fees to relay; 0.0000002 < 0.00000021', 'ok', 'ok']);
  });
});

describe('-maxmempool (TrimToSize)', () => {
  test('a pool whose limit is the usage after admission keeps the transaction; one byte less is full', () => {
    const probe = fresh();
    assert.ok(admit(probe, cand(lone(), 1000, 200)).ok);
    const usage = probe.memoryUsage;
    atBoundary(usage, (maxSizeBytes) => verdict(admit(fresh({ maxSizeBytes }), cand(lone(), 1000, 200))),
      ['mempool full', 'ok', 'ok']);
  });
  test('trimToSize(limit) evicts only while the usage is above the limit', () => {
    const evictedAt = (delta: number) => {
      const pool = fresh();
      for (const fee of [1000, 2000]) assert.ok(admit(pool, cand(lone(), fee, 200)).ok);
      return pool.trimToSize(pool.memoryUsage + delta).length;
    };
    atBoundary(0, evictedAt, [1, 0, 0]);
  });
});

describe('package limits (policy/packages.h)', () => {
  test('MAX_PACKAGE_COUNT 25', () => {
    atBoundary(25, (n) => isWellFormedPackage(Array.from({ length: n }, () => lone())),
      [{ ok: true }, { ok: true }, { ok: false, reason: 'package-too-many-transactions' }]);
  });
  test('MAX_PACKAGE_WEIGHT 404,000 (two transactions)', () => {
    const a = lone();
    atBoundary(404_000, (w) => isWellFormedPackage([a, withWeight(w - a.weight, (pad) => tx({ ins: [[coinTxid(), 0]], witness: [new Uint8Array(pad)] }))]),
      [{ ok: true }, { ok: true }, { ok: false, reason: 'package-too-large' }]);
  });
});

describe('package RBF cluster limit: conflicts in clusters of at most 2 (CheckConflictTopology)', () => {
  test('a conflict with 0, 1 or 2 descendants', () => {
    const err = (children: number) => {
      const pool = fresh();
      const root = tx({ ins: [[coinTxid(), 0]], outs: 2 });
      assert.ok(admit(pool, cand(root, 1000)).ok);
      for (let i = 0; i < children; i++) assert.ok(admit(pool, cand(tx({ ins: [[root, i]] }), 1000)).ok);
      return checkConflictTopology([pool.get(hex(root))!])?.replace(/[0-9a-f]{64}/, '<txid>');
    };
    atBoundary(1, err, [undefined, undefined, '<txid> has 2 descendants, max 1 allowed']);
  });
  test('a conflict with 0, 1 or 2 ancestors', () => {
    const err = (ancestors: number) => {
      const pool = fresh();
      let t: Transaction = lone();
      assert.ok(admit(pool, cand(t, 1000)).ok);
      for (let i = 0; i < ancestors; i++) {
        t = tx({ ins: [t] });
        assert.ok(admit(pool, cand(t, 1000)).ok);
      }
      return checkConflictTopology([pool.get(hex(t))!])?.replace(/[0-9a-f]{64}/, '<txid>');
    };
    atBoundary(1, err, [undefined, undefined, '<txid> has 2 ancestors, max 1 allowed']);
  });
});

describe('orphanage (TxOrphanage)', () => {
  test('DEFAULT_MAX_ORPHAN_TRANSACTIONS 100', () => {
    atBoundary(100, (n) => {
      const o = new Orphanage({ random: () => 0 });
      for (let i = 0; i < n; i++) o.add(lone());
      return o.size;
    }, [99, 100, 100]);
  });
  test('orphans above MAX_STANDARD_TX_WEIGHT are not kept', () => {
    atBoundary(400_000, (w) => new Orphanage().add(withWeight(w, (pad) => tx({ ins: [[coinTxid(), 0]], witness: [new Uint8Array(pad)] }))),
      [true, true, false]);
  });
  test('ORPHAN_TX_EXPIRE_TIME 20 minutes: at a sweep, orphans 1199 s old stay, 1200 s and 1201 s old go', () => {
    let now = 1_000_000_000_000;
    const o = new Orphanage({ now: () => now });
    const added: Transaction[] = [];
    for (let i = 0; i < 3; i++) {
      added.push(lone());
      assert.ok(o.add(added[i]!));
      now += 1000;
    }
    now += 1198 * 1000; // ages 1201, 1200 and 1199 s; the sweep is due
    assert.deepEqual(o.limit(), { expired: 2, evicted: 0 });
    assert.deepEqual(added.map((t) => o.has(whex(t))), [false, false, true]);
  });
});
