/**
 * Admission control for the validation routes (POST /validate, POST /tx): a request is let
 * in or refused before its body is read or parsed, from what is known up front — the
 * requests and declared body bytes already in flight, the node's queue of script jobs, and
 * the client's own share — so a flood costs the server an answer per request, not a parse.
 *
 * - 503 `busy` (Retry-After): the server as a whole is full — `maxRequests` requests or
 *   `maxBytes` body bytes in flight (Content-Length; a body without one — chunked — counts as
 *   UNKNOWN_LENGTH_BYTES, the body limit still ending it at read time; a request is let in
 *   whatever its size when nothing else is in flight), or
 *   `maxQueue` script jobs queued for the workers. Body bytes stand for the work a request
 *   brings (a transaction is 200–500 bytes of it), known before anything is parsed;
 * - 429 `rate-limited` (Retry-After): this client already has its share of the requests in
 *   flight: `maxRequests` divided among the clients with requests in flight, never less than
 *   `minClientShare`. A client is its address as the runtime's server saw it (the app's
 *   `env.client.address`, src/runtime/serve-*.ts; access.ts clientAddress); requests without one share one client.
 *
 * A refusal is answered after `refusalDelayMs`: a client that sends again as soon as it is
 * answered (a flood over keep-alive connections ignores Retry-After) then costs the server
 * a few answers a second per connection instead of as many as its main thread can write,
 * which is what kept GET /health waiting behind them. The refused body is never read.
 * Everything else (GET /health, /metrics, block submission) never waits here.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from './http-error.ts';
import { clientAddress } from './access.ts';

export interface AdmissionOptions {
  /** Requests being handled at once (default 64). */
  maxRequests?: number;
  /** Declared request body bytes in flight (default 1 MiB: a few thousand transactions). */
  maxBytes?: number;
  /** Script jobs queued for the workers above which new requests are refused (default 2048). */
  maxQueue?: number;
  /** Requests any one client may always have in flight (default 4). */
  minClientShare?: number;
  /** Retry-After of a refusal, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** A refusal is answered after this many milliseconds (default 500). */
  refusalDelayMs?: number;
}

export type Refusal = { status: 429 | 503; message: string };

/** What a request body without a Content-Length counts for in the byte budget. */
export const UNKNOWN_LENGTH_BYTES = 64 * 1024;

export class Admission {
  readonly maxRequests: number;
  readonly maxBytes: number;
  readonly maxQueue: number;
  readonly minClientShare: number;
  readonly retryAfterSeconds: number;
  readonly refusalDelayMs: number;
  private requests = 0;
  private bytes = 0;
  /** Requests in flight per client (clients with none are not kept). */
  private readonly clients = new Map<string, number>();

  constructor(opts: AdmissionOptions = {}) {
    this.maxRequests = opts.maxRequests ?? 64;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.maxQueue = opts.maxQueue ?? 2048;
    this.minClientShare = opts.minClientShare ?? 4;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 1;
    this.refusalDelayMs = opts.refusalDelayMs ?? 500;
  }

  /** Requests and declared bytes in flight, and the clients they come from. */
  load(): { requests: number; bytes: number; clients: number } {
    return { requests: this.requests, bytes: this.bytes, clients: this.clients.size };
  }

  /** The most requests `client` may have in flight now. */
  share(client: string): number {
    const active = this.clients.size + (this.clients.has(client) ? 0 : 1);
    return Math.max(this.minClientShare, Math.ceil(this.maxRequests / active));
  }

  /**
   * Lets a request of `bytes` declared bytes from `client` in (returns its release, to call
   * once it is answered) or says why not.
   */
  enter(client: string, bytes: number, queueDepth: number): (() => void) | Refusal {
    const mine = this.clients.get(client) ?? 0;
    if (mine >= this.share(client)) return { status: 429, message: `this client already has ${mine} requests in flight; retry later` };
    if (this.requests >= this.maxRequests || (this.requests > 0 && this.bytes + bytes > this.maxBytes)) {
      return { status: 503, message: 'the server is handling as many requests as it takes; retry later' };
    }
    if (queueDepth >= this.maxQueue) return { status: 503, message: 'validation queue is full' };
    this.requests++;
    this.bytes += bytes;
    this.clients.set(client, mine + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.requests--;
      this.bytes -= bytes;
      const n = (this.clients.get(client) ?? 1) - 1;
      if (n > 0) this.clients.set(client, n);
      else this.clients.delete(client);
    };
  }
}


/**
 * The middleware: admits (POST only) before the body is read, answers a refusal with its
 * status and Retry-After (after refusalDelayMs; built here, not thrown: an Error's stack
 * trace is most of a refusal's cost), and releases the request's place once the handler has
 * answered.
 */
export function admit(gate: Admission, o: { bodyLimit: number; queueDepth: () => number; onRefuse?: (status: 429 | 503) => void }): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const length = c.req.header('content-length');
    const declared = length !== undefined && c.req.header('transfer-encoding') === undefined ? parseInt(length || '0', 10) : NaN;
    const bytes = Math.min(Number.isFinite(declared) && declared >= 0 ? declared : UNKNOWN_LENGTH_BYTES, o.bodyLimit);
    const r = gate.enter(clientAddress(c), bytes, o.queueDepth());
    if (typeof r !== 'function') {
      o.onRefuse?.(r.status);
      if (gate.refusalDelayMs > 0) await new Promise((res) => setTimeout(res, gate.refusalDelayMs));
      return c.json(errorBody(r.status === 429 ? 'rate-limited' : 'busy', r.message), r.status, { 'Retry-After': String(gate.retryAfterSeconds) });
    }
    try {
      await next();
    } finally {
      r();
    }
  };
}
