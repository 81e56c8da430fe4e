/**
 * What the HTTP app needs from the node. The lead wires the real pipeline (UTXO set, chain
 * state, worker pool, mempool); src/runtime/serve.ts wires a stateless one (prevouts in the
 * request). Every method returns values; "busy" is a typed result, not an exception.
 */
import type { Transaction } from '../primitives/tx.ts';
import type { Coin } from '../utxo/coin.ts';
import type { AcceptResult } from '../validation/accept.ts';

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
}

export interface Busy {
  busy: true;
  /** Seconds after which to retry (Retry-After). */
  retryAfter: number;
}

export type ValidateOutcome = { busy: false; results: AcceptResult[] } | Busy;

export interface BlockResult {
  /** Block hash (display order). */
  hash: string;
  accepted: boolean;
  height?: number;
  /** Core's reject reason (e.g. "bad-txnmrklroot", "duplicate", "inconclusive"). */
  reason?: string;
  details?: string;
}
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

export interface AppDeps {
  /** Validates independent transactions (order of results = order of items). */
  validate(items: ValidateItem[]): Promise<ValidateOutcome>;
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
}
