/**
 * TCP connections for the P2P code (src/p2p/socket.ts's P2PSocket): node:net on Node,
 * Bun.connect on Bun, Deno.connect on Deno. Each adapter queues what the kernel has not
 * taken yet (`pending`), hands every received chunk over as a fresh array, and reports the
 * end of the connection once.
 */
import type { Connect, P2PSocket } from '../p2p/socket.ts';
import { runtimeName } from './crypto/runtime-info.ts';

/** Buffers received chunks and the close until the P2P code has registered its callbacks. */
class Callbacks {
  private data: ((c: Uint8Array) => void) | undefined;
  private closed: ((e?: Error) => void) | undefined;
  private early: Uint8Array[] = [];
  private ended: { error?: Error } | undefined;
  private done = false;

  onData(cb: (c: Uint8Array) => void): void {
    this.data = cb;
    for (const c of this.early.splice(0)) cb(c);
  }
  onClose(cb: (e?: Error) => void): void {
    this.closed = cb;
    if (this.ended) this.fireClose(this.ended.error);
  }
  emitData(c: Uint8Array): void {
    if (this.done) return;
    if (this.data) this.data(c);
    else this.early.push(c);
  }
  emitClose(error?: Error): void {
    if (this.ended) return;
    this.ended = error ? { error } : {};
    if (this.closed) this.fireClose(error);
  }
  private fireClose(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.closed!(error);
  }
}

async function connectNode(host: string, port: number): Promise<P2PSocket> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const fail = (e: Error) => reject(e);
    s.once('error', fail);
    s.once('connect', () => {
      s.off('error', fail);
      s.setNoDelay(true);
      const cb = new Callbacks();
      let error: Error | undefined;
      s.on('data', (b: Uint8Array) => cb.emitData(new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice()));
      s.on('error', (e: Error) => (error = e));
      s.on('close', () => cb.emitClose(error));
      resolve({
        write: (bytes) => void s.write(bytes),
        get pending() {
          return s.writableLength;
        },
        close: () => void s.destroy(),
        onData: (f) => cb.onData(f),
        onClose: (f) => cb.onClose(f),
      });
    });
  });
}

interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  setNoDelay?(v: boolean): void;
}
interface BunConnect {
  connect(o: {
    hostname: string;
    port: number;
    socket: {
      open?(s: BunSocket): void;
      data(s: BunSocket, d: Uint8Array): void;
      drain(s: BunSocket): void;
      close(s: BunSocket, e?: Error): void;
      error(s: BunSocket, e: Error): void;
      connectError?(s: BunSocket, e: Error): void;
    };
  }): Promise<BunSocket>;
}

async function connectBun(host: string, port: number): Promise<P2PSocket> {
  const bun = (globalThis as unknown as { Bun: BunConnect }).Bun;
  const cb = new Callbacks();
  const queue: Uint8Array[] = [];
  let pending = 0;
  let error: Error | undefined;
  // Bun.write takes what the kernel accepts now; the rest waits for drain.
  const flush = (s: BunSocket) => {
    while (queue.length) {
      const head = queue[0]!;
      const n = s.write(head);
      if (n < 0) return;
      pending -= n;
      if (n < head.length) {
        queue[0] = head.subarray(n);
        return;
      }
      queue.shift();
    }
  };
  const socket = await bun.connect({
    hostname: host, port,
    socket: {
      data: (_s, d) => cb.emitData(new Uint8Array(d)),
      drain: (s) => flush(s),
      close: (_s, e) => cb.emitClose(e ?? error),
      error: (_s, e) => (error = e),
    },
  });
  socket.setNoDelay?.(true);
  return {
    write: (bytes) => {
      queue.push(bytes);
      pending += bytes.length;
      if (queue.length === 1) flush(socket);
    },
    get pending() {
      return pending;
    },
    close: () => socket.end(),
    onData: (f) => cb.onData(f),
    onClose: (f) => cb.onClose(f),
  };
}

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(v: boolean): void;
}

async function connectDeno(host: string, port: number): Promise<P2PSocket> {
  const deno = (globalThis as unknown as { Deno: { connect(o: { hostname: string; port: number }): Promise<DenoConn> } }).Deno;
  const conn = await deno.connect({ hostname: host, port });
  conn.setNoDelay?.(true);
  const cb = new Callbacks();
  const queue: Uint8Array[] = [];
  let pending = 0;
  let writing = false;
  let closed = false;
  const close = (e?: Error) => {
    if (!closed) {
      closed = true;
      try {
        conn.close();
      } catch { /* already closed by the peer */ }
    }
    cb.emitClose(e);
  };
  const writeLoop = async () => {
    writing = true;
    try {
      while (queue.length && !closed) {
        const head = queue[0]!;
        const n = await conn.write(head);
        pending -= n;
        if (n < head.length) queue[0] = head.subarray(n);
        else queue.shift();
      }
    } catch (e) {
      close(e instanceof Error ? e : new Error(String(e)));
    } finally {
      writing = false;
    }
  };
  void (async () => {
    const buf = new Uint8Array(256 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        cb.emitData(buf.slice(0, n));
      }
      close();
    } catch (e) {
      close(closed ? undefined : e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return {
    write: (bytes) => {
      if (closed) return;
      queue.push(bytes);
      pending += bytes.length;
      if (!writing) void writeLoop();
    },
    get pending() {
      return pending;
    },
    close: () => close(),
    onData: (f) => cb.onData(f),
    onClose: (f) => cb.onClose(f),
  };
}

/** The current runtime's TCP client. */
export const connectTcp: Connect = (host, port) => {
  switch (runtimeName()) {
    case 'bun': return connectBun(host, port);
    case 'deno': return connectDeno(host, port);
    default: return connectNode(host, port);
  }
};
