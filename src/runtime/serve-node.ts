/** Serving on Node with @hono/node-server (over node:http, or node:https with TLS), and Node's argv/env/signals. */
import { createAdaptorServer } from '@hono/node-server';
import process from 'node:process';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { DEFAULT_CONNECTION_LIMITS, LISTEN_BACKLOG, ServerGate, uncapped } from './conn-cap.ts';
import { HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, REQUEST_TIMEOUT_MS, type Listening, type ServeOptions } from './serve-types.ts';

/**
 * Stops listening and resolves once every connection has ended. Node's close() ends only the
 * connections idle at that moment; a browser's keep-alive connection that finishes a request
 * afterwards (a dashboard's poll, an event stream the app just ended) would stay open until
 * its keep-alive timeout, so idle connections are closed again until none is left.
 */
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((done) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      done();
    });
  });
}

/** A connection beyond the cap that sends no request within this long is dropped. */
const OVER_CAP_SILENCE_MS = 1_000;

/**
 * Counts the server's connections (`event`: 'connection', or 'secureConnection' past the TLS
 * handshake). One beyond `max` makes the gate tell the idle keep-alive connections to close
 * and is marked over the cap: its requests are answered with the refusal (Connection: close)
 * unless they are uncapped (a block, a probe), and if it sends nothing for a second it is
 * dropped, so that connections beyond the cap cannot pile up.
 */
function capConnections(server: Server, event: 'connection' | 'secureConnection', max: number, gate: ServerGate): void {
  const accept = server.listeners(event) as ((s: Socket) => void)[];
  server.removeAllListeners(event);
  let open = 0;
  server.on(event, (socket: Socket) => {
    open++;
    socket.once('close', () => {
      open--;
      gate.forget(socket);
    });
    if (open > max) {
      gate.closeIdle();
      gate.overCap(socket);
      const silence = setTimeout(() => {
        if (!gate.hasHeard(socket)) socket.destroy();
      }, OVER_CAP_SILENCE_MS);
      silence.unref();
      socket.once('close', () => clearTimeout(silence));
    }
    for (const l of accept) l.call(server, socket);
  });
}

export function listenNode(opts: ServeOptions): Promise<Listening> {
  const limits = opts.limits ?? DEFAULT_CONNECTION_LIMITS;
  // Connections are counted at accept (capConnections); the gate's table, keyed by socket,
  // knows which are idle and forgets them as they close.
  const gate = new ServerGate(limits.maxRequests, true);
  // The peer's address goes to the app with each request (admission control's client).
  const fetch = (req: Request, env: { incoming?: { socket?: Socket } }) => {
    const socket = env?.incoming?.socket;
    return gate.handle(socket?.destroyed ? undefined : socket, () => opts.fetch(req, { address: socket?.remoteAddress ?? '' }), uncapped(req));
  };
  // Slow clients: the headers within 10 s, the whole request within 40 s (the app's own
  // body deadline is 30 s), checked every second rather than Node's default 30 s.
  const timeouts = {
    headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: 1_000,
  };
  const base = { fetch, port: opts.port, hostname: opts.host };
  // node:https takes OpenSSL's minimum protocol version: TLS 1.3 only.
  const options = opts.tls
    ? { ...base, createServer: createHttpsServer, serverOptions: { ...timeouts, cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.3' as const } }
    : { ...base, serverOptions: timeouts };
  const server = createAdaptorServer(options) as Server;
  capConnections(server, opts.tls ? 'secureConnection' : 'connection', limits.maxConnections, gate);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.host, backlog: LISTEN_BACKLOG }, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : opts.port,
        ...(opts.tls ? { tlsMinVersion: 'TLSv1.3' as const } : {}),
        close: () => closeServer(server),
      });
    });
  });
}

export function processArgs(): { argv: string[]; env: Record<string, string | undefined> } {
  return { argv: process.argv.slice(2), env: process.env };
}

export function onShutdownSignal(cb: (signal: string) => void): void {
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => cb(s));
}

export function exitProcess(code: number): never {
  process.exit(code);
}
