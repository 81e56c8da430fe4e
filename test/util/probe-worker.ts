/**
 * A probe on a thread of its own (started with src/runtime/worker.ts createWorker): per
 * {url, timeoutMs, delayMs} message, waits delayMs, times one GET of `url` and answers
 * {status, ms} (status 0 when the request failed or timed out), so a test can time a server whose main thread is also the
 * test's, while that thread is busy.
 */
import { workerPort } from '../../src/runtime/worker-self.ts';

workerPort.onMessage(async (data) => {
  const { url, timeoutMs, delayMs = 0 } = data as { url: string; timeoutMs: number; delayMs?: number };
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  const t0 = performance.now();
  let status = 0;
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    status = r.status;
  } catch { /* status 0 */ }
  workerPort.postMessage({ status, ms: performance.now() - t0 });
});
