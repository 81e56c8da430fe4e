/**
 * GET /openapi.json (the OpenAPI 3.1 document, built once on first request from the routes
 * mounted by then) and GET /docs (a reference page rendered in the browser from it).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { docsPage, DOCS_CSP } from './docs-page.ts';
import { describeRoute, openApiDocument, type ApiInfo } from './spec.ts';

/** The package version (package.json). */
export const TXGATE_VERSION = '0.1.0';

export const API_INFO: ApiInfo = {
  title: 'txgate',
  version: TXGATE_VERSION,
  description: "Bitcoin transaction validation with Bitcoin Core's semantics: verdicts, a mempool, Core-compatible JSON-RPC and an Esplora subset.",
};

export function mountOpenApi(app: Hono, info: ApiInfo = API_INFO): void {
  let doc: Promise<Record<string, unknown>> | undefined;
  app.get('/openapi.json', describeRoute({
    tags: ['operations'], summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'the document', content: { 'application/json': { schema: z.toJSONSchema(z.record(z.string(), z.unknown())) as never } } } },
  }), async (c) => {
    doc ??= openApiDocument(app, info);
    return c.json(await doc);
  });
  const page = docsPage(info.title);
  app.get('/docs', describeRoute({
    tags: ['operations'], summary: 'API reference page (rendered from /openapi.json; loads nothing from elsewhere)',
    responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
  }), (c) => c.html(page, 200, { 'Content-Security-Policy': DOCS_CSP }));
}
