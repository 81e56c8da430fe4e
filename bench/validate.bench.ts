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
 * --interleave: the ratios to the signature ceiling, 1 → 2 workers or one tree against
 * others, servers side by side (bench/validate-interleave.ts).
 * Parts: validate-common.ts (options, data, shapes), validate-harness.ts (servers, load
 * generator, children), validate-children.ts (the child modes: --ceiling, --ceiling-serve,
 * --inproc, run in the runtime under test).
 */
import type { CryptoSpec } from '../src/runtime/crypto/select.ts';
import type { ServerSetName } from './data.ts';
import { ceilingMode, ceilingServeMode, inprocMode } from './validate-children.ts';
import { flag, opt, SPEC, type Ceiling, type LoadResult, type RuntimeId } from './validate-common.ts';
import { childCryptoFlags, makeHarness, pinnedFlags } from './validate-harness.ts';

interface ConfigResult {
  name: string; set: ServerSetName; workers: number; batch: number; concurrency: number;
  crypto: CryptoSpec; load: LoadResult; ceilingBefore: Ceiling; ceilingAfter: Ceiling;
  ceilingTxPerSec: number; ratio: number; serverCpuMs: number; idle?: LoadResult; resubmit?: LoadResult;
  loadavg: number[];
}

async function orchestrate(): Promise<void> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { loadServerBenchData, serverDataPath } = await import('./data.ts');
  const { interleaved } = await import('./validate-interleave.ts');

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

  const log = (s: string) => console.error(`[validate.bench] ${s}`);
  loadServerBenchData(SPEC, log);
  log(`load generator: ${clientLabel}`);
  const h = await makeHarness({ self, dataPath: serverDataPath(SPEC), client, pipeline, log });
  const { root, data, startServer, postBlocks, loadgen, ceiling, checkAll, cpuTicks } = h;

  if (flag('interleave')) {
    await interleaved(h, { runtimes, cryptoFor, clientLabel });
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
        pinned = pinnedFlags(spec);
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
      inproc = await h.runJson(h.cmd(rt, self, ['--inproc', `--data=${h.dataPath}`, ...childCryptoFlags(spec)]), 300_000);
    }
    report[rt] = { label, configs: results, ...(inproc ? { inproc } : {}) };
  }

  const date = new Date().toISOString().slice(0, 10);
  fs.mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  const outFile = path.join(root, `bench/out/validate-results-${runtimes.join('-')}-${Date.now()}.json`);
  fs.writeFileSync(outFile, JSON.stringify({ date, spec: SPEC, data: data.key, concurrency, client, pipeline, report }, null, 1));
  printReport(report, date, outFile, clientLabel);
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
