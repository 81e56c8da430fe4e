/** Serving on Node with @hono/node-server, and Node's argv/env/signals. */
import { serve } from '@hono/node-server';
import process from 'node:process';
import type { Listening, ServeOptions } from './serve-types.ts';

export function listenNode(opts: ServeOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: opts.fetch, port: opts.port, hostname: opts.host }, (info) => {
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
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
