/**
 * The server's own bound on client connections and on requests in flight, on every runtime
 * (serve-node.ts, serve-bun.ts, serve-deno.ts). The app's admission control
 * (src/api/admission.ts) judges only the validation routes and holds its refusals for 500 ms;
 * this bound sits in front of every route and answers at once, so a flood that opens more
 * connections than the server can serve gets an answer for each of them instead of resets:
 *
 * - past `maxConnections` open connections, a new connection is answered 503 `busy`,
 *   `Retry-After: 1`, `Connection: close` before its request is read, and the idle
 *   keep-alive connections are told to close, so that the next one finds room: each one's
 *   next answer carries `Connection: close`, and one that sends nothing more is closed by the
 *   runtime's idle timeout. (Closing them outright, as Node's and Bun's closeIdleConnections
 *   do, races a client that is sending its next request on one: it is reset unanswered.)
 * - past `maxRequests` requests in flight (whatever their route), a request is answered the
 *   same, its body unread, and its connection closed.
 *
 * The listen backlog (LISTEN_BACKLOG) lets a burst of connections wait for the accept instead
 * of being dropped by the kernel.
 *
 * Node reports each connection (exact count, refusal at accept: serve-node.ts; the peer table
 * below, keyed by socket, only marks the idle ones). Bun.serve and Deno.serve report none,
 * only each request's peer address and port: there a connection is its peer's address and
 * port, counted from its first request until it is answered with `Connection: close` or has
 * been idle for `idleMs` (ServerGate's peer table).
 */
import { errorBody } from '../api/http-error.ts';

export interface ConnectionLimits {
  /** Open client connections (default 512). */
  maxConnections: number;
  /** Requests being handled at once, every route together (default 256). */
  maxRequests: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 512, maxRequests: 256 };

/**
 * listen(2)'s backlog: connections the kernel completes and queues until the server accepts
 * them (Linux caps it at net.core.somaxconn, 4096 since 5.4). The runtimes' default, 511, let
 * a flood's burst of new connections be dropped before the server could answer them.
 */
export const LISTEN_BACKLOG = 4096;

const RETRY_AFTER_S = 1;
const REFUSAL_BODY = JSON.stringify(errorBody('busy', 'the server has as many connections and requests as it takes; retry later'));
const REFUSAL_HEADERS = { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_S), connection: 'close' };

/** The refusal as a Response. */
export function refusal(): Response {
  return new Response(REFUSAL_BODY, { status: 503, headers: REFUSAL_HEADERS });
}

/** The same refusal as the bytes of an HTTP/1.1 answer, written on a connection before its request is read. */
export const RAW_REFUSAL = 'HTTP/1.1 503 Service Unavailable\r\n'
  + Object.entries(REFUSAL_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  + `content-length: ${new TextEncoder().encode(REFUSAL_BODY).length}\r\n\r\n${REFUSAL_BODY}`;

/**
 * Requests the requests cap never refuses, whatever is in flight: block submission and the
 * probes (POST /blocks, GET /health, GET /ready), each cheap or vital, and few. Their
 * connections still count.
 */
export function uncapped(req: Request): boolean {
  const url = req.url;
  const at = url.indexOf('/', url.indexOf('//') + 2);
  const path = at === -1 ? '/' : url.slice(at, (url.indexOf('?', at) + 1 || url.length + 1) - 1);
  return req.method === 'POST' ? path === '/blocks' : path === '/health' || path === '/ready';
}

/** The peer table's clock. */
export interface PeerTableOptions {
  /** A connection with no request for this long is forgotten (the runtime's idle timeout: it is closed by then). */
  idleMs: number;
  now?: () => number;
}

interface Peer {
  inFlight: number;
  last: number;
  /** Its next answer carries Connection: close. */
  closing: boolean;
}

/** Idle connections are told to close at most this often (each time walks every connection). */
const CLOSE_IDLE_EVERY_MS = 50;

/** Requests in flight, and connections by peer where the runtime does not count them. */
export class ServerGate {
  private requests = 0;
  private readonly peers = new Map<unknown, Peer>();
  private lastCloseIdle = -Infinity;
  private readonly now: () => number;

  constructor(readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS, private readonly table?: PeerTableOptions) {
    this.now = table?.now ?? (() => performance.now());
  }

  /** Requests in flight, and the connections the peer table counts. */
  load(): { requests: number; connections: number } {
    return { requests: this.requests, connections: this.peers.size };
  }

  /**
   * Answers `run()`'s response, or the refusal when the request or (with a peer table) its
   * connection `peer` is beyond the limits. An `uncapped` request is counted but never
   * refused for the requests in flight.
   */
  async handle(peer: unknown, run: () => Response | Promise<Response>, uncapped = false): Promise<Response> {
    let p: Peer | undefined;
    if (this.table && peer !== undefined) {
      p = this.peers.get(peer);
      if (!p) {
        if (this.peers.size >= this.limits.maxConnections && !this.makeRoom()) return refusal();
        p = { inFlight: 0, last: this.now(), closing: false };
        this.peers.set(peer, p);
      }
    }
    if (this.requests >= this.limits.maxRequests && !uncapped) {
      if (p && p.inFlight === 0) this.peers.delete(peer);
      return refusal();
    }
    this.requests++;
    if (p) p.inFlight++;
    let res: Response | undefined;
    try {
      res = await run();
      return p?.closing ? withClose(res) : res;
    } finally {
      this.requests--;
      if (p) {
        p.inFlight--;
        p.last = this.now();
        // The connection closes after this answer: it no longer counts.
        if (p.inFlight === 0 && (p.closing || res?.headers.get('connection')?.toLowerCase() === 'close')) this.peers.delete(peer);
      }
    }
  }

  /** A connection that has closed (where the runtime says so: Node). */
  forget(peer: unknown): void {
    this.peers.delete(peer);
  }

  /** At the cap: the idle connections' next answers carry Connection: close (at most every 50 ms). */
  closeIdle(): void {
    const t = this.now();
    if (t - this.lastCloseIdle < CLOSE_IDLE_EVERY_MS) return;
    this.lastCloseIdle = t;
    for (const p of this.peers.values()) if (p.inFlight === 0) p.closing = true;
  }

  /**
   * At the cap: forgets connections idle for `idleMs`; when that makes no room, tells the
   * idle ones to close, for the next connection, and says no to this one.
   */
  private makeRoom(): boolean {
    const t = this.now();
    for (const [k, p] of this.peers) if (p.inFlight === 0 && t - p.last >= this.table!.idleMs) this.peers.delete(k);
    if (this.peers.size < this.limits.maxConnections) return true;
    this.closeIdle();
    return false;
  }
}

/** `res` with Connection: close (a copy when its headers are immutable). */
function withClose(res: Response): Response {
  try {
    res.headers.set('connection', 'close');
    return res;
  } catch {
    const headers = new Headers(res.headers);
    headers.set('connection', 'close');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}
