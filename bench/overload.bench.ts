/**
 * Overload, crash and soak runs against the real server (child processes of each runtime,
 * started as `npm run serve` / `bun run serve` / `deno task serve` start it).
 *
 *   node --import tsx bench/overload.bench.ts --mode=overload [--runtimes=node,bun,deno] [--seconds=60] [--over=12] [--clients=2] [--in-flight=16384]
 *     [--crypto=X | --crypto=node:napi,bun:ffi,deno:ffi] [--cpu-prof=DIR]
 *   node --import tsx bench/overload.bench.ts --mode=crash    [--runtimes=…] [--kills=20]
 *   node --import tsx bench/overload.bench.ts --mode=soak     [--runtimes=node] [--minutes=30]
 *
 * overload: the server gets the regtest chain of bench/data.ts; its capacity is measured
 *   (16 connections × batches of 25 for 15 s: transactions allowed per second); then
 *   bench/flood.mjs floods it for --seconds with batches of 100 started at --over (default 12)
 *   times that capacity whatever the answers (open loop over raw sockets, split over --clients
 *   processes, at most --in-flight requests in flight, keep-alive connections opened as needed), while bench/probe.mjs times GET /health every 100 ms from a
 *   process of its own on the --health-port listener, on the API port and on a trivial server
 *   of its own (the machine's floor) (--no-health-port: a tree without the listener) and the server's RSS is read from /proc every second; then the first
 *   single-transaction requests after the flood are timed.
 * crash: a regtest chain is posted in bursts (50–300 blocks as fast as they are answered,
 *   sometimes with a pause of 1.2 s in between, so saves of the UTXO set fall inside bursts
 *   too); at a random moment the server is killed with SIGKILL, restarted on the same data
 *   directory, and its tip compared with the last block it acknowledged (blocks lost), the
 *   tip's hash with the chain's, and the UTXO set with the tip (the tip's coinbase output
 *   unspent, the next block's absent).
 * soak: steady load (16 connections × batches of 10 at 5 requests/s each) for --minutes;
 *   RSS, anonymous RSS and thread count from /proc, the main thread's JavaScript heap and the
 *   worker count from /info, worker replacements from /health, every 10 s (bench/soak-samples.ts);
 *   averaged by 3-minute window; the last 9 minutes compared with 9 minutes from when every
 *   cache is full (every transaction of the data validated once).
 * Prints one JSON line per runtime and run; heavy: run it with `nice -n 10`.
 */
import cp from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerBenchData, serverDataPath, type ServerBenchSpec } from './data.ts';
import { RegtestChainBuilder } from '../test/util/regtest-builder.ts';
import { hashToHex, toHex } from '../src/primitives/bytes.ts';
import { runtimeEnv } from '../scripts/runtime-env.mjs';
import { byWindow, cachesFullAt, change, takeSample, type SoakSample } from './soak-samples.ts';

type RuntimeId = 'node' | 'bun' | 'deno';
const args = process.argv.slice(2);
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const mode = opt('mode') ?? 'overload';
const runtimes = (opt('runtimes') ?? (mode === 'soak' ? 'node' : 'node,bun,deno')).split(',') as RuntimeId[];
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (n: string) => path.join(root, 'node_modules', '.bin', n);
const log = (s: string) => console.error(`[overload.bench] ${new Date().toISOString().slice(11, 19)} ${s}`);
const SPEC: ServerBenchSpec = { mix: 5000, one: 8000, warm: 3000, idle: 200 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children = new Set<cp.ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
});

function command(rt: RuntimeId, a: string[]): [string, string[]] {
  // --cpu-prof=DIR: Node's server writes a CPU profile per thread into DIR when it stops.
  const prof = opt('cpu-prof');
  if (rt === 'node') return [process.execPath, [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), '--import', 'tsx', 'src/runtime/serve.ts', ...a]];
  if (rt === 'bun') return [bin('bun'), ['src/runtime/serve.ts', ...a]];
  return [bin('deno'), ['run', '-A', '--unstable-ffi', 'src/runtime/serve.ts', ...a]];
}

interface Server { url: string; healthUrl?: string; pid: number; child: cp.ChildProcess; stop(): Promise<void>; kill(): Promise<void> }

/** The server with --health-port 0 unless --no-health-port (a tree without the listener). */
const withHealthPort = !args.includes('--no-health-port');

async function startServer(rt: RuntimeId, datadir: string): Promise<Server> {
  // --crypto=X pins the server's backend (default auto: timed at start, so it varies with the
  // machine's load); --crypto=node:napi,bun:ffi,deno:ffi pins one per runtime.
  const pinned = opt('crypto');
  const crypto = pinned?.includes(':') ? pinned.split(',').find((x) => x.startsWith(`${rt}:`))?.slice(rt.length + 1) : pinned;
  const [exe, argv] = command(rt, [
    '--port', '0', '--host', '127.0.0.1', '--workers', '2', '--datadir', datadir,
    ...(withHealthPort ? ['--health-port', '0'] : []), ...(crypto ? ['--crypto', crypto] : []),
  ]);
  const c = cp.spawn(exe, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...runtimeEnv(rt) } });
  children.add(c);
  let out = '';
  const exited = new Promise<void>((res) => c.once('exit', () => {
    children.delete(c);
    res();
  }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${out}`)), 120_000);
    const on = (d: unknown) => {
      out += String(d);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    c.stdout!.on('data', on);
    c.stderr!.on('data', on);
    void exited.then(() => reject(new Error(`server exited:\n${out}`)));
  });
  const healthUrl = /health listener on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  return {
    url, ...(healthUrl ? { healthUrl } : {}), pid: c.pid!, child: c,
    stop: async () => {
      if (c.exitCode !== null) return;
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.kill('SIGTERM');
      await exited;
      clearTimeout(t);
    },
    kill: async () => {
      c.kill('SIGKILL');
      await exited;
    },
  };
}

/** VmRSS, RssAnon (kB) and Threads of a process, from /proc. */
function memOf(pid: number): { rssMb: number; anonMb: number; threads: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rssMb: Math.round(kb('VmRSS') / 1024), anonMb: Math.round(kb('RssAnon') / 1024), threads: kb('Threads') };
  } catch {
    return undefined;
  }
}

/** Runs bench/flood.mjs (or another of the bench's client scripts) and resolves with its JSON line. */
function runFlood(cfg: Record<string, unknown>, script = 'bench/flood.mjs'): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const c = cp.spawn(process.execPath, [path.join(root, script), JSON.stringify(cfg)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(c);
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    c.on('exit', (code) => {
      children.delete(c);
      if (code !== 0) return reject(new Error(`flood exited ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  });
}

async function postBlock(url: string, raw: Uint8Array | string): Promise<number> {
  const r = await fetch(`${url}/blocks`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: typeof raw === 'string' ? raw : toHex(raw) });
  await r.arrayBuffer();
  return r.status;
}

/** postBlock, sent again once when the keep-alive connection was closed under it (the block is then a duplicate or connects). */
async function postBlockRetrying(url: string, raw: string): Promise<number> {
  try {
    return await postBlock(url, raw);
  } catch {
    return postBlock(url, raw);
  }
}

async function overload(rt: RuntimeId): Promise<void> {
  loadServerBenchData(SPEC, log);
  const data = serverDataPath(SPEC);
  const blocks = (JSON.parse(fs.readFileSync(data, 'utf8')) as { blocks: string[] }).blocks;
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-overload-'));
  const srv = await startServer(rt, datadir);
  try {
    for (const b of blocks) if ((await postBlockRetrying(srv.url, b)) !== 200) throw new Error('block refused');
    const info = await (await fetch(`${srv.url}/info`)).json() as { runtime: string; crypto: unknown };
    log(`${rt}: ${info.runtime}, chain posted; capacity run`);
    const capacity = await runFlood({ url: srv.url, data, sets: ['warm', 'idle'], concurrency: 16, batch: 25, durationMs: 15_000, after: 0 });
    const seconds = Number(opt('seconds') ?? 60);
    log(`${rt}: capacity ${capacity.allowedTxPerSec} tx/s; flood for ${seconds} s`);
    const samples: number[] = [];
    const base = memOf(srv.pid);
    const sampler = setInterval(() => {
      const m = memOf(srv.pid);
      if (m) samples.push(m.rssMb);
    }, 1000);
    // Open loop at --over × capacity (default 12): requests of 100 transactions started at that
    // rate whatever the answers, at most 4096 in flight.
    const openRate = Math.ceil(Number(opt('over') ?? 12) * (capacity.allowedTxPerSec as number) / 100);
    // GET /health every 100 ms from a process of its own: on the health listener, on the API
    // port, and on a trivial server in the probe's process (the machine's floor).
    const targets = { api: `${srv.url}/health`, ...(srv.healthUrl ? { healthPort: `${srv.healthUrl}/health` } : {}) };
    const probing = runFlood({ targets, everyMs: 100, durationMs: seconds * 1000 }, 'bench/probe.mjs');
    const flood = await runFlood({
      url: srv.url, data, sets: ['mix', 'one'], openRate, maxInFlight: Number(opt('in-flight') ?? 16_384), batch: 100, durationMs: seconds * 1000, healthEveryMs: 0, after: 20,
      processes: Number(opt('clients') ?? 2),
    });
    const probes = await probing;
    clearInterval(sampler);
    const end = memOf(srv.pid);
    console.log(JSON.stringify({
      mode: 'overload', runtime: info.runtime, crypto: info.crypto, capacityTxPerSec: capacity.allowedTxPerSec,
      offeredOverCapacity: Math.round((flood.offeredTxPerSec as number) / (capacity.allowedTxPerSec as number) * 10) / 10,
      probes, flood, rssMb: { before: base?.rssMb, max: Math.max(...samples), end: end?.rssMb },
    }));
  } finally {
    await srv.stop();
    fs.rmSync(datadir, { recursive: true, force: true });
  }
}

async function crash(rt: RuntimeId): Promise<void> {
  const kills = Number(opt('kills') ?? 20);
  const b = new RegtestChainBuilder();
  const chain: { raw: string; hash: string; coinbase: string }[] = [];
  for (let i = 0; i < kills * 320 + 10; i++) {
    const m = b.next();
    chain.push({ raw: toHex(m.raw), hash: hashToHex(m.block.header.hash), coinbase: hashToHex(m.coinbase.txid) });
  }
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-crash-'));
  let srv = await startServer(rt, datadir);
  let runtime = ((await (await fetch(`${srv.url}/info`)).json()) as { runtime: string }).runtime;
  const rounds: { acked: number; restartedAt: number; lost: number; consistent: boolean; restartMs: number }[] = [];
  let height = 0;
  try {
    for (let k = 0; k < kills; k++) {
      let acked = height;
      let posting = true;
      const killAfter = 100 + Math.floor(Math.random() * 2500);
      const poster = (async () => {
        while (posting && acked < chain.length) {
          const burst = 50 + Math.floor(Math.random() * 250);
          for (let i = 0; i < burst && posting; i++) {
            let status: number;
            try {
              status = await postBlock(srv.url, chain[acked]!.raw);
            } catch {
              return; // the server is gone
            }
            if (status !== 200) return;
            acked++;
          }
          if (Math.random() < 0.5) await sleep(1200);
        }
      })();
      await sleep(killAfter);
      await srv.kill();
      posting = false;
      await poster;
      const t0 = performance.now();
      srv = await startServer(rt, datadir);
      const restartMs = Math.round(performance.now() - t0);
      const tip = await (await fetch(`${srv.url}/chain/tip`)).json() as { height: number; hash: string };
      const want = chain[tip.height - 1];
      const unspent = want ? (await fetch(`${srv.url}/utxo/${want.coinbase}/0`)).status : 0;
      const beyond = chain[tip.height] ? (await fetch(`${srv.url}/utxo/${chain[tip.height]!.coinbase}/0`)).status : 404;
      const consistent = tip.height >= 0 && (!want || (want.hash === tip.hash && unspent === 200)) && beyond === 404;
      rounds.push({ acked, restartedAt: tip.height, lost: Math.max(0, acked - tip.height), consistent, restartMs });
      log(`${rt}: kill ${k + 1}/${kills} after ${killAfter} ms: acknowledged ${acked}, restarted at ${tip.height}, consistent ${consistent}`);
      height = tip.height;
    }
    runtime = ((await (await fetch(`${srv.url}/info`)).json()) as { runtime: string }).runtime;
  } finally {
    await srv.stop();
    fs.rmSync(datadir, { recursive: true, force: true });
  }
  const lost = rounds.map((r) => r.lost);
  console.log(JSON.stringify({
    mode: 'crash', runtime, kills: rounds.length, allConsistent: rounds.every((r) => r.consistent),
    lostPerKill: { max: Math.max(...lost), total: lost.reduce((a, x) => a + x, 0) },
    restartMs: { max: Math.max(...rounds.map((r) => r.restartMs)) }, rounds,
  }));
}

async function soak(rt: RuntimeId): Promise<void> {
  loadServerBenchData(SPEC, log);
  const data = serverDataPath(SPEC);
  const blocks = (JSON.parse(fs.readFileSync(data, 'utf8')) as { blocks: string[] }).blocks;
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-soak-'));
  const srv = await startServer(rt, datadir);
  const minutes = Number(opt('minutes') ?? 30);
  try {
    for (const b of blocks) if ((await postBlockRetrying(srv.url, b)) !== 200) throw new Error('block refused');
    const info = await (await fetch(`${srv.url}/info`)).json() as { runtime: string; crypto: unknown };
    const samples: SoakSample[] = [];
    const t0 = performance.now();
    const sample = async () => {
      const m = memOf(srv.pid);
      return m ? takeSample(Math.round((performance.now() - t0) / 1000), m, srv.url, samples.at(-1)) : undefined;
    };
    const sampler = setInterval(() => void sample().then((s) => s && samples.push(s)), 10_000);
    log(`${rt}: ${info.runtime}: soak for ${minutes} min`);
    const load = await runFlood({ url: srv.url, data, sets: ['mix', 'one', 'warm'], concurrency: 16, batch: 10, rate: 5, durationMs: minutes * 60_000, healthEveryMs: 1000, after: 5 });
    clearInterval(sampler);
    const afterLoad = await sample();
    // Flat: the last 9 minutes of the load against 9 minutes from the first whole minute
    // after every cache is full (the first pass through the data: about a minute at this
    // rate, bench/soak-census.ts), or from minute 1.
    const dataSets = (JSON.parse(fs.readFileSync(data, 'utf8')) as { sets: Record<string, unknown[]> }).sets;
    const full = cachesFullAt(samples, ['mix', 'one', 'warm'].reduce((n, k) => n + (dataSets[k]?.length ?? 0), 0));
    const from = Math.max(1, Math.ceil((full ?? 60) / 60));
    console.log(JSON.stringify({
      mode: 'soak', runtime: info.runtime, crypto: info.crypto, minutes, load: { byStatus: load.byStatus, allowedTxPerSec: load.allowedTxPerSec, health: load.health },
      cachesFullAtSeconds: full, compared: [[from, from + 9], [minutes - 9, minutes]],
      changePercent: change(samples, [from, from + 9], [minutes - 9, minutes + 0.1]),
      workersReplaced: afterLoad?.workersReplaced, windows: byWindow(samples, minutes), afterLoad, samples,
    }));
  } finally {
    await srv.stop();
    fs.rmSync(datadir, { recursive: true, force: true });
  }
}

for (const rt of runtimes) {
  if (mode === 'overload') await overload(rt);
  else if (mode === 'crash') await crash(rt);
  else if (mode === 'soak') await soak(rt);
  else throw new Error(`--mode=${mode}: overload, crash or soak`);
}
