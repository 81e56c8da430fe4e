/** Serving on Bun with Bun.serve. */
import { BUN_IDLE_TIMEOUT_S, type Listening, type ServeOptions } from './serve-types.ts';

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
  requestIP(req: Request): { address: string } | null;
}
interface BunGlobal {
  serve(o: {
    fetch: (req: Request, server: BunServer) => Response | Promise<Response>; port: number; hostname: string;
    maxRequestBodySize?: number; idleTimeout?: number;
  }): BunServer;
}

export function listenBun(opts: ServeOptions): Promise<Listening> {
  const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const server = bun.serve({
    fetch: (req, srv) => opts.fetch(req, { clientAddress: srv.requestIP(req)?.address }),
    port: opts.port, hostname: opts.host,
    // Bun rejects larger bodies itself (413) before the app's own limit would.
    maxRequestBodySize: opts.maxBodyBytes,
    // Slow headers and bodies: no bytes for this long closes the connection (event streams
    // send a heartbeat well within it, src/api/sse.ts).
    idleTimeout: BUN_IDLE_TIMEOUT_S,
  });
  return Promise.resolve({ port: server.port, close: async () => void (await server.stop(true)) });
}
