/**
 * The process's memory as each runtime reports it: process.memoryUsage() on Node and Bun,
 * Deno.memoryUsage() on Deno. The heap figures are the calling thread's (each worker has a
 * heap of its own); rss is the whole process.
 */
import type { MemoryFigures } from '../api/memory-metrics.ts';
import { runtimeName } from './crypto/runtime-info.ts';

interface NodeMemory { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers?: number }
interface Globals {
  Deno?: { memoryUsage(): NodeMemory };
  process?: { memoryUsage(): NodeMemory };
}

/** A reader of this runtime's figures. */
export function memoryReader(): () => MemoryFigures {
  const g = globalThis as unknown as Globals;
  const rt = runtimeName();
  if (rt === 'deno') {
    return () => {
      const m = g.Deno!.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
    };
  }
  if (rt === 'bun') {
    // JavaScriptCore counts the extra memory (what its objects hold outside the heap, learnt
    // at collections) in its heap size: taken out of heapUsed, as the other engines count it.
    // (bun:jsc heapStats() has the same figures but walks the heap: 200 ms at 2 M objects;
    // the commit figure of bun:jsc memoryUsage() counts reservations, 21 GB with 2 workers.)
    return () => {
      const m = g.process!.memoryUsage();
      return { rss: m.rss, heapUsed: Math.max(0, m.heapUsed - m.external), heapTotal: m.heapTotal, external: m.external };
    };
  }
  return () => {
    const m = g.process!.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers ?? 0 };
  };
}
