/**
 * The HTTP API (Hono): POST /validate, POST /blocks, GET /chain/tip, GET /utxo/:txid/:vout,
 * GET /health, GET /ready, GET /info, GET /metrics. Runtime-neutral: the runtime layer serves app.fetch.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { hexToHash, toHex } from '../primitives/bytes.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import type { AcceptResult } from '../mempool/accept.ts';
import type { AppDeps } from './deps.ts';
import { AuthFailureLimiter, submitAccess, type Credential, type SubmitAuth } from './access.ts';
import { Admission, admit, type AdmissionOptions } from './admission.ts';
import { BodyGate } from './body.ts';
import { mainThreadSlicer, validateInSlices, type TimeSlicer } from './time-slice.ts';
import { ApiError, errorBody, loggedFailure, shownDetails, type ApiErrorCode } from './http-error.ts';
import { PROMETHEUS_CONTENT_TYPE, Registry, registerSyncGauges } from './metrics.ts';
import { mountOpenApi } from './openapi/mount.ts';
import { routeDocs } from './openapi/routes.ts';
import { txidParamSchema } from './schemas.ts';
import { DEFAULT_TRACE_LIMITS, traceItems, traceQuery, type TraceLimits, type TxTrace } from './trace.ts';
import { bytesOrHex, validateItems } from './validate-body.ts';

export interface AppOptions {
  /** Largest request body for POST /validate, in bytes (default 2 MiB). */
  bodyLimit?: number;
  /** Largest request body for POST /blocks (default 8 MB + 2: a 4 MB block as hex). */
  blockBodyLimit?: number;
  /** Most transactions in one JSON batch (default 100). */
  maxBatch?: number;
  /** Bearer token (--token) of the `token` access rule. */
  token?: string;
  /**
   * Who may call the mutating endpoints (POST /blocks here, POST /tx and POST /api/tx in
   * mountMempool): `open`, `token` (the bearer token) or `rpc` (the RPC credentials).
   * Default: `token` when a token is given, else `open`.
   */
  submitAuth?: SubmitAuth;
  /** The RPC credentials of the `rpc` access rule. */
  credentials?: readonly Credential[];
  /** Failed-authentication budget shared with JSON-RPC (default: a fresh one). */
  authLimiter?: AuthFailureLimiter;
  /** Body reading: deadline and in-flight caps shared by every route (default: a fresh one). */
  bodyGate?: BodyGate;
  /** Metrics registry (a fresh one by default). */
  registry?: Registry;
  /** Budget of the script traces of one POST /validate (default DEFAULT_TRACE_LIMITS). */
  traceLimits?: TraceLimits;
  /** The server's lifecycle for GET /ready (default: always serving). */
  lifecycle?: () => Lifecycle;
  /** Admission control of POST /validate and POST /tx (src/api/admission.ts), or its settings. */
  admission?: Admission | AdmissionOptions;
  /** Where a batch's items pause between one another (src/api/time-slice.ts; default: the main thread's). */
  slicer?: TimeSlicer;
}

/** Where the server is: not yet listening, serving, or shutting down (draining). */
export type Lifecycle = 'starting' | 'serving' | 'stopping';

/** One result as JSON: amounts as numbers (sats fit in 2^53). */
export interface ResultJson {
  txid: string | null;
  wtxid: string | null;
  allowed: boolean;
  vsize: number | null;
  weight: number | null;
  fee: number | null;
  feerate: number | null;
  reason?: string;
  details?: string;
  kind?: AcceptResult['kind'];
  trace?: TxTrace;
}

function resultJson(r: AcceptResult): ResultJson {
  const out: ResultJson = {
    txid: r.txid, wtxid: r.wtxid, allowed: r.allowed, vsize: r.vsize, weight: r.weight,
    fee: r.fee === null ? null : Number(r.fee), feerate: r.feerate === null ? null : Math.round(r.feerate * 1000) / 1000,
  };
  if (r.reason !== undefined) out.reason = r.reason;
  const details = shownDetails(r.kind, r.details);
  if (details !== undefined) out.details = details;
  if (r.kind !== undefined) out.kind = r.kind;
  return out;
}

/** A batch item whose transaction did not decode (Core's RPC: "TX decode failed"). */
function malformedJson(message: string): ResultJson {
  return {
    txid: null, wtxid: null, allowed: false, vsize: null, weight: null, fee: null, feerate: null,
    reason: 'TX decode failed', details: message, kind: 'malformed',
  };
}

function mediaType(c: Context): string {
  const h = c.req.header('content-type') ?? '';
  // The usual values as they are: no split, trim or case folding to make them again.
  if (h === 'application/octet-stream' || h === 'application/json' || h === 'text/plain') return h;
  return h.split(';')[0]!.trim().toLowerCase();
}

/** The content type's media type, 415 unless it is raw bytes or hex. */
function bytesOrHexType(c: Context, what: string): string {
  const type = mediaType(c);
  if (type === 'application/octet-stream' || type === 'text/plain') return type;
  throw new ApiError(415, 'unsupported-media-type',
    `${what} must be application/octet-stream (raw bytes) or text/plain (hex)` + (type ? `, not ${type}` : '; no Content-Type given'));
}

function statusCode(status: number): ApiErrorCode {
  switch (status) {
    case 401: return 'unauthorized';
    case 404: return 'not-found';
    case 405: return 'method-not-allowed';
    case 413: return 'payload-too-large';
    case 429: return 'rate-limited';
    case 415: return 'unsupported-media-type';
    case 501: return 'not-implemented';
    case 503: return 'busy';
    default: return status >= 500 ? 'internal' : 'bad-request';
  }
}

const routePatterns = new Map<string, RegExp>();

/** A route path (`/utxo/:txid/:vout`, `/x/*`) as an anchored regular expression. */
function routePattern(path: string): RegExp {
  let re = routePatterns.get(path);
  if (!re) {
    const body = path.split('/').map((seg) =>
      seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/');
    re = new RegExp(`^${body}$`);
    routePatterns.set(path, re);
  }
  return re;
}

/** The methods routed for `path` (HEAD wherever GET is: Hono answers HEAD with the GET route). */
function allowedMethods(app: Hono, path: string): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path === '*' || r.path === '/*') continue;
    if (routePattern(r.path).test(path)) out.add(r.method);
  }
  if (out.has('GET')) out.add('HEAD');
  return [...out].sort();
}

export function createApp(deps: AppDeps, options: AppOptions = {}): Hono {
  const limit = options.bodyLimit ?? 2 * 1024 * 1024;
  const blockLimit = options.blockBodyLimit ?? 8_000_002;
  const maxBatch = options.maxBatch ?? 100;
  const registry = options.registry ?? new Registry();
  const gate = options.bodyGate ?? new BodyGate();
  const slicer = options.slicer ?? mainThreadSlicer;
  const submitAuth = options.submitAuth ?? (options.token ? 'token' : 'open');
  const access = submitAccess({
    rule: submitAuth, limiter: options.authLimiter ?? new AuthFailureLimiter(),
    ...(options.token !== undefined ? { token: options.token } : {}), ...(options.credentials ? { credentials: options.credentials } : {}),
  });

  const validations = registry.counter('txgate_validations_total', 'Transactions validated, by verdict and reject reason.');
  const latency = registry.histogram('txgate_validate_seconds', 'POST /validate handling time in seconds.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  const requests = registry.counter('txgate_http_requests_total', 'HTTP requests by route and status.');
  const busyCount = registry.counter('txgate_busy_total', 'Requests refused because the validation queue was full.').declare();
  validations.declare({ verdict: 'allowed', reason: '' });
  registry.gauge('txgate_queue_depth', 'Transactions waiting for validation.', () => deps.gauges?.().queueDepth);
  registry.gauge('txgate_utxo_coins', 'Coins in the UTXO set.', () => deps.gauges?.().coinCount);
  if (deps.sync) registerSyncGauges(registry, deps.sync);
  registry.gauge('txgate_cache_hit_ratio', 'Cache hit rate per cache.', () => {
    const rates = deps.gauges?.().cacheHitRate;
    return rates ? Object.entries(rates).map(([cache, value]) => ({ labels: { cache }, value })) : undefined;
  });

  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    requests.inc({ route: c.req.routePath || 'unmatched', method: c.req.method, status: String(c.res.status) });
  });

  // Before any body is read: a flood is refused at the cost of an answer, not of a parse.
  const admission = options.admission instanceof Admission ? options.admission : new Admission(options.admission);
  const refused = registry.counter('txgate_admission_refused_total', 'Requests to /validate and /tx refused before their body was read, by status.');
  const admitting = admit(admission, {
    bodyLimit: limit, queueDepth: () => deps.gauges?.().queueDepth ?? 0, onRefuse: (status) => refused.inc({ status: String(status) }),
  });
  app.use('/validate', admitting);
  app.use('/tx', admitting);
  registry.gauge('txgate_admission_in_flight', 'Requests admitted to /validate and /tx and not yet answered.', () => admission.load().requests);

  app.post('/validate', routeDocs.validate, async (c) => {
    const started = performance.now();
    const type = mediaType(c);
    if (type !== 'application/json' && type !== 'application/octet-stream' && type !== 'text/plain') {
      throw new ApiError(415, 'unsupported-media-type',
        'POST /validate takes application/octet-stream (raw tx), text/plain (hex tx) or application/json' +
          (type ? `, not ${type}` : '; no Content-Type given'));
    }
    const trace = traceQuery(c.req.query('trace'));
    const { items, batch, malformed } = await validateItems(type, await gate.read(c.req.raw, limit), trace, maxBatch, slicer);

    // A batch is checked, decoded and validated in time slices (time-slice.ts): other requests
    // are answered between its items.
    deps.checkRequest?.(items);
    const outcome = items.length ? await validateInSlices(items, (xs) => deps.validate(xs), slicer) : { busy: false as const, results: [] };
    if (outcome.busy) {
      busyCount.inc();
      throw new ApiError(503, 'busy', 'validation queue is full', { 'Retry-After': String(Math.max(1, Math.ceil(outcome.retryAfter))) });
    }
    const results = outcome.results.map(resultJson);
    traceItems(items, outcome.results, options.traceLimits ?? DEFAULT_TRACE_LIMITS).forEach((t, i) => {
      if (t) results[i]!.trace = t;
    });
    for (const r of results) {
      validations.inc({ verdict: r.allowed ? 'allowed' : r.kind === 'error' ? 'error' : 'rejected', reason: r.reason ?? '' });
    }
    for (const [i, message] of [...malformed].sort((a, b) => a[0] - b[0])) {
      results.splice(i, 0, malformedJson(message));
      validations.inc({ verdict: 'rejected', reason: 'TX decode failed' });
    }
    latency.observe((performance.now() - started) / 1000);
    return c.json(batch ? results : results[0]!);
  });

  app.post('/blocks', routeDocs.blocks, access, async (c) => {
    if (!deps.submitBlock) throw new ApiError(501, 'not-implemented', 'this node keeps no chain and accepts no blocks (stateless mode)');
    const raw = bytesOrHex(bytesOrHexType(c, 'the block'), await gate.read(c.req.raw, blockLimit));
    const outcome = await deps.submitBlock(raw);
    if (outcome.busy) {
      throw new ApiError(503, 'busy', 'validation queue is full', { 'Retry-After': String(Math.max(1, Math.ceil(outcome.retryAfter))) });
    }
    const { busy: _busy, ...result } = outcome;
    if (result.accepted) return c.json(result);
    if (result.malformed) throw new ApiError(400, 'malformed', `block decode failed: ${result.details ?? ''}`);
    // A block that fails validation: its verdict with Core's reason, as POST /tx's 422.
    return c.json(result, 422);
  });

  app.get('/chain/tip', routeDocs.tip, async (c) => {
    if (!deps.tip) throw new ApiError(501, 'not-implemented', 'this node tracks no chain (stateless mode)');
    const tip = await deps.tip();
    if (!tip) throw new ApiError(404, 'not-found', 'no chain tip yet');
    return c.json(tip);
  });

  app.get('/utxo/:txid/:vout', routeDocs.utxo, async (c) => {
    if (!deps.getUtxo) throw new ApiError(501, 'not-implemented', 'this node has no UTXO set (stateless mode)');
    const { txid, vout } = c.req.param();
    const txidParsed = txidParamSchema.safeParse(txid);
    if (!txidParsed.success) throw new ApiError(400, 'bad-request', 'txid must be 64 hex digits');
    if (!/^\d{1,10}$/.test(vout) || Number(vout) > 0xffffffff) throw new ApiError(400, 'bad-request', 'vout must be an integer 0..4294967295');
    const coin = await deps.getUtxo(hexToHash(txid), Number(vout));
    if (!coin) throw new ApiError(404, 'not-found', `no unspent output ${txid.toLowerCase()}:${vout}`);
    return c.json({
      txid: txid.toLowerCase(), vout: Number(vout), amount: Number(coin.value), scriptPubKey: toHex(coin.scriptPubKey),
      height: coin.height, coinbase: coin.coinbase,
    });
  });

  app.get('/health', routeDocs.health, (c) => {
    const h = deps.health?.() ?? { ok: true };
    const sync = deps.sync ? { synced: deps.sync().synced } : {};
    return c.json({ status: h.ok ? 'ok' : 'unhealthy', ...(h.detail ?? {}), ...sync }, h.ok ? 200 : 503);
  });

  // Readiness, for load balancers and orchestrators: 200 while serving and synced, else 503
  // (still starting, shutting down, or behind the peers it follows). Liveness is /health.
  app.get('/ready', routeDocs.ready, (c) => {
    const state = options.lifecycle?.() ?? 'serving';
    const sync = deps.sync?.() ?? { synced: true };
    const ready = state === 'serving' && sync.synced;
    return c.json({ ready, state, ...sync }, ready ? 200 : 503);
  });

  app.get('/info', routeDocs.info, (c) => c.json({ ...deps.info(), ...(deps.sync ? { sync: deps.sync() } : {}) }));

  app.get('/metrics', routeDocs.metrics, (c) => c.body(registry.render(), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }));

  mountOpenApi(app);

  // A path that exists under other methods is 405 with an Allow header (RFC 9110 §15.5.6),
  // else 404. Read at request time: routes mounted after createApp (mempool, RPC, Esplora)
  // count too.
  app.notFound((c) => {
    const allow = allowedMethods(app, c.req.path);
    if (allow.length > 0) {
      return c.json(errorBody('method-not-allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(', ')}`), 405, { Allow: allow.join(', ') });
    }
    return c.json(errorBody('not-found', `no such endpoint: ${c.req.method} ${c.req.path}`), 404);
  });

  // The one error handler: every failure leaves as { error: { code, message } }.
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message), err.status, err.headers);
    }
    if (err instanceof DecodeError) {
      return c.json(errorBody('malformed', err.message), 400);
    }
    if (err instanceof HTTPException) {
      // From Hono middleware (bearer auth): keep its status and WWW-Authenticate header.
      const headers: Record<string, string> = {};
      const www = err.res?.headers.get('WWW-Authenticate');
      if (www) headers['WWW-Authenticate'] = www;
      const code = statusCode(err.status);
      const message = err.message || (code === 'unauthorized' ? 'a valid bearer token is required' : code);
      return c.json(errorBody(code, message), err.status, headers);
    }
    return c.json(errorBody('internal', loggedFailure('internal error', err)), 500);
  });

  return app;
}
