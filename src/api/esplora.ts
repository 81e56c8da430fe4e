/**
 * Esplora / mempool.space compatible subset:
 *   POST /api/tx                  hex body → txid as text; errors 400 as Esplora words them:
 *                                 `sendrawtransaction RPC error: {"code":-26,"message":"..."}`
 *   GET  /api/mempool             { count, vsize, total_fee, fee_histogram: [[feerate, vsize]…] }
 *   GET  /api/mempool/txids
 *   GET  /api/v1/fees/recommended { fastestFee, halfHourFee, hourFee, economyFee, minimumFee }
 *   GET  /api/v1/fees/mempool-blocks [{ blockSize, blockVSize, nTx, totalFees, medianFee, feeRange }]
 *   GET  /api/tx/:txid, /api/tx/:txid/hex, /api/tx/:txid/status   mempool transactions (no
 *                                 transaction index: a txid not in the mempool is 404)
 *   GET  /api/blocks/tip/height, /api/blocks/tip/hash   as text
 * Each route carries its OpenAPI description (describeRoute) beside it.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { toHex } from '../primitives/bytes.ts';
import { z } from 'zod';
import { feeHistogram } from '../mempool/projected.ts';
import { esploraTxJson } from './esplora-tx.ts';
import * as R from './openapi/responses.ts';
import { describeRoute, E401, E408, E413, E429, E503, errors, ok, param } from './openapi/spec.ts';
import { txidParamSchema } from './schemas.ts';
import type { MempoolDeps } from './deps.ts';
import { ApiError } from './http-error.ts';
import { bodyText, type BodyGate } from './body.ts';
import { RpcBusy, RpcError, type RpcMethod } from './rpc.ts';
import type { MempoolViews } from './mempool-views.ts';

/**
 * Esplora's fee_histogram: (feerate, vsize) pairs from the highest fee rate down, each
 * vsize being what pays at least that rate but less than the previous entry's.
 */
function esploraFeeHistogram(deps: MempoolDeps): [number, number][] {
  return feeHistogram(deps.mempool).filter((b) => b.vsize > 0).reverse().map((b) => [b.feeRate, b.vsize]);
}

export interface EsploraPost {
  /** Largest POST /api/tx body. */
  limit: number;
  gate: BodyGate;
  /** The mutating endpoints' access rule. */
  access: MiddlewareHandler;
}

export function mountEsplora(app: Hono, deps: MempoolDeps, views: MempoolViews, send: RpcMethod, post: EsploraPost): void {
  const pool = deps.mempool;

  const text = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ description, content: { 'text/plain': { schema } } });
  app.post('/api/tx', describeRoute({
    tags: ['esplora'], summary: 'Broadcast a transaction (hex body); answers its txid',
    requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string', pattern: '^\\s*[0-9a-fA-F]+\\s*$' } } } },
    responses: { 200: text('the txid'), 400: text('sendrawtransaction RPC error: {"code":…,"message":…}'), ...errors(E401, E408, E413, E429, E503) },
  }), post.access, async (c) => {
    const hex = bodyText(await post.gate.read(c.req.raw, post.limit)).trim();
    try {
      const txid = (await send.run([hex])) as string;
      return c.text(txid, 200);
    } catch (e) {
      if (e instanceof RpcBusy) {
        throw new ApiError(503, 'busy', 'validation queue is full', { 'Retry-After': String(Math.max(1, Math.ceil(e.retryAfter))) });
      }
      if (e instanceof RpcError) {
        return c.text(`sendrawtransaction RPC error: ${JSON.stringify({ code: e.code, message: e.message })}`, 400);
      }
      throw e;
    }
  });

  app.get('/api/mempool', describeRoute({
    tags: ['esplora'], summary: 'Mempool backlog statistics with the fee histogram',
    responses: { 200: ok('count, vsize, total_fee, fee_histogram', R.esploraMempoolSchema) },
  }), (c) =>
    c.json({ count: pool.size, vsize: pool.totalVsize, total_fee: pool.totalFee, fee_histogram: esploraFeeHistogram(deps) }));

  app.get('/api/mempool/txids', describeRoute({ tags: ['esplora'], summary: 'Every mempool txid', responses: { 200: ok('txids', R.txidListSchema) } }), (c) => c.json([...pool.entries()].map((e) => e.txid)));

  app.get('/api/v1/fees/recommended', describeRoute({ tags: ['esplora'], summary: 'Fee recommendations (mempool.space)', responses: { 200: ok('sat/vB', R.recommendedSchema) } }), (c) => c.json(views.recommended()));

  app.get('/api/v1/fees/mempool-blocks', describeRoute({ tags: ['esplora'], summary: 'Projected blocks (mempool.space)', responses: { 200: ok('blocks', R.projectedBlocksSchema) } }), (c) => c.json(views.blocks()));

  // Esplora answers these in plain text: 400 "Invalid hex string", 404 "Transaction not found".
  const txid = param('path', 'txid', txidParamSchema, 'transaction id');
  const notFound = { 400: text('Invalid hex string'), 404: text('Transaction not found (txgate has no transaction index: mempool transactions only)') };
  const entry = (id: string) => (txidParamSchema.safeParse(id).success ? pool.get(id.toLowerCase()) ?? 404 : 400);
  const missing = (c: Context, e: 400 | 404) => c.text(e === 400 ? 'Invalid hex string' : 'Transaction not found', e);

  app.get('/api/tx/:txid', describeRoute({
    tags: ['esplora'], summary: 'A mempool transaction', parameters: [txid],
    responses: { 200: ok('the transaction with its prevouts, fee and status', R.esploraTxSchema), ...notFound },
  }), (c) => {
    const e = entry(c.req.param('txid'));
    return typeof e === 'number' ? missing(c, e) : c.json(esploraTxJson(deps, e));
  });

  app.get('/api/tx/:txid/hex', describeRoute({
    tags: ['esplora'], summary: 'A mempool transaction as hex', parameters: [txid], responses: { 200: text('the raw transaction, hex'), ...notFound },
  }), (c) => {
    const e = entry(c.req.param('txid'));
    return typeof e === 'number' ? missing(c, e) : c.text(toHex(e.tx.raw));
  });

  app.get('/api/tx/:txid/status', describeRoute({
    tags: ['esplora'], summary: "A mempool transaction's confirmation status", parameters: [txid],
    responses: { 200: ok('{ confirmed: false } for a mempool transaction', R.esploraStatusSchema), ...notFound },
  }), (c) => {
    const e = entry(c.req.param('txid'));
    return typeof e === 'number' ? missing(c, e) : c.json({ confirmed: false });
  });

  app.get('/api/blocks/tip/height', describeRoute({
    tags: ['esplora'], summary: 'The chain tip height', responses: { 200: text('height', z.toJSONSchema(z.string().regex(/^\d+$/))) },
  }), (c) => c.text(String(deps.chainInfo().blocks)));

  app.get('/api/blocks/tip/hash', describeRoute({
    tags: ['esplora'], summary: 'The chain tip hash', responses: { 200: text('block hash', z.toJSONSchema(z.string().regex(/^[0-9a-f]{64}$/))) },
  }), (c) => c.text(deps.chainInfo().bestblockhash));
}
