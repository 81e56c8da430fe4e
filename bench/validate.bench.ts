/**
 * POST /validate throughput and latency against the real server.
 *
 *   node --import tsx bench/validate.bench.ts [--runtimes=node,bun,deno] [--quick]
 *        [--concurrency=48] [--batch=25] [--configs=mix-1w,one-2w,...] [--no-inproc]
 *        [--crypto=auto|ffi|napi|wasm|noble | --crypto=node:napi,bun:ffi,deno:ffi]
 *        [--client=http|raw] [--pipeline=N]
 *
 * The orchestrator (this file, run with Node) does, for every runtime and configuration:
 *   1. starts a FRESH server as a child process of that runtime (src/runtime/serve.ts on
 *      127.0.0.1, port 0, a new empty --datadir), so no cache holds any transaction of the
 *      timed phase;
 *   2. POSTs the regtest chain of bench/data.ts (loadServerBenchData: cached in bench/out/);
 *   3. warms the server with the 'warm' spends (distinct from every timed spend);
 *   4. (mix configurations) sends the 'idle' spends one at a time: the idle latency of a
 *      first validation, then the same spends again: the re-submission latency;
 *   5. measures the signature-verification ceiling in a separate process of the same
 *      runtime with the server's crypto backend (`--ceiling` below: every signature check
 *      the timed spends need, recorded once and replayed single-threaded), right before
 *      and right after the load;
 *   6. runs bench/loadgen.mjs (its own Node process, keep-alive connections, N concurrent
 *      request loops) over the timed set: each spend is validated exactly once, and every
 *      answer must be `allowed`. --client=http (default: node:http Agent, the client of
 *      every figure in bench/README.md above its load-generator section) or --client=raw
 *      (node:net sockets, requests serialized before the clock starts, answers parsed
 *      minimally: about a third of the client CPU per request); --pipeline=N (raw only,
 *      default 1) keeps N requests in flight per connection. The client is used for every
 *      phase (warm-up, idle, load);
 *   7. stops the server (SIGTERM, then SIGKILL after 5 s).
 * Server CPU time (/proc/PID/stat, all threads) and the load generator's CPU time are
 * recorded for the load phase: on a 2-core machine they compete with the workers.
 * The first server of a runtime runs with --crypto (default auto: a timed choice, which a
 * loaded machine can tip to a slower backend; pin it per runtime when it matters); the next
 * ones are pinned to what it chose, so every configuration and the ceiling use the same
 * backends.
 *
 * Child modes (run by the orchestrator in the runtime under test, also usable by hand):
 *   --ceiling --data=FILE --set=mix --crypto=NAME --sha256=NAME [--lib=PATH]
 *   --inproc  --data=FILE --crypto=NAME --sha256=NAME [--lib=PATH]
 *       server-side latency of a first validation vs a re-submission: TxgateNode in
 *       process (1 worker, and 0 workers = no postMessage), no HTTP.
 */
import { decodeTx } from '../src/primitives/tx.ts';
import { fromHex } from '../src/primitives/bytes.ts';
import type { SigVerifier } from '../src/script/sigcheck.ts';
import { precomputeTxData } from '../src/script/sighash.ts';
import { setDefaultVerifier, verifyInput } from '../src/script/verify.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { applyCrypto, loadCryptoByName, type CryptoSpec, type SigBackendName, type Sha256BackendName } from '../src/runtime/crypto/select.ts';
import { STANDARD_FLAGS, type ServerBenchSpec, type ServerSetName } from './data.ts';
import { splitThreads, threadCpuMs, threadWaitMs } from './proc.ts';
import { recordingVerifier, replayChecks, type RecordedCheck } from './sig-replay.ts';

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const flag = (k: string): boolean => args.includes(`--${k}`);

const QUICK = flag('quick');
/** The data every run uses (bench/data.ts caches it per spec). */
// 3,000 warm-up spends of every kind: with 400, V8 was still compiling validation code
// (p2wpkhScript, verifyWitnessProgram, unpackBatch...) for the first time during the timed
// slices — 61 TurboFan compiles in 2,400 timed txs on a 2-worker Node server, 20 after
// 2,600 more mixed warm-up spends — and on two busy cores the compiler threads take their
// CPU from the workers (2026-11-26).
const SPEC: ServerBenchSpec = QUICK ? { mix: 1200, one: 2000, warm: 300, idle: 100 } : { mix: 5000, one: 8000, warm: 3000, idle: 200 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const pctl = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

interface DataFile {
  key: string;
  blocks: string[];
  sets: Record<ServerSetName, { tx: string; kind: string; spk: string; amount: string }[]>;
}

async function readData(path: string): Promise<DataFile> {
  const { readFileSync } = await import('node:fs');
  return JSON.parse(readFileSync(path, 'utf8')) as DataFile;
}

async function loadSpec(): Promise<{ spec: CryptoSpec; verifier: SigVerifier }> {
  const crypto = (opt('crypto') ?? 'noble') as SigBackendName;
  const sha256 = (opt('sha256') ?? 'noble') as Sha256BackendName;
  const lib = opt('lib');
  const sel = await loadCryptoByName(crypto, lib, sha256);
  const verifier = applyCrypto(sel);
  setDefaultVerifier(verifier);
  return { spec: { crypto, sha256, ...(lib ? { libPath: lib } : {}) }, verifier };
}

// ---------------------------------------------------------------------------------------
// --ceiling: single-thread signature verification speed for the checks a set needs.

async function ceilingMode(): Promise<void> {
  const data = await readData(opt('data')!);
  const set = (opt('set') ?? 'mix') as ServerSetName;
  const limit = Number(opt('limit') ?? 1500);
  const { verifier } = await loadSpec();
  const items = data.sets[set].slice(0, limit);
  const calls = recordChecks(verifier, items);
  const ecdsa = calls.flat().filter((c) => !c.schnorr);
  const schnorr = calls.flat().filter((c) => c.schnorr);
  replayChecks(verifier, calls.flat()); // warm-up
  const rounds = Number(opt('rounds') ?? 5);
  const e: number[] = [], s: number[] = [];
  for (let r = 0; r < rounds; r++) {
    e.push(replayChecks(verifier, ecdsa));
    s.push(replayChecks(verifier, schnorr));
  }
  const ecdsaMs = median(e), schnorrMs = median(s);
  const usPerTx = ((ecdsaMs + schnorrMs) * 1000) / items.length;
  console.log(JSON.stringify({
    runtime: runtimeLabel(), backend: verifier.name, set, txs: items.length, ecdsaChecks: ecdsa.length, schnorrChecks: schnorr.length,
    checksPerTx: (ecdsa.length + schnorr.length) / items.length,
    ecdsaUs: ecdsa.length ? (ecdsaMs * 1000) / ecdsa.length : null,
    schnorrUs: schnorr.length ? (schnorrMs * 1000) / schnorr.length : null,
    usPerTx,
    singleCoreTxPerSec: 1e6 / usPerTx,
  }));
}

/** The signature checks of each spend of a set (1 input each), recorded with their answers. */
function recordChecks(verifier: SigVerifier, items: DataFile['sets'][ServerSetName]): RecordedCheck[][] {
  return items.map((it) => {
    const calls: RecordedCheck[] = [];
    const tx = decodeTx(fromHex(it.tx));
    const spent = [{ value: BigInt(it.amount), scriptPubKey: fromHex(it.spk) }];
    const r = verifyInput(tx, 0, spent, STANDARD_FLAGS, { verifier: recordingVerifier(verifier, calls), txdata: precomputeTxData(tx, spent) });
    if (!r.ok) throw new Error(`ceiling: a ${it.kind} spend does not verify: ${r.error}`);
    return calls;
  });
}

// ---------------------------------------------------------------------------------------
// --ceiling-serve: the same measurement as a long-lived child, so that it can be taken
// between slices of the load (--interleave). Records the checks of the whole set once,
// then answers each stdin line `FROM COUNT` with one JSON line: the single-thread time of
// the signature checks of transactions [FROM, FROM+COUNT) of the set, replayed.

async function ceilingServeMode(): Promise<void> {
  const data = await readData(opt('data')!);
  const set = (opt('set') ?? 'mix') as ServerSetName;
  const { verifier } = await loadSpec();
  const items = data.sets[set];
  const perTx = recordChecks(verifier, items);
  const { createInterface } = await import('node:readline');
  const { stdin } = await import('node:process');
  console.log(JSON.stringify({ ready: true, txs: items.length, backend: verifier.name }));
  for await (const line of createInterface({ input: stdin })) {
    const [from, count] = line.trim().split(/\s+/).map(Number) as [number, number];
    const slice = perTx.slice(from, from + count);
    const checks = slice.flat();
    const ms = replayChecks(verifier, checks);
    console.log(JSON.stringify({ from, txs: slice.length, checks: checks.length, ms, usPerTx: (ms * 1000) / slice.length }));
  }
}

// ---------------------------------------------------------------------------------------
// --inproc: server-side first validation vs re-submission (TxgateNode, no HTTP).

async function inprocMode(): Promise<void> {
  const { TxgateNode } = await import('../src/node/node.ts');
  const { spawnValidator } = await import('../src/runtime/spawn.ts');
  const data = await readData(opt('data')!);
  const { spec, verifier } = await loadSpec();
  const out: Record<string, unknown> = { runtime: runtimeLabel(), backend: verifier.name };
  for (const workers of [1, 0]) {
    const node = await TxgateNode.start({
      network: 'regtest', workers, spawn: spawnValidator, workerInit: { crypto: spec }, verifier, now: () => Math.floor(Date.now() / 1000),
    });
    try {
      for (const b of data.blocks) {
        const r = await node.submitBlock(fromHex(b));
        if (r.busy || !r.accepted) throw new Error(`block rejected: ${JSON.stringify(r)}`);
      }
      const one = async (hex: string): Promise<number> => {
        const t0 = performance.now();
        const r = await node.validate([{ tx: decodeTx(fromHex(hex)) }]);
        const ms = performance.now() - t0;
        if (r.busy || !r.results[0]!.allowed) throw new Error(`not allowed: ${JSON.stringify(r.busy ? r : r.results[0])}`);
        return ms;
      };
      const warm = data.sets.warm;
      for (let i = 0; i < warm.length; i += 50) await Promise.all(warm.slice(i, i + 50).map((x) => one(x.tx)));
      const first: number[] = [], again: number[] = [], again2: number[] = [];
      for (const x of data.sets.idle) first.push(await one(x.tx));
      for (const x of data.sets.idle) again.push(await one(x.tx));
      for (const x of data.sets.idle) again2.push(await one(x.tx));
      const resub = again.map((a, i) => Math.min(a, again2[i]!));
      out[`workers${workers}`] = {
        firstP50Ms: median(first), firstP90Ms: pctl(first, 0.9), resubmitP50Ms: median(resub), resubmitP90Ms: pctl(resub, 0.9),
        speedup: median(first) / median(resub), n: first.length,
      };
    } finally {
      await node.close();
    }
  }
  console.log(JSON.stringify(out));
}

// ---------------------------------------------------------------------------------------
// The orchestrator (Node).

type RuntimeId = 'node' | 'bun' | 'deno';

interface LoadResult {
  set: string; requests: number; batch: number; concurrency: number; client: 'http' | 'raw'; pipeline: number;
  allowed: number; rejected: number; errors: number;
  reasons: Record<string, number>; elapsedMs: number; txPerSec: number;
  latMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  cpuMs: { user: number; system: number };
}
interface Ceiling {
  runtime: string; backend: string; set: string; txs: number; checksPerTx: number; ecdsaUs: number | null; schnorrUs: number | null;
  usPerTx: number; singleCoreTxPerSec: number;
}
interface ConfigResult {
  name: string; set: ServerSetName; workers: number; batch: number; concurrency: number;
  crypto: CryptoSpec; load: LoadResult; ceilingBefore: Ceiling; ceilingAfter: Ceiling;
  ceilingTxPerSec: number; ratio: number; serverCpuMs: number; idle?: LoadResult; resubmit?: LoadResult;
  loadavg: number[];
}

async function orchestrate(): Promise<void> {
  const cp = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { loadServerBenchData, serverDataPath } = await import('./data.ts');

  const root = fileURLToPath(new URL('..', import.meta.url));
  const bin = (n: string) => path.join(root, 'node_modules', '.bin', n);
  const self = fileURLToPath(import.meta.url);
  const runtimes = (opt('runtimes') ?? 'node,bun,deno').split(',') as RuntimeId[];
  const concurrency = Number(opt('concurrency') ?? 48);
  const batchSize = Number(opt('batch') ?? 25);
  const client = opt('client') ?? 'http';
  if (client !== 'http' && client !== 'raw') throw new Error(`--client=${client}: http or raw`);
  const pipeline = Number(opt('pipeline') ?? 1);
  if (!(Number.isInteger(pipeline) && pipeline >= 1) || (pipeline > 1 && client !== 'raw')) {
    throw new Error(`--pipeline=${opt('pipeline')}: an integer ≥ 1, and > 1 only with --client=raw`);
  }
  const clientLabel = client === 'raw' ? `raw node:net sockets${pipeline > 1 ? `, pipeline ${pipeline}` : ''}` : 'node:http Agent';
  /** --crypto=NAME for every runtime, or --crypto=node:napi,bun:ffi,deno:ffi (auto: the server's timed choice). */
  const cryptoFor = (rt: RuntimeId): string => {
    const v = opt('crypto') ?? 'auto';
    if (!v.includes(':')) return v;
    return v.split(',').map((x) => x.split(':')).find(([r]) => r === rt)?.[1] ?? 'auto';
  };
  const only = opt('configs')?.split(',');
  const children = new Set<import('node:child_process').ChildProcess>();
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  process.on('exit', killAll);
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => { killAll(); process.exit(130); });

  // Children of a runtime start with the environment the package scripts give it
  // (scripts/runtime-env.mjs), so the bench runs the server as `bun run serve` does.
  const { runtimeEnv } = await import('../scripts/runtime-env.mjs');
  const envOf = (rt: RuntimeId): Record<string, string | undefined> => ({ ...process.env, ...runtimeEnv(rt) });
  const cmd = (rt: RuntimeId, file: string, a: string[]): [string, string[], Record<string, string | undefined>] => {
    if (rt === 'node') return [process.execPath, ['--import', 'tsx', file, ...a], envOf(rt)];
    if (rt === 'bun') return [bin('bun'), [file, ...a], envOf(rt)];
    return [bin('deno'), ['run', '-A', '--unstable-ffi', file, ...a], envOf(rt)];
  };
  /** Runs a child to completion; its last stdout line is JSON. */
  const runJson = <T>(command: [string, string[], Record<string, string | undefined>?], timeoutMs: number): Promise<T> => new Promise((resolve, reject) => {
    const c = cp.spawn(command[0], command[1], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...(command[2] ? { env: command[2] } : {}) });
    children.add(c);
    let out = '', err = '';
    c.stdout!.on('data', (d) => (out += d));
    c.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(c);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${command[1].join(' ')} exited ${code}\n${err.slice(-2000)}\n${out.slice(-1000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`no JSON from ${command[1].join(' ')}: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });

  const log = (s: string) => console.error(`[validate.bench] ${s}`);
  loadServerBenchData(SPEC, log);
  log(`load generator: ${clientLabel}`);
  const dataPath = serverDataPath(SPEC);
  const data = JSON.parse(fs.readFileSync(dataPath, 'utf8')) as DataFile;

  const cpuTicks = (pid: number): number => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  };

  interface Server { url: string; pid: number; stop(): Promise<void>; info: { crypto: CryptoSpec; runtime: string } }
  const startServer = async (rt: RuntimeId, workers: number, crypto: string[]): Promise<Server> => {
    // The CLI keeps its chain under a data directory: a new empty one per server, removed after.
    const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-bench-'));
    const [exe, argv, env] = cmd(rt, 'src/runtime/serve.ts', ['--port', '0', '--host', '127.0.0.1', '--workers', String(workers), '--datadir', datadir, ...crypto]);
    const c = cp.spawn(exe, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    c.on('exit', () => fs.rmSync(datadir, { recursive: true, force: true }));
    children.add(c);
    let outText = '';
    c.stderr!.on('data', (d) => (outText += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 90 s:\n${outText}`)), 90_000);
      c.stdout!.on('data', (d) => {
        outText += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(outText);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      c.on('exit', (code) => reject(new Error(`server exited ${code}:\n${outText}`)));
    });
    const info = await (await fetch(`${url}/info`)).json() as { crypto: CryptoSpec; runtime: string };
    return {
      url, pid: c.pid!, info,
      stop: () => new Promise<void>((resolve) => {
        if (c.exitCode !== null) return resolve();
        const t = setTimeout(() => c.kill('SIGKILL'), 5000);
        c.once('exit', () => {
          clearTimeout(t);
          children.delete(c);
          resolve();
        });
        c.kill('SIGTERM');
      }),
    };
  };
  const postBlocks = async (url: string) => {
    for (const b of data.blocks) {
      const r = await fetch(`${url}/blocks`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: b });
      const j = await r.json() as { accepted?: boolean };
      if (!j.accepted) throw new Error(`block not accepted: ${JSON.stringify(j)}`);
    }
  };
  const loadgen = (url: string, set: ServerSetName, conc: number, batch: number, from?: number, count?: number): Promise<LoadResult> =>
    runJson<LoadResult>([process.execPath, [path.join(root, 'bench/loadgen.mjs'), JSON.stringify({ url, data: dataPath, set, concurrency: conc, batch, durationMs: 120_000, client, pipeline, ...(from !== undefined ? { from, count } : {}) })]], 180_000);
  const ceiling = (rt: RuntimeId, set: ServerSetName, spec: CryptoSpec): Promise<Ceiling> =>
    runJson<Ceiling>(cmd(rt, self, ['--ceiling', `--data=${dataPath}`, `--set=${set}`, `--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--lib=${spec.libPath}`] : [])]), 120_000);
  const checkAll = (r: LoadResult, what: string) => {
    if (r.rejected || r.errors) throw new Error(`${what}: ${r.rejected} rejected, ${r.errors} errors: ${JSON.stringify(r.reasons)}`);
  };

  if (flag('interleave')) {
    await interleaved({ runtimes, cryptoFor, startServer, postBlocks, loadgen, checkAll, cpuTicks, cmd, self, dataPath, data, log, children, clientLabel });
    return;
  }

  const configs: { name: string; set: ServerSetName; workers: number; batch: number; conc: number; idle: boolean }[] = [
    { name: 'mix-1w', set: 'mix' as ServerSetName, workers: 1, batch: 1, conc: concurrency, idle: true },
    { name: 'mix-2w', set: 'mix' as ServerSetName, workers: 2, batch: 1, conc: concurrency, idle: true },
    { name: 'one-1w', set: 'one' as ServerSetName, workers: 1, batch: 1, conc: concurrency, idle: false },
    { name: 'one-2w', set: 'one' as ServerSetName, workers: 2, batch: 1, conc: concurrency, idle: false },
    { name: `one-2w-batch${batchSize}`, set: 'one' as ServerSetName, workers: 2, batch: batchSize, conc: Math.max(2, Math.round(concurrency / 4)), idle: false },
    { name: `mix-2w-batch${batchSize}`, set: 'mix' as ServerSetName, workers: 2, batch: batchSize, conc: Math.max(2, Math.round(concurrency / 4)), idle: false },
  ].filter((c) => !only || only.includes(c.name));

  const report: Record<string, { label: string; inproc?: unknown; configs: ConfigResult[] }> = {};
  for (const rt of runtimes) {
    let pinned: string[] = [`--crypto=${cryptoFor(rt)}`];
    const results: ConfigResult[] = [];
    let label = rt as string;
    for (const c of configs) {
      log(`${rt} ${c.name}: starting server (${pinned.join(' ')})`);
      const server = await startServer(rt, c.workers, pinned);
      try {
        label = server.info.runtime;
        const spec = server.info.crypto;
        pinned = [`--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--secp256k1-lib=${spec.libPath}`] : [])];
        await postBlocks(server.url);
        const warm = await loadgen(server.url, 'warm', 16, 1);
        checkAll(warm, 'warm-up');
        let idle: LoadResult | undefined, resubmit: LoadResult | undefined;
        if (c.idle) {
          idle = await loadgen(server.url, 'idle', 1, 1);
          checkAll(idle, 'idle');
          resubmit = await loadgen(server.url, 'idle', 1, 1);
          checkAll(resubmit, 'resubmit');
        }
        const ceilingBefore = await ceiling(rt, c.set, spec);
        const loadavg = os.loadavg();
        const cpu0 = cpuTicks(server.pid);
        const load = await loadgen(server.url, c.set, c.conc, c.batch);
        const serverCpuMs = (cpuTicks(server.pid) - cpu0) * 10;
        checkAll(load, c.name);
        const ceilingAfter = await ceiling(rt, c.set, spec);
        const usPerTx = (ceilingBefore.usPerTx + ceilingAfter.usPerTx) / 2;
        const ceilingTxPerSec = (c.workers * 1e6) / usPerTx;
        const r: ConfigResult = {
          name: c.name, set: c.set, workers: c.workers, batch: c.batch, concurrency: c.conc, crypto: spec, load,
          ceilingBefore, ceilingAfter, ceilingTxPerSec, ratio: load.txPerSec / ceilingTxPerSec, serverCpuMs, loadavg,
          ...(idle ? { idle } : {}), ...(resubmit ? { resubmit } : {}),
        };
        results.push(r);
        log(`${rt} ${c.name}: ${load.txPerSec.toFixed(0)} tx/s (ceiling ${ceilingTxPerSec.toFixed(0)}, ${(r.ratio * 100).toFixed(0)}%), p50 ${load.latMs.p50.toFixed(1)} ms` +
          (idle ? `; idle p50 ${idle.latMs.p50.toFixed(2)} ms, resubmit p50 ${resubmit!.latMs.p50.toFixed(2)} ms` : ''));
      } finally {
        await server.stop();
      }
    }
    let inproc: unknown;
    if (!flag('no-inproc') && results[0]) {
      const spec = results[0].crypto;
      log(`${rt}: in-process first vs re-submitted latency`);
      inproc = await runJson(cmd(rt, self, ['--inproc', `--data=${dataPath}`, `--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--lib=${spec.libPath}`] : [])]), 300_000);
    }
    report[rt] = { label, configs: results, ...(inproc ? { inproc } : {}) };
  }

  const date = new Date().toISOString().slice(0, 10);
  fs.mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  const outFile = path.join(root, `bench/out/validate-results-${runtimes.join('-')}-${Date.now()}.json`);
  fs.writeFileSync(outFile, JSON.stringify({ date, spec: SPEC, data: data.key, concurrency, client, pipeline, report }, null, 1));
  printReport(report, date, outFile, clientLabel);
}

/**
 * --interleave: the two ratios (throughput ÷ signature ceiling, and 1 → 2 workers) measured
 * so that a change of the machine's speed between measurements cannot pass for either.
 * This machine's speed moves by up to 1.8× from minute to minute (the same single-thread
 * replay of the same signatures: 1.25 ms or 2.0 ms per noble ECDSA check), so a ceiling
 * taken once before and once after a long load run can belong to another regime.
 * Here a 1-worker and a 2-worker server run side by side, and each round k takes, one after
 * the other, a ceiling replay (a long-lived child: --ceiling-serve) of the signature checks
 * of slice k, slice k through one server, another ceiling replay, slice k through the other
 * server, a third replay (the order of the two servers alternates from round to round).
 * Each server sees each transaction once, so every validation is a first one. Per round:
 * of ceiling = tx/s ÷ (workers × 1e6 ÷ µs of signature checks per tx, the mean of the
 * replays on either side); 1 → 2 = tx/s (2 workers) ÷ tx/s (1 worker). Then two ceiling
 * children replay slice k at the same time: what the machine itself gives two busy threads
 * of this runtime (its other jobs, the runtime's JIT and GC threads and the second thread's
 * share of memory and caches included); "2 workers of that" = tx/s (2 workers) ÷ the two
 * replays' combined tx/s, "machine 1 → 2" = that combined rate ÷ one replay's alone.
 * Reported: every round and the medians.
 *   --interleave [--set=mix] [--slice=500] [--rounds=10] [--batch=1] [--concurrency=48]
 *                [--warm=3000 (P2WPKH spends of the 'one' set sent to each server first)]
 *                [--no-pin (ceiling children not pinned to one CPU each)]
 */
async function interleaved(h: {
  runtimes: RuntimeId[]; cryptoFor: (rt: RuntimeId) => string;
  startServer: (rt: RuntimeId, workers: number, crypto: string[]) => Promise<{ url: string; pid: number; stop(): Promise<void>; info: { crypto: CryptoSpec; runtime: string } }>;
  postBlocks: (url: string) => Promise<void>;
  loadgen: (url: string, set: ServerSetName, conc: number, batch: number, from?: number, count?: number) => Promise<LoadResult>;
  checkAll: (r: LoadResult, what: string) => void; cpuTicks: (pid: number) => number;
  cmd: (rt: RuntimeId, file: string, a: string[]) => [string, string[], Record<string, string | undefined>]; self: string; dataPath: string; data: DataFile;
  log: (s: string) => void; children: Set<import('node:child_process').ChildProcess>; clientLabel: string;
}): Promise<void> {
  const cp = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const os = await import('node:os');
  const set = (opt('set') ?? 'mix') as ServerSetName;
  const slice = Number(opt('slice') ?? 500);
  const batch = Number(opt('batch') ?? 1);
  const conc = Number(opt('concurrency') ?? (batch > 1 ? 12 : 48));
  const total = h.data.sets[set].length;
  const rounds = Math.min(Number(opt('rounds') ?? 10), Math.floor(total / slice));
  const f0 = (x: number) => x.toFixed(0);
  const out: string[] = [];
  const pinCeiling = !flag('no-pin') && cp.spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  out.push(`## POST /validate, interleaved ratios — ${new Date().toISOString().slice(0, 16)}Z — set ${set}, ${rounds} rounds of ${slice} txs, batch ${batch}, ${conc} connections; load generator: ${h.clientLabel}; ceiling replays ${pinCeiling ? 'pinned to one CPU each (taskset)' : 'not pinned'}\n`);
  for (const rt of h.runtimes) {
    h.log(`${rt}: starting a 1-worker and a 2-worker server`);
    const s1 = await h.startServer(rt, 1, [`--crypto=${h.cryptoFor(rt)}`]);
    const spec = s1.info.crypto;
    const pinned = [`--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--secp256k1-lib=${spec.libPath}`] : [])];
    const s2 = await h.startServer(rt, 2, pinned);
    const [c0, c1, cenv] = h.cmd(rt, h.self, ['--ceiling-serve', `--data=${h.dataPath}`, `--set=${set}`, `--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--lib=${spec.libPath}`] : [])]);
    // Two ceiling children, each pinned to one CPU (taskset, unless --no-pin) so that
    // "single-core" is literal: a replaying thread's JIT and GC helper threads share its
    // core instead of borrowing the idle second one (which the workers of a 2-worker
    // server do not have). They take turns replaying alone (the ceiling: one core's
    // speed × workers); then both replay the same slice at once: what the machine
    // itself gives two busy processes of this runtime, one per core.
    let cpu = 0;
    const spawnCeiling = () => {
      const [f, a] = pinCeiling ? ['taskset', ['-c', String(cpu++ % os.cpus().length), c0, ...c1]] : [c0, c1];
      const ch = cp.spawn(f, a, { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'], env: cenv });
      h.children.add(ch);
      const lines = createInterface({ input: ch.stdout! })[Symbol.asyncIterator]();
      const next = async <T>(): Promise<T> => {
        const r = await lines.next();
        if (r.done) throw new Error('ceiling child ended');
        return JSON.parse(r.value) as T;
      };
      return { ch, next };
    };
    const cA = spawnCeiling();
    const cB = spawnCeiling();
    try {
      // Warm-up: the 'warm' spends (3,000 of every kind, one per request), then --warm spends
      // of the 'one' set (P2WPKH) in batches, so that the JIT has compiled the validation and
      // signature code of every kind before round 0.
      const warmOne = Math.min(Number(opt('warm') ?? 3000), h.data.sets.one.length);
      for (const s of [s1, s2]) {
        await h.postBlocks(s.url);
        h.checkAll(await h.loadgen(s.url, 'warm', 16, 1), 'warm-up');
        if (warmOne > 0) h.checkAll(await h.loadgen(s.url, 'one', 12, 25, 0, warmOne), 'warm-up');
      }
      await cA.next<{ ready: boolean }>();
      await cB.next<{ ready: boolean }>();
      let turn = 0;
      const ceil = async (from: number): Promise<number> => {
        const c = turn++ % 2 === 0 ? cA : cB;
        c.ch.stdin!.write(`${from} ${slice}\n`);
        return (await c.next<{ usPerTx: number }>()).usPerTx;
      };
      const ceilBoth = async (from: number): Promise<number[]> => {
        cA.ch.stdin!.write(`${from} ${slice}\n`);
        cB.ch.stdin!.write(`${from} ${slice}\n`);
        const [x, y] = await Promise.all([cA.next<{ usPerTx: number }>(), cB.next<{ usPerTx: number }>()]);
        return [x.usPerTx, y.usPerTx];
      };
      // Where the server's CPU goes, per thread (/proc/PID/task): the main thread, the
      // `workers` busiest other threads (the validation workers), and everything else (the
      // runtime's JIT, GC and allocator threads), summed over all rounds.
      // Also the time the workers spent runnable but waiting for a CPU (schedstat), over the
      // load generator's clock: how much the other threads on the two cores took from them.
      const threads = new Map<typeof s1, { main: number; workers: number; other: number; workersWait: number; wallMs: number; txs: number }>();
      const run = async (s: typeof s1, from: number, what: string) => {
        const cpu0 = h.cpuTicks(s.pid);
        const t0 = threadCpuMs(s.pid);
        const w0 = threadWaitMs(s.pid);
        const r = await h.loadgen(s.url, set, conc, batch, from, slice);
        const w1 = threadWaitMs(s.pid);
        const t = splitThreads(t0, threadCpuMs(s.pid), s.pid, s === s1 ? 1 : 2);
        h.checkAll(r, what);
        const acc = threads.get(s) ?? { main: 0, workers: 0, other: 0, workersWait: 0, wallMs: 0, txs: 0 };
        acc.main += t.main;
        acc.workers += t.top.reduce((a, b) => a + b, 0);
        acc.other += t.rest;
        for (const [key] of t.all.slice(0, s === s1 ? 1 : 2)) acc.workersWait += (w1.get(key) ?? 0) - (w0.get(key) ?? 0);
        acc.wallMs += r.elapsedMs;
        acc.txs += r.allowed;
        threads.set(s, acc);
        return { r, cpuMsPerTx: ((h.cpuTicks(s.pid) - cpu0) * 10) / r.allowed };
      };
      const rows: { k: number; ceil: number[]; both: number[]; one: number; two: number; r1: number; r2: number; r2m: number; scale: number; scaleM: number; cpu1: number; cpu2: number; p50: number[]; load: number }[] = [];
      for (let k = 0; k < rounds; k++) {
        const from = k * slice;
        const first = k % 2 === 0 ? s1 : s2, second = k % 2 === 0 ? s2 : s1;
        const ca = await ceil(from);
        const a = await run(first, from, `${rt} round ${k}`);
        const cb = await ceil(from);
        const b = await run(second, from, `${rt} round ${k}`);
        const cc = await ceil(from);
        const both = await ceilBoth(from);
        const [x1, x2] = first === s1 ? [a, b] : [b, a];
        const u1 = first === s1 ? (ca + cb) / 2 : (cb + cc) / 2;
        const u2 = first === s1 ? (cb + cc) / 2 : (ca + cb) / 2;
        const row = {
          k, ceil: [ca, cb, cc], both, one: x1.r.txPerSec, two: x2.r.txPerSec,
          r1: x1.r.txPerSec / (1e6 / u1), r2: x2.r.txPerSec / (2e6 / u2), scale: x2.r.txPerSec / x1.r.txPerSec,
          // the machine's two-core signature throughput: both replays at once
          r2m: x2.r.txPerSec / (1e6 / both[0]! + 1e6 / both[1]!), scaleM: (1e6 / both[0]! + 1e6 / both[1]!) / (1e6 / ((ca + cb + cc) / 3)),
          cpu1: x1.cpuMsPerTx, cpu2: x2.cpuMsPerTx, p50: [x1.r.latMs.p50, x2.r.latMs.p50], load: os.loadavg()[0]!,
        };
        rows.push(row);
        h.log(`${rt} round ${k}: 1w ${f0(row.one)} tx/s (${f0(row.r1 * 100)}% of ceiling), 2w ${f0(row.two)} tx/s (${f0(row.r2 * 100)}%), 1→2 ${row.scale.toFixed(2)}×; ceiling replays ${row.ceil.map((c) => c.toFixed(0)).join(' / ')} µs/tx, two at once ${row.both.map((c) => c.toFixed(0)).join(' / ')} (2w ${f0(row.r2m * 100)}% of that)`);
      }
      out.push(`### ${s1.info.runtime}: ${spec.crypto} signatures, ${spec.sha256} SHA-256\n`);
      out.push('| round | ceiling replays µs/tx | 1 worker tx/s | of ceiling | 2 workers tx/s | of ceiling | 1 → 2 | two replays at once µs/tx | 2 workers of that | machine 1 → 2 | server CPU ms/tx 1w / 2w | p50 ms 1w / 2w | load avg |');
      out.push('|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|---:|');
      for (const r of rows) {
        out.push(`| ${r.k} | ${r.ceil.map((c) => c.toFixed(0)).join(' / ')} | ${f0(r.one)} | ${f0(r.r1 * 100)}% | ${f0(r.two)} | ${f0(r.r2 * 100)}% | ${r.scale.toFixed(2)}× | ` +
          `${r.both.map((c) => c.toFixed(0)).join(' / ')} | ${f0(r.r2m * 100)}% | ${r.scaleM.toFixed(2)}× | ` +
          `${r.cpu1.toFixed(3)} / ${r.cpu2.toFixed(3)} | ${r.p50[0]!.toFixed(1)} / ${r.p50[1]!.toFixed(1)} | ${r.load.toFixed(1)} |`);
      }
      const pc = (ms: number, wall: number) => `${((100 * ms) / wall).toFixed(0)}%`;
      const th = (s: typeof s1, label: string) => {
        const a = threads.get(s)!;
        return `* ${label}: CPU over the timed slices, in % of one core — main thread ${pc(a.main, a.wallMs)}, validation worker${s === s1 ? '' : 's'} ${pc(a.workers, a.wallMs)}, ` +
          `other threads (JIT, GC, allocator) ${pc(a.other, a.wallMs)}; per tx: main ${(a.main / a.txs * 1000).toFixed(0)} µs, workers ${(a.workers / a.txs * 1000).toFixed(0)} µs, other ${(a.other / a.txs * 1000).toFixed(0)} µs` +
          (a.workersWait > 0 ? `; worker${s === s1 ? '' : 's'} runnable but waiting for a CPU ${pc(a.workersWait, a.wallMs)} (${(a.workersWait / a.txs * 1000).toFixed(0)} µs/tx)` : '');
      };
      const tail = () => [th(s1, '1 worker'), th(s2, '2 workers'), ''];
      out.push(`| **median** | | ${f0(median(rows.map((r) => r.one)))} | **${f0(100 * median(rows.map((r) => r.r1)))}%** | ${f0(median(rows.map((r) => r.two)))} | **${f0(100 * median(rows.map((r) => r.r2)))}%** | **${median(rows.map((r) => r.scale)).toFixed(2)}×** | | ${f0(100 * median(rows.map((r) => r.r2m)))}% | ${median(rows.map((r) => r.scaleM)).toFixed(2)}× | | | |\n`);
      out.push(...tail());
    } finally {
      for (const c of [cA.ch, cB.ch]) {
        c.stdin!.end();
        c.kill('SIGKILL');
      }
      await s1.stop();
      await s2.stop();
    }
  }
  console.log(out.join('\n'));
}

function printReport(report: Record<string, { label: string; inproc?: unknown; configs: ConfigResult[] }>, date: string, outFile: string, clientLabel: string): void {
  const f0 = (x: number) => x.toFixed(0);
  const f2 = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
  console.log(`## POST /validate — ${date} — data ${JSON.stringify(SPEC)}; load generator: ${clientLabel}; raw results: ${outFile}\n`);
  for (const [rt, r] of Object.entries(report)) {
    const c0 = r.configs[0];
    console.log(`### ${r.label}: ${c0 ? `${c0.crypto.crypto} signatures, ${c0.crypto.sha256} SHA-256 (${c0.ceilingBefore.backend})` : ''}\n`);
    console.log('| config | workers | batch | conc. | tx/s | p50 ms | p90 ms | p99 ms | sig checks/tx | ceiling tx/s | of ceiling | server CPU ms/tx | loadgen CPU ms/tx | load avg |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of r.configs) {
      const n = c.load.allowed;
      console.log(`| ${c.name} | ${c.workers} | ${c.batch} | ${c.concurrency} | **${f0(c.load.txPerSec)}** | ${f2(c.load.latMs.p50)} | ${f2(c.load.latMs.p90)} | ${f2(c.load.latMs.p99)} | ` +
        `${c.ceilingBefore.checksPerTx.toFixed(2)} | ${f0(c.ceilingTxPerSec)} | **${(c.ratio * 100).toFixed(0)}%** | ${(c.serverCpuMs / n).toFixed(3)} | ` +
        `${((c.load.cpuMs.user + c.load.cpuMs.system) / n).toFixed(3)} | ${c.loadavg[0]!.toFixed(1)} |`);
    }
    const by = (name: string) => r.configs.find((c) => c.name === name);
    const m1 = by('mix-1w'), m2 = by('mix-2w'), o1 = by('one-1w'), o2 = by('one-2w');
    console.log('');
    if (m1 && m2) console.log(`* 1→2 workers (mix): ${(m2.load.txPerSec / m1.load.txPerSec).toFixed(2)}×`);
    if (o1 && o2) console.log(`* 1→2 workers (1-sig P2WPKH): ${(o2.load.txPerSec / o1.load.txPerSec).toFixed(2)}×`);
    for (const c of r.configs) {
      const b = c.ceilingBefore, a = c.ceilingAfter;
      console.log(`* ceiling ${c.name}: ${b.usPerTx.toFixed(1)} / ${a.usPerTx.toFixed(1)} µs of signature checks per tx before / after (ECDSA ${b.ecdsaUs?.toFixed(1) ?? '-'} µs, Schnorr ${b.schnorrUs?.toFixed(1) ?? '-'} µs per check)`);
    }
    for (const c of r.configs) {
      if (c.idle && c.resubmit) {
        console.log(`* idle (${c.name}, sequential, client-side): first validation p50 ${f2(c.idle.latMs.p50)} ms (p90 ${f2(c.idle.latMs.p90)}), re-submitted p50 ${f2(c.resubmit.latMs.p50)} ms: ${(c.idle.latMs.p50 / c.resubmit.latMs.p50).toFixed(2)}× faster`);
      }
    }
    if (r.inproc) console.log(`* server-side (in-process TxgateNode, no HTTP): ${JSON.stringify(r.inproc)}`);
    console.log('');
  }
}

if (flag('ceiling')) await ceilingMode();
else if (flag('ceiling-serve')) await ceilingServeMode();
else if (flag('inproc')) await inprocMode();
else await orchestrate();
