/**
 * --interleave: ratios (throughput ÷ signature ceiling; one server ÷ another) measured so
 * that a change of the machine's speed between measurements cannot pass for any of them.
 * This machine's speed moves by up to 1.8× from minute to minute (the same single-thread
 * replay of the same signatures: 1.25 ms or 2.0 ms per noble ECDSA check), so a ceiling
 * taken once before and once after a long load run can belong to another regime.
 * Several servers run side by side: by default a 1-worker and a 2-worker server of this tree;
 * with --roots=.,DIR,… one server per source tree (--workers of them each, default 2), to
 * compare trees. Round k takes, one after the other, a ceiling replay (a long-lived child:
 * --ceiling-serve) of the signature checks of slice k, slice k through one server, another
 * replay, slice k through the next server, …, and a last replay (the servers' order rotates
 * from round to round). Each server sees each transaction once, so every validation is a
 * first one. Per round: of ceiling = tx/s ÷ (workers × 1e6 ÷ µs of signature checks per tx,
 * the mean of the replays on either side); "÷ first" = tx/s ÷ the first server's (1 → 2
 * workers by default). Then two ceiling children replay slice k at the same time: what the
 * machine itself gives two busy threads of this runtime (its other jobs, the runtime's JIT
 * and GC threads and the second thread's share of memory and caches included); "of two
 * replays" = a 2-worker server's tx/s ÷ the two replays' combined tx/s, "machine 1 → 2" =
 * that combined rate ÷ one replay's alone. Reported: every round and the medians.
 *   --interleave [--set=mix] [--slice=500] [--rounds=10] [--batch=1] [--concurrency=48]
 *                [--roots=.,DIR,...] [--workers=2]
 *                [--warm=3000 (P2WPKH spends of the 'one' set sent to each server first)]
 *                [--no-pin (ceiling children not pinned to one CPU each)]
 */
import * as cp from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { ServerSetName } from './data.ts';
import { splitThreads, threadCpuMs, threadWaitMs } from './proc.ts';
import { childCryptoFlags, pinnedFlags, type Harness, type Server } from './validate-harness.ts';
import { flag, median, opt, type RuntimeId } from './validate-common.ts';

interface Plan { label: string; root: string; workers: number }
interface Threads { main: number; workers: number; other: number; workersWait: number; wallMs: number; txs: number }
interface Row { k: number; ceil: number[]; both: number[]; tps: number[]; of: number[]; ofBoth: number[]; scaleM: number; cpu: number[]; p50: number[]; load: number }

/** A long-lived --ceiling-serve child, pinned to CPU `cpu` when `pin`. */
function spawnCeiling(h: Harness, rt: RuntimeId, set: ServerSetName, spec: Server['info']['crypto'], pin: number | undefined) {
  const [c0, c1, cenv] = h.cmd(rt, h.self, ['--ceiling-serve', `--data=${h.dataPath}`, `--set=${set}`, ...childCryptoFlags(spec)]);
  const [f, a] = pin !== undefined ? ['taskset', ['-c', String(pin), c0, ...c1]] : [c0, c1];
  const ch = cp.spawn(f, a, { cwd: h.root, stdio: ['pipe', 'pipe', 'inherit'], env: cenv });
  h.children.add(ch);
  const lines = createInterface({ input: ch.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const r = await lines.next();
    if (r.done) throw new Error('ceiling child ended');
    return JSON.parse(r.value) as T;
  };
  return { ch, next };
}

export async function interleaved(h: Harness, o: { runtimes: RuntimeId[]; cryptoFor: (rt: RuntimeId) => string; clientLabel: string }): Promise<void> {
  const set = (opt('set') ?? 'mix') as ServerSetName;
  const slice = Number(opt('slice') ?? 500);
  const batch = Number(opt('batch') ?? 1);
  const conc = Number(opt('concurrency') ?? (batch > 1 ? 12 : 48));
  const total = h.data.sets[set].length;
  const rounds = Math.min(Number(opt('rounds') ?? 10), Math.floor(total / slice));
  const roots = opt('roots')?.split(',');
  const plans: Plan[] = roots
    ? roots.map((r) => ({ label: r === '.' ? 'this tree' : path.basename(r), root: path.resolve(h.root, r), workers: Number(opt('workers') ?? 2) }))
    : [{ label: '1 worker', root: h.root, workers: 1 }, { label: '2 workers', root: h.root, workers: 2 }];
  const vs = roots ? `÷ ${plans[0]!.label}` : '1 → 2';
  const f0 = (x: number) => x.toFixed(0);
  const out: string[] = [];
  const pinCeiling = !flag('no-pin') && cp.spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  out.push(`## POST /validate, interleaved ratios — ${new Date().toISOString().slice(0, 16)}Z — set ${set}, ${rounds} rounds of ${slice} txs, batch ${batch}, ${conc} connections; ` +
    `servers: ${plans.map((p) => `${p.label} (${p.workers}w)`).join(', ')}; load generator: ${o.clientLabel}; ceiling replays ${pinCeiling ? 'pinned to one CPU each (taskset)' : 'not pinned'}\n`);
  for (const rt of o.runtimes) {
    h.log(`${rt}: starting ${plans.map((p) => `${p.label} (${p.workers}w)`).join(', ')}`);
    const servers: Server[] = [await h.startServer(rt, plans[0]!.workers, [`--crypto=${o.cryptoFor(rt)}`], plans[0]!.root)];
    const spec = servers[0]!.info.crypto;
    for (const p of plans.slice(1)) servers.push(await h.startServer(rt, p.workers, pinnedFlags(spec), p.root));
    // Two ceiling children, each pinned to one CPU (taskset, unless --no-pin) so that
    // "single-core" is literal: a replaying thread's JIT and GC helper threads share its
    // core instead of borrowing the idle second one (which the workers of a 2-worker
    // server do not have). They take turns replaying alone (the ceiling: one core's
    // speed × workers); then both replay the same slice at once: what the machine
    // itself gives two busy processes of this runtime, one per core.
    const cpus = os.cpus().length;
    const cA = spawnCeiling(h, rt, set, spec, pinCeiling ? 0 : undefined);
    const cB = spawnCeiling(h, rt, set, spec, pinCeiling ? 1 % cpus : undefined);
    try {
      // Warm-up: the 'warm' spends (3,000 of every kind, one per request), then --warm spends
      // of the 'one' set (P2WPKH) in batches, so that the JIT has compiled the validation and
      // signature code of every kind before round 0.
      const warmOne = Math.min(Number(opt('warm') ?? 3000), h.data.sets.one.length);
      for (const s of servers) {
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
      const threads = servers.map((): Threads => ({ main: 0, workers: 0, other: 0, workersWait: 0, wallMs: 0, txs: 0 }));
      const run = async (i: number, from: number, what: string) => {
        const s = servers[i]!, workers = plans[i]!.workers;
        const cpu0 = h.cpuTicks(s.pid);
        const t0 = threadCpuMs(s.pid);
        const w0 = threadWaitMs(s.pid);
        const r = await h.loadgen(s.url, set, conc, batch, from, slice);
        const w1 = threadWaitMs(s.pid);
        const t = splitThreads(t0, threadCpuMs(s.pid), s.pid, workers);
        h.checkAll(r, what);
        const acc = threads[i]!;
        acc.main += t.main;
        acc.workers += t.top.reduce((a, b) => a + b, 0);
        acc.other += t.rest;
        for (const [key] of t.all.slice(0, workers)) acc.workersWait += (w1.get(key) ?? 0) - (w0.get(key) ?? 0);
        acc.wallMs += r.elapsedMs;
        acc.txs += r.allowed;
        return { r, cpuMsPerTx: ((h.cpuTicks(s.pid) - cpu0) * 10) / r.allowed };
      };
      const rows: Row[] = [];
      const n = servers.length;
      for (let k = 0; k < rounds; k++) {
        const from = k * slice;
        const order = servers.map((_, j) => (j + k) % n);
        const ceils: number[] = [await ceil(from)];
        const got: Awaited<ReturnType<typeof run>>[] = [];
        for (const i of order) {
          got[i] = await run(i, from, `${rt} round ${k}`);
          ceils.push(await ceil(from));
        }
        const both = await ceilBoth(from);
        const twoAtOnce = 1e6 / both[0]! + 1e6 / both[1]!;
        const at = (i: number) => order.indexOf(i);
        const tps = got.map((g) => g.r.txPerSec);
        const row: Row = {
          k, ceil: ceils, both, tps,
          of: tps.map((t, i) => t / ((plans[i]!.workers * 1e6) / ((ceils[at(i)]! + ceils[at(i) + 1]!) / 2))),
          ofBoth: tps.map((t) => t / twoAtOnce),
          // the machine's two-core signature throughput: both replays at once, ÷ one replay's alone
          scaleM: twoAtOnce / (1e6 / (ceils.reduce((a, b) => a + b, 0) / ceils.length)),
          cpu: got.map((g) => g.cpuMsPerTx), p50: got.map((g) => g.r.latMs.p50), load: os.loadavg()[0]!,
        };
        rows.push(row);
        h.log(`${rt} round ${k}: ` + plans.map((p, i) => `${p.label} ${f0(tps[i]!)} tx/s (${f0(row.of[i]! * 100)}% of ceiling)`).join(', ') +
          `; ceiling replays ${ceils.map((c) => c.toFixed(0)).join(' / ')} µs/tx, two at once ${both.map((c) => c.toFixed(0)).join(' / ')}`);
      }
      out.push(`### ${servers[0]!.info.runtime}: ${spec.crypto} signatures, ${spec.sha256} SHA-256\n`);
      const two = plans.map((p, i) => (p.workers === 2 ? i : -1)).filter((i) => i >= 0);
      out.push(`| round | ceiling replays µs/tx | ${plans.map((p) => `${p.label} tx/s | of ceiling`).join(' | ')} | ${plans.slice(1).map((p) => `${p.label} ${vs}`).join(' | ')} | ` +
        `two replays at once µs/tx | ${two.map((i) => `${plans[i]!.label} of that`).join(' | ')} | machine 1 → 2 | server CPU ms/tx | p50 ms | load avg |`);
      out.push(`|---:|---|${plans.map(() => '---:|---:|').join('')}${plans.slice(1).map(() => '---:|').join('')}---|${two.map(() => '---:|').join('')}---:|---|---|---:|`);
      const ratio = (r: Row, i: number) => r.tps[i]! / r.tps[0]!;
      for (const r of rows) {
        out.push(`| ${r.k} | ${r.ceil.map((c) => c.toFixed(0)).join(' / ')} | ${plans.map((_, i) => `${f0(r.tps[i]!)} | ${f0(r.of[i]! * 100)}%`).join(' | ')} | ` +
          `${plans.slice(1).map((_, j) => `${ratio(r, j + 1).toFixed(2)}×`).join(' | ')} | ${r.both.map((c) => c.toFixed(0)).join(' / ')} | ` +
          `${two.map((i) => `${f0(r.ofBoth[i]! * 100)}%`).join(' | ')} | ${r.scaleM.toFixed(2)}× | ${r.cpu.map((c) => c.toFixed(3)).join(' / ')} | ` +
          `${r.p50.map((c) => c.toFixed(1)).join(' / ')} | ${r.load.toFixed(1)} |`);
      }
      const med = (f: (r: Row) => number) => median(rows.map(f));
      out.push(`| **median** | | ${plans.map((_, i) => `${f0(med((r) => r.tps[i]!))} | **${f0(100 * med((r) => r.of[i]!))}%**`).join(' | ')} | ` +
        `${plans.slice(1).map((_, j) => `**${med((r) => ratio(r, j + 1)).toFixed(2)}×**`).join(' | ')} | | ${two.map((i) => `${f0(100 * med((r) => r.ofBoth[i]!))}%`).join(' | ')} | ` +
        `${med((r) => r.scaleM).toFixed(2)}× | | | |\n`);
      const pc = (ms: number, wall: number) => `${((100 * ms) / wall).toFixed(0)}%`;
      plans.forEach((p, i) => {
        const a = threads[i]!;
        const w = p.workers === 1 ? 'worker' : 'workers';
        out.push(`* ${p.label} (${p.workers}w): CPU over the timed slices, in % of one core — main thread ${pc(a.main, a.wallMs)}, validation ${w} ${pc(a.workers, a.wallMs)}, ` +
          `other threads (JIT, GC, allocator) ${pc(a.other, a.wallMs)}; per tx: main ${(a.main / a.txs * 1000).toFixed(0)} µs, workers ${(a.workers / a.txs * 1000).toFixed(0)} µs, other ${(a.other / a.txs * 1000).toFixed(0)} µs` +
          (a.workersWait > 0 ? `; ${w} runnable but waiting for a CPU ${pc(a.workersWait, a.wallMs)} (${(a.workersWait / a.txs * 1000).toFixed(0)} µs/tx)` : ''));
      });
      out.push('');
    } finally {
      for (const c of [cA.ch, cB.ch]) {
        c.stdin!.end();
        c.kill('SIGKILL');
      }
      for (const s of servers) await s.stop();
    }
  }
  console.log(out.join('\n'));
}
