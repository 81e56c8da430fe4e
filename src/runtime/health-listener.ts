/**
 * The `--health-port` listener: a thread of its own (health-worker.ts) serving GET /health and
 * GET /ready from a HealthBoard (src/api/health-board.ts) that the main thread publishes to.
 */
import type { HealthBoard } from '../api/health-board.ts';
import { createWorker, request } from './worker.ts';

export interface HealthListener {
  port: number;
  /** Stops the listener and its thread. */
  close(): Promise<void>;
}

const workerUrl = new URL('./health-worker.ts', import.meta.url);

/** Starts the listener on `host:port` (port 0: any free port); rejects when it cannot listen. */
export async function startHealthListener(o: { port: number; host: string; board: HealthBoard }): Promise<HealthListener> {
  const w = createWorker(workerUrl);
  let reply: { type: string; port?: number; message?: string };
  try {
    reply = await request(w, { type: 'start', buffer: o.board.buffer, port: o.port, host: o.host }, 60_000);
  } catch (e) {
    await w.terminate();
    throw e;
  }
  if (reply.type !== 'listening' || reply.port === undefined) {
    await w.terminate();
    throw new Error(`the health listener could not listen on ${o.host}:${o.port}: ${reply.message ?? reply.type}`);
  }
  let closed: Promise<void> | undefined;
  return {
    port: reply.port,
    close: () => (closed ??= (async () => {
      try {
        await request(w, { type: 'close' }, 10_000);
      } finally {
        await w.terminate();
      }
    })()),
  };
}
