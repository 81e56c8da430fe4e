// Hostile clients against the app itself (in process, the same on every runtime): bodies
// are read only after authentication, within a deadline and an in-flight cap (src/api/body.ts);
// JSON nesting is bounded before parsing; failed authentication is rate-limited per client
// address and globally (src/api/access.ts); a server failure's details stay in the log.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { AuthFailureLimiter } from '../../src/api/access.ts';
import { BodyGate, jsonTooDeep, MAX_JSON_DEPTH } from '../../src/api/body.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import type { AppDeps } from '../../src/api/deps.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { AUTH, mempoolApp, spend, freshTxid, TestMempoolNode } from './mempool-deps.ts';

/** A body stream of `chunks` chunks of `size` bytes that counts how many were pulled; `stall` never ends it. */
function countingBody(chunks: number, size: number, stall = false): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let n = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (n >= chunks) {
        if (!stall) c.close();
        return stall ? new Promise(() => undefined) : undefined;
      }
      n++;
      c.enqueue(new Uint8Array(size).fill(0x20));
      return undefined;
    },
  }, { highWaterMark: 0 });
  return { body, pulled: () => n };
}

function streamed(url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  return new Request(url, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('JSON nesting is bounded before parsing', () => {
  test('jsonTooDeep counts brackets outside strings only', () => {
    assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH)), false);
    assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH + 1)), true);
    assert.equal(jsonTooDeep(`{"a":"${'['.repeat(500)}"}`), false);
    // An escaped quote does not end the string; an escaped backslash before a quote does.
    assert.equal(jsonTooDeep(`["\\"${'['.repeat(100)}"]`), false);
    assert.equal(jsonTooDeep(`["\\\\"${'['.repeat(100)}]`), true);
    assert.equal(jsonTooDeep(`[{"k":${nested(3)}}]`, 4), true);
    assert.equal(jsonTooDeep(`[{"k":${nested(2)}}]`, 4), false);
  });

  test('JSON-RPC: a deeply nested id is Core\'s parse error with HTTP 400, not echoed', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const id = nested(100);
    const res = await app.request('/', { method: 'POST', body: `{"method":"getblockcount","id":${id}}`, headers: { authorization: AUTH } });
    assert.equal(res.status, 400);
    const body = await res.json() as { result: null; error: { code: number; message: string }; id: null };
    assert.deepEqual([body.result, body.error.code, body.id], [null, -32700, null]);
    assert.match(body.error.message, /^Parse error: JSON nested deeper than 64 levels$/);
    // At the bound it is an ordinary request.
    const ok = await app.request('/', { method: 'POST', body: `{"method":"getblockcount","id":${nested(MAX_JSON_DEPTH - 1)}}`, headers: { authorization: AUTH } });
    assert.equal(ok.status, 200);
  });

  test('POST /validate and POST /tx: 400 naming the bound', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    for (const path of ['/validate', '/tx']) {
      const res = await app.request(path, { method: 'POST', body: `{"tx":"00","x":${nested(5000)}}`, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, path);
      const e = (await res.json() as { error: { code: string; message: string } }).error;
      assert.equal(e.code, 'bad-request');
      assert.match(e.message, /nested deeper than 64 levels/, path);
    }
  });
});

describe('JSON-RPC authenticates before reading the body', () => {
  test('an unauthenticated chunked upload is answered 401 without reading it; the answer closes the connection', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    for (const auth of [null, 'Basic ' + btoa('alice:wrong')]) {
      const { body, pulled } = countingBody(256, 64 * 1024);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'transfer-encoding': 'chunked' };
      if (auth) headers.authorization = auth;
      const res = await app.fetch(streamed('http://x/rpc', body, headers), { clientAddress: `client-${String(auth)}` });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('connection'), 'close');
      assert.ok(pulled() <= 1, `${pulled()} chunks of the unauthenticated body were read`);
    }
  });
  test('an authenticated chunked body past the limit is 413 once the limit is passed, not read to its end', async () => {
    const { app } = mempoolApp(new TestMempoolNode(), { rpcBodyLimit: 100_000 });
    const { body, pulled } = countingBody(1000, 16 * 1024);
    const res = await app.fetch(streamed('http://x/rpc', body, { authorization: AUTH, 'transfer-encoding': 'chunked' }), {});
    assert.equal(res.status, 413);
    assert.ok(pulled() < 20, `${pulled()} chunks read`);
  });
});

describe('failed authentication is rate-limited per client address and globally', () => {
  const wrong = 'Basic ' + btoa('alice:wrong');
  const rpc = (app: { fetch: (r: Request, env: unknown) => Response | Promise<Response> }, client: string, auth = wrong) =>
    app.fetch(new Request('http://x/', { method: 'POST', body: '{"method":"getblockcount","id":1}', headers: { authorization: auth } }), { client: { address: client } });

  test('a client past its burst gets 429 with Retry-After, even with the right password; others are not affected', async () => {
    let now = 0;
    const authLimiter = new AuthFailureLimiter({ perClientBurst: 3, perClientPerSecond: 1, globalBurst: 100, now: () => now });
    const { app } = mempoolApp(new TestMempoolNode(), { authLimiter });
    for (let i = 0; i < 3; i++) assert.equal((await rpc(app, '10.0.0.1')).status, 401);
    const refused = await rpc(app, '10.0.0.1');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    // No guess is checked past the budget: the right password is refused too.
    assert.equal((await rpc(app, '10.0.0.1', AUTH)).status, 429);
    assert.equal((await rpc(app, '10.0.0.2', AUTH)).status, 200);
    assert.equal((await rpc(app, '10.0.0.2')).status, 401);
    // The bucket refills at perClientPerSecond.
    now += 1000;
    assert.equal((await rpc(app, '10.0.0.1', AUTH)).status, 200);
  });

  test('many addresses together stop at the global budget', async () => {
    const authLimiter = new AuthFailureLimiter({ perClientBurst: 10, globalBurst: 5, globalPerSecond: 0.001, now: () => 0 });
    const { app } = mempoolApp(new TestMempoolNode(), { authLimiter });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await rpc(app, `192.0.2.${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
  });

  test('the table of addresses is bounded: the least recently seen is forgotten', () => {
    const l = new AuthFailureLimiter({ perClientBurst: 1, perClientPerSecond: 0.001, globalBurst: 1e9, maxClients: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) l.fail(`a${i}`);
    assert.equal(l.trackedClients, 100);
    assert.ok(l.wait('a9999') > 0);
    assert.equal(l.wait('a0'), 0);
  });

  test('POST /blocks with a wrong token counts too', async () => {
    const authLimiter = new AuthFailureLimiter({ perClientBurst: 2, now: () => 0 });
    const app = createApp(statelessDeps(), { token: 'sekrit', authLimiter });
    const post = (token: string) => app.fetch(new Request('http://x/blocks', {
      method: 'POST', body: new Uint8Array(80), headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
    }), { client: { address: '198.51.100.7' } });
    assert.deepEqual([(await post('a')).status, (await post('b')).status, (await post('sekrit')).status], [401, 401, 429]);
  });
});

describe('body reading: deadline and in-flight cap', () => {
  test('a body that stops arriving is answered 408 at the deadline', async () => {
    const app = createApp(statelessDeps(), { bodyGate: new BodyGate({ readTimeoutMs: 300 }) });
    const { body } = countingBody(2, 100, true);
    const t = performance.now();
    const res = await app.fetch(streamed('http://x/validate', body, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }), {});
    const ms = performance.now() - t;
    assert.equal(res.status, 408);
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal((await res.json() as { error: { code: string } }).error.code, 'timeout');
    assert.ok(ms >= 250 && ms < 3000, `answered after ${ms} ms`);
  });

  test('past the caps on bodies in flight (bytes, count): 503 with Retry-After, without reading', async () => {
    const bodyGate = new BodyGate({ readTimeoutMs: 60_000, maxInFlight: 3, maxInFlightBytes: 250_000 });
    const app = createApp(statelessDeps(), { bodyGate, bodyLimit: 100_000 });
    const hex = { 'content-type': 'text/plain' };
    // Two chunked bodies that stop arriving reserve the route's limit each.
    const stalled = [countingBody(1, 10, true), countingBody(1, 10, true)];
    stalled.forEach((s) => void app.fetch(streamed('http://x/validate', s.body, hex), {}));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(bodyGate.inFlight, { count: 2, bytes: 200_000 });
    const third = countingBody(4, 10);
    const res = await app.fetch(streamed('http://x/validate', third.body, hex), {});
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal(third.pulled(), 0);
    // A small declared length still fits the bytes; it is read and judged (bad hex: 400).
    const small = await app.fetch(new Request('http://x/validate', { method: 'POST', body: 'zz', headers: { ...hex, 'content-length': '2' } }), {});
    assert.equal(small.status, 400);
    assert.deepEqual(bodyGate.inFlight, { count: 2, bytes: 200_000 });
    // The count: a third slow body fills it, and then even a small body is refused.
    const slow = countingBody(1, 10, true);
    void app.fetch(new Request('http://x/validate', { method: 'POST', body: slow.body, headers: { ...hex, 'content-length': '40000' }, duplex: 'half' } as RequestInit), {});
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(bodyGate.inFlight.count, 3);
    assert.equal((await app.fetch(new Request('http://x/validate', { method: 'POST', body: 'zz', headers: { ...hex, 'content-length': '2' } }), {})).status, 503);
  });
});

describe('a server failure\'s details are logged, not answered', () => {
  test('kind "error": a generic message with a request id; the stack with its paths goes to the log under that id', async () => {
    const stack = 'validation worker crashed: Error: boom\n    at run (/srv/txgate/src/validation/jobs.ts:61:11)';
    const deps: AppDeps = {
      ...statelessDeps(),
      validate: async (items) => ({
        busy: false,
        results: items.map((i) => ({
          txid: toHex(i.tx.txid), wtxid: toHex(i.tx.wtxid), allowed: false, vsize: 1, weight: 4, fee: null, feerate: null,
          reason: 'validation-error', details: stack, kind: 'error' as const,
        })),
      }),
    };
    const app = createApp(deps);
    const logged: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void logged.push(a.join(' '));
    let body: { details: string; kind: string };
    try {
      const tx = spend([{ txid: freshTxid(), vout: 0 }], [1000n]);
      const res = await app.request('/validate', { method: 'POST', body: toHex(tx.raw), headers: { 'content-type': 'text/plain' } });
      assert.equal(res.status, 200);
      body = await res.json() as typeof body;
    } finally {
      console.error = original;
    }
    assert.equal(body.kind, 'error');
    assert.doesNotMatch(body.details, /\/srv|jobs\.ts|boom/);
    const id = /request id ([0-9a-f-]{36})/.exec(body.details)?.[1];
    assert.ok(id, body.details);
    assert.ok(logged.some((l) => l.includes(id!) && l.includes('/srv/txgate/src/validation/jobs.ts')), logged.join('\n'));
  });
});

describe('event streams', () => {
  test('HEAD /events answers the headers without taking a client slot (64 HEADs do not lock GET out)', async () => {
    const { app, mount } = mempoolApp(new TestMempoolNode(), { sse: { maxClients: 4 } });
    for (let i = 0; i < 10; i++) {
      const res = await app.request('/events', { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    }
    assert.equal(mount.sse.clientCount, 0);
    const ctl = new AbortController();
    const res = await app.request('/events', { signal: ctl.signal });
    assert.equal(res.status, 200);
    await res.body!.cancel();
    mount.close();
  });
});
