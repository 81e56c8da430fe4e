/** Serving on Bun with Bun.serve (HTTPS through its `tls` option). */
import { BUN_IDLE_TIMEOUT_S, type Listening, type ServeOptions } from './serve-types.ts';
import { DEFAULT_CONNECTION_LIMITS, LISTEN_BACKLOG, ServerGate, uncapped } from './conn-cap.ts';

interface BunServer {
  port: number;
  requestIP(req: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunTls {
  cert: string;
  key: string;
  /** OpenSSL SSL_OP_* bits for SSL_CTX_set_options (Bun's TLS is BoringSSL). */
  secureOptions?: number;
}
interface BunGlobal {
  serve(o: {
    fetch: (req: Request, server: BunServer) => Response | Promise<Response>; port: number; hostname: string; reusePort?: boolean;
    maxRequestBodySize?: number; idleTimeout?: number; tls?: BunTls;
  }): BunServer;
}

/**
 * Bun.serve has no minimum-version option; its `secureOptions` go to SSL_CTX_set_options,
 * where SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 leave TLS 1.3 only.
 */
const SSL_OP_NO_TLSv1 = 0x04000000;
const SSL_OP_NO_TLSv1_2 = 0x08000000;
const SSL_OP_NO_TLSv1_1 = 0x10000000;
const TLS13_ONLY = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2;

/**
 * Bun.serve's listen backlog is 512 with no option to change it: a flood's burst of new
 * connections overflowed it and was reset. Listeners sharing the port (SO_REUSEPORT, the
 * kernel spreading new connections over them) add up to LISTEN_BACKLOG. SO_REUSEPORT would
 * also let a second server bind a port already in use by another such group: the port is
 * first bound alone, which fails when anything holds it.
 */
const BUN_BACKLOG = 512;
const LISTENERS = Math.max(1, Math.round(LISTEN_BACKLOG / BUN_BACKLOG));

export async function listenBun(opts: ServeOptions): Promise<Listening> {
  const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  // Bun.serve reports neither a connection's opening nor its closing: counted by peer
  // address and port, a connection its client closed would stay counted until an idle
  // timeout, and clients that open a connection per request would be refused. So only the
  // requests in flight are capped here; Bun's idle timeout closes idle connections.
  const gate = new ServerGate((opts.limits ?? DEFAULT_CONNECTION_LIMITS).maxRequests);
  // The peer's address goes to the app with each request (admission control's client).
  const fetch = (req: Request, s: BunServer) => {
    const peer = s.requestIP(req);
    return gate.handle(peer ? `${peer.address}|${peer.port}` : undefined, () => opts.fetch(req, { address: peer?.address ?? '' }), uncapped(req));
  };
  // Bun rejects larger bodies itself (413) before the app's own limit would.
  const options = (port: number) => ({
    fetch, port, hostname: opts.host, reusePort: true, maxRequestBodySize: opts.maxBodyBytes,
    // Slow headers and bodies: no bytes for this long closes the connection (event streams
    // send a heartbeat well within it, src/api/sse.ts).
    idleTimeout: BUN_IDLE_TIMEOUT_S,
    ...(opts.tls ? { tls: { cert: opts.tls.cert, key: opts.tls.key, secureOptions: TLS13_ONLY } } : {}),
  });
  const alone = bun.serve({ ...options(opts.port), reusePort: false });
  const port = alone.port;
  await alone.stop(true);
  const servers = Array.from({ length: LISTENERS }, () => bun.serve(options(port)));
  return {
    port,
    ...(opts.tls ? { tlsMinVersion: 'TLSv1.3' as const } : {}),
    close: async () => void (await Promise.all(servers.map((s) => s.stop(true)))),
  };
}
