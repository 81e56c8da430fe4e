/**
 * Validation worker: receives batches of jobs from the pool (src/validation/worker-pool.ts),
 * runs them with ValidatorCore (src/validation/jobs.ts: decode, scripts with caches) and
 * answers each batch with one message (src/validation/wire.ts). The crypto backend is loaded
 * by name, the same on every worker.
 */
import { workerPort } from '../src/runtime/worker-self.ts';
import { ValidatorCore } from '../src/validation/jobs.ts';
import { encodeResults, unpackBatch, type JobResult, type WireBatch } from '../src/validation/wire.ts';
import { applyCrypto, loadCryptoByName, type CryptoSpec } from '../src/runtime/crypto/select.ts';
import { nobleVerifier } from '../src/script/sigcheck-noble.ts';
import { nobleSha256Backend } from '../src/primitives/hash.ts';
import { applyRuntimeTuning } from '../src/runtime/tuning.ts';

applyRuntimeTuning('worker');

const port = { post: (m: unknown) => workerPort.postMessage(m), onMessage: (f: (d: unknown) => void) => workerPort.onMessage(f) };
let core: ValidatorCore | undefined;
let queue: Promise<void> = Promise.resolve();
/** ms spent running batches (WorkerStats.busyMs). */
let busyMs = 0;

port.onMessage((data) => {
  const msg = data as { type: string; crypto?: CryptoSpec; sigCacheSize?: number; execCacheSize?: number; timeSignatures?: boolean; clear?: boolean };
  if (msg.type === 'init') {
    queue = queue.then(async () => {
      try {
        const spec = msg.crypto;
        const sel = spec ? await loadCryptoByName(spec.crypto, spec.libPath, spec.sha256) : { verifier: nobleVerifier, sha256: nobleSha256Backend };
        const verifier = applyCrypto(sel);
        core = new ValidatorCore({
          verifier,
          ...(msg.sigCacheSize ? { sigCacheSize: msg.sigCacheSize } : {}),
          ...(msg.execCacheSize ? { execCacheSize: msg.execCacheSize } : {}),
          ...(msg.timeSignatures ? { timeSignatures: true } : {}),
        });
        port.post({ type: 'ready', backend: verifier.name });
      } catch (e) {
        port.post({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
      }
    });
  } else if (msg.type === 'batch') {
    // Batches run in arrival order; results go back in one message per batch.
    const batch = data as WireBatch;
    queue = queue.then(() => {
      const t0 = performance.now();
      const jobs = unpackBatch(batch);
      const results: JobResult[] = new Array(jobs.length);
      for (let i = 0; i < jobs.length; i++) {
        const job = jobs[i]!;
        try {
          results[i] = core!.runSync(job);
        } catch (e) {
          results[i] = { id: job.id, kind: 'error', message: e instanceof Error ? e.message : String(e) };
        }
      }
      // ms: this batch's time here, by which the pool sizes the next ones (worker-pool.ts BATCH_TARGET_MS).
      const ms = performance.now() - t0;
      busyMs += ms;
      port.post({ type: 'results', batch: batch.batch, results: encodeResults(results), ms, jobs: jobs.length });
    });
  } else if (msg.type === 'stats') {
    // After every batch already received; `clear` empties the caches once read.
    queue = queue.then(() => {
      port.post({ type: 'stats', stats: core ? { ...core.stats(), busyMs } : undefined });
      if (msg.clear) core?.clearCaches();
    });
  } else if (msg.type === 'crash') {
    // Test hook: die the way a real fault would (an uncaught error escapes the worker).
    setTimeout(() => {
      throw new Error('worker crashed on request');
    }, 0);
  }
});
