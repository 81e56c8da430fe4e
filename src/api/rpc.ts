/**
 * Bitcoin Core's JSON-RPC server protocol (httprpc.cpp HTTPReq_JSONRPC, rpc/request.cpp,
 * rpc/server.cpp, rpc/util.cpp RPCHelpMan::HandleRequest):
 *  - POST only (405 otherwise); HTTP basic auth: a missing or wrong password answers 401 with
 *    WWW-Authenticate: Basic realm="jsonrpc" and an empty body, after a 250 ms pause for a
 *    wrong one (HTTPReq_JSONRPC); clients such as the bitcoin-core npm package and
 *    python-bitcoinlib read that bodiless 401 as an HTTP error;
 *  - single requests and batches; "jsonrpc": "2.0" requests get 2.0 replies (no null
 *    result/error field, errors inside HTTP 200, notifications answered 204); legacy 1.0/1.1
 *    requests get {result, error, id} and, for an error, HTTP 400 (invalid request),
 *    404 (method not found) or 500 (anything else) — batches always answer 200;
 *  - named parameters mapped to positions (transformNamedArguments, with the "args" key),
 *    argument count checks (RPC_MISC_ERROR with the usage text) and type checks
 *    (RPC_TYPE_ERROR "Wrong type passed").
 * A busy validation queue answers HTTP 503 with Retry-After, as Core's "Work queue depth
 * exceeded".
 */
import type { Context } from 'hono';
import { AuthFailureLimiter, checkBasicAuth, clientAddress, tooManyFailures, type Credential } from './access.ts';
import { BodyGate, bodyText, CLOSE, JsonDepthError, parseJson } from './body.ts';
import { ApiError } from './http-error.ts';
import { coreJsonBody } from './rpc-json.ts';
import { chunkStream } from './json-writer.ts';

/** rpc/protocol.h RPCErrorCode (the ones used here). */
export const RPC = {
  MISC_ERROR: -1,
  TYPE_ERROR: -3,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  DESERIALIZATION_ERROR: -22,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_UTXO_SET: -27,
  INTERNAL_ERROR: -32603,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  PARSE_ERROR: -32700,
} as const;

/** A JSON-RPC error object (JSONRPCError). */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Thrown by a method when the validation queue is full: the whole request answers 503. */
export class RpcBusy extends Error {
  override readonly name = 'RpcBusy';
  constructor(readonly retryAfter: number) {
    super('Work queue depth exceeded');
  }
}

/** RPCArg::Type as far as the type check goes (ExpectedType). */
/** 'any': no type check (Core's skip_type_check, e.g. getrawtransaction's verbosity|verbose). */
export type ArgType = 'str' | 'str_hex' | 'num' | 'bool' | 'arr' | 'obj' | 'amount' | 'any';

export interface ArgSpec {
  name: string;
  type: ArgType;
  optional?: boolean;
  /** For the usage text. */
  doc?: string;
}

export interface RpcMethod {
  name: string;
  description: string;
  args: ArgSpec[];
  run(params: unknown[]): unknown | Promise<unknown>;
}

/** uvTypeName. */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? 'array' : 'object';
}

const EXPECTED: Record<ArgType, string | undefined> = {
  str: 'string', str_hex: 'string', num: 'number', bool: 'bool', arr: 'array', obj: 'object', amount: undefined, any: undefined,
};

/** A short RPCHelpMan::ToString(): the usage line and description. */
export function usage(m: RpcMethod): string {
  const args = m.args.map((a) => {
    const s = a.type === 'str' || a.type === 'str_hex' ? `"${a.name}"` : a.name;
    return a.optional ? `( ${s} )` : s;
  });
  const lines = [[m.name, ...args].join(' '), '', m.description];
  if (m.args.length) {
    lines.push('', 'Arguments:');
    m.args.forEach((a, i) => lines.push(`${i + 1}. ${a.name}    (${a.type === 'str_hex' ? 'string' : a.type}, ${a.optional ? 'optional' : 'required'})${a.doc ? ' ' + a.doc : ''}`));
  }
  return lines.join('\n') + '\n';
}

/** transformNamedArguments (rpc/server.cpp). */
export function namedToPositional(params: Record<string, unknown>, names: readonly string[]): unknown[] {
  const argsIn = new Map(Object.entries(params));
  const out: unknown[] = [];
  let hole = 0;
  let initialHole = 0;
  let initialParam: string | undefined;
  for (const name of names) {
    if (argsIn.has(name)) {
      for (let i = 0; i < hole; i++) out.push(null);
      hole = 0;
      initialParam ??= name;
      out.push(argsIn.get(name));
      argsIn.delete(name);
    } else {
      hole++;
      if (out.length === 0) initialHole++;
    }
  }
  const positional = argsIn.get('args');
  if (Array.isArray(positional)) {
    argsIn.delete('args');
    if (initialHole < positional.length && initialParam !== undefined) {
      throw new RpcError(RPC.INVALID_PARAMETER, `Parameter ${initialParam} specified twice both as positional and named argument`);
    }
    const named = out.splice(0);
    out.push(...positional);
    for (let i = out.length; i < named.length; i++) out.push(named[i]);
  }
  const unknown = argsIn.keys().next();
  if (!unknown.done) throw new RpcError(RPC.INVALID_PARAMETER, `Unknown named parameter ${unknown.value}`);
  return out;
}

/** RPCHelpMan::HandleRequest's checks, then the method. */
async function execute(methods: ReadonlyMap<string, RpcMethod>, name: string, rawParams: unknown): Promise<unknown> {
  const m = methods.get(name);
  if (!m) throw new RpcError(RPC.METHOD_NOT_FOUND, 'Method not found');
  const params = Array.isArray(rawParams) ? rawParams : namedToPositional(rawParams as Record<string, unknown>, m.args.map((a) => a.name));
  const required = m.args.reduce((n, a, i) => (a.optional ? n : i + 1), 0);
  if (params.length < required || params.length > m.args.length) throw new RpcError(RPC.MISC_ERROR, usage(m));
  const mismatch: Record<string, string> = {};
  m.args.forEach((a, i) => {
    const v = params[i] ?? null;
    if (a.optional && v === null) return;
    const want = EXPECTED[a.type];
    if (want !== undefined && typeName(v) !== want) {
      mismatch[`Position ${i + 1} (${a.name})`] = `JSON value of type ${typeName(v)} is not of expected type ${want}`;
    }
  });
  if (Object.keys(mismatch).length) throw new RpcError(RPC.TYPE_ERROR, `Wrong type passed:\n${JSON.stringify(mismatch, null, 4)}`);
  return m.run(params);
}

type Version = 1 | 2;

interface ParsedRequest {
  /** undefined: no id member. */
  id: unknown;
  hasId: boolean;
  version: Version;
  method?: string;
  params?: unknown;
  /** A parse failure (JSONRPCRequest::parse threw). */
  error?: RpcError;
}

/** JSONRPCRequest::parse. */
function parseRequest(v: unknown): ParsedRequest {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { id: null, hasId: true, version: 1, error: new RpcError(RPC.INVALID_REQUEST, 'Invalid Request object') };
  }
  const o = v as Record<string, unknown>;
  const hasId = 'id' in o;
  const r: ParsedRequest = { id: hasId ? o.id : undefined, hasId, version: 1 };
  const fail = (message: string): ParsedRequest => ({ ...r, error: new RpcError(RPC.INVALID_REQUEST, message) });
  const ver = o.jsonrpc;
  if (ver !== undefined && ver !== null) {
    if (typeof ver !== 'string') return fail('jsonrpc field must be a string');
    if (ver === '2.0') r.version = 2;
    else if (ver !== '1.0') return fail('JSON-RPC version not supported');
  }
  if (o.method === undefined || o.method === null) return fail('Missing method');
  if (typeof o.method !== 'string') return fail('Method must be a string');
  r.method = o.method;
  const p = o.params;
  if (p === undefined || p === null) r.params = [];
  else if (typeof p === 'object') r.params = p;
  else return fail('Params must be an array or object');
  return r;
}

/** JSONRPCReplyObj. */
function reply(result: unknown, error: RpcError | undefined, req: Pick<ParsedRequest, 'id' | 'hasId' | 'version'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (req.version === 2) out.jsonrpc = '2.0';
  if (!error) {
    out.result = result ?? null;
    if (req.version === 1) out.error = null;
  } else {
    if (req.version === 1) out.result = null;
    out.error = { code: error.code, message: error.message };
  }
  if (req.hasId) out.id = req.id ?? null;
  return out;
}

function asRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  if (e instanceof RpcBusy) throw e;
  // Core: any other exception in a method becomes RPC_MISC_ERROR with its text.
  return new RpcError(RPC.MISC_ERROR, e instanceof Error ? e.message : String(e));
}

/** One parsed request, executed; errors caught (2.0 and batch) or returned for the HTTP mapping (1.0). */
async function run(methods: ReadonlyMap<string, RpcMethod>, req: ParsedRequest): Promise<{ body: Record<string, unknown>; error?: RpcError }> {
  if (req.error) return { body: reply(null, req.error, req), error: req.error };
  try {
    const result = await execute(methods, req.method!, req.params);
    return { body: reply(result, undefined, req) };
  } catch (e) {
    const err = asRpcError(e);
    return { body: reply(null, err, req), error: err };
  }
}

function jsonResponse(body: unknown, status: number): Response {
  const text = coreJsonBody(body, '\n');
  return new Response(typeof text === 'string' ? text : chunkStream(text), { status, headers: { 'Content-Type': 'application/json' } });
}

/** JSONErrorReply's status for a legacy request. */
function legacyStatus(code: number): number {
  if (code === RPC.INVALID_REQUEST) return 400;
  if (code === RPC.METHOD_NOT_FOUND) return 404;
  return 500;
}

export interface RpcServerOptions {
  /** Accepted user/password pairs (-rpcuser/-rpcpassword, the cookie). None: every request is refused. */
  credentials: readonly Credential[];
  /** Most requests in one batch (default 1000). */
  maxBatch?: number;
  /** Pause before answering a wrong password (default 250 ms, as Core). */
  authFailureDelayMs?: number;
  /** Largest request body, read only once the credentials are checked (default 16 MiB). */
  bodyLimit?: number;
  /** Failed-authentication budget (default: its own AuthFailureLimiter). */
  limiter?: AuthFailureLimiter;
  /** Body reading (default: its own BodyGate). */
  gate?: BodyGate;
}

/** HTTPReq_JSONRPC's refusal: 401 with the Basic challenge (WWW_AUTH_HEADER_DATA) and no body. */
function unauthorized(): Response {
  return new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="jsonrpc"', ...CLOSE } });
}

export { type Credential };

/**
 * The JSON-RPC endpoint handler. The credentials are checked from the headers before any
 * of the body is read (an unauthenticated body is never read: the answer closes the
 * connection), failures are rate-limited (access.ts), then the body is read within its
 * limit and deadline (body.ts) and its nesting bounded before JSON.parse: deeper than
 * MAX_JSON_DEPTH answers HTTP 400 with Core's parse error (-32700).
 */
export function rpcHandler(methods: ReadonlyMap<string, RpcMethod>, opts: RpcServerOptions): (c: Context) => Promise<Response> {
  const maxBatch = opts.maxBatch ?? 1000;
  const delay = opts.authFailureDelayMs ?? 250;
  const limit = opts.bodyLimit ?? 16 * 1024 * 1024;
  const limiter = opts.limiter ?? new AuthFailureLimiter();
  const gate = opts.gate ?? new BodyGate();
  return async (c) => {
    if (c.req.method !== 'POST') {
      return new Response('JSONRPC server handles only POST requests', { status: 405, headers: { Allow: 'POST', ...CLOSE } });
    }
    const client = clientAddress(c);
    const wait = limiter.wait(client);
    if (wait > 0) {
      limiter.refused++;
      throw tooManyFailures(wait);
    }
    const auth = c.req.header('authorization');
    if (auth === undefined) return unauthorized();
    if (!checkBasicAuth(auth, opts.credentials)) {
      limiter.fail(client);
      // Deter brute-forcing, as Core.
      await new Promise((r) => setTimeout(r, delay));
      return unauthorized();
    }
    const legacyError = (err: RpcError, id: unknown = null) => jsonResponse(reply(null, err, { id, hasId: true, version: 1 }), legacyStatus(err.code));
    let body: unknown;
    const text = bodyText(await gate.read(c.req.raw, limit));
    try {
      body = parseJson(text);
    } catch (e) {
      if (e instanceof JsonDepthError) return jsonResponse(reply(null, new RpcError(RPC.PARSE_ERROR, `Parse error: ${e.message}`), { id: null, hasId: true, version: 1 }), 400);
      return legacyError(new RpcError(RPC.PARSE_ERROR, 'Parse error'));
    }
    try {
      if (Array.isArray(body)) {
        if (body.length > maxBatch) return legacyError(new RpcError(RPC.INVALID_REQUEST, `Batch too large (at most ${maxBatch} requests)`));
        const out: unknown[] = [];
        for (const item of body) {
          const req = parseRequest(item);
          // Batches never send HTTP errors; notifications (2.0 without id) get no reply.
          const r = await run(methods, req);
          if (!(req.version === 2 && !req.hasId && !req.error)) out.push(r.body);
        }
        if (out.length === 0 && body.length > 0) return new Response(null, { status: 204 });
        return jsonResponse(out, 200);
      }
      if (body !== null && typeof body === 'object') {
        const req = parseRequest(body);
        const r = await run(methods, req);
        if (r.error && req.version === 1) return jsonResponse(r.body, legacyStatus(r.error.code));
        if (req.error) return jsonResponse(r.body, legacyStatus(req.error.code));
        if (req.version === 2 && !req.hasId) return new Response(null, { status: 204 });
        return jsonResponse(r.body, 200);
      }
      return legacyError(new RpcError(RPC.PARSE_ERROR, 'Top-level object parse error'));
    } catch (e) {
      if (e instanceof RpcBusy) {
        throw new ApiError(503, 'busy', 'Work queue depth exceeded', { 'Retry-After': String(Math.max(1, Math.ceil(e.retryAfter))) });
      }
      throw e;
    }
  };
}
