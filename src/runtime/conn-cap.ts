/**
 * The server's own bound on client connections and on requests in flight, on every runtime
 * (serve-node.ts, serve-bun.ts, serve-deno.ts). The app's admission control
 * (src/api/admission.ts) judges only the validation routes and holds its refusals for 500 ms;
 * this bound sits in front of every route and answers at once, so a flood that opens more
 * connections than the server can serve gets an answer for each of them instead of resets:
 *
 * - past `maxConnections` open connections (Node), a new connection's request is answered 503
 *   `busy`, `Retry-After: 1`, `Connection: close`, its body unread, and the idle keep-alive
 *   connections are told to close, so that the next one finds room: each one's next answer
 *   carries `Connection: close`, and one that sends nothing more is closed by the runtime's
 *   idle timeout. (Closing them outright, as Node's and Bun's closeIdleConnections do, races
 *   a client that is sending its next request on one: it is reset unanswered.)
 * - past `maxRequests` requests in flight (whatever their route), a request is answered the
 *   same, at once, its body unread.
 *
 * Block submission and the probes (`uncapped`) are let in past both (and counted), so that a
 * flood cannot keep a block feeder or a
 * readiness probe out; a connection whose last request was one of them is not told to close.
 *
 * Node reports each connection: serve-node.ts counts them as they are accepted and marks the
 * ones beyond the cap (overCap); the peer table below, keyed by socket, only tracks which are
 * idle. Bun.serve and Deno.serve report neither a connection's opening nor its closing, so
 * the connection cap is Node's only: counted by peer address and port, a connection closed
 * by its client unannounced would stay counted until an idle timeout and refuse clients that
 * open a connection per request. There the gate caps the requests in flight alone.
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
 * listen(2)'s backlog on Node and Deno: connections the kernel completes and queues until the
 * server accepts them (Linux caps it at net.core.somaxconn, 4096 since 5.4). Their default,
 * 511, let a flood's burst of new connections be dropped before the server could answer
 * them. Bun.serve's is 512 and has no option.
 */
export const LISTEN_BACKLOG = 4096;

const RETRY_AFTER_S = 1;
const REFUSAL_BODY = JSON.stringify(errorBody('busy', 'the server has as many connections and requests as it takes; retry later'));
const REFUSAL_HEADERS = { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_S), connection: 'close' };

/** The refusal as a Response. */
export function refusal(): Response {
  return new Response(REFUSAL_BODY, { status: 503, headers: REFUSAL_HEADERS });
}

/**
 * Requests the caps never refuse: block submission and the probes (POST /blocks, GET /health,
 * GET /ready), each cheap or vital, and few. They and their connections still count.
 */
export function uncapped(req: Request): boolean {
  const url = req.url;
  const at = url.indexOf('/', url.indexOf('//') + 2);
  const path = at === -1 ? '/' : url.slice(at, (url.indexOf('?', at) + 1 || url.length + 1) - 1);
  return req.method === 'POST' ? path === '/blocks' : path === '/health' || path === '/ready';
}

interface Peer {
  inFlight: number;
  /** Its next answer carries Connection: close. */
  closing: boolean;
  /** Its last request was an uncapped one (a block feeder's, a probe's): never told to close. */
  vital: boolean;
}

/** Idle connections are told to close at most this often (each time walks every connection). */
const CLOSE_IDLE_EVERY_MS = 50;

/** Requests in flight, and (Node) which connections are idle and which were accepted beyond the cap. */
export class ServerGate {
  private requests = 0;
  private readonly peers = new Map<unknown, Peer>();
  /** Connections accepted beyond the cap (Node): only uncapped requests are let in on them. */
  private readonly over = new WeakSet<object>();
  /** Connections that have sent a request. */
  private readonly heard = new WeakSet<object>();
  private lastCloseIdle = -Infinity;
  private readonly now = () => performance.now();

  /** `trackPeers`: keep a table of the connections (Node's sockets) to know which are idle. */
  constructor(private readonly maxRequests: number, private readonly trackPeers = false) {}

  /**
   * Answers `run()`'s response, or the refusal when the request is beyond the requests in
   * flight or its connection `peer` was accepted beyond Node's connection cap. An `uncapped` request is counted but never
   * refused for the requests in flight.
   */
  async handle(peer: unknown, run: () => Response | Promise<Response>, uncapped = false): Promise<Response> {
    let p: Peer | undefined;
    if (typeof peer === 'object' && peer !== null) {
      this.heard.add(peer);
      if (this.over.has(peer) && !uncapped) return refusal();
    }
    if (this.trackPeers && peer !== undefined) {
      p = this.peers.get(peer);
      if (!p) {
        p = { inFlight: 0, closing: false, vital: false };
        this.peers.set(peer, p);
      }
      p.vital = uncapped;
    }
    if (this.requests >= this.maxRequests && !uncapped) {
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
        // The connection closes after this answer: it no longer counts.
        if (p.inFlight === 0 && (p.closing || res?.headers.get('connection')?.toLowerCase() === 'close')) this.peers.delete(peer);
      }
    }
  }

  /** A connection accepted beyond the cap (Node): its requests are refused but uncapped ones. */
  overCap(peer: object): void {
    this.over.add(peer);
  }

  /** Whether a connection has sent a request. */
  hasHeard(peer: object): boolean {
    return this.heard.has(peer);
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
    for (const p of this.peers.values()) if (p.inFlight === 0 && !p.vital) p.closing = true;
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
