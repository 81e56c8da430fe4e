/**
 * What the HTTP app needs from the node (src/node/node.ts), or from a stateless validator
 * (src/api/stateless.ts: every request brings its prevouts). Every method returns values;
 * "busy" is a typed result, not an exception.
 */
import type { PolicyOptions } from '../policy/constants.ts';
import type { Transaction } from '../primitives/tx.ts';
import type { Coin } from '../utxo/coin.ts';
import type { AcceptResult } from '../mempool/accept.ts';

/** A spent output as a request supplies it (stateless validation). */
export interface PrevoutInput {
  scriptPubKey: Uint8Array;
  amount: bigint;
  height?: number;
  coinbase?: boolean;
}

/** One transaction to validate, as decoded by the API. */
export interface ValidateItem {
  tx: Transaction;
  /** Spent outputs in input order; absent = look them up in the UTXO set. */
  prevouts?: PrevoutInput[];
  /** testmempoolaccept's maxfeerate in sat/kvB (0 = no limit); absent = the node's setting. */
  maxFeeRate?: number;
  /** Chain context (tip height and its MTP); absent = the node's tip. */
  at?: { height: number; mtp: number };
  /** Trace the scripts of every input, or of the failing ones (src/api/trace.ts); absent = no trace. */
  trace?: 'all' | 'failed';
}

export interface Busy {
  busy: true;
  /** Seconds after which to retry (Retry-After). */
  retryAfter: number;
}

export type ValidateOutcome = { busy: false; results: AcceptResult[] } | Busy;

/**
 * A submitted block's fate. Accepted: stored (and connected when its branch has the most
 * work); `tip` says whether it is now the active chain's tip, false for a block kept on a
 * side branch with less work or an already known block below the tip. Rejected: Core's
 * reason (e.g. "bad-txnmrklroot", "prev-blk-not-found"), or `malformed` when the bytes do
 * not decode as a block.
 */
export type BlockResult =
  | {
    /** Block hash (display order). */
    hash: string;
    accepted: true;
    tip: boolean;
    height?: number;
    /** "duplicate": the block was already known. */
    reason?: 'duplicate';
  }
  | {
    /** Block hash (display order); empty when the block did not decode. */
    hash: string;
    accepted: false;
    reason: string;
    details?: string;
    malformed?: true;
  };
export type BlockOutcome = ({ busy: false } & BlockResult) | Busy;

export interface TipInfo {
  height: number;
  /** Display order. */
  hash: string;
  mtp: number;
  time?: number;
}

/** Gauges sampled by GET /metrics: queue depth, cache hit rates, coin count… */
export interface NodeGauges {
  queueDepth?: number;
  coinCount?: number;
  /** Hit rate (0..1) per cache name, e.g. { sigcache: 0.93, scriptcache: 0.4 }. */
  cacheHitRate?: Record<string, number>;
}

/**
 * The P2P sync state (src/p2p/manager.ts SyncStatus): `synced` once the node has every block
 * of the most-work header its peers offered. GET /ready reads `synced`; /info, /health and
 * /metrics report the rest.
 */
export interface SyncInfo {
  synced: boolean;
  height?: number;
  headers?: number;
  peers?: number;
  blocksPerSecond?: number;
  eta?: number | null;
  inFlight?: number;
}

export interface AppDeps {
  /** Validates independent transactions (order of results = order of items). */
  validate(items: ValidateItem[]): Promise<ValidateOutcome>;
  /**
   * Called with a POST /validate request's items, all of them, before any is validated (a
   * batch is then validated item by item, in time slices); throws an ApiError to refuse the
   * whole request (the edge's signature-check budget).
   */
  checkRequest?(items: readonly ValidateItem[]): void;
  /** Absent: POST /blocks answers 501. */
  submitBlock?(raw: Uint8Array): Promise<BlockOutcome>;
  /** Absent or undefined: GET /chain/tip answers 501 / 404. */
  tip?(): TipInfo | undefined | Promise<TipInfo | undefined>;
  /** txid in internal byte order. Absent: GET /utxo answers 501. */
  getUtxo?(txid: Uint8Array, vout: number): Coin | undefined | Promise<Coin | undefined>;
  /** GET /info body (network, version, runtime, crypto backend, options…). */
  info(): Record<string, unknown>;
  /** GET /health; absent = always healthy. */
  health?(): { ok: boolean; detail?: Record<string, unknown> };
  gauges?(): NodeGauges;
  /** The P2P sync state; absent when the node follows no peers (it is then always synced). */
  sync?: () => SyncInfo;
}

// ---- Mempool: what the REST, JSON-RPC, Esplora and SSE interfaces need. ----

/** The outcome of validating and admitting one transaction (POST /tx, sendrawtransaction). */
export type SubmitTxOutcome = Busy | ({ busy: false } & AcceptResult & { relayed?: number });

/** testmempoolaccept's per-transaction answer (Core's field meaning; the API shapes it). */
export interface TestAcceptItem {
  txid: string;
  wtxid: string;
  allowed?: boolean;
  vsize?: number;
  fee?: bigint;
  /** sat/kvB the transaction was judged at. */
  effectiveFeeRate?: number;
  effectiveIncludes?: string[];
  reason?: string;
  details?: string;
  /** Set when the whole package failed before this transaction was judged. */
  packageError?: string;
}
export type TestAcceptOutcome = Busy | { busy: false; results: TestAcceptItem[] };

/** `relayed`: peers the accepted transactions were announced to (absent without P2P). */
export type PackageOutcome = Busy | { busy: false; result: import('../mempool/package.ts').PackageResult; relayed?: number };

export interface ChainInfo {
  chain: 'main' | 'test' | 'testnet4' | 'signet' | 'regtest';
  blocks: number;
  headers: number;
  bestblockhash: string;
  bits: string;
  time: number;
  mediantime: number;
  chainwork: string;
  difficulty: number;
  pruned: boolean;
}

/** loadtxoutset's result (rpc/blockchain.cpp). */
export interface LoadTxOutSetResult {
  coins_loaded: number;
  /** The snapshot base block, display order. */
  tip_hash: string;
  base_height: number;
  path: string;
}

export interface MempoolDeps {
  /**
   * loadtxoutset: a Core dumptxoutset file becomes the UTXO set (absent: not offered). A
   * refusal throws an Error whose `kind` is open, metadata or activation.
   */
  loadTxOutSet?(path: string): Promise<LoadTxOutSetResult>;
  /** Read-only queries go straight to the mempool (src/mempool). */
  readonly mempool: import('../mempool/mempool.ts').Mempool;
  /** Validate then admit (with RBF, limits, orphans). maxFeeRate in sat/kvB (0 = no limit; absent = the node's). */
  submitTx(tx: Transaction, opts?: { maxFeeRate?: number }): Promise<SubmitTxOutcome>;
  /** testmempoolaccept: one tx, or a package of up to 25 (nothing is admitted); the caller applies maxfeerate. */
  testAccept(txs: Transaction[]): Promise<TestAcceptOutcome>;
  /** submitpackage. */
  submitPackage(txs: Transaction[]): Promise<PackageOutcome>;
  /** Transactions kept as orphans (their parents unknown), for GET /mempool/orphans. */
  orphans?(): { txid: string; wtxid: string }[];
  /** gettxout: a confirmed coin (with confirmations) or, with includeMempool, a mempool output not spent in the mempool. */
  getTxOut(txid: Uint8Array, vout: number, includeMempool: boolean): { coin: Coin; confirmations: number; bestblock: string } | undefined;
  chainInfo(): ChainInfo;
  /** The node's policy options that getmempoolinfo reports (Core's MemPoolOptions fields). */
  readonly policy: Pick<PolicyOptions, 'permitBareMultisig' | 'maxDatacarrierBytes'>;
  /** Data directory for the RPC .cookie file (undefined: in-memory node, no cookie). */
  readonly datadir?: string;
  /** Outbound P2P peers past the handshake; absent when the node follows no peers (getnetworkinfo). */
  peerCount?(): number;
  /**
   * BroadcastTransaction for a transaction already in the mempool: announce the mempool's
   * copy (its wtxid) again to the peers not known to have it; returns how many were told
   * (absent without P2P).
   */
  relayExisting?(txid: string): number;
}
