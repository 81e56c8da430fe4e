/**
 * What the validation pool (worker-pool.ts) and its callers share: how a job is scheduled
 * (block connection first, heavy jobs in their own lane), the pool's errors, and script
 * checks expressed as pool jobs.
 */
import type { Transaction, TxOut } from '../primitives/tx.ts';
import type { InputsResult } from '../script/verify.ts';
import { maxSignatureChecks } from '../policy/sig-checks.ts';
import type { JobInput, JobResult } from './wire.ts';

/** Logical shards: transactions are routed by txid so a re-submitted one meets its cache entries. */
export const SHARDS = 64;

/** Shard of a txid (internal byte order): its first byte, 64 ways. */
export function shardOf(txid: Uint8Array): number {
  return txid[0]! % SHARDS;
}

/**
 * A job that may run this many signature checks or more (policy/sig-checks.ts: about 5 ms
 * with libsecp256k1, 60–200 ms with noble) is heavy: it waits in the pool's heavy lane,
 * which runs at most one heavy job per worker and leaves one worker free of them (when there
 * are two or more), so a client's expensive transactions cannot hold every worker while
 * cheap ones queue behind them.
 */
export const HEAVY_COST = 100;
/** How a job is scheduled (see submit). */
export interface SubmitOptions {
  /** Block connection: posted before every other job, never refused for a full queue. */
  priority?: boolean;
  /** The most signature checks the job can run (policy/sig-checks.ts); HEAVY_COST or more: the heavy lane. */
  cost?: number;
}

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly retryAfterSeconds = 1) {
    super('validation queue is full');
  }
}

export class WorkerFailedError extends Error {
  override readonly name = 'WorkerFailedError';
}

/**
 * Script checks as jobs: each transaction's inputs verified by one job, routed by txid
 * shard (the pool's `submit`, or a ValidatorCore's in-thread `run`), with the wtxid the
 * caller decoded (the worker does not hash the transaction again). A job that could not
 * run is no verdict: it throws WorkerFailedError. `priority`: block connection's checks,
 * scheduled first (SubmitOptions); otherwise each job carries its cost, the most signature
 * checks its scripts can run. `block` (implied by `priority`): block connection's checks,
 * which consult the caches without adding to them (ScriptsJob.block).
 */
export function scriptsAsJobs(
  submit: (shard: number, job: JobInput, opts: SubmitOptions) => Promise<JobResult>,
  { priority = false, block = priority }: { priority?: boolean; block?: boolean } = {},
): (tx: Transaction, spent: TxOut[], flags: number) => Promise<InputsResult> {
  return async (tx, spent, flags) => {
    const opts: SubmitOptions = priority ? { priority } : { cost: maxSignatureChecks(tx, spent.map((o) => o.scriptPubKey)) };
    const job: JobInput = { kind: 'scripts', tx: tx.raw, spent, flags, wtxid: tx.wtxid };
    if (block) job.block = true;
    const r = await submit(shardOf(tx.txid), job, opts);
    if (r.kind === 'scripts') return r.result;
    throw new WorkerFailedError(r.message);
  };
}
