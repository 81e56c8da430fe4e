/**
 * The live dashboard: GET / (the page), /dashboard.js, /dashboard.css, /favicon.svg and
 * GET /stats (its data). Everything is served from these string constants, so the page
 * loads nothing from elsewhere; the Content-Security-Policy allows only this origin.
 *
 * Mount it before the JSON-RPC routes: those answer every method on `/` (GET with 405, as
 * Core), and Hono runs the handlers of a path in the order they were added.
 */
import type { Hono } from 'hono';
import { describeRoute } from '../openapi/spec.ts';
import { CLIENT_INSPECTOR } from './client-inspector.ts';
import { CLIENT_LIVE } from './client-live.ts';
import { CLIENT_UTIL } from './client-util.ts';
import { FAVICON_SVG, PAGE_CSS, PAGE_HTML } from './page.ts';
import { dashboardStats, type DashboardSource } from './stats.ts';

export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export const DASHBOARD_JS = "(function () {\n'use strict';\n" + CLIENT_UTIL + CLIENT_LIVE + CLIENT_INSPECTOR +
  "\ndocument.addEventListener('DOMContentLoaded', function () { startLive(); startInspector(); });\n})();\n";

const common = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

export function mountDashboard(app: Hono, src: DashboardSource): void {
  const stats = dashboardStats(src);
  const asset = (path: string, type: string, body: string, summary: string) =>
    app.get(path, describeRoute({
      tags: ['operations'], summary,
      responses: { 200: { description: summary, content: { [type.split(';')[0]!]: { schema: { type: 'string' } } } } },
    }), (c) => c.body(body, 200, { ...common, 'Content-Type': type }));
  asset('/', 'text/html; charset=utf-8', PAGE_HTML, 'The live dashboard (a page served with its script and style; nothing from elsewhere)');
  asset('/dashboard.js', 'text/javascript; charset=utf-8', DASHBOARD_JS, "The dashboard's script");
  asset('/dashboard.css', 'text/css; charset=utf-8', PAGE_CSS, "The dashboard's style sheet");
  asset('/favicon.svg', 'image/svg+xml', FAVICON_SVG, "The dashboard's icon");
  app.get('/stats', describeRoute({
    tags: ['operations'], summary: "The dashboard's data: chain tip, mempool, projected blocks, fee histogram, verdict activity",
    responses: { 200: { description: 'one JSON document', content: { 'application/json': { schema: { type: 'object' } } } } },
  }), (c) => c.json(stats(), 200, { 'Cache-Control': 'no-store' }));
}
