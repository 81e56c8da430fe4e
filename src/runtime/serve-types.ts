/** What every runtime's HTTP server adapter (serve-node.ts, serve-bun.ts, serve-deno.ts) takes and gives. */

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
