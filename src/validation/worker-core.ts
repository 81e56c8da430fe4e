/**
 * What a validation worker does, free of any worker plumbing (so it is testable in-thread
 * and identical on every runtime): decode each transaction, resolve its coins (caller
 * supplied first, then a pinned snapshot of the shared UTXO set), run the acceptance
 * checks, and verify scripts with the signature and script-execution caches.
 */
import { decodeTx, type Transaction, type TxOut } from '../primitives/tx.ts';
import { DecodeError } from '../primitives/errors.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { verifyInput, type VerifyOptions } from '../script/verify.ts';
import type { SigVerifier } from '../script/sigcheck.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import type { PolicyOptions } from '../policy/constants.ts';
import type { SyncScriptRunner, TxScriptResult } from '../policy/script-failure.ts';
import { acceptTransactionSync, type AcceptResult, type ChainContext } from './accept.ts';
import { MtpTable } from './mtp-table.ts';
import { ScriptExecutionCache, SignatureCache, type CacheStats } from './caches.ts';

/** A coin as it crosses postMessage (structured clone keeps bigint and Uint8Array). */
export interface WireCoin {
  value: bigint;
  scriptPubKey: Uint8Array;
  height: number;
  coinbase: boolean;
}

export interface ValidateJob {
  kind: 'validate';
  id: number;
  tx: Uint8Array;
  /** Per input: a supplied coin, or null to look it up in the UTXO set. Absent: all looked up. */
  coins?: (WireCoin | null)[];
  chain: { height: number; mtp: number };
  policy?: Partial<PolicyOptions>;
}

/** Script checks only (block connection): every input under `flags`. */
export interface ScriptsJob {
  kind: 'scripts';
  id: number;
  tx: Uint8Array;
  spent: { value: bigint; scriptPubKey: Uint8Array }[];
  flags: number;
}

export type Job = ValidateJob | ScriptsJob;

export type JobResult =
  | { id: number; kind: 'validate'; result: AcceptResult }
  | { id: number; kind: 'scripts'; result: TxScriptResult }
  | { id: number; kind: 'error'; message: string };

// ---- The wire between the pool (main thread) and a worker ----------------------------
//
// postMessage clones what it is given: an object per job with its own Uint8Array, and an
// AcceptResult object (with a bigint) per answer, cost 7–17 µs per transaction in and out
// (bench/request-path.bench.ts). A batch therefore travels as one buffer holding every
// transaction's bytes plus the jobs without them, and its answers as one flat array of
// primitives (objects only for the rare non-'validate' answers).

/** A job without its transaction bytes (they travel packed in WireBatch.bytes). */
export type WireJob = Job extends infer J ? (J extends { tx: Uint8Array } ? Omit<J, 'tx'> : never) : never;

/**
 * One batch as posted: `bytes` holds, job after job, each transaction and then (for a
 * 'scripts' job) each spent script; `ends` lists where each of those pieces ends, in order
 * (a piece starts where the previous one ended, the first at 0).
 */
export interface WireBatch {
  type: 'batch';
  batch: number;
  jobs: WireJob[];
  bytes: Uint8Array;
  ends: number[];
}

/**
 * A 'scripts' job as posted: the spent outputs' values, their scripts packed after the
 * transaction in the batch's buffer. (Posting a Uint8Array view clones its whole
 * ArrayBuffer: a script that is a view into a 2 MB block, or into a UTXO-set slab, would
 * copy all of it with every batch.)
 */
interface WireScripts {
  kind: 'scripts';
  spentValues: bigint[];
}

/** Packs jobs (their transactions' bytes and any spent scripts) into one batch message. */
export function packBatch(batch: number, jobs: readonly WireJob[], txs: readonly Uint8Array[]): WireBatch {
  let total = 0;
  for (let i = 0; i < txs.length; i++) {
    total += txs[i]!.length;
    const j = jobs[i]!;
    if (j.kind === 'scripts') for (const o of j.spent) total += o.scriptPubKey.length;
  }
  const bytes = new Uint8Array(total);
  const ends: number[] = [];
  const wire: WireJob[] = new Array(jobs.length);
  let o = 0;
  for (let i = 0; i < txs.length; i++) {
    bytes.set(txs[i]!, o);
    o += txs[i]!.length;
    ends.push(o);
    const j = jobs[i]!;
    if (j.kind !== 'scripts') {
      wire[i] = j;
      continue;
    }
    const values: bigint[] = new Array(j.spent.length);
    for (let k = 0; k < j.spent.length; k++) {
      const out = j.spent[k]!;
      values[k] = out.value;
      bytes.set(out.scriptPubKey, o);
      o += out.scriptPubKey.length;
      ends.push(o);
    }
    const { spent: _spent, ...rest } = j;
    wire[i] = { ...rest, spentValues: values } as unknown as WireJob;
  }
  return { type: 'batch', batch, jobs: wire, bytes, ends };
}

/** The jobs of a batch, each with its transaction (and spent scripts): views into the batch's buffer. */
export function unpackBatch(msg: WireBatch): Job[] {
  const out: Job[] = new Array(msg.jobs.length);
  let start = 0;
  let e = 0;
  for (let i = 0; i < msg.jobs.length; i++) {
    const end = msg.ends[e++]!;
    const job = msg.jobs[i]! as Job;
    job.tx = msg.bytes.subarray(start, end);
    start = end;
    if (job.kind === 'scripts') {
      const w = job as unknown as WireScripts & { spent?: ScriptsJob['spent'] };
      const values = w.spentValues;
      const spent: ScriptsJob['spent'] = new Array(values.length);
      for (let k = 0; k < values.length; k++) {
        const end2 = msg.ends[e++]!;
        spent[k] = { value: values[k]!, scriptPubKey: msg.bytes.subarray(start, end2) };
        start = end2;
      }
      w.spent = spent;
      delete (w as { spentValues?: bigint[] }).spentValues;
    }
    out[i] = job;
  }
  return out;
}

/** Slots per 'validate' answer in the flat results array (id included). */
const VALIDATE_SLOTS = 11;
/** Tag in place of an id: the next slot holds a JobResult object as is. */
const OTHER = -1;

/**
 * Answers of a batch as one flat array: per 'validate' answer its id and the AcceptResult's
 * fields in a fixed order (absent optional fields as null, the fee as a number when it is
 * a safe integer, which every amount is); any other answer as OTHER followed by the object.
 */
export function encodeResults(results: readonly JobResult[]): unknown[] {
  const out: unknown[] = [];
  for (const r of results) {
    if (r.kind !== 'validate') {
      out.push(OTHER, r);
      continue;
    }
    const a = r.result;
    const fee = a.fee === null ? null : a.fee >= -9007199254740991n && a.fee <= 9007199254740991n ? Number(a.fee) : a.fee;
    out.push(r.id, a.txid, a.wtxid, a.allowed, a.vsize, a.weight, fee, a.feerate, a.reason ?? null, a.details ?? null, a.kind ?? null);
  }
  return out;
}

/** encodeResults reversed: calls `each` with every answer, in order. */
export function decodeResults(flat: readonly unknown[], each: (r: JobResult) => void): void {
  let i = 0;
  while (i < flat.length) {
    const id = flat[i] as number;
    if (id === OTHER) {
      each(flat[i + 1] as JobResult);
      i += 2;
      continue;
    }
    const fee = flat[i + 6] as number | bigint | null;
    const result: AcceptResult = {
      txid: flat[i + 1] as string, wtxid: flat[i + 2] as string, allowed: flat[i + 3] as boolean,
      vsize: flat[i + 4] as number, weight: flat[i + 5] as number,
      fee: fee === null ? null : typeof fee === 'bigint' ? fee : BigInt(fee),
      feerate: flat[i + 7] as number | null,
    };
    const reason = flat[i + 8], details = flat[i + 9], kind = flat[i + 10];
    if (reason !== null) result.reason = reason as string;
    if (kind !== null) result.kind = kind as NonNullable<AcceptResult['kind']>;
    if (details !== null) result.details = details as string;
    each({ id, kind: 'validate', result });
    i += VALIDATE_SLOTS;
  }
}

/** A source of consistent coin snapshots (the shared-memory UTXO set's reader). */
export interface SnapshotSource {
  pin(): PinnedCoins;
}

export interface PinnedCoins {
  view: CoinView;
  release(): void;
  /** Several lookups at once, their memory misses overlapped (Snapshot.getMany). */
  getMany?(outpoints: readonly { txid: Uint8Array; vout: number }[]): (Coin | undefined)[];
}

export interface WorkerCoreOptions {
  verifier?: SigVerifier;
  /** MTP by height of the active chain (time-based BIP68 locks). */
  mtp?: MtpTable;
  coins?: SnapshotSource;
  sigCacheSize?: number;
  execCacheSize?: number;
  /** The node's policy, sent once: a job carries `policy` only to override it. */
  policy?: Partial<PolicyOptions>;
}

export interface WorkerStats {
  sigCache: CacheStats;
  execCache: CacheStats;
  validated: number;
}

const NO_OPTIONS = Object.freeze({});
const policyOf = (policy: Partial<PolicyOptions> | undefined): { policy?: Partial<PolicyOptions> } => (policy ? { policy } : NO_OPTIONS);

const SCRIPTS_OK: TxScriptResult = Object.freeze({ ok: true as const });

export class ValidatorCore {
  readonly sigCache: SignatureCache;
  readonly execCache: ScriptExecutionCache;
  private validated = 0;
  private readonly mtpAt: ((h: number) => number | undefined) | undefined;

  constructor(private readonly opts: WorkerCoreOptions = {}) {
    this.sigCache = new SignatureCache(opts.sigCacheSize);
    this.execCache = new ScriptExecutionCache(opts.execCacheSize);
    const mtp = opts.mtp;
    this.mtpAt = mtp ? (h: number) => mtp.get(h) : undefined;
  }

  /** Every input's script under `flags`, skipping it all when this exact check passed before. */
  scriptRunner(tx: Transaction, spent: TxOut[]): SyncScriptRunner {
    const opts: VerifyOptions = { txdata: precomputeTxData(tx, spent), sigCache: this.sigCache };
    if (this.opts.verifier) opts.verifier = this.opts.verifier;
    const cache = this.execCache;
    return (flags: number): TxScriptResult => {
      // The key is computed once: looked up now, added when every input passes.
      const key = cache.key(tx.wtxid, flags, spent);
      if (cache.hasKey(key)) return SCRIPTS_OK;
      for (let i = 0; i < tx.inputs.length; i++) {
        const r = verifyInput(tx, i, spent, flags, opts);
        if (!r.ok) return { ok: false, error: r.error, input: i };
      }
      cache.addKey(key);
      return SCRIPTS_OK;
    };
  }

  async run(job: Job): Promise<JobResult> {
    return this.runSync(job);
  }

  /** run() without the promise: everything a job needs happens in this thread, synchronously. */
  runSync(job: Job): JobResult {
    let tx: Transaction;
    try {
      tx = decodeTx(job.tx);
    } catch (e) {
      if (e instanceof DecodeError) return { id: job.id, kind: 'error', message: e.message };
      throw e;
    }
    if (job.kind === 'scripts') {
      const n = job.spent.length;
      if (n !== tx.inputs.length) return { id: job.id, kind: 'error', message: 'spent outputs do not match the inputs' };
      const spent: TxOut[] = new Array(n);
      for (let i = 0; i < n; i++) spent[i] = { value: job.spent[i]!.value, scriptPubKey: job.spent[i]!.scriptPubKey };
      return { id: job.id, kind: 'scripts', result: this.scriptRunner(tx, spent)(job.flags) };
    }
    const pinned = this.opts.coins?.pin();
    try {
      const n = tx.inputs.length;
      const supplied = job.coins;
      let coins: (Coin | undefined)[];
      if (!supplied && n > 1 && pinned?.getMany) {
        // Every input from the shared set: one batched lookup.
        const prevouts = new Array<{ txid: Uint8Array; vout: number }>(n);
        for (let i = 0; i < n; i++) prevouts[i] = tx.inputs[i]!.prevout;
        coins = pinned.getMany(prevouts);
      } else {
        coins = new Array(n);
        for (let i = 0; i < n; i++) {
          const c = supplied?.[i];
          if (c) coins[i] = c;
          else {
            const p = tx.inputs[i]!.prevout;
            coins[i] = pinned?.view.getCoin(p.txid, p.vout);
          }
        }
      }
      const chain: ChainContext = this.mtpAt
        ? { height: job.chain.height, mtp: job.chain.mtp, mtpAt: this.mtpAt }
        : { height: job.chain.height, mtp: job.chain.mtp };
      const result = acceptTransactionSync(tx, coins, chain, (spent) => this.scriptRunner(tx, spent), policyOf(job.policy ?? this.opts.policy));
      this.validated++;
      return { id: job.id, kind: 'validate', result };
    } finally {
      pinned?.release();
    }
  }

  /** Empties the signature and script-execution caches (counters kept). */
  clearCaches(): void {
    this.sigCache.clear();
    this.execCache.clear();
  }

  stats(): WorkerStats {
    return { sigCache: this.sigCache.stats(), execCache: this.execCache.stats(), validated: this.validated };
  }
}
