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

/** A source of consistent coin snapshots (the shared-memory UTXO set's reader). */
export interface SnapshotSource {
  pin(): { view: CoinView; release(): void };
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
      const coins: (Coin | undefined)[] = new Array(n);
      const supplied = job.coins;
      for (let i = 0; i < n; i++) {
        const c = supplied?.[i];
        if (c) coins[i] = c;
        else {
          const p = tx.inputs[i]!.prevout;
          coins[i] = pinned?.view.getCoin(p.txid, p.vout);
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

  stats(): WorkerStats {
    return { sigCache: this.sigCache.stats(), execCache: this.execCache.stats(), validated: this.validated };
  }
}
