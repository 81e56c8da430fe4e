// Environment a runtime is started with by the package scripts (`bun run serve`, `bun run
// demo`) and by the benchmarks that start servers, so that both run the same way. A value
// already set in the environment wins.
//
// Bun: MIMALLOC_PURGE_DELAY=-1 keeps memory that mimalloc freed instead of returning it to
// the OS after 10 ms and faulting it back in on the next allocation. Measured on a 2 MB
// block through 2 workers (bench/block-workers.bench.ts, 2026-11-25): 47–57 -> 29–30 µs per
// input. The cost: the process keeps its high-water mark of heap memory (every cache and
// queue in txgate is bounded).
export function runtimeEnv(runtime, env = process.env) {
  if (runtime !== 'bun') return {};
  return { MIMALLOC_PURGE_DELAY: env.MIMALLOC_PURGE_DELAY ?? '-1' };
}
