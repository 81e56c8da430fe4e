/**
 * What a validation worker does, free of any worker plumbing (so it is testable in-thread
 * and identical on every runtime): decode each transaction, resolve its coins (caller
 * supplied first, then a pinned snapshot of the shared UTXO set), run the acceptance
 * checks, and verify scripts with the signature and script-execution caches.
 */
import { decodeTx, type Transaction, type TxOut } from '../primitives/tx.ts';
import { DecodeError } from '../primitives/errors.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { verifyInput } from '../script/verify.ts';
import type { SigVerifier } from '../script/sigcheck.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import type { PolicyOptions } from '../policy/constants.ts';
import type { ScriptRunner, TxScriptResult } from '../policy/script-failure.ts';
import { acceptTransaction, type AcceptResult, type ChainContext } from './accept.ts';
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
}

export interface WorkerStats {
  sigCache: CacheStats;
  execCache: CacheStats;
  validated: number;
}

export class ValidatorCore {
  readonly sigCache: SignatureCache;
  readonly execCache: ScriptExecutionCache;
  private validated = 0;

  constructor(private readonly opts: WorkerCoreOptions = {}) {
    this.sigCache = new SignatureCache(opts.sigCacheSize);
    this.execCache = new ScriptExecutionCache(opts.execCacheSize);
  }

  /** Every input's script under `flags`, skipping it all when this exact check passed before. */
  scriptRunner(tx: Transaction, spent: TxOut[]): ScriptRunner {
    const txdata = precomputeTxData(tx, spent);
    const opts = { txdata, sigCache: this.sigCache, ...(this.opts.verifier ? { verifier: this.opts.verifier } : {}) };
    return (flags: number): TxScriptResult => {
      if (this.execCache.has(tx.wtxid, flags, spent)) return { ok: true };
      for (let i = 0; i < tx.inputs.length; i++) {
        const r = verifyInput(tx, i, spent, flags, opts);
        if (!r.ok) return { ok: false, error: r.error, input: i };
      }
      this.execCache.add(tx.wtxid, flags, spent);
      return { ok: true };
    };
  }

  async run(job: Job): Promise<JobResult> {
    let tx: Transaction;
    try {
      tx = decodeTx(job.tx);
    } catch (e) {
      if (e instanceof DecodeError) return { id: job.id, kind: 'error', message: e.message };
      throw e;
    }
    if (job.kind === 'scripts') {
      const spent = job.spent.map((s) => ({ value: s.value, scriptPubKey: s.scriptPubKey }));
      if (spent.length !== tx.inputs.length) return { id: job.id, kind: 'error', message: 'spent outputs do not match the inputs' };
      return { id: job.id, kind: 'scripts', result: await this.scriptRunner(tx, spent)(job.flags) };
    }
    const pinned = this.opts.coins?.pin();
    try {
      const coins: (Coin | undefined)[] = tx.inputs.map((inp, i) => {
        const supplied = job.coins?.[i];
        if (supplied) return supplied;
        return pinned?.view.getCoin(inp.prevout.txid, inp.prevout.vout);
      });
      const mtp = this.opts.mtp;
      const chain: ChainContext = { height: job.chain.height, mtp: job.chain.mtp, ...(mtp ? { mtpAt: (h: number) => mtp.get(h) } : {}) };
      const result = await acceptTransaction(tx, coins, chain, (spent) => this.scriptRunner(tx, spent), job.policy ? { policy: job.policy } : {});
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
