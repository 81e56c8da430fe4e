/**
 * Esplora / mempool.space compatible subset:
 *   POST /api/tx                  hex body → txid as text; errors 400 as Esplora words them:
 *                                 `sendrawtransaction RPC error: {"code":-26,"message":"..."}`
 *   GET  /api/mempool             { count, vsize, total_fee, fee_histogram: [[feerate, vsize]…] }
 *   GET  /api/mempool/txids
 *   GET  /api/v1/fees/recommended { fastestFee, halfHourFee, hourFee, economyFee, minimumFee }
 *   GET  /api/v1/fees/mempool-blocks [{ blockSize, blockVSize, nTx, totalFees, medianFee, feeRange }]
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { feeHistogram } from '../mempool/projected.ts';
import type { MempoolDeps } from './deps.ts';
import { ApiError } from './http-error.ts';
import { RpcBusy, RpcError, type RpcMethod } from './rpc.ts';
import type { MempoolViews } from './mempool-views.ts';

/**
 * Esplora's fee_histogram: (feerate, vsize) pairs from the highest fee rate down, each
 * vsize being what pays at least that rate but less than the previous entry's.
 */
function esploraFeeHistogram(deps: MempoolDeps): [number, number][] {
  return feeHistogram(deps.mempool).filter((b) => b.vsize > 0).reverse().map((b) => [b.feeRate, b.vsize]);
}

export function mountEsplora(app: Hono, deps: MempoolDeps, views: MempoolViews, send: RpcMethod, limit: number): void {
  const pool = deps.mempool;
  const tooLarge = () => {
    throw new ApiError(413, 'payload-too-large', `request body exceeds ${limit} bytes`);
  };

  app.post('/api/tx', bodyLimit({ maxSize: limit, onError: tooLarge }), async (c) => {
    const hex = (await c.req.text()).trim();
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

  app.get('/api/mempool', (c) =>
    c.json({ count: pool.size, vsize: pool.totalVsize, total_fee: pool.totalFee, fee_histogram: esploraFeeHistogram(deps) }));

  app.get('/api/mempool/txids', (c) => c.json([...pool.entries()].map((e) => e.txid)));

  app.get('/api/v1/fees/recommended', (c) => c.json(views.recommended()));

  app.get('/api/v1/fees/mempool-blocks', (c) => c.json(views.blocks()));
}
