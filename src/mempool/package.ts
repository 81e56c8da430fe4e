/**
 * Package acceptance as Core's submitpackage (validation.cpp AcceptPackage,
 * AcceptMultipleTransactions, PackageMempoolChecks; policy/packages.cpp): a child with its
 * unconfirmed parents, parents tried individually first, then the rest evaluated together
 * at the package fee rate, with package RBF for 1-parent-1-child packages.
 */
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import type { CoinView } from '../utxo/coin.ts';
import { checkFeeRate, commit, prepare, reject, type AdmissionPlan } from './admit.ts';
import { MempoolCoinView } from './coin-view.ts';
import { checkEphemeralSpends } from './ephemeral.ts';
import { feeRatePerK, formatFeeRate } from './format.ts';
import { calculateAncestorsAndCheckLimits, type Mempool } from './mempool.ts';
import { getEntriesForConflicts, improvesFeerateDiagram, paysForRBF } from './rbf.ts';
import { packageTrucChecks } from './truc.ts';
import {
  MAX_PACKAGE_COUNT, MAX_PACKAGE_WEIGHT, type AcceptArgs, type AdmissionCandidate, type MempoolEntry, type MempoolReject,
} from './types.ts';

export type PackageCheck = { ok: true } | { ok: false; reason: string };

/** IsWellFormedPackage (+ IsConsistentPackage): context-free package checks. */
export function isWellFormedPackage(txs: readonly Transaction[]): PackageCheck {
  if (txs.length > MAX_PACKAGE_COUNT) return { ok: false, reason: 'package-too-many-transactions' };
  const weight = txs.reduce((s, t) => s + t.weight, 0);
  // A single transaction's size is better reported by its own checks.
  if (txs.length > 1 && weight > MAX_PACKAGE_WEIGHT) return { ok: false, reason: 'package-too-large' };
  const later = new Set(txs.map((t) => hashToHex(t.txid)));
  if (later.size !== txs.length) return { ok: false, reason: 'package-contains-duplicates' };
  for (const t of txs) {
    for (const i of t.inputs) if (later.has(hashToHex(i.prevout.txid))) return { ok: false, reason: 'package-not-sorted' };
    later.delete(hashToHex(t.txid));
  }
  const seen = new Set<string>();
  for (const t of txs) {
    // A transaction with no inputs is not consistent (it fails later anyway).
    if (t.inputs.length === 0) return { ok: false, reason: 'conflict-in-package' };
    const mine = t.inputs.map((i) => hashToHex(i.prevout.txid) + ':' + i.prevout.vout);
    for (const k of mine) if (seen.has(k)) return { ok: false, reason: 'conflict-in-package' };
    for (const k of mine) seen.add(k);
  }
  return { ok: true };
}

/** IsChildWithParents: every transaction but the last is a parent of the last. */
function isChildWithParents(txs: readonly Transaction[]): boolean {
  if (txs.length < 2) return false;
  const child = txs[txs.length - 1]!;
  const inputs = new Set(child.inputs.map((i) => hashToHex(i.prevout.txid)));
  return txs.slice(0, -1).every((t) => inputs.has(hashToHex(t.txid)));
}

/** IsChildWithParentsTree: additionally, no parent spends another parent (submitpackage's RPC gate). */
export function isChildWithParentsTree(txs: readonly Transaction[]): boolean {
  if (!isChildWithParents(txs)) return false;
  const parents = new Set(txs.slice(0, -1).map((t) => hashToHex(t.txid)));
  return txs.slice(0, -1).every((t) => t.inputs.every((i) => !parents.has(hashToHex(i.prevout.txid))));
}

/** What the validation pipeline provides to package acceptance. */
export interface PackageHooks {
  /** The confirmed UTXO set (without the mempool). */
  chain: CoinView;
  /**
   * Core's PreChecks minus the mempool parts, against `view` (chain + mempool + earlier
   * package transactions). With packageFeerates, a TRUC transaction must not be rejected
   * for paying below the min relay fee: the mempool applies CheckFeeRate to the package.
   * Rejections use kind 'missing-inputs' for missing inputs and 'fee' for fee failures.
   */
  preCheck(tx: Transaction, view: CoinView, o: { packageFeerates: boolean }): Promise<AdmissionCandidate | MempoolReject>;
  /** PolicyScriptChecks; undefined when the scripts pass. */
  checkScripts(c: AdmissionCandidate, view: CoinView): Promise<MempoolReject | undefined>;
}

export type PackageTxStatus = 'accepted' | 'already-in-mempool' | 'different-witness' | 'rejected';

export interface PackageTxResult {
  txid: string;
  wtxid: string;
  status: PackageTxStatus;
  vsize?: number;
  fee?: bigint;
  /** sat/kvB the transaction was judged at (its own, or the package's). */
  effectiveFeeRate?: number;
  /** wtxids whose fees and sizes made up effectiveFeeRate. */
  effectiveIncludes?: string[];
  /** For 'different-witness': the wtxid of the mempool transaction with the same txid. */
  otherWtxid?: string;
  reject?: MempoolReject;
  replaced?: string[];
}

export interface PackageResult {
  /** "success" or Core's package_msg / package-level reject reason. */
  message: string;
  details?: string;
  /** Per transaction, by wtxid; transactions left unevaluated have no result. */
  results: Map<string, PackageTxResult>;
  /** txids of mempool transactions replaced by the package. */
  replaced: string[];
}

const SINGLE_IN_PACKAGE: AcceptArgs = Object.freeze({
  allowReplacement: true, allowSiblingEviction: true, allowCarveouts: false, packageFeerates: false, bypassLimits: false,
});
const PACKAGE_ARGS: AcceptArgs = Object.freeze({
  allowReplacement: true, allowSiblingEviction: false, allowCarveouts: false, packageFeerates: true, bypassLimits: false,
});

function ids(tx: Transaction): { txid: string; wtxid: string } {
  return { txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid) };
}

function failed(tx: Transaction, r: MempoolReject): PackageTxResult {
  return { ...ids(tx), status: 'rejected', reject: r };
}

/** Single transaction within a package (AcceptSubPackage of size 1). */
async function acceptSingle(pool: Mempool, tx: Transaction, hooks: PackageHooks): Promise<PackageTxResult> {
  const view = new MempoolCoinView(pool, hooks.chain);
  const c = await hooks.preCheck(tx, view, { packageFeerates: false });
  if ('ok' in c && c.ok === false) return failed(tx, c);
  const cand = c as AdmissionCandidate;
  const plan = prepare(pool, cand, SINGLE_IN_PACKAGE);
  if (!plan.ok) return failed(tx, plan);
  const s = await hooks.checkScripts(cand, view);
  if (s) return failed(tx, s);
  const r = commit(pool, plan, { packageSubmission: true });
  if (!r.ok) return failed(tx, r);
  return {
    ...ids(tx), status: 'accepted', vsize: cand.vsize, fee: cand.fee, effectiveFeeRate: feeRatePerK(plan.modFee, cand.vsize),
    effectiveIncludes: [r.entry.wtxid], replaced: r.replaced.map((e) => e.txid),
  };
}

/** CheckPackageLimits (txmempool.cpp). */
function checkPackageLimits(pool: Mempool, txs: readonly Transaction[], totalVsize: number): string | undefined {
  const l = pool.opts.limits;
  const n = txs.length;
  if (n > l.ancestorCount) return `package count ${n} exceeds ancestor count limit [limit: ${l.ancestorCount}]`;
  if (n > l.descendantCount) return `package count ${n} exceeds descendant count limit [limit: ${l.descendantCount}]`;
  if (totalVsize > l.ancestorSizeVbytes) return `package size ${totalVsize} exceeds ancestor size limit [limit: ${l.ancestorSizeVbytes}]`;
  if (totalVsize > l.descendantSizeVbytes) return `package size ${totalVsize} exceeds descendant size limit [limit: ${l.descendantSizeVbytes}]`;
  const staged = new Set<MempoolEntry>();
  for (const t of txs) {
    for (const i of t.inputs) {
      const p = pool.get(hashToHex(i.prevout.txid));
      if (p) {
        staged.add(p);
        if (staged.size + n > l.ancestorCount) return `too many unconfirmed parents [limit: ${l.ancestorCount}]`;
      }
    }
  }
  const r = calculateAncestorsAndCheckLimits(totalVsize, n, staged, l);
  return r.ok ? undefined : 'possibly ' + r.error;
}

/** AcceptMultipleTransactions with package fee rates. */
async function acceptMultiple(
  pool: Mempool, txs: Transaction[], hooks: PackageHooks, out: PackageResult,
): Promise<void> {
  const view = new MempoolCoinView(pool, hooks.chain);
  const plans: AdmissionPlan[] = [];
  const fail = (message: string, details?: string): void => {
    out.message = message;
    if (details) out.details = details;
  };
  for (const tx of txs) {
    const c = await hooks.preCheck(tx, view, { packageFeerates: true });
    if ('ok' in c && c.ok === false) {
      out.results.set(hashToHex(tx.wtxid), failed(tx, c));
      return fail('transaction failed');
    }
    const plan = prepare(pool, c as AdmissionCandidate, PACKAGE_ARGS);
    if (!plan.ok) {
      out.results.set(hashToHex(tx.wtxid), failed(tx, plan));
      return fail('transaction failed');
    }
    plans.push(plan);
    view.addPackageTx(tx);
  }
  for (const p of plans) {
    const err = packageTrucChecks(p.candidate.tx, p.candidate.vsize, txs, p.ancestors);
    if (err) return fail('TRUC-violation', err);
  }
  const totalVsize = plans.reduce((s, p) => s + p.candidate.vsize, 0);
  const totalFees = plans.reduce((s, p) => s + p.modFee, 0);
  const packageRate = feeRatePerK(totalFees, totalVsize);
  const wtxids = txs.map((t) => hashToHex(t.wtxid));
  const fr = checkFeeRate(pool, totalVsize, totalFees);
  if (fr) {
    const last = txs[txs.length - 1]!;
    out.results.set(hashToHex(last.wtxid), { ...failed(last, fr), effectiveFeeRate: packageRate, effectiveIncludes: wtxids });
    return fail('transaction failed');
  }
  // PackageMempoolChecks.
  if (txs.length > 1) {
    const lim = checkPackageLimits(pool, txs, totalVsize);
    if (lim) return fail('package-mempool-limits', lim);
  }
  const rbf = plans.some((p) => p.directConflicts.size > 0);
  const allConflicts = new Set<MempoolEntry>();
  if (rbf) {
    if (plans.length !== 2 || !isChildWithParents(txs)) return fail('package RBF failed: package must be 1-parent-1-child');
    if (plans.some((p) => p.ancestors.size > 0)) return fail('package RBF failed: new transaction cannot have mempool ancestors');
    const direct = new Set<MempoolEntry>();
    for (const p of plans) for (const c of p.directConflicts) direct.add(c);
    const [parent, child] = plans as [AdmissionPlan, AdmissionPlan];
    let err = getEntriesForConflicts(pool, child.txid, direct, allConflicts);
    if (err) return fail('package RBF failed: too many potential replacements', err);
    let conflictingFees = 0;
    for (const e of allConflicts) conflictingFees += e.modFee;
    err = paysForRBF(conflictingFees, totalFees, totalVsize, pool.opts.incrementalRelayFeeRate, child.txid);
    if (err) return fail('package RBF failed: insufficient anti-DoS fees', err);
    const parentRate = feeRatePerK(parent.modFee, parent.candidate.vsize);
    if (packageRate <= parentRate) {
      return fail('package RBF failed: package feerate is less than or equal to parent feerate',
        `package feerate ${formatFeeRate(packageRate)} <= parent feerate is ${formatFeeRate(parentRate)}`);
    }
    err = improvesFeerateDiagram(direct, allConflicts, totalFees, totalVsize);
    if (err) return fail('package RBF failed: ' + err);
  } else {
    for (const p of plans) for (const c of p.allConflicts) allConflicts.add(c);
  }
  if (pool.opts.requireStandard) {
    const eph = checkEphemeralSpends(txs, pool.opts.dustRelayFeeRate, pool);
    if (eph) {
      out.results.set(hashToHex(eph.tx.wtxid), failed(eph.tx, reject('policy', 'missing-ephemeral-spends', eph.details)));
      return fail('unspent-dust');
    }
  }
  for (const p of plans) {
    const s = await hooks.checkScripts(p.candidate, view);
    if (s) {
      out.results.set(hashToHex(p.candidate.tx.wtxid), failed(p.candidate.tx, s));
      return fail('transaction failed');
    }
  }
  // SubmitPackage: scripts are async, so the mempool may have moved on; re-check then apply.
  const version = plans[0]!.version;
  if (pool.version !== version) {
    const again = checkRecheck(pool, plans);
    if (again) return fail('transaction failed', again);
  }
  const replaced = [...allConflicts];
  pool.removeStaged(allConflicts, false, 'replaced');
  for (const p of plans) {
    const e = pool.makeEntry(p.candidate);
    // Ancestors again: earlier package transactions are in the mempool now.
    pool.addUnchecked(e, ancestorsNoLimit(pool, p.candidate.tx));
    out.results.set(e.wtxid, {
      txid: e.txid, wtxid: e.wtxid, status: 'accepted', vsize: e.vsize, fee: p.candidate.fee,
      effectiveFeeRate: packageRate, effectiveIncludes: wtxids, replaced: replaced.map((r) => r.txid),
    });
  }
  out.replaced.push(...replaced.map((r) => r.txid));
}

function ancestorsNoLimit(pool: Mempool, tx: Transaction): Set<MempoolEntry> {
  const r = pool.calculateAncestors(tx, 0, {
    ancestorCount: Infinity, ancestorSizeVbytes: Infinity, descendantCount: Infinity, descendantSizeVbytes: Infinity,
  });
  return r.ok ? r.ancestors : new Set();
}

/** A package plan made before async script checks: still consistent with the mempool? */
function checkRecheck(pool: Mempool, plans: AdmissionPlan[]): string | undefined {
  for (const p of plans) {
    const tx = p.candidate.tx;
    if (pool.has(p.txid)) return `${p.txid} entered the mempool meanwhile`;
    for (const i of tx.inputs) {
      const s = pool.spender(hashToHex(i.prevout.txid), i.prevout.vout);
      if (s && !p.allConflicts.has(s) && !p.directConflicts.has(s)) return `${p.txid} has a new conflict ${s.txid}`;
    }
    for (const a of p.ancestors) if (!pool.has(a.txid)) return `${p.txid} lost mempool parent ${a.txid}`;
  }
  return undefined;
}

/**
 * AcceptPackage: validates and submits a child-with-unconfirmed-parents package (or a
 * single transaction). Transactions already in the mempool are de-duplicated; each other
 * transaction is first tried alone; those failing only for fee reasons (or missing inputs
 * from a failed parent) are retried together at the package fee rate. The mempool is
 * trimmed once at the end and evicted package transactions reported as "mempool full".
 */
export async function acceptPackage(pool: Mempool, txs: Transaction[], hooks: PackageHooks): Promise<PackageResult> {
  const out: PackageResult = { message: 'success', results: new Map(), replaced: [] };
  if (txs.length === 0) return { ...out, message: 'package-empty' };
  const wf = isWellFormedPackage(txs);
  if (!wf.ok) return { ...out, message: wf.reason };
  if (txs.length > 1) {
    if (!isChildWithParents(txs)) return { ...out, message: 'package-not-child-with-parents' };
    const child = txs[txs.length - 1]!;
    const parents = new Set(txs.slice(0, -1).map((t) => hashToHex(t.txid)));
    const ok = child.inputs.every((i) => parents.has(hashToHex(i.prevout.txid)) || hooks.chain.getCoin(i.prevout.txid, i.prevout.vout));
    if (!ok) return { ...out, message: 'package-not-child-with-unconfirmed-parents' };
  }
  const final = new Map<string, PackageTxResult>();
  const nonfinal = new Map<string, PackageTxResult>();
  let quitEarly = false;
  let quitMessage = 'success';
  const evalTxs: Transaction[] = [];
  for (const tx of txs) {
    const { txid, wtxid } = ids(tx);
    const byW = pool.getByWtxid(wtxid);
    const byT = pool.get(txid);
    if (byW) {
      final.set(wtxid, { txid, wtxid, status: 'already-in-mempool', vsize: byW.vsize, fee: BigInt(byW.fee) });
    } else if (byT) {
      final.set(wtxid, { txid, wtxid, status: 'different-witness', otherWtxid: byT.wtxid });
    } else {
      const r = await acceptSingle(pool, tx, hooks);
      if (r.status === 'accepted') {
        final.set(wtxid, r);
        out.replaced.push(...(r.replaced ?? []));
      } else if (txs.length === 1 || !(r.reject?.reconsiderable || r.reject?.kind === 'missing-inputs')) {
        quitEarly = true;
        quitMessage = 'transaction failed';
        nonfinal.set(wtxid, r);
      } else {
        nonfinal.set(wtxid, r);
        evalTxs.push(tx);
      }
    }
  }
  const multi: PackageResult = { message: quitMessage, results: new Map(), replaced: [] };
  if (!quitEarly && evalTxs.length) {
    if (evalTxs.length === 1) {
      const r = await acceptSingle(pool, evalTxs[0]!, hooks);
      multi.results.set(r.wtxid, r);
      if (r.status !== 'accepted') multi.message = 'transaction failed';
      else multi.replaced.push(...(r.replaced ?? []));
    } else {
      await acceptMultiple(pool, evalTxs, hooks, multi);
    }
  }
  out.message = multi.message;
  if (multi.details) out.details = multi.details;
  out.replaced.push(...multi.replaced);
  // LimitMempoolSize once for the whole package.
  pool.limitSize();
  const full = reject('fee', 'mempool full', undefined, true);
  for (const tx of txs) {
    const { txid, wtxid } = ids(tx);
    const m = multi.results.get(wtxid);
    if (m) {
      if (m.status === 'accepted' && !pool.getByWtxid(wtxid)) {
        out.message = 'transaction failed';
        out.results.set(wtxid, failed(tx, full));
      } else {
        out.results.set(wtxid, m);
      }
    } else if (final.has(wtxid)) {
      if (!pool.has(txid)) {
        out.message = 'transaction failed';
        out.results.set(wtxid, failed(tx, full));
      } else {
        out.results.set(wtxid, final.get(wtxid)!);
      }
    } else if (nonfinal.has(wtxid)) {
      out.results.set(wtxid, nonfinal.get(wtxid)!);
    }
  }
  return out;
}
