/**
 * The parent port of a worker script, the same on every runtime: Bun and Deno run Web
 * Workers (`self`), Node 20 runs worker_threads (`parentPort`). Worker scripts import this
 * and stay runtime-agnostic.
 */
export interface ParentPort {
  onMessage(handler: (data: unknown) => void): void;
  post(message: unknown): void;
}

type WebSelf = { postMessage(m: unknown): void; addEventListener(t: 'message', f: (e: { data: unknown }) => void): void };

async function resolvePort(): Promise<ParentPort> {
  const g = globalThis as unknown as { self?: WebSelf; Deno?: unknown; Bun?: unknown };
  if (g.self && typeof g.self.postMessage === 'function' && (g.Deno !== undefined || g.Bun !== undefined)) {
    const self = g.self;
    return {
      onMessage: (h) => self.addEventListener('message', (e) => h(e.data)),
      post: (m) => self.postMessage(m),
    };
  }
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('not running inside a worker');
  return {
    onMessage: (h) => parentPort.on('message', h),
    post: (m) => parentPort.postMessage(m),
  };
}

export const parentPortReady: Promise<ParentPort> = resolvePort();
