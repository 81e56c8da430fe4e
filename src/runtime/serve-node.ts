/** Serving on Node with @hono/node-server (over node:http, or node:https with TLS), and Node's argv/env/signals. */
import { serve } from '@hono/node-server';
import process from 'node:process';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
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

export function listenNode(opts: ServeOptions): Promise<Listening> {
  // The peer's address goes to the app with each request (admission control's client).
  const fetch = (req: Request, env: { incoming?: { socket?: { remoteAddress?: string } } }) =>
    opts.fetch(req, { address: env?.incoming?.socket?.remoteAddress ?? '' });
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
  return new Promise((resolve, reject) => {
    const server = serve(options, (info) => {
      resolve({
        port: info.port,
        ...(opts.tls ? { tlsMinVersion: 'TLSv1.3' as const } : {}),
        close: () => closeServer(server as Server),
      });
    });
    server.once('error', reject);
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
