/** What every runtime's HTTP server adapter (serve-node.ts, serve-bun.ts, serve-deno.ts) takes and gives. */
import type { ConnectionLimits } from './conn-cap.ts';

/** Who sent a request, as the server saw it (admission control's client: src/api/admission.ts). */
export interface ClientInfo {
  /** The peer's IP address ('' when the server does not say). */
  address: string;
}

export interface ServeOptions {
  fetch: (req: Request, client: ClientInfo) => Response | Promise<Response>;
  port: number;
  host: string;
  /** The runtime's own request size cap, set above the app's limits so the app answers 413. */
  maxBodyBytes: number;
  /** Open client connections and requests in flight (default DEFAULT_CONNECTION_LIMITS, conn-cap.ts). */
  limits?: ConnectionLimits;
  /** Serve HTTPS: the certificate chain and private key as PEM text. */
  tls?: { cert: string; key: string };
}

/** The lowest TLS version a server accepts (what its runtime lets the adapter set). */
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

export interface Listening {
  port: number;
  /** Set when serving HTTPS. */
  tlsMinVersion?: TlsMinVersion;
  close(): Promise<void>;
}

/**
 * Connection deadlines where the runtime's server has the knob (serve-node.ts; Bun's
 * idleTimeout). The whole-body deadline and the in-flight caps are the app's (src/api/body.ts).
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 40_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Bun.serve's idleTimeout, in seconds: a connection with no bytes either way for this long is closed. */
export const BUN_IDLE_TIMEOUT_S = 10;
