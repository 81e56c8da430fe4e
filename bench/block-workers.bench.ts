/**
 * A ~2 MB real block validated through the worker pool.
 *
 *   node --import tsx bench/block-workers.bench.ts --crypto=napi --sha256=node-large [--blocks=928816,928828,928848,928849,928927] [--workers=2] [--rounds=3]
 *   MIMALLOC_PURGE_DELAY=1000 npx bun bench/block-workers.bench.ts --crypto=ffi --sha256=bun   (as `bun run serve` starts Bun: scripts/runtime-env.mjs)
 *   npx deno run -A --unstable-ffi bench/block-workers.bench.ts --crypto=ffi --sha256=node-large
 *   (--crypto=NAME / --sha256=NAME force a backend; default: selectCrypto's fastest, which a
 *   loaded machine can still mislead: name them. Default block: 928848.)
 *
 * The bcoin testnet3 blocks of Sept 2016 (bench/data.ts loadTestnetBlock: 1.6–1.9 MB, about
 * 900 segwit txs each, heavy P2WPKH spending) go through validateBlock (src/chain/
 * validate-block.ts: CheckBlock, contextual checks, ConnectBlock) with its checkInputs hook
 * sending one 'scripts' job per transaction to a ValidationPool of N workers, as the node's
 * ChainState does (src/node/node.ts: scriptsAsJobs with priority). One pool per block, its workers JIT-warmed as a
 * long-running server's are (--warmups=N other blocks, default 2, then the block itself
 * once); every timed pool run starts with emptied caches (pool.stats({ clear: true })):
 *   - signatures alone: every signature check of the block (recorded in-thread once) replayed
 *     single-threaded into the same backend, best of 3; ÷ workers = the ceiling per input;
 *   - no scripts: a checkInputs that answers ok at once — the floor of everything else
 *     (decode, CheckBlock, the coins view, sigop counting, ConnectBlock's bookkeeping);
 *   - in-thread: checkInputsSync on this thread (no workers), for reference;
 *   - cold: the block arrives with nothing of it in the caches (cold caches, not cold JIT:
 *     a pool warmed on one other block only leaves Bun's JIT compiling through the timed run);
 *   - warm: every transaction of the block was validated first with the standard (mempool)
 *     flags through the same pool — 'scripts' jobs, as mempool acceptance does — so the
 *     signature cache holds their signatures, but the script-execution cache does not match
 *     (the block's flags differ);
 *   - again: the same block validated a second time (block connection consults the caches
 *     but does not fill them, as Core's ConnectBlock: this is cold again unless the block's
 *     checks were cached some other way).
 * Results: seconds per block and µs per input, medians of the rounds, and the ceiling ratio:
 * ceiling µs/input ÷ cold µs/input (1 = the workers did nothing but verify signatures).
 * Split of each cold run (stderr per round, stdout the medians): per worker, the time it spent
 * running batches and, of that, inside the verifier (timed in the worker: ValidatorCore's
 * timeSignatures) — signatures vs everything else, measured; and each thread's CPU from /proc
 * (the main thread, the workers = the busiest other threads). The CPU ratio, signatures' CPU
 * alone ÷ all threads' CPU in the cold run, is the ceiling ratio that contention cannot
 * distort: on a machine shared with other work the wall-clock ratio mostly measures the
 * others (a 2-worker run suffers more from it than the 1-thread ceiling).
 */
import { validateBlock } from '../src/chain/validate-block.ts';
import type { CheckInputs } from '../src/consensus/script-check.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { applyCrypto, selectCrypto, type CryptoChoice, type Sha256Choice } from '../src/runtime/crypto/select.ts';
import { spawnValidator } from '../src/runtime/spawn.ts';
import { setDefaultVerifier } from '../src/script/verify.ts';
import { scriptsAsJobs, ValidationPool } from '../src/validation/worker-pool.ts';
import { loadTestnetBlock, STANDARD_FLAGS, TESTNET_BIG_BLOCKS, type TestnetBlock, type TestnetBlockName } from './data.ts';
import { splitThreads, threadRunMs } from './proc.ts';
import { recordingVerifier, replayChecks, type RecordedCheck } from './sig-replay.ts';

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const BLOCKS = (opt('blocks')?.split(',') ?? ['928848']) as TestnetBlockName[];
const WORKERS = Number(opt('workers') ?? 2);
const ROUNDS = Number(opt('rounds') ?? 3);
for (const b of BLOCKS) if (!TESTNET_BIG_BLOCKS.includes(b)) throw new Error(`unknown block ${b} (have ${TESTNET_BIG_BLOCKS.join(', ')})`);

const sel = await selectCrypto({ crypto: (opt('crypto') ?? 'auto') as CryptoChoice, sha256: (opt('sha256') ?? 'auto') as Sha256Choice });
const verifier = applyCrypto(sel);
setDefaultVerifier(verifier);

/**
 * The signature ceiling of this backend for a block, measured in this run: every signature
 * check the block makes (recorded once, in-thread), replayed single-threaded into the same
 * backend (best of 3). Returns seconds of signature checks alone, on one thread.
 */
async function signatureSeconds(b: TestnetBlock): Promise<{ s: number; cpuMs: number; checks: number }> {
  const calls: RecordedCheck[] = [];
  setDefaultVerifier(recordingVerifier(verifier, calls));
  try {
    await validateOnce(b);
  } finally {
    setDefaultVerifier(verifier);
  }
  let best = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < 3; r++) {
    const c0 = mainRunMs();
    best = Math.min(best, replayChecks(verifier, calls) / 1000);
    cpu = Math.min(cpu, mainRunMs() - c0);
  }
  return { s: best, cpuMs: cpu, checks: calls.length };
}

const s0 = (x: number): string => x.toFixed(0);
const PID = (globalThis as { Deno?: { pid: number } }).Deno?.pid ?? (globalThis as unknown as { process: { pid: number } }).process.pid;
/** This (main) thread's CPU ms so far (schedstat, ns resolution; NaN where /proc is missing). */
function mainRunMs(): number {
  for (const [k, v] of threadRunMs('self')) if (k.split(':')[0] === String(PID)) return v;
  return NaN;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Split { main: number; workersCpu: number[]; rest: number; busy: number[]; sig: number[] }

/**
 * Script checks through the pool as the node makes them (src/node/node.ts): block
 * connection's with `priority` (ScriptChecks ahead of everything, caches consulted), the
 * mempool's without.
 */
function poolChecker(pool: ValidationPool, block = true): CheckInputs {
  return scriptsAsJobs((shard, job, o) => pool.submit(shard, job, o), block ? { priority: true } : {});
}

async function newPool(): Promise<ValidationPool> {
  const pool = new ValidationPool({ workers: WORKERS, spawn: spawnValidator, init: { type: 'init', crypto: sel.spec, timeSignatures: true } });
  await pool.ready();
  return pool;
}

/** validateBlock once; seconds. Throws unless the block is valid. */
async function validateOnce(b: TestnetBlock, checkInputs?: CheckInputs): Promise<number> {
  const spent = b.spentFlat.map((o) => ({ amount: o.value, scriptPubKey: o.scriptPubKey, height: 0, coinbase: false }));
  const t0 = performance.now();
  const r = await validateBlock({ block: b.raw, spent, network: 'testnet3', height: b.height, ...(checkInputs ? { checkInputs } : {}) });
  const s = (performance.now() - t0) / 1000;
  if (!r.ok) throw new Error(`block ${b.height} rejected: ${JSON.stringify(r)}`);
  return s;
}

/** Mempool-style pre-validation: every non-coinbase tx's scripts with the standard flags. */
async function prevalidate(pool: ValidationPool, b: TestnetBlock): Promise<{ ok: number; failed: number }> {
  const check = poolChecker(pool, false);
  const rs = await Promise.all(b.block.txs.slice(1).map((tx, i) => check(tx, b.spent[i + 1]!, STANDARD_FLAGS)));
  const ok = rs.filter((r) => r.ok).length;
  return { ok, failed: rs.length - ok };
}

/**
 * Warms a fresh pool's code before its "cold" run: blocks not measured (no tx in common),
 * --warmups=N of them (default 2), as a long-running server's workers are warm.
 */
const WARMUPS = (['928831', '928816', '928849', '928927'] as TestnetBlockName[]).filter((n) => !BLOCKS.includes(n)).slice(0, Number(opt('warmups') ?? 2));
const WARMUP = WARMUPS.join(' and ');
const warmups = WARMUPS.map((n) => loadTestnetBlock(n));


const date = new Date().toISOString().slice(0, 10);
console.log(`## block validation through ${WORKERS} workers — ${runtimeLabel()} — ${date}`);
console.log(`${ROUNDS} rounds, one pool per block, JIT-warmed on block${WARMUPS.length > 1 ? 's' : ''} ${WARMUP} and on the block itself once; caches emptied before each timed run; per-thread CPU of each cold run on stderr; medians`);
{
  // Bun's server is started with MIMALLOC_PURGE_DELAY=1000 by the package scripts (scripts/runtime-env.mjs):
  // say whether this run had it, since it changes Bun's figures by up to 2×.
  const purge = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.MIMALLOC_PURGE_DELAY;
  if (runtimeLabel().startsWith('bun')) console.log(`MIMALLOC_PURGE_DELAY=${purge ?? '(unset: mimalloc default, 10 ms)'}${purge === undefined ? ' — `bun run serve` sets 1000; run as MIMALLOC_PURGE_DELAY=1000 npx bun bench/block-workers.bench.ts for its figures' : ''}`);
}
console.log(`\n${sel.report.split('\n').map((l) => `> ${l}`).join('\n')}\n`);
console.log(`| block | size MB | txs | inputs | signatures alone, 1 thread s | ceiling ${WORKERS}w µs/input | no scripts s | in-thread s | µs/input | ${WORKERS}w cold s | µs/input | ceiling ratio | ${WORKERS}w warm (sig cache) s | µs/input | ${WORKERS}w again s | µs/input | pre-validated ok/failed |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const splits: string[] = [];

for (const name of BLOCKS) {
  const b = loadTestnetBlock(name);
  await validateOnce(b); // warm-up of this thread's code (in-thread)
  const sig = await signatureSeconds(b);
  const floor: number[] = [], inThread: number[] = [], cold: number[] = [], warm: number[] = [], again: number[] = [];
  const split: Split[] = [];
  let pre = { ok: 0, failed: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    floor.push(await validateOnce(b, () => ({ ok: true })));
    inThread.push(await validateOnce(b));
  }
  // One pool per block, JIT-warmed as a long-running server's workers are: on other blocks,
  // then on this block once. Every timed run starts from emptied caches (pool.stats({ clear })).
  const pool = await newPool();
  try {
    for (const w of warmups) await validateOnce(w, poolChecker(pool));
    await validateOnce(b, poolChecker(pool));
    for (let r = 0; r < ROUNDS; r++) {
      const w0 = await pool.stats({ clear: true });
      const c0 = threadRunMs('self');
      cold.push(await validateOnce(b, poolChecker(pool)));
      // Threads ranked by CPU in this cold run; the workers are the busiest non-main ones.
      const t = splitThreads(c0, threadRunMs('self'), PID, WORKERS);
      const w1 = await pool.stats();
      const busy = w1.map((w, i) => (w.busyMs ?? NaN) - (w0[i]!.busyMs ?? NaN));
      const sigMs = w1.map((w, i) => (w.sigMs ?? NaN) - (w0[i]!.sigMs ?? NaN));
      split.push({ main: t.main, workersCpu: t.top, rest: t.rest, busy, sig: sigMs });
      const per = busy.map((x, i) => `worker ${i}: ${x.toFixed(0)} ms busy = ${sigMs[i]!.toFixed(0)} signatures + ${(x - sigMs[i]!).toFixed(0)} else (${((100 * sigMs[i]!) / x).toFixed(0)} %)`).join('; ');
      console.error(`[block-workers] ${name} cold round ${r}: ${cold.at(-1)!.toFixed(3)} s; ${per}; CPU ms main ${s0(t.main)}, ${t.all.map(([k, v]) => `${k.split(':')[1]} ${s0(v)}`).join(', ')}`);
      await pool.stats({ clear: true });
      pre = await prevalidate(pool, b);
      warm.push(await validateOnce(b, poolChecker(pool)));
      again.push(await validateOnce(b, poolChecker(pool)));
    }
  } finally {
    await pool.close();
  }
  const us = (s: number) => ((s * 1e6) / b.inputs).toFixed(1);
  const s3 = (s: number) => s.toFixed(3);
  const [f, t, c, w, a] = [median(floor), median(inThread), median(cold), median(warm), median(again)];
  console.log(`| ${name} | ${(b.raw.length / 1e6).toFixed(2)} | ${b.block.txs.length} | ${b.inputs} | ${s3(sig.s)} | ${us(sig.s / WORKERS)} | ${s3(f)} | ${s3(t)} | ${us(t)} | **${s3(c)}** | **${us(c)}** | **${(sig.s / WORKERS / c).toFixed(2)}** | **${s3(w)}** | **${us(w)}** | ${s3(a)} | ${us(a)} | ${pre.ok}/${pre.failed} |`);
  // The cold round of median time, its split.
  const m = split[cold.indexOf(c)]!;
  const ws = m.busy.map((x, i) => `${s0(m.sig[i]!)} + ${s0(x - m.sig[i]!)} (${((100 * m.sig[i]!) / x).toFixed(0)} %)`).join(' / ');
  const total = m.main + m.workersCpu.reduce((x, y) => x + y, 0) + m.rest;
  splits.push(`| ${name} | ${ws} | ${s0(m.main)} | ${m.workersCpu.map(s0).join(' / ')} | ${s0(m.rest)} | ${s0(sig.cpuMs)} | **${(sig.cpuMs / total).toFixed(2)}** |`);
}
console.log(`\nSplit of the median cold run: each worker's time in batches as signatures + everything else (signatures' share), ms (timed in the worker); CPU ms per thread from /proc schedstat (main; the ${WORKERS} busiest others = the workers; every other thread); the signatures' CPU alone (the replay, on this thread); CPU ratio = signatures' CPU ÷ all threads' CPU in the cold run (what the ceiling ratio would be with the ${WORKERS} cores to itself and no idle core).\n`);
console.log(`| block | workers: signatures + else ms | main CPU ms | workers CPU ms | other threads CPU ms | signatures alone CPU ms | CPU ratio |`);
console.log('|---|---|---:|---|---:|---:|---:|');
for (const l of splits) console.log(l);
