#!/usr/bin/env node
/**
 * Probes for bench/overload.bench.ts, in a process of their own (as a kubelet's are: a busy
 * flood client's event loop would add its own lag to every figure):
 *
 *   node bench/probe.mjs '{"targets":{"health":"http://127.0.0.1:P/health",…},"everyMs":100,"durationMs":60000}'
 *
 * GET each target every `everyMs` on its own keep-alive connection for `durationMs`, and the
 * same of `control`: a trivial HTTP server inside this process, answered by a thread that does
 * nothing else — the machine's own latency floor at this process's priority (nice level), to
 * tell the server's delays from the machine's. Prints one JSON line: per target the latency
 * summary, statuses and, where the answer says it, the main thread's heartbeat age.
 */
import http from 'node:http';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const everyMs = cfg.everyMs ?? 100;
const durationMs = cfg.durationMs ?? 60_000;
for (const u of Object.values(cfg.targets ?? {})) {
  if (!['127.0.0.1', 'localhost'].includes(new URL(u).hostname)) {
    console.error(`probe: refusing non-loopback target ${u}`);
    process.exit(2);
  }
}

const control = http.createServer((req, res) => res.end('{"status":"ok"}'));
await new Promise((r) => control.listen(0, '127.0.0.1', r));
const targets = { ...cfg.targets, control: `http://127.0.0.1:${control.address().port}/health` };

const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), max: pct(xs, 100) });

let stop = false;
async function probe(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  const ages = [];
  const statuses = {};
  while (!stop) {
    const t0 = performance.now();
    const r = await new Promise((resolve) => {
      const req = http.get(url, { agent, timeout: 30_000 }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', () => resolve({ status: 0, text: '' }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: 0, text: '' }));
    });
    times.push(performance.now() - t0);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const age = /"heartbeatAgeMs":(\d+)/.exec(r.text)?.[1];
    if (age !== undefined) ages.push(Number(age));
    await new Promise((res) => setTimeout(res, everyMs));
  }
  agent.destroy();
  return { ...summary(times), statuses, ...(ages.length ? { heartbeatAgeMs: summary(ages) } : {}) };
}

setTimeout(() => (stop = true), durationMs);
const names = Object.keys(targets);
const results = await Promise.all(names.map((n) => probe(targets[n])));
control.close();
console.log(JSON.stringify(Object.fromEntries(names.map((n, i) => [n, results[i]]))));
