#!/usr/bin/env node
/**
 * Load generator for POST /validate (bench/validate.bench.ts starts it as its own process,
 * so the client's CPU is not the server's). Plain Node, no TypeScript loader:
 *
 *   node bench/loadgen.mjs '{"url":"http://127.0.0.1:PORT","data":"bench/out/server-data-….json",
 *     "set":"mix","from":0,"count":4000,"concurrency":48,"batch":1,"durationMs":60000}'
 *
 * Sends each transaction of data.sets[set][from … from+count) exactly once, from
 * `concurrency` request loops over keep-alive connections (node:http Agent). batch = 1 sends
 * the raw bytes (application/octet-stream); batch > 1 sends JSON arrays of {tx: hex}.
 * Stops when every transaction was sent or `durationMs` passed (no new requests after
 * that), and exits by itself after durationMs + 30 s whatever happens. Only loopback
 * addresses are accepted as targets.
 * Prints one JSON line: counts, verdicts, tx/s, request latency percentiles (ms), CPU used.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(cfg.url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
  console.error(`loadgen: refusing non-loopback target ${url.hostname}`);
  process.exit(2);
}
const concurrency = cfg.concurrency ?? 48;
const batch = Math.max(1, cfg.batch ?? 1);
const durationMs = cfg.durationMs ?? 60_000;
const requestTimeoutMs = cfg.requestTimeoutMs ?? 20_000;
const hardStop = setTimeout(() => {
  console.error('loadgen: hard time limit reached');
  process.exit(3);
}, durationMs + 30_000);
hardStop.unref();

const file = JSON.parse(readFileSync(cfg.data, 'utf8'));
const all = file.sets[cfg.set];
if (!all) throw new Error(`no set ${cfg.set}`);
const from = cfg.from ?? 0;
const items = all.slice(from, from + (cfg.count ?? all.length));
// Request bodies, built before the clock starts.
const bodies = [];
for (let i = 0; i < items.length; i += batch) {
  const chunk = items.slice(i, i + batch);
  if (batch === 1) bodies.push({ n: 1, type: 'application/octet-stream', body: Buffer.from(chunk[0].tx, 'hex') });
  else bodies.push({ n: chunk.length, type: 'application/json', body: Buffer.from(JSON.stringify(chunk.map((x) => ({ tx: x.tx })))) });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

function post(b) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: '/validate', method: 'POST',
      headers: { 'content-type': b.type, 'content-length': b.body.length },
      timeout: requestTimeoutMs,
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(b.body);
  });
}

const lat = new Float64Array(bodies.length);
let next = 0;
let done = 0;
let allowed = 0;
let rejected = 0;
let errors = 0;
const reasons = {};
const statuses = {};
const t0 = performance.now();
const deadline = t0 + durationMs;
const cpu0 = process.cpuUsage();

async function loop() {
  while (next < bodies.length && performance.now() < deadline) {
    const i = next++;
    const b = bodies[i];
    const s = performance.now();
    let r;
    try {
      r = await post(b);
    } catch (e) {
      errors += b.n;
      reasons[`client: ${e.message}`] = (reasons[`client: ${e.message}`] ?? 0) + 1;
      continue;
    }
    lat[done++] = performance.now() - s;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status !== 200) {
      errors += b.n;
      reasons[`HTTP ${r.status}`] = (reasons[`HTTP ${r.status}`] ?? 0) + 1;
      continue;
    }
    const j = JSON.parse(r.text);
    for (const x of Array.isArray(j) ? j : [j]) {
      if (x.allowed) allowed++;
      else {
        rejected++;
        const k = x.reason ?? '?';
        reasons[k] = (reasons[k] ?? 0) + 1;
      }
    }
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, loop));
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
agent.destroy();

const sorted = Array.from(lat.subarray(0, done)).sort((a, b) => a - b);
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
const txs = allowed + rejected;
console.log(JSON.stringify({
  set: cfg.set, from, requested: items.length, requests: done, batch, concurrency,
  allowed, rejected, errors, reasons, statuses,
  elapsedMs, txPerSec: (txs * 1000) / elapsedMs,
  latMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: sorted[sorted.length - 1] ?? NaN, mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) },
  cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
}));
clearTimeout(hardStop);
