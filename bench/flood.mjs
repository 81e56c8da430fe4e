#!/usr/bin/env node
/**
 * Flood client for bench/overload.bench.ts (its own Node process, plain JavaScript):
 *
 *   node bench/flood.mjs '{"url":"http://127.0.0.1:PORT","data":"bench/out/server-data-….json",
 *     "sets":["mix","one"],"concurrency":256,"batch":100,"durationMs":60000,"rate":0,
 *     "healthEveryMs":100,"after":20}'
 *
 * `concurrency` keep-alive connections each send JSON batches of `batch` transactions
 * ({"tx": hex}) of the given sets, cycling through them, one request at a time per
 * connection, for `durationMs` — every answer is counted by status, whatever it is, and the
 * connection goes on at once (Retry-After is not honoured: a flood). `rate` > 0 spaces each
 * connection's requests to that many per second (steady load instead of a flood). On its own
 * connection, GET /health every `healthEveryMs`. When the time is up, the flood stops and
 * `after` single-transaction requests are sent one at a time: the first answers after a flood.
 * Open loop (`openRate` > 0, requests per second): requests are started at that rate whatever
 * the answers, each on a free keep-alive connection or a new one (raw sockets: see openLoop,
 * `connects` counts the connections opened), at most `maxInFlight` at
 * once (the client's bound; a request due while the bound is reached is not sent and counted
 * in `skipped`) — the offered load then does not fall when the server slows its answers (a
 * closed loop is throttled by the refusal delay); `processes` > 1 splits it over that many
 * processes (openLoopParts). `healthUrl`: GET /health there instead of
 * on `url` (the --health-port listener); with `mainHealth`, GET /health on `url` is timed too.
 * Prints one JSON line. Only loopback targets.
 */
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALLOWED_TRUE, occurrences, parseResponse } from './http-wire.mjs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(cfg.url);
const concurrency = cfg.concurrency ?? 256;
const batch = cfg.batch ?? 100;
const durationMs = cfg.durationMs ?? 60_000;
const rate = cfg.rate ?? 0;
const healthEveryMs = cfg.healthEveryMs ?? 100;
const openRate = cfg.openRate ?? 0;
const maxInFlight = cfg.maxInFlight ?? 2048;
const healthUrl = cfg.healthUrl ? new URL(cfg.healthUrl) : undefined;
for (const u of [url, healthUrl]) {
  if (u && !['127.0.0.1', 'localhost'].includes(u.hostname)) {
    console.error(`flood: refusing non-loopback target ${u.hostname}`);
    process.exit(2);
  }
}
// The flood, its drain (up to 60 s) and the requests after it (up to 30 s each).
const hardStop = setTimeout(() => process.exit(3), durationMs + 120_000 + (cfg.after ?? 20) * 30_000);
hardStop.unref();

const data = JSON.parse(readFileSync(cfg.data, 'utf8'));
const txs = (cfg.sets ?? ['mix', 'one']).flatMap((s) => data.sets[s].map((x) => x.tx));
const bodies = [];
for (let i = 0; i + batch <= txs.length; i += batch) bodies.push(Buffer.from(JSON.stringify(txs.slice(i, i + batch).map((tx) => ({ tx })))));
const singles = txs.slice(0, 200).map((tx) => Buffer.from(tx, 'hex'));

const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(concurrency, openRate > 0 ? maxInFlight : 0) + 2 });
/** /health gets its own connection, never queued behind the flood's. */
const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
function request(method, path, body, type, timeoutMs = 60_000, to = url, via = agent) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ agent: via, host: to.hostname, port: to.port, path, method, timeout: timeoutMs,
      headers: body ? { 'content-type': type, 'content-length': body.length } : {} }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, error: e.message }));
    req.end(body);
  });
}

const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), max: pct(xs, 100) });

const byStatus = {};
const latency = {};
const errors = {};
let txSent = 0;
let allowedTx = 0;
let next = 0;
let stop = false;

async function one() {
  const r = await request('POST', '/validate', bodies[next++ % bodies.length], 'application/json');
  byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  (latency[r.status] ??= []).push(r.ms);
  if (r.status === 0) errors[r.error] = (errors[r.error] ?? 0) + 1;
  if (r.status === 200) allowedTx += (r.text.match(/"allowed":true/g) ?? []).length;
}

async function loop() {
  while (!stop) {
    const t0 = performance.now();
    txSent += batch;
    await one();
    if (rate > 0) {
      const wait = 1000 / rate - (performance.now() - t0);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  }
}

let inFlight = 0;
let skipped = 0;
let connects = 0;

/**
 * The open loop, on raw sockets (bench/http-wire.mjs): every request is one pre-built buffer
 * (head and body) written on a free keep-alive connection or a new one, the answer framed
 * and, for a 200, its `"allowed":true` counted — a few microseconds of the client's CPU per
 * request, where node:http's client took most of a core at 10× capacity. Every 5 ms the
 * requests due by now are started (up to maxInFlight at once). A connection the server
 * closes before answering counts its request as unanswered, by the socket's error.
 */
async function openLoop() {
  const host = url.hostname;
  const port = Number(url.port);
  const wires = bodies.map((b) => Buffer.concat([
    Buffer.from(`POST /validate HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n`, 'latin1'), b,
  ]));
  const free = [];
  const busy = new Set();
  const finish = (conn, status, text, error) => {
    const t0 = conn.t0;
    conn.t0 = undefined;
    busy.delete(conn);
    inFlight--;
    const ms = performance.now() - t0;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    (latency[status] ??= []).push(ms);
    if (status === 0) errors[error] = (errors[error] ?? 0) + 1;
    if (status === 200) allowedTx += occurrences(text, ALLOWED_TRUE);
  };
  const connect = () => {
    connects++;
    const conn = { sock: net.connect({ host, port }), buf: null, t0: undefined, error: undefined, open: true };
    conn.sock.setNoDelay(true);
    conn.sock.on('data', (chunk) => {
      conn.buf = conn.buf === null ? chunk : Buffer.concat([conn.buf, chunk]);
      let res;
      try {
        res = parseResponse(conn.buf, false);
      } catch (e) {
        conn.sock.destroy(e);
        return;
      }
      if (res === null) return;
      conn.buf = null;
      if (conn.t0 !== undefined) finish(conn, res.status, res.body);
      if (res.close) {
        conn.open = false;
        conn.sock.end();
      } else free.push(conn);
    });
    conn.sock.on('error', (e) => (conn.error = e.code ?? e.message));
    conn.sock.on('close', () => {
      conn.open = false;
      if (conn.t0 !== undefined) finish(conn, 0, undefined, conn.error ?? 'closed before the answer');
    });
    return conn;
  };
  const start = () => {
    let conn = free.pop();
    while (conn && !conn.open) conn = free.pop();
    conn ??= connect();
    conn.t0 = performance.now();
    busy.add(conn);
    conn.sock.write(wires[next++ % wires.length]);
  };
  const t0 = performance.now();
  let due = 0;
  let lastSweep = t0;
  while (!stop) {
    const now = performance.now();
    const want = Math.floor(((now - t0) / 1000) * openRate);
    for (; due < want; due++) {
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      inFlight++;
      txSent += batch;
      start();
    }
    if (now - lastSweep > 1000) {
      lastSweep = now;
      for (const conn of busy) if (now - conn.t0 > 60_000) conn.sock.destroy(new Error('timeout'));
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  const deadline = performance.now() + 60_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  for (const conn of busy) conn.sock.destroy(new Error('timeout'));
  for (const conn of free) conn.sock.destroy();
}

/**
 * `processes` > 1: the open loop's rate is split over that many flood processes (an event loop
 * each, so the client's own thread is not what bounds the offered load), whose tallies are
 * merged here; rates add up per process, each over its own window.
 */
let partRates;
async function openLoopParts(n) {
  const part = { ...cfg, openRate: openRate / n, maxInFlight: Math.ceil(maxInFlight / n), processes: 1, part: true, after: 0, healthEveryMs: 0 };
  const parts = await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [fileURLToPath(import.meta.url), JSON.stringify(part)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood part exited ${code}`))));
  })));
  partRates = { offered: 0, allowed: 0, cpuMs: 0 };
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.latency)) latency[k] = (latency[k] ?? []).concat(v);
    skipped += p.skipped;
    connects += p.connects;
    partRates.offered += (p.txSent / p.windowMs) * 1000;
    partRates.allowed += (p.allowedTx / p.windowMs) * 1000;
    partRates.cpuMs += p.cpuMs;
  }
}

function healthLoop(to, via) {
  const times = [];
  const ages = [];
  const statuses = {};
  const run = async () => {
    while (!stop) {
      const r = await request('GET', '/health', undefined, undefined, 30_000, to, via);
      times.push(r.ms);
      // The health listener says how old the main thread's heartbeat is: its event-loop lag.
      const age = /"heartbeatAgeMs":(\d+)/.exec(r.text ?? '')?.[1];
      if (age !== undefined) ages.push(Number(age));
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      await new Promise((res) => setTimeout(res, healthEveryMs));
    }
  };
  return { times, ages, statuses, done: run() };
}

const t0 = performance.now();
const cpu0 = process.cpuUsage();
// The rates are over the flood's window; answers that arrive after it still count.
let windowMs;
setTimeout(() => {
  stop = true;
  windowMs = performance.now() - t0;
}, durationMs);
// healthEveryMs 0: no probes here (bench/probe.mjs times them from a process of its own).
const health = healthEveryMs > 0 ? healthLoop(healthUrl ?? url, healthAgent) : { times: [], ages: [], statuses: {}, done: undefined };
const mainHealth = healthEveryMs > 0 && healthUrl && cfg.mainHealth ? healthLoop(url, new http.Agent({ keepAlive: true, maxSockets: 2 })) : undefined;
const flood = openRate > 0 ? [(cfg.processes ?? 1) > 1 ? openLoopParts(cfg.processes) : openLoop()] : Array.from({ length: concurrency }, loop);
await Promise.all([health.done, mainHealth?.done, ...flood]);
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (cfg.part) {
  // One part of a flood of several processes: the raw tallies, for openLoopParts to merge.
  const rounded = Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, v.map((ms) => Math.round(ms * 10) / 10)]));
  const line = JSON.stringify({ byStatus, errors, latency: rounded, skipped, connects, txSent, allowedTx, windowMs: windowMs ?? elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  // Exits once the line is written (a pipe takes a large line in several writes).
  process.stdout.write(`${line}\n`, () => process.exit(0));
  await new Promise(() => {});
}

const after = [];
for (let i = 0; i < (cfg.after ?? 20); i++) {
  const r = await request('POST', '/validate', singles[i % singles.length], 'application/octet-stream', 30_000);
  after.push({ status: r.status, ms: Math.round(r.ms * 10) / 10 });
}
agent.destroy();
healthAgent.destroy();

const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({
  concurrency: openRate > 0 ? undefined : concurrency, openRate, maxInFlight: openRate > 0 ? maxInFlight : undefined, skipped, connects: openRate > 0 ? connects : undefined, batch, rate, elapsedMs: Math.round(elapsedMs), requests, byStatus,
  processes: cfg.processes, offeredTxPerSec: Math.round(partRates?.offered ?? (txSent / (windowMs ?? elapsedMs)) * 1000),
  allowedTxPerSec: Math.round(partRates?.allowed ?? (allowedTx / (windowMs ?? elapsedMs)) * 1000),
  latencyByStatus: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, summary(v)])),
  health: summary(health.times), healthStatus: health.statuses, ...(health.ages.length ? { heartbeatAgeMs: summary(health.ages) } : {}),
  ...(mainHealth ? { mainHealth: summary(mainHealth.times), mainHealthStatus: mainHealth.statuses } : {}), clientErrors: errors, after,
  clientCpuMs: Math.round((cpu.user + cpu.system) / 1000 + (partRates?.cpuMs ?? 0)),
}));
