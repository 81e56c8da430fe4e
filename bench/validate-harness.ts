/**
 * The orchestrator's tools for bench/validate.bench.ts (run on Node): children of a runtime
 * started as its package scripts start it, a fresh server per call (a source tree of its own
 * when asked, for before/after runs of two trees), the regtest chain posted to it, the load
 * generator (bench/loadgen.mjs, its own process) and the ceiling child.
 */
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CryptoSpec } from '../src/runtime/crypto/select.ts';
import type { ServerSetName } from './data.ts';
import type { Ceiling, DataFile, LoadResult, RuntimeId } from './validate-common.ts';

export interface Server { url: string; pid: number; root: string; stop(): Promise<void>; info: { crypto: CryptoSpec; runtime: string } }
export type Command = [string, string[], Record<string, string | undefined>];

export interface Harness {
  root: string; self: string; dataPath: string; data: DataFile; children: Set<cp.ChildProcess>;
  log: (s: string) => void;
  cmd: (rt: RuntimeId, file: string, a: string[]) => Command;
  runJson: <T>(command: [string, string[], Record<string, string | undefined>?], timeoutMs: number) => Promise<T>;
  /** A fresh server of `rt` from the tree at `root` (default: this one), an empty data directory. */
  startServer: (rt: RuntimeId, workers: number, crypto: string[], root?: string) => Promise<Server>;
  postBlocks: (url: string) => Promise<void>;
  loadgen: (url: string, set: ServerSetName, conc: number, batch: number, from?: number, count?: number) => Promise<LoadResult>;
  ceiling: (rt: RuntimeId, set: ServerSetName, spec: CryptoSpec) => Promise<Ceiling>;
  checkAll: (r: LoadResult, what: string) => void;
  /** utime + stime of every thread of a process, in 10 ms ticks. */
  cpuTicks: (pid: number) => number;
}

/** The command-line flags that pin a server to the backends another one chose. */
export const pinnedFlags = (spec: CryptoSpec): string[] =>
  [`--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--secp256k1-lib=${spec.libPath}`] : [])];
/** The same for a child of validate.bench.ts (--ceiling, --ceiling-serve, --inproc). */
export const childCryptoFlags = (spec: CryptoSpec): string[] =>
  [`--crypto=${spec.crypto}`, `--sha256=${spec.sha256}`, ...(spec.libPath ? [`--lib=${spec.libPath}`] : [])];

export async function makeHarness(o: {
  self: string; dataPath: string; client: string; pipeline: number; log: (s: string) => void;
  /** Extra flags for Node servers (e.g. --cpu-prof: a profile of the server under load). */
  nodeServerFlags?: string[];
}): Promise<Harness> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const bin = (n: string) => path.join(root, 'node_modules', '.bin', n);
  const children = new Set<cp.ChildProcess>();
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  process.on('exit', killAll);
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => { killAll(); process.exit(130); });

  // Children of a runtime start with the environment the package scripts give it
  // (scripts/runtime-env.mjs), so the bench runs the server as `bun run serve` does.
  const { runtimeEnv } = await import('../scripts/runtime-env.mjs');
  const envOf = (rt: RuntimeId): Record<string, string | undefined> => ({ ...process.env, ...runtimeEnv(rt) });
  const cmd = (rt: RuntimeId, file: string, a: string[]): Command => {
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

  const data = JSON.parse(fs.readFileSync(o.dataPath, 'utf8')) as DataFile;
  const cpuTicks = (pid: number): number => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  };

  const startServer = async (rt: RuntimeId, workers: number, crypto: string[], tree = root): Promise<Server> => {
    // The CLI keeps its chain under a data directory: a new empty one per server, removed after.
    const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'txgate-bench-'));
    const [exe, argv, env] = cmd(rt, 'src/runtime/serve.ts', ['--port', '0', '--host', '127.0.0.1', '--workers', String(workers), '--datadir', datadir, ...crypto]);
    if (rt === 'node' && o.nodeServerFlags) argv.unshift(...o.nodeServerFlags);
    const c = cp.spawn(exe, argv, { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'], env });
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
      url, pid: c.pid!, root: tree, info,
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
    runJson<LoadResult>([process.execPath, [path.join(root, 'bench/loadgen.mjs'), JSON.stringify({
      url, data: o.dataPath, set, concurrency: conc, batch, durationMs: 120_000, client: o.client, pipeline: o.pipeline, ...(from !== undefined ? { from, count } : {}),
    })]], 180_000);
  const ceiling = (rt: RuntimeId, set: ServerSetName, spec: CryptoSpec): Promise<Ceiling> =>
    runJson<Ceiling>(cmd(rt, o.self, ['--ceiling', `--data=${o.dataPath}`, `--set=${set}`, ...childCryptoFlags(spec)]), 120_000);
  const checkAll = (r: LoadResult, what: string) => {
    if (r.rejected || r.errors) throw new Error(`${what}: ${r.rejected} rejected, ${r.errors} errors: ${JSON.stringify(r.reasons)}`);
  };
  return { root, self: o.self, dataPath: o.dataPath, data, children, log: o.log, cmd, runJson, startServer, postBlocks, loadgen, ceiling, checkAll, cpuTicks };
}
