#!/usr/bin/env node
/**
 * Load generator for POST /validate (bench/validate.bench.ts starts it as its own process,
 * so the client's CPU is not the server's). Plain Node, no TypeScript loader:
 *
 *   node bench/loadgen.mjs '{"url":"http://127.0.0.1:PORT","data":"bench/out/server-data-….json",
 *     "set":"mix","from":0,"count":4000,"concurrency":48,"batch":1,"durationMs":60000,
 *     "client":"http","pipeline":1}'
 *
 * Sends each transaction of data.sets[set][from … from+count) exactly once, from
 * `concurrency` request loops. batch = 1 sends the raw bytes (application/octet-stream);
 * batch > 1 sends JSON arrays of {tx: hex}. Two clients:
 *   - "http" (default; every figure in bench/README.md above its load-generator section
 *     used it): node:http Agent with keep-alive, one request at a time per loop, each
 *     answer JSON.parse'd;
 *   - "raw": one node:net socket per loop (HTTP/1.1 keep-alive), every request serialized
 *     into one Buffer before the clock starts (and the sockets connected), answers parsed
 *     minimally (status line, headers up to CRLFCRLF, Content-Length or chunked body) and
 *     the verdict checked by counting `"allowed":true` (must equal the request's number of
 *     transactions) and `"allowed":false` (must be 0) in the body — a key can't occur
 *     inside a JSON string value, whose quotes are escaped. Anything else is JSON.parse'd
 *     for its reasons. `pipeline` (raw only, default 1) = requests in flight per socket.
 *     About 3× less client CPU per request than "http" (0.09–0.12 vs 0.30–0.37 ms on this
 *     machine; bench/README.md, last section).
 * Stops when every transaction was sent or `durationMs` passed (no new requests after
 * that), and exits by itself after durationMs + 30 s whatever happens. Only loopback
 * addresses are accepted as targets.
 * Prints one JSON line: counts, verdicts, tx/s, request latency percentiles (ms), CPU used.
 */
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { ALLOWED_FALSE, ALLOWED_TRUE, occurrences, parseResponse } from './http-wire.mjs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(cfg.url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
  console.error(`loadgen: refusing non-loopback target ${url.hostname}`);
  process.exit(2);
}
const client = cfg.client ?? 'http';
if (client !== 'http' && client !== 'raw') {
  console.error(`loadgen: unknown client ${client} (http or raw)`);
  process.exit(2);
}
const pipeline = Math.max(1, cfg.pipeline ?? 1);
if (pipeline > 1 && client !== 'raw') {
  console.error('loadgen: pipeline > 1 needs "client":"raw"');
  process.exit(2);
}
const host = url.hostname.replace(/^\[|\]$/g, '');
const port = Number(url.port || 80);
const concurrency = cfg.concurrency ?? 48;
const batch = Math.max(1, cfg.batch ?? 1);
const durationMs = cfg.durationMs ?? 60_000;
const requestTimeoutMs = cfg.requestTimeoutMs ?? 20_000;
const hardStop = setTimeout(() => {
  console.error('loadgen: hard time limit reached');
  process.exit(3);
}, durationMs + 30_000);
hardStop.unref();

const from = cfg.from ?? 0;
/** Request bodies, built before the clock starts (the data file is not kept: less to GC). */
function readBodies() {
  const all = JSON.parse(readFileSync(cfg.data, 'utf8')).sets[cfg.set];
  if (!all) throw new Error(`no set ${cfg.set}`);
  const items = all.slice(from, from + (cfg.count ?? all.length));
  const out = [];
  for (let i = 0; i < items.length; i += batch) {
    const chunk = items.slice(i, i + batch);
    if (batch === 1) out.push({ n: 1, type: 'application/octet-stream', body: Buffer.from(chunk[0].tx, 'hex') });
    else out.push({ n: chunk.length, type: 'application/json', body: Buffer.from(JSON.stringify(chunk.map((x) => ({ tx: x.tx })))) });
  }
  return { bodies: out, requested: items.length };
}
const { bodies, requested } = readBodies();

const lat = new Float64Array(bodies.length);
let next = 0;
let done = 0;
let allowed = 0;
let rejected = 0;
let errors = 0;
const reasons = {};
const statuses = {};
const count = (o, k, n = 1) => (o[k] = (o[k] ?? 0) + n);

/** A failed request (no HTTP answer): all its transactions count as errors. */
function clientError(b, message) {
  errors += b.n;
  count(reasons, `client: ${message}`);
}
/** Tallies one answer the slow way: the parsed JSON (one result or an array of them). */
function tallyParsed(b, status, text) {
  lat[done++] = performance.now() - b.sentAt;
  count(statuses, status);
  if (status !== 200) {
    errors += b.n;
    count(reasons, `HTTP ${status}`);
    return;
  }
  let j;
  try {
    j = JSON.parse(text);
  } catch {
    errors += b.n;
    count(reasons, 'client: answer is not JSON');
    return;
  }
  for (const x of Array.isArray(j) ? j : [j]) {
    if (x.allowed) allowed++;
    else {
      rejected++;
      count(reasons, x.reason ?? '?');
    }
  }
}

// ---------------------------------------------------------------------------------------
// "http": node:http Agent, keep-alive (the original client).

async function runHttp() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const post = (b) => new Promise((resolve, reject) => {
    const req = http.request({
      agent, host, port, path: '/validate', method: 'POST',
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
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const cpu0 = process.cpuUsage();
  const loop = async () => {
    while (next < bodies.length && performance.now() < deadline) {
      const b = bodies[next++];
      b.sentAt = performance.now();
      let r;
      try {
        r = await post(b);
      } catch (e) {
        clientError(b, e.message);
        continue;
      }
      tallyParsed(b, r.status, r.text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, loop));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return { elapsedMs, cpu, connections: Math.min(concurrency, bodies.length) };
}

// ---------------------------------------------------------------------------------------
// "raw": node:net sockets, pre-serialized requests, minimal response parsing (bench/http-wire.mjs).

function tallyRaw(b, res) {
  if (res.status === 200) {
    const yes = occurrences(res.body, ALLOWED_TRUE);
    if (yes === b.n && res.body.indexOf(ALLOWED_FALSE) === -1) {
      lat[done++] = performance.now() - b.sentAt;
      count(statuses, 200);
      allowed += b.n;
      return;
    }
  }
  tallyParsed(b, res.status, res.body.toString('utf8'));
}

async function runRaw() {
  const head = (b) => `POST /validate HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${b.type}\r\nContent-Length: ${b.body.length}\r\n\r\n`;
  for (const b of bodies) b.wire = Buffer.concat([Buffer.from(head(b), 'latin1'), b.body]);
  const open = () => new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  const nConn = Math.min(concurrency, Math.ceil(bodies.length / pipeline));
  let sockets = await Promise.all(Array.from({ length: nConn }, open));

  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const cpu0 = process.cpuUsage();
  let reconnects = 0;

  /** Drives one socket until no work is left; reconnects if the server closes it. */
  const drive = (first) => new Promise((resolveLoop) => {
    let sock = first;
    let inflight = []; // request bodies, in send order
    let buf = null;
    const fill = () => {
      if (inflight.length === 0 && (next >= bodies.length || performance.now() >= deadline)) {
        sock.end();
        resolveLoop();
        return;
      }
      if (sock.destroyed || !sock.writable) return; // (a connecting socket queues writes)
      if (pipeline > 1) sock.cork();
      while (inflight.length < pipeline && next < bodies.length && performance.now() < deadline) {
        const b = bodies[next++];
        inflight.push(b);
        b.sentAt = performance.now();
        sock.write(b.wire);
      }
      if (pipeline > 1) sock.uncork();
    };
    const onData = (chunk) => {
      buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
      let closing = false;
      while (buf !== null) {
        let res;
        try {
          res = parseResponse(buf, false);
        } catch (e) {
          sock.destroy(e);
          return;
        }
        if (res === null) break;
        const b = inflight.shift();
        if (!b) {
          sock.destroy(new Error('unsolicited response'));
          return;
        }
        tallyRaw(b, res);
        buf = res.end === buf.length ? null : buf.subarray(res.end);
        if (res.close) {
          closing = true;
          break;
        }
      }
      if (closing) sock.end();
      else fill();
    };
    const attach = (s) => {
      s.setNoDelay(true);
      s.setTimeout(requestTimeoutMs, () => {
        if (inflight.length) s.destroy(new Error('request timed out'));
      });
      s.on('data', onData);
      let failure = 'connection closed';
      s.on('error', (e) => (failure = e.message));
      s.on('close', () => {
        if (buf !== null && inflight.length) {
          // A body delimited by the end of the connection.
          try {
            const res = parseResponse(buf, true);
            if (res) tallyRaw(inflight.shift(), res);
          } catch { /* counted below */ }
        }
        for (const b of inflight) clientError(b, failure);
        inflight = [];
        buf = null;
        if (next < bodies.length && performance.now() < deadline) {
          reconnects++;
          sock = net.connect({ host, port });
          attach(sock);
          fill(); // queued until connected; a failed connect fails them (no retry loop)
        } else resolveLoop();
      });
    };
    attach(sock);
    fill();
  });
  await Promise.all(sockets.map(drive));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const s of sockets) s.destroy();
  sockets = [];
  return { elapsedMs, cpu, connections: nConn, reconnects };
}

const run = client === 'raw' ? await runRaw() : await runHttp();
const { elapsedMs, cpu } = run;

const sorted = Array.from(lat.subarray(0, done)).sort((a, b) => a - b);
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
const txs = allowed + rejected;
console.log(JSON.stringify({
  set: cfg.set, from, requested, requests: done, batch, concurrency, client, pipeline,
  connections: run.connections, ...(run.reconnects !== undefined ? { reconnects: run.reconnects } : {}),
  allowed, rejected, errors, reasons, statuses,
  elapsedMs, txPerSec: (txs * 1000) / elapsedMs,
  latMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: sorted[sorted.length - 1] ?? NaN, mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) },
  cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
}));
clearTimeout(hardStop);
