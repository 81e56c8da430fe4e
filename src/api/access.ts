/**
 * Who may call the authenticated endpoints, decided from the request's headers before its
 * body is read:
 *  - JSON-RPC: HTTP basic auth with the RPC credentials (Core's RPCAuthorized);
 *  - the mutating REST endpoints (POST /blocks, POST /tx, POST /api/tx): one rule for all,
 *    `open`, `token` (Authorization: Bearer, --token) or `rpc` (basic auth, as JSON-RPC);
 *  - failed attempts are rate-limited per client address and over all clients
 *    (AuthFailureLimiter): past either budget the request is answered 429 with Retry-After
 *    before its credentials are even compared, so a guesser learns nothing from it.
 * The client address comes from the runtime layer as the Hono env binding `client`
 * (src/runtime/serve-types.ts ClientInfo, from serve-*.ts); without one (in-process
 * app.fetch) every request counts as the one client "unknown".
 */
import type { Context, MiddlewareHandler } from 'hono';
import { CLOSE } from './body.ts';
import { ApiError } from './http-error.ts';

/** The connection facts the runtime layer passes as app.fetch's env (the peer's address). */
export interface ConnInfo {
  client?: { address?: string };
}

/** The address a request comes from (access control's and admission control's client). */
export function clientAddress(c: Context): string {
  const env = c.env as ConnInfo | undefined;
  const a = env && typeof env === 'object' ? env.client?.address : undefined;
  return (typeof a === 'string' && a) || 'unknown';
}

export interface Credential {
  user: string;
  password: string;
}

export type SubmitAuth = 'open' | 'token' | 'rpc';

export interface AuthLimitOptions {
  /** Failures one client may make at once (default 10), then `perClientPerSecond` (default 1). */
  perClientBurst?: number;
  perClientPerSecond?: number;
  /** Failures all clients together may make at once (default 100), then `globalPerSecond` (default 20). */
  globalBurst?: number;
  globalPerSecond?: number;
  /** Client addresses remembered (default 10,000; the least recently seen is forgotten first). */
  maxClients?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets of authentication failures: one per client address (LRU-bounded) and one global. */
export class AuthFailureLimiter {
  private readonly o: Required<AuthLimitOptions>;
  private readonly clients = new Map<string, Bucket>();
  private readonly global: Bucket;
  /** Requests refused with 429. */
  refused = 0;

  constructor(o: AuthLimitOptions = {}) {
    this.o = {
      perClientBurst: 10, perClientPerSecond: 1, globalBurst: 100, globalPerSecond: 20, maxClients: 10_000, now: () => Date.now(), ...o,
    };
    this.global = { tokens: this.o.globalBurst, at: this.o.now() };
  }

  get trackedClients(): number {
    return this.clients.size;
  }

  private refill(b: Bucket, burst: number, perSecond: number): void {
    const now = this.o.now();
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
  }

  private bucket(client: string): Bucket {
    let b = this.clients.get(client);
    if (b) {
      // Most recently seen last: Map keeps insertion order.
      this.clients.delete(client);
    } else {
      b = { tokens: this.o.perClientBurst, at: this.o.now() };
      if (this.clients.size >= this.o.maxClients) this.clients.delete(this.clients.keys().next().value!);
    }
    this.clients.set(client, b);
    this.refill(b, this.o.perClientBurst, this.o.perClientPerSecond);
    return b;
  }

  /** Seconds until `client` may try again; 0 when it may now. */
  wait(client: string): number {
    this.refill(this.global, this.o.globalBurst, this.o.globalPerSecond);
    const b = this.bucket(client);
    const need = (tokens: number, rate: number) => (tokens >= 1 ? 0 : (1 - tokens) / rate);
    return Math.max(need(b.tokens, this.o.perClientPerSecond), need(this.global.tokens, this.o.globalPerSecond));
  }

  /** Records one failed attempt of `client`. */
  fail(client: string): void {
    const b = this.bucket(client);
    b.tokens = Math.max(0, b.tokens - 1);
    this.refill(this.global, this.o.globalBurst, this.o.globalPerSecond);
    this.global.tokens = Math.max(0, this.global.tokens - 1);
  }
}

/** Constant-time string comparison (TimingResistantEqual). */
function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ (y[i % Math.max(1, y.length)] ?? 0);
  return diff === 0;
}

/** RPCAuthorized: "Basic base64(user:pass)" against the accepted credentials. */
export function checkBasicAuth(header: string, credentials: readonly Credential[]): boolean {
  if (!header.startsWith('Basic ')) return false;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(atob(header.slice(6).trim()), (ch) => ch.charCodeAt(0)));
  } catch {
    return false;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  let ok = false;
  for (const c of credentials) {
    // Evaluate every entry: no early exit on the first match.
    if (timingSafeEqual(c.user, user) && timingSafeEqual(c.password, pass)) ok = true;
  }
  return ok;
}

export function checkBearer(header: string, token: string): boolean {
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/.exec(header);
  return m !== null && timingSafeEqual(m[1]!, token);
}

/** 429 for a client over its failure budget (no body read: the connection closes). */
export function tooManyFailures(seconds: number): ApiError {
  return new ApiError(429, 'too-many-requests', 'too many failed authentication attempts; retry later',
    { 'Retry-After': String(Math.max(1, Math.ceil(seconds))), ...CLOSE });
}

export interface SubmitAccessOptions {
  rule: SubmitAuth;
  token?: string;
  credentials?: readonly Credential[];
  limiter: AuthFailureLimiter;
}

/** The access rule of the mutating REST endpoints as a middleware, run before the body is read. */
export function submitAccess(o: SubmitAccessOptions): MiddlewareHandler {
  if (o.rule === 'token' && !o.token) throw new Error('submit auth "token" needs a token');
  return async (c, next) => {
    if (o.rule === 'open') return next();
    const client = clientAddress(c);
    const wait = o.limiter.wait(client);
    if (wait > 0) {
      o.limiter.refused++;
      throw tooManyFailures(wait);
    }
    const header = c.req.header('authorization');
    const ok = header !== undefined &&
      (o.rule === 'token' ? checkBearer(header, o.token!) : checkBasicAuth(header, o.credentials ?? []));
    if (!ok) {
      if (header !== undefined) o.limiter.fail(client);
      const challenge = o.rule === 'token' ? 'Bearer realm=""' : 'Basic realm="jsonrpc"';
      throw new ApiError(401, 'unauthorized', o.rule === 'token' ? 'a valid bearer token is required' : 'the RPC credentials are required',
        { 'WWW-Authenticate': challenge, ...CLOSE });
    }
    return next();
  };
}
