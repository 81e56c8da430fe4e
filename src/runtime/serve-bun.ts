/** Serving on Bun with Bun.serve. */
import type { Listening, ServeOptions } from './serve-types.ts';

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunGlobal {
  serve(o: { fetch: (req: Request) => Response | Promise<Response>; port: number; hostname: string; maxRequestBodySize?: number }): BunServer;
}

export function listenBun(opts: ServeOptions): Promise<Listening> {
  const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  // Bun rejects larger bodies itself (413) before the app's own limit would.
  const server = bun.serve({ fetch: opts.fetch, port: opts.port, hostname: opts.host, maxRequestBodySize: opts.maxBodyBytes });
  return Promise.resolve({ port: server.port, close: async () => void (await server.stop(true)) });
}
