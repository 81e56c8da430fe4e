/**
 * The mempool-dependent stages of Core's MemPoolAccept (validation.cpp): the duplicate
 * checks, the fee-rate floors and limits at the end of PreChecks, SingleTRUCChecks,
 * CheckEphemeralSpends and ReplacementChecks (prepare), then FinalizeSubpackage and
 * LimitMempoolSize (commit). accept.ts runs them between PreChecks and the scripts; a plan
 * made against an older mempool state is re-checked at commit.
 */
import type { Transaction } from '../primitives/tx.ts';
import { TRUC_VERSION } from '../policy/constants.ts';
import { checkEphemeralSpends } from './ephemeral.ts';
import { feeAtRate, feeRatePerK } from './format.ts';
import { txKeys } from './keys.ts';
import type { Mempool } from './mempool.ts';
import { entriesAndTxidsDisjoint, getEntriesForConflicts, hasNoNewUnconfirmed, paysForRBF, paysMoreThanConflicts } from './rbf.ts';
import { singleTrucChecks } from './truc.ts';
import {
  EXTRA_DESCENDANT_TX_SIZE_LIMIT, SINGLE_ACCEPT, type AcceptArgs, type AdmissionCandidate, type MempoolEntry,
  type MempoolReject, type MempoolRejectKind,
} from './types.ts';

export interface AdmissionPlan {
  ok: true;
  candidate: AdmissionCandidate;
  args: AcceptArgs;
  txid: string;
  modFee: number;
  /** In-mempool ancestors. */
  ancestors: Set<MempoolEntry>;
  /** Direct conflicts (including an evicted sibling). */
  directConflicts: Set<MempoolEntry>;
  /** Everything replaced: direct conflicts and their descendants. */
  allConflicts: Set<MempoolEntry>;
  siblingEviction: boolean;
  /** Mempool version the plan was made against. */
  version: number;
}

export type PrepareResult = AdmissionPlan | MempoolReject;

export type AdmitResult =
  | { ok: true; entry: MempoolEntry; replaced: MempoolEntry[] }
  | MempoolReject;

/** No direct conflicts (shared, never modified). */
const NO_TXIDS = new Set<string>();

export function reject(kind: MempoolRejectKind, reason: string, details?: string, reconsiderable = false): MempoolReject {
  const r: MempoolReject = { ok: false, reason, kind };
  if (details !== undefined && details !== '') r.details = details;
  if (reconsiderable) r.reconsiderable = true;
  return r;
}

/** The duplicate checks at the top of PreChecks. */
export function checkKnown(pool: Mempool, tx: Transaction): MempoolReject | undefined {
  const k = txKeys(tx);
  if (pool.getByWtxid(k.wtxid)) return reject('conflict', 'txn-already-in-mempool');
  if (pool.has(k.txid)) return reject('conflict', 'txn-same-nonwitness-data-in-mempool');
  return undefined;
}

/** GetConflictTx over every input: the directly conflicting mempool transactions. */
export function findConflicts(pool: Mempool, tx: Transaction): Set<MempoolEntry> {
  const out = new Set<MempoolEntry>();
  const prev = txKeys(tx).prev;
  for (let n = 0; n < prev.length; n++) {
    const c = pool.spender(prev[n]!, tx.inputs[n]!.prevout.vout);
    if (c) out.add(c);
  }
  return out;
}

/** CheckFeeRate: mempool min fee, then min relay fee (both TX_RECONSIDERABLE). */
export function checkFeeRate(pool: Mempool, vsize: number, fee: number): MempoolReject | undefined {
  const minFee = feeAtRate(pool.getMinFee(), vsize);
  if (minFee > 0 && fee < minFee) return reject('fee', 'mempool min fee not met', `${fee} < ${minFee}`, true);
  const relay = feeAtRate(pool.opts.minRelayFeeRate, vsize);
  if (fee < relay) return reject('fee', 'min relay fee not met', `${fee} < ${relay}`, true);
  return undefined;
}

/** PreChecks (mempool part), CheckEphemeralSpends and ReplacementChecks. */
export function prepare(pool: Mempool, c: AdmissionCandidate, args: AcceptArgs = SINGLE_ACCEPT): PrepareResult {
  const tx = c.tx;
  const known = checkKnown(pool, tx);
  if (known) return known;
  const txid = txKeys(tx).txid;
  const direct = findConflicts(pool, tx);
  if (direct.size && !args.allowReplacement) return reject('policy', 'bip125-replacement-disallowed');
  if (!pool.opts.fullRbf) {
    for (const c of direct) {
      // Pre-v28 opt-in RBF: the conflict itself must signal (nSequence < 0xfffffffe) or be TRUC.
      if (c.tx.version !== TRUC_VERSION && !c.tx.inputs.some((i) => i.sequence < 0xfffffffe)) {
        return reject('conflict', 'txn-mempool-conflict');
      }
    }
  }

  // Modified fee: base fee plus any prioritisetransaction delta.
  const modFee = Number(c.fee) + pool.pendingDelta(txid);
  const vsize = c.vsize;
  // Individual transactions below min relay fee are never accepted, TRUC excepted.
  if (!args.bypassLimits && tx.version !== TRUC_VERSION) {
    const relay = feeAtRate(pool.opts.minRelayFeeRate, vsize);
    if (modFee < relay) return reject('fee', 'min relay fee not met', `${modFee} < ${relay}`);
  }
  if (!args.bypassLimits && !args.packageFeerates) {
    const fr = checkFeeRate(pool, vsize, modFee);
    if (fr) return fr;
  }

  // Ancestor/descendant limits, with the single-conflict RBF relaxation and the CPFP carve-out.
  let limits = pool.opts.limits;
  if (direct.size === 1 && args.allowCarveouts) {
    const conflict = direct.values().next().value!;
    limits = { ...limits, descendantCount: limits.descendantCount + 1, descendantSizeVbytes: limits.descendantSizeVbytes + conflict.descSize };
  }
  let anc = pool.calculateAncestors(tx, vsize, limits);
  if (!anc.ok) {
    const error = anc.error;
    if (!args.allowCarveouts || vsize > EXTRA_DESCENDANT_TX_SIZE_LIMIT || tx.version === TRUC_VERSION) {
      return reject('policy', 'too-long-mempool-chain', error);
    }
    anc = pool.calculateAncestors(tx, vsize, {
      ancestorCount: 2,
      ancestorSizeVbytes: limits.ancestorSizeVbytes,
      descendantCount: limits.descendantCount + 1,
      descendantSizeVbytes: limits.descendantSizeVbytes + EXTRA_DESCENDANT_TX_SIZE_LIMIT,
    });
    if (!anc.ok) return reject('policy', 'too-long-mempool-chain', error);
  }
  const ancestors = anc.ancestors;

  let directTxids: Set<string> = NO_TXIDS;
  if (direct.size) {
    directTxids = new Set<string>();
    for (const e of direct) directTxids.add(e.txid);
  }
  let siblingEviction = false;
  const truc = singleTrucChecks(tx, ancestors, directTxids, vsize);
  if (truc) {
    if (args.allowSiblingEviction && truc.sibling) {
      direct.add(truc.sibling);
      if (directTxids === NO_TXIDS) directTxids = new Set<string>();
      directTxids.add(truc.sibling.txid);
      siblingEviction = true;
    } else {
      return reject('policy', 'TRUC-violation', truc.error);
    }
  }
  const disjoint = entriesAndTxidsDisjoint(ancestors, directTxids, txid);
  if (disjoint) return reject('consensus', 'bad-txns-spends-conflicting-tx', disjoint);

  // Package evaluation (package fee rates) runs these at package level instead.
  const allConflicts = new Set<MempoolEntry>();
  if (args.packageFeerates) return makePlan(pool, c, args, txid, modFee, ancestors, direct, allConflicts, siblingEviction);
  // Only in-mempool parents can leave ephemeral dust to spend.
  if (pool.opts.requireStandard && ancestors.size > 0) {
    const eph = checkEphemeralSpends([tx], pool.opts.dustRelayFeeRate, pool);
    if (eph) return reject('policy', 'missing-ephemeral-spends', eph.details);
  }

  if (direct.size) {
    const suffix = siblingEviction ? ' (including sibling eviction)' : '';
    const rate = feeRatePerK(modFee, vsize);
    let err = paysMoreThanConflicts(direct, rate, txid);
    if (err) return reject('fee', 'insufficient fee' + suffix, err, true);
    err = getEntriesForConflicts(pool, txid, direct, allConflicts);
    if (err) return reject('policy', 'too many potential replacements' + suffix, err);
    err = hasNoNewUnconfirmed(pool, tx, txid, allConflicts);
    if (err) return reject('policy', 'replacement-adds-unconfirmed' + suffix, err);
    let conflictingFees = 0;
    for (const e of allConflicts) conflictingFees += e.modFee;
    err = paysForRBF(conflictingFees, modFee, vsize, pool.opts.incrementalRelayFeeRate, txid);
    if (err) return reject('fee', 'insufficient fee' + suffix, err, true);
  }
  return makePlan(pool, c, args, txid, modFee, ancestors, direct, allConflicts, siblingEviction);
}

function makePlan(
  pool: Mempool, c: AdmissionCandidate, args: AcceptArgs, txid: string, modFee: number, ancestors: Set<MempoolEntry>,
  direct: Set<MempoolEntry>, allConflicts: Set<MempoolEntry>, siblingEviction: boolean,
): AdmissionPlan {
  return {
    ok: true, candidate: c, args, txid, modFee, ancestors, directConflicts: direct, allConflicts, siblingEviction,
    version: pool.version,
  };
}

export interface CommitOptions {
  /** Package submission: no trimming here (the package code trims once at the end). */
  packageSubmission?: boolean;
  /** Entry time in seconds (default now). */
  entryTime?: number;
}

/**
 * FinalizeSubpackage + LimitMempoolSize: removes the replaced transactions, adds the new
 * one and trims. A plan made against an older state is re-checked first.
 */
export function commit(pool: Mempool, plan: AdmissionPlan, o: CommitOptions = {}): AdmitResult {
  let p = plan;
  if (p.version !== pool.version) {
    const again = prepare(pool, p.candidate, p.args);
    if (!again.ok) return again;
    p = again;
  }
  const replaced = p.allConflicts.size ? [...p.allConflicts] : [];
  pool.removeStaged(p.allConflicts, false, 'replaced');
  const entry = pool.makeEntry(p.candidate, o.entryTime);
  // Replaced transactions are never ancestors (bad-txns-spends-conflicting-tx).
  pool.addUnchecked(entry, p.ancestors);
  if (!o.packageSubmission && !p.args.bypassLimits) {
    pool.limitSize();
    if (!pool.has(p.txid)) return reject('fee', 'mempool full', undefined, true);
  }
  return { ok: true, entry, replaced };
}

/** prepare + commit for a candidate whose scripts were already checked. */
export function admit(pool: Mempool, c: AdmissionCandidate, args: AcceptArgs = SINGLE_ACCEPT): AdmitResult {
  const plan = prepare(pool, c, args);
  if (!plan.ok) return plan;
  return commit(pool, plan);
}
