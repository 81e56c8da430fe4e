/** What every runtime's HTTP server adapter (serve-node.ts, serve-bun.ts, serve-deno.ts) takes and gives. */
export interface ServeOptions {
  fetch: (req: Request) => Response | Promise<Response>;
  port: number;
  host: string;
  /** The runtime's own request size cap, set above the app's limits so the app answers 413. */
  maxBodyBytes: number;
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}
