/**
 * HTTP fuzzing against a running server, on each runtime:
 *
 *   nice -n 10 node --import tsx bench/fuzz-http.bench.ts [node bun deno] [--count=1000000] [--concurrency=64] [--seed=1] [--duration=S]
 *
 * For each runtime: starts `src/runtime/serve.ts` as a child (regtest, empty data directory,
 * --token and --rpcuser/--rpcpassword set, two workers), reads its resident memory, runs
 * bench/fuzz-loadgen.mjs (its own Node process) for `count` mutated requests over every
 * endpoint, reads the memory again, checks the server still answers GET /health, and stops
 * it. Prints per runtime: the status histogram, answers, connections the server closed
 * without an answer, hangs (neither answered nor closed within 15 s), 5xx answers (503 is
 * load shedding and deliberate; 500 carrying a JSON-RPC error object is Core's status for a
 * failed legacy call), RSS before and after, and requests per second; then one markdown
 * table for bench/README.md.
 */
import cp from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const runtimes = args.filter((a) => ['node', 'bun', 'deno'].includes(a));
if (runtimes.length === 0) runtimes.push('node', 'bun', 'deno');
const COUNT = flag('count', 1_000_000);
const CONC = flag('concurrency', 64);
const SEED = flag('seed', 1);
/** Stop sending after this many seconds even below --count (0: no cap). */
const DURATION_S = flag('duration', 0);
const TOKEN = 'fuzz-token';
const bin = (n: string) => path.join(root, 'node_modules', '.bin', n);

function command(rt: string, file: string, a: string[]): [string, string[]] {
  if (rt === 'node') return [process.execPath, ['--import', 'tsx', file, ...a]];
  if (rt === 'bun') return [bin('bun'), [file, ...a]];
  return [bin('deno'), ['run', '-A', '--unstable-ffi', file, ...a]];
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

interface Server { url: string; pid: number; output: () => string; stop(): Promise<void> }

async function startServer(rt: string): Promise<Server> {
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-fuzz-'));
  const [exe, argv] = command(rt, 'src/runtime/serve.ts', ['--port', '0', '--host', '127.0.0.1', '--workers', '2', '--datadir', datadir,
    '--token', TOKEN, '--rpcuser', 'fuzz', '--rpcpassword', 'fuzz']);
  const env = { ...process.env, NO_COLOR: '1', ...(rt === 'bun' ? { MIMALLOC_PURGE_DELAY: '1000' } : {}) };
  const c = cp.spawn(exe, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  c.on('exit', () => fs.rmSync(datadir, { recursive: true, force: true }));
  let out = '';
  c.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 90 s:\n${out}`)), 90_000);
    c.stdout!.on('data', (d) => {
      out = (out + d).slice(-20_000);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    c.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  return {
    url, pid: c.pid!, output: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
    }),
  };
}

function runLoadgen(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const cfg = { url, count: COUNT, concurrency: CONC, seed: SEED, token: TOKEN, rpcAuth: 'fuzz:fuzz', deadlineMs: 15_000, progress: true, ...(DURATION_S > 0 ? { durationMs: DURATION_S * 1000 } : {}) };
    const c = cp.spawn(process.execPath, [path.join(root, 'bench/fuzz-loadgen.mjs'), JSON.stringify(cfg)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    c.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`fuzz-loadgen exited ${code}: ${out.slice(-2000)}`));
      }
    });
  });
}

const versions = {
  node: process.version,
  bun: cp.spawnSync(bin('bun'), ['--version']).stdout.toString().trim(),
  deno: cp.spawnSync(bin('deno'), ['--version']).stdout.toString().split('\n')[0]!.trim(),
};
console.log(`# fuzz-http ${new Date().toISOString()} count=${COUNT} concurrency=${CONC} seed=${SEED} cores=${os.cpus().length} ${JSON.stringify(versions)}`);
const rows: string[] = [];
for (const rt of runtimes) {
  const server = await startServer(rt);
  // Settle first: the start-up allocations are not the fuzz's.
  await new Promise((r) => setTimeout(r, 2_000));
  const before = rssMb(server.pid);
  const r = await runLoadgen(server.url);
  const after = rssMb(server.pid);
  let health = 0;
  try {
    health = (await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch { /* 0: no answer */ }
  const logged500 = (server.output().match(/txgate: request [0-9a-f-]{36}: internal error/g) ?? []).length;
  await server.stop();
  console.log(JSON.stringify({ runtime: rt, version: versions[rt as keyof typeof versions], rssBeforeMb: before, rssAfterMb: after, healthAfter: health, logged500, ...r }));
  const st = r.statuses as Record<string, number>;
  const hist = Object.entries(st).map(([k, v]) => `${k}: ${v}`).join(', ');
  rows.push(`| ${rt} ${versions[rt as keyof typeof versions]} | ${r.requests} | ${r.perSecond} | ${r.answered} | ${r.closedUnanswered} | ${r.hangs} | ${r.deliberate5xx} | ${r.unexpected5xx} | ${before} → ${after} | ${health} | ${hist} |`);
}
console.log('\n| runtime | requests | req/s | answered | closed unanswered | hangs | 5xx deliberate | 5xx other | RSS MB before → after | /health after | statuses |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
