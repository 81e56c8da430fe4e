/**
 * The mempool's interfaces on the Hono app: REST, Core-compatible JSON-RPC
 * (POST / and POST /rpc), the Esplora subset (/api/...) and Server-Sent Events (/events).
 *
 * REST (amounts in satoshis, fee rates in sat/vB, like POST /validate):
 *   POST /tx                 text/plain hex, application/octet-stream raw, or JSON {tx, maxfeerate?}
 *                            200 {accepted: true, txid, wtxid, fee, vsize, replaced[, alreadyInMempool]}
 *                            422 {accepted: false, txid, wtxid, reason, details?, kind?} — a policy or
 *                                consensus reject is a well-formed request the node refused (Core's
 *                                reject reason), not a malformed one; undecodable input is 400;
 *                                a full validation queue 503 with Retry-After.
 *   GET  /mempool            {count, vsize, usage, totalFee, minFeeRate, minRelayFeeRate, incrementalRelayFeeRate, maxMempool}
 *   GET  /mempool/txids
 *   GET  /mempool/orphans    [{txid, wtxid}] kept until a parent arrives
 *   GET  /mempool/tx/:txid   getmempoolentry's fields (fees in sats)
 *   GET  /mempool/top?limit=N   best N by ancestor fee rate (1 ≤ N ≤ 1000, default 25)
 *   GET  /mempool/blocks     projected blocks
 *   GET  /fees/recommended
 *   GET  /events             SSE: added / removed (reason confirmed|replaced|conflict|evicted|expired|reorg),
 *                            Last-Event-ID replay (sse.ts)
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { fromHex } from '../primitives/bytes.ts';
import { decodeTx } from '../primitives/tx.ts';
import { btcPerKvBToSatPerKvB } from '../policy/feerate.ts';
import { topByAncestorScore } from '../mempool/miner.ts';
import type { MempoolEntry } from '../mempool/types.ts';
import type { MempoolDeps } from './deps.ts';
import { AuthFailureLimiter, type Credential } from './access.ts';
import { BodyGate, bodyText, parseJsonBody } from './body.ts';
import { ApiError, shownDetails } from './http-error.ts';
import { mountEsplora } from './esplora.ts';
import { routeDocs } from './openapi/routes.ts';
import { mempoolViews } from './mempool-views.ts';
import { registerMempoolMetrics } from './mempool-metrics.ts';
import type { Registry } from './metrics.ts';
import { mempoolRpcMethods } from './rpc-methods.ts';
import { rpcHandler } from './rpc.ts';
import { describeZodError, txBodySchema } from './schemas.ts';
import { SseHub, type SseOptions } from './sse.ts';

export interface MempoolMountOptions {
  /** -rpcuser / -rpcpassword: basic-auth credentials for the JSON-RPC endpoint. */
  rpcUser?: string;
  rpcPassword?: string;
  /** Cookie credentials written by src/runtime/cookie.ts writeAuthCookie (Core uses them when no rpcpassword is set). */
  cookie?: Credential;
  /** Largest POST /tx and POST /api/tx body (default 2 MiB). */
  bodyLimit?: number;
  /** Largest JSON-RPC body (default 16 MiB: 25 transactions of 400 kWU as hex, plus room). */
  rpcBodyLimit?: number;
  /** Most requests in one JSON-RPC batch (default 1000). */
  rpcMaxBatch?: number;
  /** Pause before refusing a wrong RPC password (default 250 ms, as Core). */
  authFailureDelayMs?: number;
  sse?: SseOptions;
  /** The access rule of POST /tx and POST /api/tx (createApp's submitAccess); default open. */
  submitAccess?: MiddlewareHandler;
  /** Failed-authentication budget shared with createApp (default: a fresh one). */
  authLimiter?: AuthFailureLimiter;
  /** Body reading shared with createApp (default: a fresh one). */
  bodyGate?: BodyGate;
  /** GET /metrics' registry (createApp's): mempool and chain-tip gauges and event counters join it. */
  registry?: Registry;
}

export interface MempoolMount {
  /** Ends the SSE streams (call before closing the HTTP server). */
  close(): void;
  readonly sse: SseHub;
}

const TOP_DEFAULT = 25;
const TOP_MAX = 1000;

const rate = (fee: number, vsize: number): number => (vsize > 0 ? Math.round((fee / vsize) * 1000) / 1000 : 0);

function entryRest(e: MempoolEntry): Record<string, unknown> {
  return {
    txid: e.txid, wtxid: e.wtxid, vsize: e.vsize, weight: e.weight, time: e.time, height: e.height,
    descendantcount: e.descCount, descendantsize: e.descSize, ancestorcount: e.ancCount, ancestorsize: e.ancSize,
    fees: { base: e.fee, modified: e.modFee, ancestor: e.ancFee, descendant: e.descFee },
    feerate: rate(e.modFee, e.vsize),
    depends: [...e.parents].map((p) => p.txid),
    spentby: [...e.children].map((c) => c.txid),
  };
}

function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Mounts REST, JSON-RPC, Esplora and SSE routes for the mempool on `app`. */
export function mountMempool(app: Hono, deps: MempoolDeps, opts: MempoolMountOptions = {}): MempoolMount {
  const pool = deps.mempool;
  const limit = opts.bodyLimit ?? 2 * 1024 * 1024;
  const rpcLimit = opts.rpcBodyLimit ?? 16 * 1024 * 1024;
  const views = mempoolViews(pool);
  const sse = new SseHub(pool, opts.sse);
  const methods = mempoolRpcMethods(deps, views);
  const stopMetrics = opts.registry ? registerMempoolMetrics(opts.registry, deps, views) : undefined;
  const gate = opts.bodyGate ?? new BodyGate();
  const access: MiddlewareHandler = opts.submitAccess ?? ((_c, next) => next());

  // ---- REST ----
  app.post('/tx', routeDocs.submitTx, access, async (c) => {
    const type = mediaType(c);
    let raw: Uint8Array;
    let maxFeeRate: number | undefined;
    if (type === 'application/json') {
      const body = parseJsonBody(await gate.read(c.req.raw, limit));
      const r = txBodySchema.safeParse(body);
      if (!r.success) throw new ApiError(400, 'bad-request', describeZodError(r.error));
      raw = fromHex(r.data.tx);
      if (r.data.maxfeerate !== undefined) maxFeeRate = btcPerKvBToSatPerKvB(r.data.maxfeerate);
    } else if (type === 'application/octet-stream') {
      raw = await gate.read(c.req.raw, limit);
    } else if (type === 'text/plain') {
      raw = fromHex(bodyText(await gate.read(c.req.raw, limit)).trim());
    } else {
      throw new ApiError(415, 'unsupported-media-type',
        'POST /tx takes application/octet-stream (raw tx), text/plain (hex tx) or application/json' + (type ? `, not ${type}` : '; no Content-Type given'));
    }
    const tx = decodeTx(raw);
    const out = await deps.submitTx(tx, maxFeeRate === undefined ? {} : { maxFeeRate });
    if (out.busy) {
      throw new ApiError(503, 'busy', 'validation queue is full', { 'Retry-After': String(Math.max(1, Math.ceil(out.retryAfter))) });
    }
    if (out.allowed) {
      const body: Record<string, unknown> = { accepted: true, txid: out.txid, wtxid: out.wtxid, fee: Number(out.fee), vsize: out.vsize, replaced: out.replaced ?? [] };
      if (out.alreadyInMempool) body.alreadyInMempool = true;
      if (out.relayed !== undefined) body.relayed = out.relayed;
      return c.json(body, 200);
    }
    const body: Record<string, unknown> = { accepted: false, txid: out.txid, wtxid: out.wtxid, reason: out.reason };
    const details = shownDetails(out.kind, out.details);
    if (details !== undefined) body.details = details;
    if (out.kind !== undefined) body.kind = out.kind;
    if (out.orphan) body.orphan = true;
    return c.json(body, 422);
  });

  app.get('/mempool', routeDocs.mempool, (c) => c.json({
    count: pool.size, vsize: pool.totalVsize, usage: pool.memoryUsage, totalFee: pool.totalFee,
    minFeeRate: views.minFeeKvB() / 1000, minRelayFeeRate: pool.opts.minRelayFeeRate / 1000,
    incrementalRelayFeeRate: pool.opts.incrementalRelayFeeRate / 1000, maxMempool: pool.opts.maxSizeBytes,
  }));

  app.get('/mempool/txids', routeDocs.mempoolTxids, (c) => c.json([...pool.entries()].map((e) => e.txid)));

  // Transactions kept because a parent is unknown (not in the mempool; expire after 20 min).
  app.get('/mempool/orphans', routeDocs.orphans, (c) => c.json(deps.orphans?.() ?? []));

  app.get('/mempool/tx/:txid', routeDocs.mempoolTx, (c) => {
    const txid = c.req.param('txid');
    if (!/^[0-9a-fA-F]{64}$/.test(txid)) throw new ApiError(400, 'bad-request', 'txid must be 64 hex digits');
    const e = pool.get(txid.toLowerCase());
    if (!e) throw new ApiError(404, 'not-found', 'Transaction not in mempool');
    return c.json(entryRest(e));
  });

  app.get('/mempool/top', routeDocs.mempoolTop, (c) => {
    const q = c.req.query('limit');
    let n = TOP_DEFAULT;
    if (q !== undefined) {
      if (!/^\d{1,7}$/.test(q) || Number(q) < 1 || Number(q) > TOP_MAX) throw new ApiError(400, 'bad-request', `limit must be an integer 1..${TOP_MAX}`);
      n = Number(q);
    }
    return c.json(topByAncestorScore(pool, n).map((e) => ({
      txid: e.txid, wtxid: e.wtxid, fee: e.fee, vsize: e.vsize, ancestorcount: e.ancCount, ancestorfee: e.ancFee, ancestorsize: e.ancSize,
      // The ancestor score: min(own, ancestor-package) fee rate, sat/vB.
      score: rate(e.aKeyFee, e.aKeySize),
    })));
  });

  app.get('/mempool/blocks', routeDocs.mempoolBlocks, (c) => c.json(views.blocks()));

  app.get('/fees/recommended', routeDocs.feesRecommended, (c) => c.json(views.recommended()));

  app.get('/events', routeDocs.events, (c) => {
    // HEAD: the headers only. A stream opened for it would never be read nor cancelled
    // (the runtime drops a HEAD answer's body) and would hold a client slot for good.
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    const res = sse.open(c.req.raw.signal, c.req.header('last-event-id'));
    if (!res) throw new ApiError(503, 'busy', 'too many event-stream clients', { 'Retry-After': '5' });
    return res;
  });

  // ---- JSON-RPC (Core: POST /, and any path; txgate serves / and /rpc) ----
  const credentials: Credential[] = [];
  if (opts.rpcPassword !== undefined && opts.rpcPassword !== '') credentials.push({ user: opts.rpcUser ?? '', password: opts.rpcPassword });
  if (opts.cookie) credentials.push(opts.cookie);
  const rpc = rpcHandler(methods, {
    credentials,
    ...(opts.rpcMaxBatch !== undefined ? { maxBatch: opts.rpcMaxBatch } : {}),
    ...(opts.authFailureDelayMs !== undefined ? { authFailureDelayMs: opts.authFailureDelayMs } : {}),
    bodyLimit: rpcLimit, gate, ...(opts.authLimiter ? { limiter: opts.authLimiter } : {}),
  });
  for (const path of ['/', '/rpc']) app.all(path, routeDocs.rpc, rpc);

  // ---- Esplora ----
  mountEsplora(app, deps, views, methods.get('sendrawtransaction')!, { limit, gate, access });

  return {
    close: () => {
      stopMetrics?.();
      sse.close();
    },
    sse,
  };
}
