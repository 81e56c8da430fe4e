/** The number of cores to use for validation workers by default. */
import { availableParallelism } from 'node:os';

export function defaultWorkers(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const n = nav?.hardwareConcurrency ?? availableParallelism();
  return Math.max(1, Math.min(64, n || 1));
}
