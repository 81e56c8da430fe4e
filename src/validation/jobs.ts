/**
 * What a validation worker does with a job, free of any worker plumbing (so it runs the
 * same in-thread and on every runtime): decode the transaction and verify every input
 * under the job's flags, with the signature cache and the script-execution cache.
 */
import { decodeTx, decodeTxFields, type TxFields, type TxOut } from '../primitives/tx.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { getDefaultVerifier, verifyInputs, type InputsResult, type VerifyOptions } from '../script/verify.ts';
import type { SigVerifier } from '../script/sigcheck.ts';
import { ScriptExecutionCache, SignatureCache, type CacheStats } from './caches.ts';
import type { Job, JobResult } from './wire.ts';

export interface JobsOptions {
  verifier?: SigVerifier;
  sigCacheSize?: number;
  execCacheSize?: number;
  /**
   * Time every call into the verifier (WorkerStats.sigMs): what a benchmark needs to split a
   * worker's time into signatures and everything else. Off by default (two clock reads per
   * signature).
   */
  timeSignatures?: boolean;
}

export interface WorkerStats {
  sigCache: CacheStats;
  execCache: CacheStats;
  validated: number;
  /** With timeSignatures: ms spent inside the verifier, and its calls. */
  sigMs?: number;
  sigChecks?: number;
  /** ms the worker spent running batches (set by the worker loop). */
  busyMs?: number;
}

/** A verifier that adds the time of each call to `clock`. */
function timedVerifier(v: SigVerifier, clock: { ms: number; calls: number }): SigVerifier {
  return {
    name: v.name,
    verifyEcdsa(sig, msg, key) {
      const t0 = performance.now();
      const ok = v.verifyEcdsa(sig, msg, key);
      clock.ms += performance.now() - t0;
      clock.calls++;
      return ok;
    },
    verifySchnorr(sig, msg, key) {
      const t0 = performance.now();
      const ok = v.verifySchnorr(sig, msg, key);
      clock.ms += performance.now() - t0;
      clock.calls++;
      return ok;
    },
  };
}

const SCRIPTS_OK: InputsResult = Object.freeze({ ok: true as const });

export class ValidatorCore {
  readonly sigCache: SignatureCache;
  readonly execCache: ScriptExecutionCache;
  private validated = 0;
  private readonly verifier?: SigVerifier;
  private readonly clock?: { ms: number; calls: number };

  constructor(opts: JobsOptions = {}) {
    this.sigCache = new SignatureCache(opts.sigCacheSize);
    this.execCache = new ScriptExecutionCache(opts.execCacheSize);
    if (opts.timeSignatures) {
      this.clock = { ms: 0, calls: 0 };
      this.verifier = timedVerifier(opts.verifier ?? getDefaultVerifier(), this.clock);
    } else if (opts.verifier) {
      this.verifier = opts.verifier;
    }
  }

  /**
   * Every input's script under `flags`, skipping it all when this exact check passed before
   * (`wtxid` is the hash of the transaction `tx` was decoded from). `store`: remember the
   * signatures and the verdict when they pass; block connection consults the caches
   * without storing (Core's ConnectBlock: CheckInputScripts with cacheSigStore and
   * cacheFullScriptStore false).
   */
  checkScripts(tx: TxFields, wtxid: Uint8Array, spent: TxOut[], flags: number, store = true): InputsResult {
    const cache = this.execCache;
    if (cache.has(wtxid, flags, spent)) return SCRIPTS_OK;
    const opts: VerifyOptions = { txdata: precomputeTxData(tx, spent), sigCache: store ? this.sigCache : this.sigCache.lookupOnly };
    if (this.verifier) opts.verifier = this.verifier;
    const r = verifyInputs(tx, spent, flags, opts);
    if (r.ok && store) cache.add(wtxid, flags, spent);
    return r;
  }

  async run(job: Job): Promise<JobResult> {
    return this.runSync(job);
  }

  /** run() without the promise. */
  runSync(job: Job): JobResult {
    let tx: TxFields;
    let wtxid: Uint8Array;
    try {
      // A job that brings its wtxid spares hashing the transaction again.
      if (job.wtxid) {
        tx = decodeTxFields(job.tx);
        wtxid = job.wtxid;
      } else {
        const t = decodeTx(job.tx);
        tx = t;
        wtxid = t.wtxid;
      }
    } catch (e) {
      if (e instanceof DecodeError) return { id: job.id, kind: 'error', message: e.message };
      throw e;
    }
    const n = job.spent.length;
    if (n !== tx.inputs.length) return { id: job.id, kind: 'error', message: 'spent outputs do not match the inputs' };
    const spent: TxOut[] = new Array(n);
    for (let i = 0; i < n; i++) spent[i] = { value: job.spent[i]!.value, scriptPubKey: job.spent[i]!.scriptPubKey };
    this.validated++;
    return { id: job.id, kind: 'scripts', result: this.checkScripts(tx, wtxid, spent, job.flags, !job.block) };
  }

  /** Empties the signature and script-execution caches (counters kept). */
  clearCaches(): void {
    this.sigCache.clear();
    this.execCache.clear();
  }

  stats(): WorkerStats {
    const s: WorkerStats = { sigCache: this.sigCache.stats(), execCache: this.execCache.stats(), validated: this.validated };
    if (this.clock) {
      s.sigMs = this.clock.ms;
      s.sigChecks = this.clock.calls;
    }
    return s;
  }
}
