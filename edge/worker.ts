/**
 * The Cloudflare Worker entry (workerd): `wrangler deploy` ships it, `npm run edge` serves it
 * locally in workerd. Settings come from the worker's variables (wrangler.toml [vars]):
 * SIG_CHECK_BUDGET, BODY_LIMIT, MAX_BATCH. The app is built once per isolate.
 */
import type { Hono } from 'hono';
import { createEdgeApp, edgeOptionsFrom } from './app.ts';

let app: Hono | undefined;

export default {
  fetch(request: Request, env: Record<string, unknown> = {}): Response | Promise<Response> {
    app ??= createEdgeApp(edgeOptionsFrom(env, 'workerd'));
    return app.fetch(request);
  },
};
