/**
 * The edge handler as Bun serves a module: `bun edge/bun.ts` (port from PORT, Bun's
 * default 3000). The same fetch as the Cloudflare Worker, with default settings.
 */
import { createEdgeApp } from './app.ts';

const app = createEdgeApp({ host: 'bun' });

export default { fetch: (request: Request): Response | Promise<Response> => app.fetch(request) };
