/** Serving on Deno with Deno.serve (HTTPS through its cert/key options), and Deno's args/env/signals. */
import type { Listening, ServeOptions } from './serve-types.ts';

interface DenoServer {
  addr: { port: number };
  finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface DenoGlobal {
  serve(
    o: { port: number; hostname: string; cert?: string; key?: string; onListen?: (addr: { port: number }) => void },
    handler: (req: Request, info: { remoteAddr?: { hostname?: string } }) => Response | Promise<Response>,
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
  return new Promise((resolve) => {
    const server = deno().serve({
      port: opts.port,
      hostname: opts.host,
      ...(opts.tls ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
      onListen: (addr) => resolve({
        port: addr.port,
        ...(opts.tls ? { tlsMinVersion: 'TLSv1.2' as const } : {}),
        close: () => server.shutdown(),
      }),
    }, (req, info) => opts.fetch(req, { address: info?.remoteAddr?.hostname ?? '' }));
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
