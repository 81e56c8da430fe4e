/**
 * The edge bundle: µs per validation in workerd against the same handler in Node, in this
 * thread, with the same signature backend (noble) and the same requests, in one run; and
 * the bundle's size.
 *   node --import tsx bench/edge.bench.ts [--n=100] [--rounds=9]
 * Node-only (it builds the bundle with esbuild and starts workerd). For each kind — 1-input
 * P2WPKH, P2TR key path, 2-of-3 P2WSH (bench/data.ts) — one JSON batch of `n` distinct
 * transactions with their prevouts is posted to workerd over loopback HTTP and given to
 * the edge app in Node with app.request(), interleaved (workerd, Node, workerd, …) after a
 * warm-up; the figure is the median round's time over `n`. workerd's times include the
 * loopback round trip, once per batch (its own clock is coarsened, so the time is taken
 * here). Every verdict must be "allowed".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdge, startWorkerd, writeWorkerdConfig } from '../scripts/edge.mjs';
import { createEdgeApp } from '../edge/app.ts';
import { spends } from '../test/util/edge-fixtures.ts';
import type { SingleKind } from './data.ts';

const argv = process.argv.slice(2);
const opt = (k: string) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const N = Number(opt('n') ?? 100);
const ROUNDS = Number(opt('rounds') ?? 9);
const KINDS: SingleKind[] = ['p2wpkh', 'p2tr', 'p2wsh-multisig'];

const require = createRequire(import.meta.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-edge-bench-'));
  const built = await buildEdge({ outdir: dir });
  const workerd = await startWorkerd(writeWorkerdConfig(dir), { port: 0 });
  const node = createEdgeApp({ host: 'node' });
  console.log(`edge.bench ${new Date().toISOString()} node ${process.version}, workerd ${require('workerd/package.json').version}, ` +
    `esbuild ${require('esbuild/package.json').version}; n=${N} per batch, ${ROUNDS} rounds`);
  console.log(`bundle: ${built.bytes} B (${(built.bytes / 1024).toFixed(0)} KiB), gzipped ${built.gzipBytes} B (${(built.gzipBytes / 1024).toFixed(0)} KiB)`);
  try {
    for (const kind of KINDS) {
      const body = JSON.stringify(spends(kind, N, 11));
      const init = (): RequestInit => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const timed = async (ask: () => Promise<Response>): Promise<number> => {
        const t0 = performance.now();
        const res = await ask();
        const verdicts = await res.json() as { allowed: boolean; reason?: string }[];
        const ms = performance.now() - t0;
        const bad = Array.isArray(verdicts) ? verdicts.find((v) => !v.allowed) : verdicts;
        if (res.status !== 200 || bad) throw new Error(`${kind}: ${res.status} ${JSON.stringify(bad)}`);
        return (ms * 1000) / N;
      };
      const w: number[] = [];
      const n: number[] = [];
      for (let r = -2; r < ROUNDS; r++) {
        const a = await timed(() => fetch(`${workerd.url}/validate`, init()));
        const b = await timed(async () => node.request('/validate', init()));
        if (r >= 0) { w.push(a); n.push(b); }
      }
      const mw = median(w);
      const mn = median(n);
      console.log(`${kind.padEnd(15)} workerd ${mw.toFixed(0).padStart(6)} µs/validation   node in-thread ${mn.toFixed(0).padStart(6)} µs   workerd/node ${(mw / mn).toFixed(2)}`);
    }
  } finally {
    workerd.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
