/**
 * The edge handler under Deno Deploy's model: `Deno.serve` of the same fetch as the
 * Cloudflare Worker. `deno run --allow-net --allow-env edge/deno.ts` (port from PORT,
 * default 8787; Deno Deploy chooses its own).
 */
import { createEdgeApp } from './app.ts';

interface DenoServer {
  readonly addr: { port: number };
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}
interface DenoGlobal {
  serve(o: { port: number; onListen?: () => void }, handler: (req: Request) => Response | Promise<Response>): DenoServer;
  env: { get(name: string): string | undefined };
}
const deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;

const app = createEdgeApp({ host: 'deno' });

export const server = deno.serve({ port: Number(deno.env.get('PORT') ?? 8787), onListen() {} }, (request) => app.fetch(request));
