/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the routes themselves: every
 * route carries its description as a `describeRoute(...)` middleware next to its handler,
 * with request bodies given by the same zod schemas the handlers validate with (zod 4 writes
 * JSON Schema draft 2020-12, OpenAPI 3.1's schema dialect). The document is built on the
 * first GET /openapi.json from the app's router, so routes mounted after createApp
 * (mempool, JSON-RPC, Esplora, ...) are in it; test/api/openapi.test.ts walks the router and
 * fails for a route without a description. Zod's own JSON Schema writer and Hono's router
 * are all it needs, so it bundles for the edge with nothing else.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { errorSchema } from './responses.ts';

type Schema = z.ZodType;
type JsonSchema = Record<string, unknown>;

/** An OpenAPI Operation Object (the fields the routes use). */
export interface DescribeRouteOptions {
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; description?: string; schema: JsonSchema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string | number, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
  security?: Record<string, string[]>[];
}

const DESCRIPTION = Symbol('openapi operation');

/** A middleware that does nothing but carry the route's OpenAPI operation. */
export function describeRoute(op: DescribeRouteOptions): MiddlewareHandler {
  // next()'s promise is returned as it is: no async frame of its own on every request.
  const mw: MiddlewareHandler = (_c, next) => next();
  (mw as unknown as Record<symbol, DescribeRouteOptions>)[DESCRIPTION] = op;
  return mw;
}

/** `{ 'application/json': { schema } }` for a zod schema (its output shape). */
export function json(schema: Schema): Record<string, { schema: JsonSchema }> {
  return { 'application/json': { schema: z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema } };
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
export const E503 = { status: 503, description: 'validation queue full, too many request bodies in flight, or the server handling as many requests as it takes (Retry-After)' };
export const E401 = { status: 401, description: 'credentials missing or wrong (the --submit-auth rule: bearer token or RPC credentials)' };
export const E408 = { status: 408, description: 'the body did not arrive within the read deadline' };
export const E429 = { status: 429, description: 'this client already has its share of the requests in flight, or too many failed authentication attempts (Retry-After)' };

/** A path or query parameter, documented with the zod schema the handler checks it with. */
export function param(where: 'path' | 'query', name: string, schema: Schema, description: string): NonNullable<DescribeRouteOptions['parameters']>[number] {
  return { name, in: where, required: where === 'path', description, schema: z.toJSONSchema(schema, { io: 'input' }) as never };
}

/** Hono's `:name` path parameters as OpenAPI's `{name}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

/**
 * The OpenAPI 3.1 document for `app`'s routes: every route registered with a describeRoute
 * middleware. A route mounted for every method (`app.all`: JSON-RPC answers non-POST
 * requests itself, with Core's 405) is described by its POST.
 */
export async function openApiDocument(app: Hono, info: ApiInfo): Promise<Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of app.routes) {
    const op = (r.handler as unknown as Record<symbol, DescribeRouteOptions | undefined>)[DESCRIPTION];
    if (!op) continue;
    const method = r.method === 'ALL' ? 'post' : r.method.toLowerCase();
    (paths[openApiPath(r.path)] ??= {})[method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    tags: [
      { name: 'validation', description: 'Bitcoin Core verdicts; nothing is admitted' },
      { name: 'mempool', description: 'the node mempool: admission, queries, projected blocks, events' },
      { name: 'chain', description: 'chain tip, blocks and coins' },
      { name: 'json-rpc', description: 'Bitcoin Core-compatible JSON-RPC' },
      { name: 'esplora', description: 'Esplora / mempool.space-compatible subset' },
      { name: 'operations', description: 'health, info, metrics and this description' },
    ],
    paths,
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic', description: 'JSON-RPC: --rpcuser/--rpcpassword or the .cookie in the data directory' },
        bearer: { type: 'http', scheme: 'bearer', description: 'POST /blocks when the server runs with --token' },
      },
    },
  };
}
