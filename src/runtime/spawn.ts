/**
 * The validation worker, started the same way on every runtime (src/runtime/worker.ts).
 */
import type { WorkerLike } from '../validation/worker-pool.ts';
import { createWorker } from './worker.ts';

const validatorWorkerUrl = new URL('../../workers/validator.ts', import.meta.url);

export function spawnValidator(): WorkerLike {
  // The pool refs a worker only while it has work, so idle workers never keep a process alive.
  return createWorker(validatorWorkerUrl);
}
