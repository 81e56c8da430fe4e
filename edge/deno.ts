/**
 * The edge handler under Deno Deploy's model: `Deno.serve` of the same fetch as the
 * Cloudflare Worker. `deno run --allow-net --allow-env edge/deno.ts` (port from PORT,
 * default 8787; Deno Deploy chooses its own).
 */
import { createEdgeApp } from './app.ts';

const app = createEdgeApp({ host: 'deno' });

export const server = Deno.serve({ port: Number(Deno.env.get('PORT') ?? 8787), onListen() {} }, (request) => app.fetch(request));
