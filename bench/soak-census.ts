/**
 * What the soak's load fills, counted: the server started in this process (startServer, as
 * the command line starts it: 2 workers, a data directory) under the soak's load from
 * bench/flood.mjs (16 connections × batches of 10 at 5 requests/s each, cycling through the
 * bench data), and every --every seconds the entries of each table the request path keeps —
 * the verdict cache, each worker's signature and script-execution caches, the mempool, the
 * Prometheus series — with the main thread's JavaScript heap.
 *
 *   node --expose-gc --import tsx bench/soak-census.ts [--minutes=4] [--every=20]
 *   bun bench/soak-census.ts …     deno run -A --unstable-ffi --v8-flags=--expose-gc bench/soak-census.ts …
 *
 * The heap is read after a full collection when the runtime offers one (Bun.gc, or gc() with
 * --expose-gc): the live data, not where the sample fell in the collector's cycle.
 *
 * Prints one JSON line per count. The bounds the counts are checked against are those of
 * the code (bench/README.md, the soak section).
 */
import cp from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { loadServerBenchData, serverDataPath, type ServerBenchSpec } from './data.ts';
import { parseConfig } from '../src/runtime/config.ts';
import { startServer } from '../src/runtime/serve-main.ts';
import { memoryReader } from '../src/runtime/memory.ts';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const minutes = Number(opt('minutes') ?? 4);
const every = Number(opt('every') ?? 20);
const root = fileURLToPath(new URL('..', import.meta.url));
const SPEC: ServerBenchSpec = { mix: 5000, one: 8000, warm: 3000, idle: 200 };
const MB = 1048576;

loadServerBenchData(SPEC, (s) => console.error(s));
const data = serverDataPath(SPEC);
const blocks = (JSON.parse(fs.readFileSync(data, 'utf8')) as { blocks: string[] }).blocks;
const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-census-'));
const server = await startServer(parseConfig(['--port', '0', '--host', '127.0.0.1', '--workers', '2', '--datadir', datadir]), () => {});
for (const b of blocks) {
  const r = await fetch(`${server.url}/blocks`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: b });
  if (r.status !== 200) throw new Error(`block refused: ${r.status}`);
}
const node = server.node;
const verdictEntries = () => (node.verdicts as unknown as { verdicts: { size: number } }).verdicts.size;
const memory = memoryReader();

const flood = cp.spawn(process.execPath.includes('deno') || process.execPath.includes('bun') ? 'node' : process.execPath, [
  path.join(root, 'bench/flood.mjs'),
  JSON.stringify({ url: server.url, data, sets: ['mix', 'one', 'warm'], concurrency: 16, batch: 10, rate: 5, durationMs: minutes * 60_000, healthEveryMs: 1000, after: 0 }),
], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const floodDone = new Promise<void>((res) => flood.on('exit', () => res()));

const t0 = performance.now();
const census = async () => {
  const stats = await node.pool!.stats();
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const g = globalThis as { Bun?: { gc(sync: boolean): void }; gc?: () => void };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
  const m = memory();
  console.log(JSON.stringify({
    t: Math.round((performance.now() - t0) / 1000),
    verdicts: verdictEntries(), verdictHitRate: Math.round(node.verdicts.hitRate() * 1000) / 1000,
    sigCache: stats.map((s) => s.sigCache.size), execCache: stats.map((s) => s.execCache.size), validatedByWorkers: stats.map((s) => s.validated),
    mempool: node.mempool.size, metricSeries: metrics.split('\n').filter((l) => l && !l.startsWith('#')).length,
    heapUsedMb: Math.round(m.heapUsed / MB), heapTotalMb: Math.round(m.heapTotal / MB), externalMb: Math.round(m.external / MB), rssMb: Math.round(m.rss / MB),
  }));
};
const timer = setInterval(() => void census(), every * 1000);
await floodDone;
clearInterval(timer);
await census();
await server.close();
fs.rmSync(datadir, { recursive: true, force: true });
process.exit(0);
