/**
 * What bench/validate.bench.ts and its parts share: the command line, the data every run uses,
 * the shapes of the load generator's and the ceiling child's answers, and two statistics.
 */
import type { ServerBenchSpec, ServerSetName } from './data.ts';

export const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
export const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
export const flag = (k: string): boolean => args.includes(`--${k}`);

export const QUICK = flag('quick');
/** The data every run uses (bench/data.ts caches it per spec). */
// 3,000 warm-up spends of every kind: with 400, V8 was still compiling validation code
// (p2wpkhScript, verifyWitnessProgram, unpackBatch...) for the first time during the timed
// slices — 61 TurboFan compiles in 2,400 timed txs on a 2-worker Node server, 20 after
// 2,600 more mixed warm-up spends — and on two busy cores the compiler threads take their
// CPU from the workers.
export const SPEC: ServerBenchSpec = QUICK ? { mix: 1200, one: 2000, warm: 300, idle: 100 } : { mix: 5000, one: 8000, warm: 3000, idle: 200 };

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
export const pctl = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

export interface DataFile {
  key: string;
  blocks: string[];
  sets: Record<ServerSetName, { tx: string; kind: string; spk: string; amount: string }[]>;
}

export async function readData(path: string): Promise<DataFile> {
  const { readFileSync } = await import('node:fs');
  return JSON.parse(readFileSync(path, 'utf8')) as DataFile;
}

export type RuntimeId = 'node' | 'bun' | 'deno';

/** One JSON line of bench/loadgen.mjs. */
export interface LoadResult {
  set: string; requests: number; batch: number; concurrency: number; client: 'http' | 'raw'; pipeline: number;
  allowed: number; rejected: number; errors: number;
  reasons: Record<string, number>; elapsedMs: number; txPerSec: number;
  latMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  cpuMs: { user: number; system: number };
}

/** One JSON line of the `--ceiling` child. */
export interface Ceiling {
  runtime: string; backend: string; set: string; txs: number; checksPerTx: number; ecdsaUs: number | null; schnorrUs: number | null;
  usPerTx: number; singleCoreTxPerSec: number;
}
