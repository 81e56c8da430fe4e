/**
 * The `--health-port` listener's thread (started by health-listener.ts): GET /health and
 * GET /ready answered from the HealthBoard the main thread publishes to
 * (src/api/health-board.ts), with the runtime's own HTTP server, so a probe never waits for
 * the main thread's event loop.
 *
 * Messages: {type: 'start', buffer, port, host} → {type: 'listening', port} or
 * {type: 'error', message}; {type: 'close'} → {type: 'closed'} once the server has stopped.
 */
import { HealthBoard, healthBoardFetch } from '../api/health-board.ts';
import { listen } from './serve-listen.ts';
import type { Listening } from './serve-types.ts';
import { workerPort } from './worker-self.ts';

interface Start { type: 'start'; buffer: SharedArrayBuffer; port: number; host: string }

let server: Listening | undefined;

workerPort.onMessage(async (data) => {
  const msg = data as Start | { type: 'close' };
  if (msg.type === 'start') {
    try {
      const fetch = healthBoardFetch(new HealthBoard(msg.buffer));
      // No route reads a body: the runtime's cap only has to be above zero.
      server = await listen({ fetch: (req) => fetch(req), port: msg.port, host: msg.host, maxBodyBytes: 1024 });
      workerPort.postMessage({ type: 'listening', port: server.port });
    } catch (e) {
      workerPort.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  } else if (msg.type === 'close') {
    await server?.close();
    server = undefined;
    workerPort.postMessage({ type: 'closed' });
  }
});
