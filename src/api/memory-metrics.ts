/**
 * The server's own memory, as its runtime reports it (src/runtime/memory.ts reads it):
 * GET /info's `memory` and the gauges of GET /metrics. In bytes.
 */
import type { Registry } from './metrics.ts';

export interface MemoryFigures {
  /** Resident set of the whole process (every thread's heap, the allocator's arenas, code). */
  rss: number;
  /** The main thread's JavaScript heap: bytes in live and not yet collected objects. */
  heapUsed: number;
  /** The main thread's JavaScript heap: bytes the engine holds for it. */
  heapTotal: number;
  /** Memory outside the heap that JavaScript objects hold (byte arrays, native buffers). */
  external: number;
  /** The part of `external` in ArrayBuffers (Node only). */
  arrayBuffers?: number;
}

const GAUGES: readonly [keyof MemoryFigures, string, string][] = [
  ['rss', 'txgate_process_resident_memory_bytes', 'Resident set size of the server process, in bytes.'],
  ['heapUsed', 'txgate_js_heap_used_bytes', 'Bytes used in the main thread\'s JavaScript heap.'],
  ['heapTotal', 'txgate_js_heap_total_bytes', 'Bytes the engine holds for the main thread\'s JavaScript heap.'],
  ['external', 'txgate_js_external_memory_bytes', 'Memory outside the JavaScript heap held by its objects.'],
  ['arrayBuffers', 'txgate_js_array_buffers_bytes', 'Memory of ArrayBuffers (part of the external memory).'],
];

/** One gauge per figure the runtime offers (those of a first reading), read at scrape time. */
export function registerMemoryMetrics(registry: Registry, read: () => MemoryFigures): void {
  const offered = read();
  for (const [key, name, help] of GAUGES) if (offered[key] !== undefined) registry.gauge(name, help, () => read()[key]);
}
