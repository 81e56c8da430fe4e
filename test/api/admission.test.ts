/**
 * Admission control (src/api/admission.ts) in front of POST /validate and POST /tx: a request
 * over the server's capacity is answered 503 with Retry-After before its body is read (a
 * malformed body is not even looked at), a client over its share of the requests in flight
 * 429 while another client still gets in, a request over the byte budget 503, a deep worker
 * queue 503; GET /health answers while validation is saturated; places are given back once
 * requests are answered; a refusal is answered after the refusal delay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { Admission } from '../../src/api/admission.ts';
import type { AppDeps, ValidateItem, ValidateOutcome } from '../../src/api/deps.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { toHex } from '../../src/primitives/bytes.ts';

/** A stateless deps whose validate() waits until released; counts the items it was given. */
function heldDeps(queueDepth = 0) {
  const waiting: (() => void)[] = [];
  let items = 0;
  const deps: AppDeps = {
    info: () => ({}),
    health: () => ({ ok: true }),
    gauges: () => ({ queueDepth }),
    validate: async (xs: ValidateItem[]): Promise<ValidateOutcome> => {
      items += xs.length;
      await new Promise<void>((r) => waiting.push(r));
      return { busy: false, results: xs.map(() => ({ txid: null, wtxid: null, allowed: false, vsize: null, weight: null, fee: null, feerate: null, reason: 'x', kind: 'policy' }) as never) };
    },
  };
  const release = () => {
    for (const f of waiting.splice(0)) f();
  };
  return { deps, release, items: () => items, waiting: () => waiting.length };
}

const coinbaseHex = toHex(new RegtestChainBuilder().next().block.txs[0]!.raw);
const tick = () => new Promise((r) => setTimeout(r, 5));

test('over capacity: 503 with Retry-After before the body is read; /health still answers; places come back', async () => {
  const h = heldDeps();
  const app = createApp(h.deps, { admission: { maxRequests: 3, minClientShare: 3, refusalDelayMs: 0 } });
  const send = (body: BodyInit, length?: number) => app.request('/validate', {
    method: 'POST', body, headers: { 'content-type': 'text/plain', ...(length !== undefined ? { 'content-length': String(length) } : {}) },
  });
  const held = [send(coinbaseHex), send(coinbaseHex), send(coinbaseHex)];
  while (h.waiting() < 3) await tick();
  // Another client's request, with a body that is never read: a stream that records being pulled.
  let pulled = false;
  const stream = new ReadableStream({ pull(c) { pulled = true; c.enqueue(new TextEncoder().encode('not hex')); c.close(); } }, { highWaterMark: 0 });
  const refused = await app.request(new Request('http://x/validate', {
    method: 'POST', body: stream, headers: { 'content-type': 'text/plain', 'content-length': '7' }, duplex: 'half',
  } as RequestInit), undefined, { client: { address: '10.0.0.9' } });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'busy');
  assert.equal(pulled, false, 'the refused body was not read');
  const health = await app.request('/health');
  assert.equal(health.status, 200);
  h.release();
  for (const r of await Promise.all(held)) assert.equal(r.status, 200);
  assert.equal(h.items(), 3);
  // The places are free again.
  const again = send(coinbaseHex);
  while (h.waiting() < 1) await tick();
  h.release();
  assert.equal((await again).status, 200);
});

test('per client: one client over its share gets 429, another client gets in', async () => {
  const h = heldDeps();
  const app = createApp(h.deps, { admission: { maxRequests: 8, minClientShare: 2, refusalDelayMs: 0 } });
  const from = (address: string) => app.request('/validate', { method: 'POST', body: coinbaseHex, headers: { 'content-type': 'text/plain' } }, { client: { address } });
  // Alone, a client may use every place: 8 in flight from A.
  const a = Array.from({ length: 8 }, () => from('10.0.0.1'));
  while (h.waiting() < 8) await tick();
  const more = await from('10.0.0.1');
  assert.equal(more.status, 429);
  assert.ok(Number(more.headers.get('retry-after')) >= 1);
  assert.equal(((await more.json()) as { error: { code: string } }).error.code, 'rate-limited');
  // B is over nobody's share, but the server is full: 503 (A holds every place).
  assert.equal((await from('10.0.0.2')).status, 503);
  h.release();
  await Promise.all(a);
  // With two clients busy, each gets half: A's fifth request is refused, B's first four get in.
  const a2 = Array.from({ length: 4 }, () => from('10.0.0.1'));
  while (h.waiting() < 4) await tick();
  const b2 = Array.from({ length: 4 }, () => from('10.0.0.2'));
  while (h.waiting() < 8) await tick();
  assert.equal((await from('10.0.0.1')).status, 429);
  assert.equal((await from('10.0.0.2')).status, 429);
  h.release();
  for (const r of await Promise.all([...a2, ...b2])) assert.equal(r.status, 200);
});

test('a deep worker queue and declared bytes over the budget: 503 without parsing, answered after the refusal delay', async () => {
  const h = heldDeps(5000);
  const app = createApp(h.deps, { admission: new Admission({ maxQueue: 4096, refusalDelayMs: 150 }) });
  const t0 = performance.now();
  const r = await app.request('/validate', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
  assert.ok(performance.now() - t0 >= 140, 'the refusal waited for the delay');
  assert.equal(r.status, 503, 'a malformed body is not parsed when the queue is deep');
  assert.match(((await r.json()) as { error: { message: string } }).error.message, /queue is full/);
  const h2 = heldDeps();
  const app2 = createApp(h2.deps, { admission: { maxBytes: 1000, refusalDelayMs: 0 } });
  const send = (body: string) => app2.request('/validate', { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
  // Alone, a request over the byte budget is let in (and parsed: malformed JSON is 400).
  assert.equal((await send('{'.padEnd(1001))).status, 400);
  // With another in flight, it is not.
  const held = send(JSON.stringify({ tx: coinbaseHex }));
  while (h2.waiting() < 1) await tick();
  assert.equal((await send('{'.padEnd(900))).status, 503);
  assert.equal((await send('{')).status, 400, 'within budget: parsed, and refused as malformed JSON');
  h2.release();
  assert.equal((await held).status, 200);
  assert.equal(h.items(), 0);
});
