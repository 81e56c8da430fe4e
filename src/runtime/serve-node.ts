/** Serving on Node with @hono/node-server, and Node's argv/env/signals. */
import { serve } from '@hono/node-server';
import process from 'node:process';
import type { Server } from 'node:http';
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
  return new Promise((resolve, reject) => {
    const fetch = (req: Request, env: { incoming?: { socket?: { remoteAddress?: string } } }) =>
      opts.fetch(req, { clientAddress: env.incoming?.socket?.remoteAddress });
    // Slow clients: the headers within 10 s, the whole request within 40 s (the app's own
    // body deadline is 30 s), checked every second rather than Node's default 30 s.
    const serverOptions = {
      headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
    };
    const server = serve({ fetch, port: opts.port, hostname: opts.host, serverOptions }, (info) => {
      resolve({
        port: info.port,
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
