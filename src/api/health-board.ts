/**
 * The node's liveness and readiness on a SharedArrayBuffer, for the `--health-port` listener
 * that answers GET /health and GET /ready from its own thread (src/runtime/health-worker.ts):
 * a flood that keeps the main thread busy cannot make a probe wait behind it.
 *
 * The main thread publishes its status every PUBLISH_EVERY_MS (publishHealth); each
 * publication stamps a heartbeat. The listener answers from the last publication, and its
 * GET /health is 503 once the heartbeat is older than HEARTBEAT_STALE_MS: a main thread
 * that is stuck (an endless loop, a deadlock) fails the liveness probe, while one that is
 * merely slow under load (its event loop seconds behind) passes it and says how old the
 * heartbeat is (`heartbeatAgeMs`: the main thread's event-loop lag plus up to one period).
 */
import type { Lifecycle } from './app.ts';

/** What the main thread publishes. */
export interface HealthStatus {
  ok: boolean;
  tip: number;
  queueDepth: number;
  workers: number;
  workersReplaced: number;
  synced: boolean;
  lifecycle: Lifecycle;
}

/** Slots of the board (one BigInt64 each, read and written with Atomics). */
const SLOT = { heartbeat: 0, ok: 1, tip: 2, queueDepth: 3, workers: 4, workersReplaced: 5, synced: 6, lifecycle: 7, published: 8 } as const;
const SLOTS = 9;
const LIFECYCLES: readonly Lifecycle[] = ['starting', 'serving', 'stopping'];

/** How often the main thread publishes its status. */
export const PUBLISH_EVERY_MS = 250;
/** A heartbeat older than this makes GET /health on the health port answer 503. */
export const HEARTBEAT_STALE_MS = 20_000;

export class HealthBoard {
  readonly buffer: SharedArrayBuffer;
  private readonly slots: BigInt64Array;

  /** A fresh board, or a view of one another thread created (its `buffer`). */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * 8)) {
    this.buffer = buffer;
    this.slots = new BigInt64Array(buffer, 0, SLOTS);
  }

  /** Main thread: the status as of `now` (ms since the epoch). */
  publish(s: HealthStatus, now = Date.now()): void {
    const put = (k: keyof typeof SLOT, v: number | boolean) => Atomics.store(this.slots, SLOT[k], BigInt(Math.trunc(Number(v))));
    put('ok', s.ok);
    put('tip', s.tip);
    put('queueDepth', s.queueDepth);
    put('workers', s.workers);
    put('workersReplaced', s.workersReplaced);
    put('synced', s.synced);
    put('lifecycle', LIFECYCLES.indexOf(s.lifecycle));
    put('heartbeat', now);
    put('published', 1);
  }

  /** Any thread: the last publication and its age at `now`; undefined before the first. */
  read(now = Date.now()): (HealthStatus & { ageMs: number }) | undefined {
    const get = (k: keyof typeof SLOT) => Number(Atomics.load(this.slots, SLOT[k]));
    if (get('published') !== 1) return undefined;
    return {
      ok: get('ok') === 1, tip: get('tip'), queueDepth: get('queueDepth'), workers: get('workers'),
      workersReplaced: get('workersReplaced'), synced: get('synced') === 1, lifecycle: LIFECYCLES[get('lifecycle')] ?? 'starting',
      ageMs: Math.max(0, now - get('heartbeat')),
    };
  }
}

/**
 * Main thread: publishes `status()` now and every `everyMs` until the returned stop is
 * called. The timer does not keep a process alive on its own.
 */
export function publishHealth(board: HealthBoard, status: () => HealthStatus, everyMs = PUBLISH_EVERY_MS): () => void {
  const tick = () => board.publish(status());
  tick();
  const timer = setInterval(tick, everyMs);
  (timer as unknown as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/**
 * The health listener's requests, answered from the board alone (no body is read):
 * GET|HEAD /health — 200 while the node says it is healthy and the main thread's heartbeat is
 * younger than `staleMs`, else 503; GET|HEAD /ready — 200 while serving and synced (as the
 * main port's GET /ready) and the heartbeat is fresh, else 503; anything else 404 or 405.
 */
export function healthBoardFetch(board: HealthBoard, staleMs = HEARTBEAT_STALE_MS): (req: Request) => Response {
  return (req) => {
    const path = new URL(req.url).pathname;
    if (path !== '/health' && path !== '/ready') return json({ error: { code: 'not-found', message: `the health port serves GET /health and GET /ready, not ${path}` } }, 404);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return new Response(JSON.stringify({ error: { code: 'method-not-allowed', message: `${req.method} is not allowed on ${path}; use GET, HEAD` } }),
        { status: 405, headers: { 'content-type': 'application/json', allow: 'GET, HEAD' } });
    }
    const s = board.read();
    if (!s) return json({ status: 'starting' }, 503);
    const fresh = s.ageMs < staleMs;
    const { ageMs, ok, ...rest } = s;
    if (path === '/health') {
      const healthy = ok && fresh;
      return json({ status: healthy ? 'ok' : 'unhealthy', ...rest, heartbeatAgeMs: ageMs, ...(fresh ? {} : { reason: `the main thread has not published its status for ${ageMs} ms` }) }, healthy ? 200 : 503);
    }
    const ready = fresh && s.lifecycle === 'serving' && s.synced;
    return json({ ready, state: s.lifecycle, synced: s.synced, heartbeatAgeMs: ageMs }, ready ? 200 : 503);
  };
}
