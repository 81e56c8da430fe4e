/**
 * Mempool data types: the candidate the validation pipeline hands in, the entry with its
 * incrementally maintained ancestor/descendant aggregates (Core's CTxMemPoolEntry), options
 * (Core's MemPoolOptions / MemPoolLimits) and results.
 */
import type { Transaction } from '../primitives/tx.ts';

/** A transaction that passed the pipeline's context checks (PreChecks minus the mempool parts). */
export interface AdmissionCandidate {
  tx: Transaction;
  /** Base fee in satoshis (inputs − outputs). */
  fee: bigint;
  /** Sigop-adjusted virtual size (GetVirtualTransactionSize). */
  vsize: number;
  /** Transaction weight (defaults to tx.weight). */
  weight?: number;
  /** GetTransactionSigOpCost with STANDARD_SCRIPT_VERIFY_FLAGS (for block assembly). */
  sigOpCost?: number;
  /** Whether any input spends a coinbase output (re-checked for maturity on reorg). */
  spendsCoinbase?: boolean;
  /**
   * Which inputs spend outputs of mempool transactions (optional: the mempool derives this
   * from its own txid index when absent).
   */
  mempoolInputs?: readonly number[];
  /** Opaque data for the caller's removeForReorg predicate (e.g. Core's LockPoints). */
  lockPoints?: unknown;
}

export type RemovalReason = 'confirmed' | 'replaced' | 'conflict' | 'evicted' | 'expired' | 'reorg';

export interface MempoolEntry {
  readonly tx: Transaction;
  /** Display-order hex. */
  readonly txid: string;
  readonly wtxid: string;
  /** Leading bytes of the internal txid as a number (index tie-break). */
  readonly txidPrefix: number;
  /** Base fee (sats). Internally numbers: every amount fits in 2^53. */
  readonly fee: number;
  /** prioritisetransaction delta. */
  feeDelta: number;
  /** fee + feeDelta. */
  modFee: number;
  readonly vsize: number;
  readonly weight: number;
  readonly sigOpCost: number;
  /** Entry time, seconds. */
  readonly time: number;
  /** Chain height when entered. */
  readonly height: number;
  /** Entry sequence (monotonic). */
  readonly sequence: number;
  readonly spendsCoinbase: boolean;
  lockPoints: unknown;
  /** Estimated memory use of this entry (Core's nUsageSize plus the per-entry overhead). */
  readonly usage: number;
  readonly parents: Set<MempoolEntry>;
  readonly children: Set<MempoolEntry>;
  // Aggregates including the entry itself (Core: nCountWithAncestors ...).
  ancCount: number;
  ancSize: number;
  ancFee: number;
  ancSigOps: number;
  descCount: number;
  descSize: number;
  descFee: number;
  /** Key snapshots used by the ordered indexes (valid while indexed). */
  aKeyFee: number;
  aKeySize: number;
  dKeyFee: number;
  dKeySize: number;
}

/**
 * What the pool keeps on each entry besides the public fields (every entry comes from
 * Mempool.makeEntry). Not for use outside src/mempool.
 */
export interface PoolEntry extends MempoolEntry {
  readonly parents: Set<PoolEntry>;
  readonly children: Set<PoolEntry>;
  /** Display-hex prevout txid per input (the spender index keys). */
  readonly prev: readonly string[];
  /** Some input signals BIP125 (nSequence < 0xfffffffe). */
  readonly ownRbf: boolean;
  /** Traversal stamps (graph walks without allocating Sets). */
  mark: number;
  markA: number;
  markD: number;
  /** Outputs that are dust at dustRate (computed on first use). */
  dust: readonly number[] | undefined;
  dustRate: number;
  /** Per-run flags for the block assembler and dumps, valid while `run` is theirs. */
  run: number;
  flags: number;
}

/** Core's CTxMemPool::Limits (kernel/mempool_limits.h). */
export interface MempoolLimits {
  ancestorCount: number;
  ancestorSizeVbytes: number;
  descendantCount: number;
  descendantSizeVbytes: number;
}

export const DEFAULT_LIMITS: Readonly<MempoolLimits> = Object.freeze({
  ancestorCount: 25,
  ancestorSizeVbytes: 101_000,
  descendantCount: 25,
  descendantSizeVbytes: 101_000,
});

export interface MempoolOptions {
  /** -maxmempool in bytes of estimated memory use (default 300 MB = 300,000,000). */
  maxSizeBytes: number;
  /** -mempoolexpiry in seconds (default 336 h). */
  expirySeconds: number;
  /** -incrementalrelayfee, sat/kvB (v30: 100). */
  incrementalRelayFeeRate: number;
  /** -minrelaytxfee, sat/kvB (v30: 100). */
  minRelayFeeRate: number;
  /** -dustrelayfee, sat/kvB, for ephemeral-dust spend checks. */
  dustRelayFeeRate: number;
  /** Whether standardness rules apply (ephemeral spends); false with -acceptnonstdtxn. */
  requireStandard: boolean;
  limits: MempoolLimits;
  /**
   * Full RBF (Core v28+: always on). With false, the pre-v28 rule: a conflict that does not
   * signal BIP125 (and is not TRUC) cannot be replaced ("txn-mempool-conflict").
   */
  fullRbf: boolean;
  /** Clock in milliseconds (injectable for tests). */
  now: () => number;
}

export const DEFAULT_MAX_MEMPOOL_BYTES = 300_000_000;
export const DEFAULT_MEMPOOL_EXPIRY_SECONDS = 336 * 60 * 60;
/** ROLLING_FEE_HALFLIFE (txmempool.h): 12 hours. */
export const ROLLING_FEE_HALFLIFE = 60 * 60 * 12;
/** MAX_REPLACEMENT_CANDIDATES (policy/rbf.h). */
export const MAX_REPLACEMENT_CANDIDATES = 100;
/** EXTRA_DESCENDANT_TX_SIZE_LIMIT (validation.cpp): the CPFP carve-out's size bound. */
export const EXTRA_DESCENDANT_TX_SIZE_LIMIT = 10_000;
/** TRUC limits (policy/truc_policy.h). */
export const TRUC_ANCESTOR_LIMIT = 2;
export const TRUC_DESCENDANT_LIMIT = 2;
export const TRUC_CHILD_MAX_VSIZE = 1_000;
/** MAX_PACKAGE_COUNT and MAX_PACKAGE_WEIGHT (policy/packages.h). */
export const MAX_PACKAGE_COUNT = 25;
export const MAX_PACKAGE_WEIGHT = 404_000;

/** Where a rejection came from, as Core's TxValidationResult buckets that matter to callers. */
export type MempoolRejectKind = 'conflict' | 'policy' | 'fee' | 'consensus' | 'missing-inputs';

export interface MempoolReject {
  ok: false;
  reason: string;
  details?: string;
  kind: MempoolRejectKind;
  /** Core's TX_RECONSIDERABLE: may pass within a package (fee-related). */
  reconsiderable?: boolean;
}

/** Per-call acceptance switches (Core's ATMPArgs). */
export interface AcceptArgs {
  allowReplacement: boolean;
  allowSiblingEviction: boolean;
  /** CPFP carve-out and the single-conflict RBF descendant-limit relaxation. */
  allowCarveouts: boolean;
  /** Use package fee rates: skip the individual mempool-min-fee check. */
  packageFeerates: boolean;
  /** Transactions from disconnected blocks: no fee checks, no size trimming. */
  bypassLimits: boolean;
}

export const SINGLE_ACCEPT: Readonly<AcceptArgs> = Object.freeze({
  allowReplacement: true, allowSiblingEviction: true, allowCarveouts: true, packageFeerates: false, bypassLimits: false,
});
