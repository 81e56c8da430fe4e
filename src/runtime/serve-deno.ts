/** Serving on Deno with Deno.serve (HTTPS through its cert/key options), and Deno's args/env/signals. */
import type { Listening, ServeOptions } from './serve-types.ts';
import { DEFAULT_CONNECTION_LIMITS, LISTEN_BACKLOG, ServerGate, uncapped } from './conn-cap.ts';

interface DenoServer {
  addr: { port: number };
  finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface DenoGlobal {
  serve(
    o: { port: number; hostname: string; tcpBacklog?: number; cert?: string; key?: string; onListen?: (addr: { port: number }) => void },
    handler: (req: Request, info: { remoteAddr?: { hostname?: string; port?: number } }) => Response | Promise<Response>,
  ): DenoServer;
  args: string[];
  env: { toObject(): Record<string, string> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', cb: () => void): void;
  exit(code: number): never;
}
const deno = (): DenoGlobal => (globalThis as unknown as { Deno: DenoGlobal }).Deno;

/**
 * Deno.serve terminates TLS with rustls and takes no protocol-version option: it accepts TLS
 * 1.3 and TLS 1.2 (rustls offers 1.2 only with ECDHE key exchange and AEAD ciphers).
 * Deno.serve has no header, body or idle timeouts (denoland/deno#3515): the app's body
 * deadline and in-flight caps apply (src/api/body.ts), connections that never finish their
 * headers are not closed (SECURITY.md).
 */
export function listenDeno(opts: ServeOptions): Promise<Listening> {
  // Deno.serve reports neither a connection's opening nor its closing: counted by peer
  // address and port, a connection its client closed would stay counted, and clients that
  // open a connection per request would be refused. Only the requests in flight are capped.
  const gate = new ServerGate((opts.limits ?? DEFAULT_CONNECTION_LIMITS).maxRequests);
  return new Promise((resolve) => {
    const server = deno().serve({
      port: opts.port,
      hostname: opts.host,
      tcpBacklog: LISTEN_BACKLOG,
      ...(opts.tls ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
      onListen: (addr) => resolve({
        port: addr.port,
        ...(opts.tls ? { tlsMinVersion: 'TLSv1.2' as const } : {}),
        close: () => server.shutdown(),
      }),
    }, (req, info) => {
      const addr = info?.remoteAddr;
      return gate.handle(addr?.port !== undefined ? `${addr.hostname}|${addr.port}` : undefined, () => opts.fetch(req, { address: addr?.hostname ?? '' }), uncapped(req));
    });
  });
}

export function denoArgs(): { argv: string[]; env: Record<string, string | undefined> } {
  return { argv: deno().args, env: deno().env.toObject() };
}

export function onDenoShutdownSignal(cb: (signal: string) => void): void {
  for (const s of ['SIGINT', 'SIGTERM'] as const) deno().addSignalListener(s, () => cb(s));
}

export function denoExit(code: number): never {
  return deno().exit(code);
}
