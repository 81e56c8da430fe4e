/**
 * Per-runtime choices for the portable core that only performance depends on, applied once
 * per thread (the server's main thread and every worker).
 */
import { useByteSlabs } from '../primitives/bytes.ts';
import { useFreshScriptArrays } from '../utxo/reader.ts';
import { runtimeName } from './crypto/runtime-info.ts';

/**
 * `role`: 'worker' for a validation worker, whose intermediate byte arrays (digests,
 * sighash serializations) are all short-lived and whose answers leave as strings, so they
 * may be views on slabs (src/primitives/bytes.ts allocBytes). The main thread keeps fresh
 * arrays: it holds digests for long (mempool entries), and a view would keep its 64 KiB
 * slab alive.
 */
export function applyRuntimeTuning(role: 'main' | 'worker' = 'main'): void {
  const bun = runtimeName() === 'bun';
  // Bun: a small fresh Uint8Array (10-20 ns) is cheaper than a view on a slab (33-60 ns);
  // Node and Deno: a fresh one costs 0.4-1.2 µs (Deno at any size, Node above 64 bytes),
  // a view ~20 ns (bench/alloc.bench.ts).
  useFreshScriptArrays(bun);
  useByteSlabs(role === 'worker' && !bun);
}
