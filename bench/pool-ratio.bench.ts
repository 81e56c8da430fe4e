/**
 * The validation pipeline's share of the signature ceiling without HTTP:
 * what `validate.bench.ts --interleave` measures, minus the HTTP server, the load generator
 * and the loopback sockets — so the two can be told apart.
 *
 *   node --import tsx bench/pool-ratio.bench.ts [--rounds=6] [--slice=600] [--batch=25] [--concurrency=12] [--crypto=noble]
 *   npx bun bench/pool-ratio.bench.ts
 *   npx deno run -A --unstable-ffi bench/pool-ratio.bench.ts
 *
 * Two TxgateNodes in this process (1 and 2 validation workers, the regtest chain of
 * bench/data.ts connected, warmed with its 3,000 mixed 'warm' spends) validate the same
 * slices of the 'mix' set: `concurrency` callers each hand `node.validate` a batch of
 * `batch` transactions at a time, as JSON batches over HTTP would. Around each slice the
 * slice's own signature checks (recorded once) are replayed on this thread while the
 * nodes are idle: the single-core ceiling, as validate.bench.ts takes it. "Of ceiling" =
 * tx/s ÷ (workers × 10⁶ ÷ µs of checks per tx). Per-thread time comes from
 * /proc/self/task/TID/schedstat: each validation worker's share of the slice's wall time
 * running, runnable but waiting for a CPU, and neither (idle: nothing to do); the main
 * thread's and the other threads' (JIT, GC) running share. Linux only for those columns.
 */
import { pid } from 'node:process';
import { precomputeTxData } from '../src/script/sighash.ts';
import { setDefaultVerifier, verifyInput } from '../src/script/verify.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { applyCrypto, loadCryptoByName, type SigBackendName, type Sha256BackendName } from '../src/runtime/crypto/select.ts';
import { spawnValidator } from '../src/runtime/spawn.ts';
import { TxgateNode } from '../src/node/node.ts';
import { decodeTx } from '../src/primitives/tx.ts';
import { loadServerBenchData, STANDARD_FLAGS, type ServerBenchSpec, type ServerSpend } from './data.ts';
import { splitThreads, threadRunMs, threadWaitMs } from './proc.ts';
import { recordingVerifier, replayChecks, type RecordedCheck } from './sig-replay.ts';

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const ROUNDS = Number(opt('rounds') ?? 6);
const SLICE = Number(opt('slice') ?? 600);
const BATCH = Number(opt('batch') ?? 25);
const CONCURRENCY = Number(opt('concurrency') ?? 12);
const isBun = 'Bun' in globalThis;
const crypto = (opt('crypto') ?? 'noble') as SigBackendName;
const sha256 = (opt('sha256') ?? (isBun ? 'bun' : 'node-large')) as Sha256BackendName;
// The data file validate.bench.ts uses (bench/out/, built once).
const SPEC: ServerBenchSpec = { mix: 5000, one: 8000, warm: 3000, idle: 200 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

// ---- per-thread schedstat: ms running and ms runnable-waiting, keyed `tid:name` (proc.ts)
interface Sched { run: Map<string, number>; wait: Map<string, number> }
const sched = (): Sched => ({ run: threadRunMs('self'), wait: threadWaitMs('self') });
/** Shares of `wallMs` between two readings: the `workers` busiest other threads, main, rest. */
function shares(a: Sched, b: Sched, wallMs: number, workers: number) {
  const run = splitThreads(a.run, b.run, pid, workers);
  const pct = (ms: number) => (ms / wallMs) * 100;
  return {
    workers: run.all.slice(0, workers).map(([k, r]) => {
      const wait = (b.wait.get(k) ?? 0) - (a.wait.get(k) ?? 0);
      return { run: pct(r), wait: pct(wait), idle: Math.max(0, 100 - pct(r) - pct(wait)) };
    }),
    main: pct(run.main),
    other: pct(run.rest),
  };
}

// ---- set-up
const data = loadServerBenchData(SPEC, (m) => console.error(`[pool-ratio] ${m}`));
const verifier = applyCrypto(await loadCryptoByName(crypto, undefined, sha256));
setDefaultVerifier(verifier);
const mix = data.sets.mix.slice(0, ROUNDS * SLICE);
if (mix.length < ROUNDS * SLICE) throw new Error(`the mix set has ${data.sets.mix.length} spends: fewer rounds or a smaller slice`);
const checks: RecordedCheck[][] = mix.map((s) => {
  const calls: RecordedCheck[] = [];
  const tx = decodeTx(s.tx);
  const spent = [{ value: s.prevout.amount, scriptPubKey: s.prevout.scriptPubKey }];
  const r = verifyInput(tx, 0, spent, STANDARD_FLAGS, { verifier: recordingVerifier(verifier, calls), txdata: precomputeTxData(tx, spent) });
  if (!r.ok) throw new Error(`a ${s.kind} spend does not verify: ${r.error}`);
  return calls;
});

async function startNode(workers: number): Promise<TxgateNode> {
  const node = await TxgateNode.start({
    network: 'regtest', workers, spawn: spawnValidator, workerInit: { crypto: { crypto, sha256 } }, verifier,
    now: () => Math.floor(Date.now() / 1000),
  });
  for (const b of data.blocks) {
    const r = await node.submitBlock(b);
    if (r.busy || !r.accepted) throw new Error(`block rejected: ${JSON.stringify(r)}`);
  }
  return node;
}

/** `CONCURRENCY` callers, each validating `BATCH` transactions at a time; returns ms. */
async function drive(node: TxgateNode, spends: readonly ServerSpend[]): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < spends.length) {
      const chunk = spends.slice(next, next + BATCH);
      next += BATCH;
      const r = await node.validate(chunk.map((s) => ({ tx: decodeTx(s.tx) })));
      if (r.busy) throw new Error('queue full');
      for (const x of r.results) if (!x.allowed) throw new Error(`rejected: ${JSON.stringify(x)}`);
    }
  }));
  return performance.now() - t0;
}

const label = runtimeLabel();
console.error(`[pool-ratio] ${label}: ${verifier.name} signatures, ${sha256} SHA-256; starting a 1-worker and a 2-worker node`);
const nodes = [await startNode(1), await startNode(2)] as const;
try {
  for (const n of nodes) await drive(n, data.sets.warm);
  replayChecks(verifier, checks.flat());
  const rows: string[] = [];
  const r1: number[] = [], r2: number[] = [], sc: number[] = [];
  const idle2: number[] = [], wait2: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const slice = mix.slice(k * SLICE, (k + 1) * SLICE);
    const sliceChecks = checks.slice(k * SLICE, (k + 1) * SLICE).flat();
    const order = k % 2 === 0 ? [0, 1] : [1, 0];
    const replay: number[] = [replayChecks(verifier, sliceChecks)];
    const ms: number[] = [0, 0];
    const th: ReturnType<typeof shares>[] = [];
    for (const i of order) {
      const a = sched();
      ms[i] = await drive(nodes[i]!, slice);
      th[i] = shares(a, sched(), ms[i]!, i + 1);
      replay.push(replayChecks(verifier, sliceChecks));
    }
    const ceilUs = (median(replay) * 1000) / SLICE;
    const tps = ms.map((m) => (SLICE * 1000) / m);
    const ratio = tps.map((t, i) => (t * ceilUs) / 1e6 / (i + 1));
    r1.push(ratio[0]!); r2.push(ratio[1]!); sc.push(tps[1]! / tps[0]!);
    const w = th[1]!.workers;
    idle2.push(w.reduce((s, x) => s + x.idle, 0) / w.length);
    wait2.push(w.reduce((s, x) => s + x.wait, 0) / w.length);
    const fmtW = (t: ReturnType<typeof shares>) => t.workers.map((x) => `${x.run.toFixed(0)}/${x.wait.toFixed(0)}/${x.idle.toFixed(0)}`).join(', ');
    rows.push(`| ${k} | ${replay.map((r) => ((r * 1000) / SLICE).toFixed(0)).join(' / ')} | ${tps[0]!.toFixed(0)} | ${(ratio[0]! * 100).toFixed(0)}% | ${tps[1]!.toFixed(0)} | ${(ratio[1]! * 100).toFixed(0)}% | ${(tps[1]! / tps[0]!).toFixed(2)}× | ${fmtW(th[0]!)} | ${fmtW(th[1]!)} | ${th[0]!.main.toFixed(0)}% / ${th[1]!.main.toFixed(0)}% | ${th[0]!.other.toFixed(0)}% / ${th[1]!.other.toFixed(0)}% |`);
    console.error(`[pool-ratio] round ${k}: 1w ${(ratio[0]! * 100).toFixed(0)}%, 2w ${(ratio[1]! * 100).toFixed(0)}%, 1→2 ${(tps[1]! / tps[0]!).toFixed(2)}×; 2w workers run/wait/idle ${fmtW(th[1]!)} %`);
  }
  console.log(`### ${label}: ${verifier.name} signatures, ${sha256} SHA-256 — in process, ${ROUNDS} rounds of ${SLICE} mixed spends, batches of ${BATCH}, ${CONCURRENCY} callers (${new Date().toISOString().slice(0, 16)}Z)\n`);
  console.log('| round | ceiling replays µs/tx | 1 worker tx/s | of ceiling | 2 workers tx/s | of ceiling | 1 → 2 | 1w worker run/wait/idle % | 2w workers run/wait/idle % | main thread 1w / 2w | other threads 1w / 2w |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`| **median** | | | **${(median(r1) * 100).toFixed(0)}%** | | **${(median(r2) * 100).toFixed(0)}%** | **${median(sc).toFixed(2)}×** | | 2w: wait ${median(wait2).toFixed(0)}%, idle ${median(idle2).toFixed(0)}% (per worker) | | |`);
} finally {
  for (const n of nodes) await n.close();
}
