// --health-port against the real server (startServer in this process): GET /health and GET
// /ready answered from the listener's own thread while the main thread — this test's thread —
// is kept busy, as an admitted batch or a flood keeps it; the main port's /health waits for it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorker, request, type WorkerHandle } from '../../src/runtime/worker.ts';
import { ConfigError } from '../../src/runtime/config.ts';
import { startTestServer, type TestServer } from '../util/server.ts';

let srv: TestServer | undefined;
let probe: WorkerHandle | undefined;

before(async () => {
  srv = await startTestServer(['--health-port', '0']);
  probe = createWorker(new URL('../util/probe-worker.ts', import.meta.url));
});
after(async () => {
  await probe?.terminate();
  await srv?.close();
});

type Probe = { status: number; ms: number };

/**
 * Keeps this thread busy for `busyMs` while the probe's thread sends one timed GET of `url`
 * 300 ms into it.
 */
function probeWhileBusy(url: string, busyMs: number): Promise<Probe> {
  const answer = request<Probe>(probe!, { url, timeoutMs: 10_000, delayMs: 300 }, 30_000);
  const end = Date.now() + busyMs;
  while (Date.now() < end) { /* busy, as a long synchronous batch */ }
  return answer;
}

test('the health port answers within 1 s while the main thread is busy for 3 s; the main port waits', { timeout: 60_000 }, async () => {
  const healthUrl = srv!.server.healthUrl;
  assert.ok(healthUrl, 'startServer reports the health listener');
  assert.ok(srv!.log.some((l) => l.includes(`health listener on ${healthUrl}`)));
  // Warm-up: the probe's first requests (its fetch, connections) outside the timing.
  for (const u of [`${healthUrl}/health`, `${srv!.url}/health`]) assert.equal((await request<Probe>(probe!, { url: u, timeoutMs: 30_000 }, 60_000)).status, 200);

  const side = await probeWhileBusy(`${healthUrl}/health`, 3_000);
  assert.equal(side.status, 200);
  assert.ok(side.ms < 1_000, `GET /health on the health port took ${Math.round(side.ms)} ms while the main thread was busy`);

  // The control: the same probe on the main port waits for the busy main thread.
  const main = await probeWhileBusy(`${srv!.url}/health`, 3_000);
  assert.equal(main.status, 200);
  assert.ok(main.ms >= 1_000, `GET /health on the main port took only ${Math.round(main.ms)} ms: the main thread was not busy`);
});

test('the health port reports the node and its readiness', async () => {
  const healthUrl = srv!.server.healthUrl!;
  const h = await fetch(`${healthUrl}/health`);
  assert.equal(h.status, 200);
  const body = await h.json() as Record<string, unknown>;
  assert.equal(body.status, 'ok');
  assert.equal(body.tip, 0);
  assert.equal(body.workers, 2);
  assert.equal(body.lifecycle, 'serving');
  assert.equal(typeof body.heartbeatAgeMs, 'number');
  const r = await fetch(`${healthUrl}/ready`);
  assert.equal(r.status, 200);
  const ready = await r.json() as Record<string, unknown>;
  assert.deepEqual([ready.ready, ready.state, ready.synced], [true, 'serving', true]);
  // Only the probes' routes: the API stays on the main port.
  const v = await fetch(`${healthUrl}/validate`, { method: 'POST', body: '00', headers: { 'content-type': 'text/plain' } });
  assert.equal(v.status, 404);
  await v.body?.cancel();
});

test('a health port already in use is a configuration error', async () => {
  const used = new URL(srv!.server.healthUrl!).port;
  await assert.rejects(startTestServer(['--health-port', used]), (e: unknown) => e instanceof ConfigError && /^--health-port: /.test(e.message));
});
