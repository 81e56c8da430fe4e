/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the routes themselves: every
 * route carries its description as a `describeRoute(...)` middleware (hono-openapi) next to
 * its handler, with request bodies given by the same zod schemas the handlers validate with
 * (zod 4 writes JSON Schema draft 2020-12, OpenAPI 3.1's schema dialect). The document is
 * built on the first GET /openapi.json from the app's router, so routes mounted after
 * createApp (mempool, JSON-RPC, Esplora, ...) are in it; test/api/openapi.test.ts walks the
 * router and fails for a route without a description.
 */
import type { Hono } from 'hono';
import { describeRoute, generateSpecs, resolver, type DescribeRouteOptions } from 'hono-openapi';
import { z } from 'zod';
import { errorSchema } from './responses.ts';

export { describeRoute };

type Schema = z.ZodType;

/** `{ 'application/json': { schema } }` for a zod schema. */
export function json(schema: Schema): Record<string, { schema: ReturnType<typeof resolver> }> {
  return { 'application/json': { schema: resolver(schema) } };
}

/** A JSON response. */
export function ok(description: string, schema: Schema): { description: string; content: ReturnType<typeof json> } {
  return { description, content: json(schema) };
}

/** The API's error responses for these statuses, each `{ error: { code, message } }`. */
export function errors(...statuses: { status: number; description: string }[]): Record<string, ReturnType<typeof ok>> {
  return Object.fromEntries(statuses.map((s) => [String(s.status), ok(s.description, errorSchema)]));
}

export const E400 = { status: 400, description: 'malformed request' };
export const E404 = { status: 404, description: 'not found' };
export const E413 = { status: 413, description: 'body over the limit' };
export const E415 = { status: 415, description: 'unsupported content type' };
export const E501 = { status: 501, description: 'not available on this node (stateless mode)' };
export const E503 = { status: 503, description: 'validation queue full (Retry-After)' };

/** A path or query parameter, documented with the zod schema the handler checks it with. */
export function param(where: 'path' | 'query', name: string, schema: Schema, description: string): NonNullable<DescribeRouteOptions['parameters']>[number] {
  return { name, in: where, required: where === 'path', description, schema: z.toJSONSchema(schema, { io: 'input' }) as never };
}

/**
 * The app's routes as the generator reads them. A route mounted for every method (`app.all`:
 * JSON-RPC answers non-POST requests itself, with Core's 405) is described by its POST.
 */
function describedRoutes(app: Hono): { routes: Hono['routes'] } {
  return { routes: app.routes.map((r) => (r.method === 'ALL' && r.path !== '*' && r.path !== '/*' ? { ...r, method: 'POST' } : r)) };
}

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

/** The OpenAPI 3.1 document for `app`'s routes. */
export async function openApiDocument(app: Hono, info: ApiInfo): Promise<Record<string, unknown>> {
  const doc = await generateSpecs(describedRoutes(app) as unknown as Hono, {
    documentation: {
      openapi: '3.1.0',
      info,
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic', description: 'JSON-RPC: --rpcuser/--rpcpassword or the .cookie in the data directory' },
          bearer: { type: 'http', scheme: 'bearer', description: 'POST /blocks when the server runs with --token' },
        },
      },
      tags: [
        { name: 'validation', description: 'Bitcoin Core verdicts; nothing is admitted' },
        { name: 'mempool', description: 'the node mempool: admission, queries, projected blocks, events' },
        { name: 'chain', description: 'chain tip, blocks and coins' },
        { name: 'json-rpc', description: 'Bitcoin Core-compatible JSON-RPC' },
        { name: 'esplora', description: 'Esplora / mempool.space-compatible subset' },
        { name: 'operations', description: 'health, info, metrics and this description' },
      ],
    },
    // /openapi.json is a route like the others, not a static file to leave out.
    excludeStaticFile: false,
  });
  return doc as unknown as Record<string, unknown>;
}
