/**
 * Starting a module worker from a TypeScript entry script on any runtime: the global
 * `Worker` on Bun and Deno, worker_threads on Node 20 (which has no global Worker; the tsx
 * loader is passed on so the worker can run TypeScript). Returns the Web Worker shape the
 * pool uses.
 */
import type { WorkerLike } from '../validation/pool.ts';

const g = globalThis as unknown as { Bun?: unknown; Deno?: unknown; Worker?: new (u: URL, o: { type: 'module' }) => WorkerLike };

export const hasWebWorker = (g.Bun !== undefined || g.Deno !== undefined) && typeof g.Worker === 'function';

let nodeWorker: typeof import('node:worker_threads').Worker | undefined;
if (!hasWebWorker) nodeWorker = (await import('node:worker_threads')).Worker;

export function spawnModuleWorker(url: URL): WorkerLike {
  if (hasWebWorker) {
    const w = new g.Worker!(url, { type: 'module' });
    // Deno re-throws an unhandled worker error on the main thread and exits: the pool
    // handles worker errors itself (replaces the worker), so mark them handled.
    w.addEventListener('error', (e) => (e as unknown as Event).preventDefault?.());
    return w;
  }
  const W = nodeWorker!;
  const boot = new URL('./node-worker-boot.mjs', import.meta.url);
  const execArgv = process.execArgv.filter((a, i, all) => a !== 'tsx' && !(a === '--import' && all[i + 1] === 'tsx'));
  const w = new W(boot, { execArgv, workerData: { __txgateEntry: url.href } });
  // Workers must not keep a server or test process alive on their own.
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m),
    addEventListener: ((type: 'message' | 'error', f: (ev: unknown) => void) => {
      if (type === 'message') w.on('message', (data) => f({ data }));
      else {
        w.on('error', (err) => f(err));
        // A worker that exits without an error event (process.exit, OOM) also counts as a crash.
        w.on('exit', (code) => f({ message: `worker exited with code ${code}` }));
      }
    }) as WorkerLike['addEventListener'],
    terminate: () => w.terminate(),
  };
}

export const validatorWorkerUrl = new URL('../../workers/validator.ts', import.meta.url);

export function spawnValidator(): WorkerLike {
  return spawnModuleWorker(validatorWorkerUrl);
}
