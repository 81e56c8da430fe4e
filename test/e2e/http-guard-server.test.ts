// Hostile clients against the real server (startServer: the runtime's own HTTP server on a
// real socket): connections that never finish their headers are closed, an idle event
// stream outlives the runtime's idle timeout, an unauthenticated upload answered early does
// not break the keep-alive connection, and the mutating endpoints follow --submit-auth.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';
import { HEADERS_TIMEOUT_MS } from '../../src/runtime/serve-types.ts';
import { startTestServer, type TestServer } from '../util/server.ts';

const TOKEN = 'guard-token';
let srv: TestServer | undefined;
const port = (): number => Number(new URL(srv!.url).port);

before(async () => {
  srv = await startTestServer(['--token', TOKEN, '--rpcuser', 'u', '--rpcpassword', 'p']);
});
after(async () => {
  await srv?.close();
});

/** Resolves with the ms after which the server closed `sock` (or `limitMs` if it did not). */
function closedAfter(sock: net.Socket, limitMs: number): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(limitMs), limitMs);
    sock.on('error', () => undefined);
    // Read whatever the server says (a 408), or the end of the stream is never seen.
    sock.resume();
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });
}

describe('slow clients', () => {
  // Deno.serve has no header timeout (denoland/deno#3515; SECURITY.md): Node's headersTimeout
  // and Bun's idleTimeout close these.
  test('a connection that trickles its headers, and one that stops mid-headers, are closed', { skip: runtimeName() === 'deno' ? 'Deno.serve has no header timeout' : false, timeout: 40_000 }, async () => {
    const trickle = net.connect(port(), '127.0.0.1');
    const stopped = net.connect(port(), '127.0.0.1');
    trickle.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    stopped.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const tick = setInterval(() => {
      if (!trickle.destroyed) trickle.write('X-Slow: 1\r\n');
    }, 2_000);
    const limit = HEADERS_TIMEOUT_MS + 10_000;
    const [a, b] = await Promise.all([closedAfter(trickle, limit), closedAfter(stopped, limit)]);
    clearInterval(tick);
    trickle.destroy();
    stopped.destroy();
    assert.ok(a < limit, `the trickling connection was still open after ${a} ms`);
    assert.ok(b < limit, `the stopped connection was still open after ${b} ms`);
  });

  test('an idle event stream stays open past 12 s (heartbeats within every runtime\'s idle timeout)', { timeout: 40_000 }, async () => {
    const ctl = new AbortController();
    const res = await fetch(`${srv!.url}/events`, { signal: ctl.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const t0 = Date.now();
    let text = '';
    let ended = false;
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      ended = true;
    })().catch(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 13_000));
    assert.equal(ended, false, `the stream ended after ${Date.now() - t0} ms`);
    assert.match(text, /: heartbeat\n\n/);
    ctl.abort();
    await reading;
  });
});

describe('early answers keep the connection usable', () => {
  /** One request on `agent`; resolves with the status, rejects on a socket error. */
  function request(agent: http.Agent, method: string, path: string, body?: Uint8Array, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: port(), method, path, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  // An answer given before the body is read must leave the keep-alive connection usable for
  // the next request (the server consumes or refuses the rest of the upload cleanly). 2 MB is
  // the size at which a Node server that leaves the upload unread breaks it every time
  // ("socket hang up"); at 200 KB about once in 20.
  test('an unauthenticated 200 KB and 2 MB POST /rpc, then another request on the keep-alive agent: no reset, 15 times each', { timeout: 90_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const errors: string[] = [];
    try {
      for (const size of [200_000, 2_000_000]) {
        const body = new Uint8Array(size).fill(0x20);
        for (let i = 0; i < 15; i++) {
          try {
            assert.equal(await request(agent, 'POST', '/rpc', body, { 'content-type': 'application/json' }), 401);
            assert.equal(await request(agent, 'GET', '/health'), 200);
          } catch (e) {
            errors.push(`${size} B, ${i}: ${(e as Error).message}`);
          }
        }
      }
    } finally {
      agent.destroy();
    }
    assert.deepEqual(errors, []);
  });
});

describe('--submit-auth: the mutating endpoints need the token when --token is set', () => {
  test('POST /tx and POST /api/tx: 401 without or with a wrong token, judged with it', async () => {
    const hex = '00';
    for (const [path, type] of [['/tx', 'text/plain'], ['/api/tx', 'text/plain']] as const) {
      const post = (auth?: string) => fetch(`${srv!.url}${path}`, {
        method: 'POST', body: hex, headers: { 'content-type': type, ...(auth ? { authorization: auth } : {}) },
      });
      const none = await post();
      assert.equal(none.status, 401, path);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal((await post('Bearer wrong')).status, 401, path);
      const judged = await post(`Bearer ${TOKEN}`);
      assert.equal(judged.status, 400, `${path}: ${await judged.text()}`);
    }
  });
});
