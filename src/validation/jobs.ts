/**
 * What a validation worker does with a job, free of any worker plumbing (so it runs the
 * same in-thread and on every runtime): decode the transaction and verify every input
 * under the job's flags, with the signature cache and the script-execution cache.
 */
import { decodeTx, type Transaction, type TxOut } from '../primitives/tx.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { verifyInputs, type InputsResult, type VerifyOptions } from '../script/verify.ts';
import type { SigVerifier } from '../script/sigcheck.ts';
import { ScriptExecutionCache, SignatureCache, type CacheStats } from './caches.ts';
import type { Job, JobResult } from './wire.ts';

export interface JobsOptions {
  verifier?: SigVerifier;
  sigCacheSize?: number;
  execCacheSize?: number;
}

export interface WorkerStats {
  sigCache: CacheStats;
  execCache: CacheStats;
  validated: number;
}

const SCRIPTS_OK: InputsResult = Object.freeze({ ok: true as const });

export class ValidatorCore {
  readonly sigCache: SignatureCache;
  readonly execCache: ScriptExecutionCache;
  private validated = 0;

  constructor(private readonly opts: JobsOptions = {}) {
    this.sigCache = new SignatureCache(opts.sigCacheSize);
    this.execCache = new ScriptExecutionCache(opts.execCacheSize);
  }

  /** Every input's script under `flags`, skipping it all when this exact check passed before. */
  checkScripts(tx: Transaction, spent: TxOut[], flags: number): InputsResult {
    const cache = this.execCache;
    // The key is computed once: looked up now, added when every input passes.
    const key = cache.key(tx.wtxid, flags, spent);
    if (cache.hasKey(key)) return SCRIPTS_OK;
    const opts: VerifyOptions = { txdata: precomputeTxData(tx, spent), sigCache: this.sigCache };
    if (this.opts.verifier) opts.verifier = this.opts.verifier;
    const r = verifyInputs(tx, spent, flags, opts);
    if (r.ok) cache.addKey(key);
    return r;
  }

  async run(job: Job): Promise<JobResult> {
    return this.runSync(job);
  }

  /** run() without the promise. */
  runSync(job: Job): JobResult {
    let tx: Transaction;
    try {
      tx = decodeTx(job.tx);
    } catch (e) {
      if (e instanceof DecodeError) return { id: job.id, kind: 'error', message: e.message };
      throw e;
    }
    const n = job.spent.length;
    if (n !== tx.inputs.length) return { id: job.id, kind: 'error', message: 'spent outputs do not match the inputs' };
    const spent: TxOut[] = new Array(n);
    for (let i = 0; i < n; i++) spent[i] = { value: job.spent[i]!.value, scriptPubKey: job.spent[i]!.scriptPubKey };
    this.validated++;
    return { id: job.id, kind: 'scripts', result: this.checkScripts(tx, spent, job.flags) };
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
