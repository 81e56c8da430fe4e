/**
 * One *dependent* random read: a cyclic pointer chase over the 64-byte lines of a buffer in
 * random order, so that no read can start before the one before it has returned (as the
 * reads of a UTXO lookup cannot). The floor under a lookup in a table of that size; used
 * by bench/memory-latency.bench.ts and by the UTXO reader worker's 'chase' command
 * (bench/utxo.bench.ts).
 */
export function chaseNs(sab: SharedArrayBuffer, steps = 1_000_000): number {
  const a = new Int32Array(sab);
  const lines = a.length >>> 4;
  const perm = new Int32Array(lines);
  for (let i = 0; i < lines; i++) perm[i] = i;
  let x = 12345;
  for (let i = lines - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    const j = (x >>> 0) % (i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  for (let i = 0; i < lines; i++) a[perm[i]! << 4] = perm[(i + 1) % lines]! << 4;
  let p = perm[0]! << 4;
  for (let i = 0; i < 100_000; i++) p = a[p]!;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) p = a[p]!;
  const ns = ((performance.now() - t0) * 1e6) / steps;
  // keep the chase live
  return p === -1 ? ns + 1 : ns;
}
