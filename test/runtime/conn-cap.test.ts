// The server's bound on connections and requests in flight (src/runtime/conn-cap.ts) on the
// runtime's own HTTP server (listen(): Node's, Bun.serve, Deno.serve) over real sockets: at
// N-1 and N a client is served, the one beyond N is answered 503 with Retry-After and
// Connection: close (an answer, not a reset), the idle connections are told to close to make room,
// probes are never refused for the requests in flight, and the bodies held stay bounded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { listen } from '../../src/runtime/serve-listen.ts';
import type { ConnectionLimits } from '../../src/runtime/conn-cap.ts';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';

/** Deno.serve closes no connection itself, not even after an answer with Connection: close: the client does. */
const serverCloses = runtimeName() !== 'deno';

interface Answer { status: number; headers: Record<string, string>; body: string }

/** A client connection that sends HTTP/1.1 requests one at a time and parses each answer. */
class Conn {
  readonly sock: net.Socket;
  closed = false;
  private buf = Buffer.alloc(0);
  private waiting: ((a: Answer | undefined) => void) | undefined;
  readonly ready: Promise<void>;

  constructor(port: number) {
    this.sock = net.connect({ port, host: '127.0.0.1' });
    this.ready = new Promise((resolve) => this.sock.once('connect', () => resolve()));
    this.sock.on('error', () => undefined);
    this.sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.deliver();
    });
    this.sock.on('close', () => {
      this.closed = true;
      this.waiting?.(undefined);
      this.waiting = undefined;
    });
  }

  private deliver(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
    const len = Number(headers['content-length'] ?? 0);
    if (this.buf.length < end + 4 + len) return;
    const answer = { status: Number(lines[0]!.split(' ')[1]), headers, body: this.buf.subarray(end + 4, end + 4 + len).toString() };
    this.buf = this.buf.subarray(end + 4 + len);
    const w = this.waiting;
    this.waiting = undefined;
    w(answer);
  }

  /** Sends a request; resolves with its answer, or undefined when the connection closes first or after 10 s. */
  send(method: string, path: string, body?: Buffer): Promise<Answer | undefined> {
    const p = new Promise<Answer | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), 10_000);
      this.waiting = (a) => {
        clearTimeout(t);
        resolve(a);
      };
    });
    const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n`;
    this.sock.write(body ? Buffer.concat([Buffer.from(head), body]) : head);
    this.deliver();
    return p;
  }

  /** Resolves true once the server has closed the connection, false after `ms`. */
  closesWithin(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.sock.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A server whose GET /hold answers only once release() is called; everything else answers at once. */
async function server(limits: ConnectionLimits) {
  let release!: () => void;
  let held = new Promise<void>((r) => (release = r));
  const stats = { holding: 0, maxHolding: 0, heldBytes: 0, maxHeldBytes: 0 };
  const s = await listen({
    port: 0, host: '127.0.0.1', maxBodyBytes: 4 * 1024 * 1024, limits,
    fetch: async (req) => {
      const path = new URL(req.url).pathname;
      if (path !== '/hold') return new Response('ok');
      const body = req.method === 'POST' ? await req.arrayBuffer() : undefined;
      const bytes = body?.byteLength ?? 0;
      stats.holding++;
      stats.heldBytes += bytes;
      stats.maxHolding = Math.max(stats.maxHolding, stats.holding);
      stats.maxHeldBytes = Math.max(stats.maxHeldBytes, stats.heldBytes);
      await held;
      stats.holding--;
      stats.heldBytes -= bytes;
      return new Response(`held ${body?.byteLength ?? 0}`);
    },
  });
  return {
    port: s.port, stats, close: () => s.close(),
    release: () => {
      release();
      held = new Promise<void>((r) => (release = r));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertRefusal(a: Answer | undefined): void {
  assert.ok(a, 'the connection beyond the cap is answered, not reset');
  assert.equal(a.status, 503);
  assert.equal(a.headers['retry-after'], '1');
  assert.equal(a.headers['connection']?.toLowerCase(), 'close');
  assert.match(a.body, /"busy"/);
}

describe('connection cap', () => {
  test('clients that open a connection per request and close it unannounced: 3 × N of them in a row are all served', async () => {
    const N = 4;
    const srv = await server({ maxConnections: N, maxRequests: 100 });
    try {
      for (let i = 0; i < 3 * N; i++) {
        const c = new Conn(srv.port);
        await c.ready;
        const a = await c.send('GET', '/x');
        assert.equal(a?.status, 200, `connection ${i + 1}`);
        c.close();
        await sleep(20);
      }
    } finally {
      await srv.close();
    }
  });

  // Bun.serve and Deno.serve report no connections: only Node's are counted (serve-bun.ts, serve-deno.ts).
  test('Node: N-1 and N idle connections are served; the one beyond N gets 503 (probes and POST /blocks get in), and the idle ones are told to close to make room', { skip: runtimeName() !== 'node' }, async () => {
    const N = 4;
    const srv = await server({ maxConnections: N, maxRequests: 100 });
    const conns: Conn[] = [];
    try {
      // The first connection is a probe's (GET /health), the others a client's.
      for (let i = 0; i < N; i++) {
        const c = new Conn(srv.port);
        conns.push(c);
        assert.equal((await c.send('GET', i === 0 ? '/health' : '/ok'))?.status, 200, `connection ${i + 1} of ${N}`);
      }
      const over = new Conn(srv.port);
      assertRefusal(await over.send('GET', '/ok'));
      if (serverCloses) assert.ok(await over.closesWithin(2000), 'the refused connection is closed');
      over.close();
      // A probe and a block feeder get in past the cap.
      for (const [method, path] of [['GET', '/health'], ['GET', '/ready'], ['POST', '/blocks']] as const) {
        const c = new Conn(srv.port);
        const a = await c.send(method, path, method === 'POST' ? Buffer.from('00') : undefined);
        assert.equal(a?.status, 200, `${method} ${path} past the connection cap`);
        c.close();
        await c.closesWithin(1000);
      }
      // The probe's connection is left open: its next answer does not ask it to close.
      const probe = conns.shift()!;
      const kept = await probe.send('GET', '/health');
      assert.equal(kept?.status, 200);
      assert.notEqual(kept?.headers['connection']?.toLowerCase(), 'close');
      probe.close();
      // Each other idle connection's next request is served and its answer carries
      // Connection: close; the server then closes it (Node, Bun), or the client does (Deno).
      for (const c of conns) {
        const a = await c.send('GET', '/ok');
        assert.equal(a?.status, 200);
        assert.equal(a?.headers['connection']?.toLowerCase(), 'close');
        if (serverCloses) assert.ok(await c.closesWithin(2000), 'the server closes it');
        c.close();
      }
      const next = new Conn(srv.port);
      conns.push(next);
      assert.equal((await next.send('GET', '/ok'))?.status, 200, 'room was made');
    } finally {
      for (const c of conns) c.close();
      await srv.close();
    }
  });

  test('Node: a connection beyond the cap that sends nothing is dropped after a second', { skip: runtimeName() !== 'node' }, async () => {
    const srv = await server({ maxConnections: 2, maxRequests: 100 });
    const conns: Conn[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const c = new Conn(srv.port);
        conns.push(c);
        assert.equal((await c.send('GET', '/ok'))?.status, 200);
      }
      const silent = new Conn(srv.port);
      conns.push(silent);
      await silent.ready;
      assert.ok(await silent.closesWithin(3000), 'dropped');
      assert.equal(conns[0]!.closed, false, 'the connections within the cap stay');
    } finally {
      for (const c of conns) c.close();
      await srv.close();
    }
  });

  test('requests in flight: N-1 and N are let in, the one beyond gets 503 at once; probes and POST /blocks are never refused for it', async () => {
    const N = 4;
    const srv = await server({ maxConnections: 100, maxRequests: N });
    const conns: Conn[] = [];
    try {
      const held: Promise<Answer | undefined>[] = [];
      for (let i = 0; i < N; i++) {
        const c = new Conn(srv.port);
        conns.push(c);
        held.push(c.send('GET', '/hold'));
        while (srv.stats.holding < i + 1) await sleep(5);
      }
      const over = new Conn(srv.port);
      conns.push(over);
      const t0 = performance.now();
      assertRefusal(await over.send('GET', '/hold'));
      assert.ok(performance.now() - t0 < 1000, 'refused at once');
      for (const path of ['/health', '/ready']) {
        const c = new Conn(srv.port);
        conns.push(c);
        assert.equal((await c.send('GET', path))?.status, 200, `GET ${path} at the cap`);
      }
      const blocks = new Conn(srv.port);
      conns.push(blocks);
      assert.equal((await blocks.send('POST', '/blocks', Buffer.from('00')))?.status, 200, 'POST /blocks at the cap');
      srv.release();
      for (const a of await Promise.all(held)) assert.equal(a?.status, 200);
      const again = new Conn(srv.port);
      conns.push(again);
      assert.equal((await again.send('GET', '/ok'))?.status, 200);
    } finally {
      for (const c of conns) c.close();
      await srv.close();
    }
  });

  test('64 clients uploading 1 MiB each at a cap of 4: every one answered, at most 4 bodies (4 MiB) held at once', async () => {
    const srv = await server({ maxConnections: 8, maxRequests: 4 });
    const body = Buffer.alloc(1024 * 1024, 0x61);
    const conns: Conn[] = [];
    try {
      const answers: Promise<Answer | undefined>[] = [];
      for (let i = 0; i < 64; i++) {
        const c = new Conn(srv.port);
        conns.push(c);
        await c.ready;
        answers.push(c.send('POST', '/hold', body));
      }
      // The refusals come back while four uploads are held.
      await sleep(1000);
      srv.release();
      const got = await Promise.all(answers);
      const statuses = got.map((a) => a?.status ?? 0);
      assert.equal(statuses.filter((s) => s === 0).length, 0, 'no connection left unanswered');
      assert.ok(statuses.every((s) => s === 200 || s === 503), `statuses ${statuses.join(',')}`);
      assert.ok(statuses.filter((s) => s === 200).length >= 1);
      assert.ok(srv.stats.maxHolding <= 4, `bodies held at once: ${srv.stats.maxHolding}`);
      assert.ok(srv.stats.maxHeldBytes <= 4 * body.length, `body bytes held at once: ${srv.stats.maxHeldBytes}`);
    } finally {
      for (const c of conns) c.close();
      await srv.close();
    }
  });
});
