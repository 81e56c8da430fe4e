/**
 * Web Workers on every runtime: the global `Worker` (module type) on Bun and Deno,
 * node:worker_threads on Node (which has no global Worker; TypeScript worker scripts start
 * from a bootstrap that registers tsx inside the worker). Worker scripts use
 * src/runtime/worker-self.ts for their side.
 */
import type { WorkerLike } from '../validation/worker-pool.ts';
import { runtimeName } from './crypto/runtime-info.ts';

export interface WorkerMessageEvent {
  data: unknown;
}
export interface WorkerErrorEvent {
  /** The thrown value when the runtime provides it, else an Error built from the message. */
  error: unknown;
  message: string;
}

/**
 * A started worker: the WorkerLike the validation pool drives, with the error event's shape,
 * listener removal (for request()) and a terminate that resolves once the worker is gone.
 */
export interface WorkerHandle extends WorkerLike {
  addEventListener(type: 'message', fn: (ev: WorkerMessageEvent) => void): void;
  addEventListener(type: 'error', fn: (ev: WorkerErrorEvent) => void): void;
  removeEventListener(type: 'message' | 'error', fn: (ev: never) => void): void;
  /** Stops the worker; resolves once it is gone. Idempotent. */
  terminate(): Promise<void>;
}

type Listener = (ev: never) => void;

interface NodeWorker {
  postMessage(msg: unknown, transfer?: readonly unknown[]): void;
  on(ev: string, fn: (x: unknown) => void): void;
  terminate(): Promise<number>;
  unref(): void;
  ref(): void;
}
interface NodeWorkerThreads {
  Worker: new (url: URL | string, opts?: { eval?: boolean; execArgv?: string[] }) => NodeWorker;
}

const nodeWt: NodeWorkerThreads | undefined =
  runtimeName() === 'node' && typeof (globalThis as { Worker?: unknown }).Worker === 'undefined'
    ? ((await import('node:worker_threads')) as unknown as NodeWorkerThreads)
    : undefined;

/**
 * On Node 20 the tsx hooks that `--import tsx` installs do not apply to a worker's own
 * module graph, so a TypeScript worker starts from a tiny script that registers tsx in
 * the worker first. (An import error then surfaces as the worker's 'error' event.)
 */
const tsxApi: string | undefined = (() => {
  if (!nodeWt) return undefined;
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return undefined;
  }
})();

function tsxBootstrap(api: string, url: URL): string {
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
}

class Listeners {
  message = new Set<(ev: WorkerMessageEvent) => void>();
  error = new Set<(ev: WorkerErrorEvent) => void>();
  emitMessage(data: unknown): void {
    for (const f of this.message) f({ data });
  }
  /** Returns whether anyone listened. */
  emitError(error: unknown, message: string): boolean {
    for (const f of this.error) f({ error, message });
    return this.error.size > 0;
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

class NodeWorkerLike implements WorkerHandle {
  private readonly l = new Listeners();
  private done: Promise<void> | undefined;
  private readonly w: NodeWorker;
  constructor(wt: NodeWorkerThreads, url: URL) {
    // execArgv: [] — a V8 flag on the parent's command line (--max-old-space-size,
    // --trace-deopt...) would otherwise make worker start-up throw ERR_WORKER_INVALID_EXEC_ARGV;
    // tsx is registered by the bootstrap, not by --import.
    this.w = /\.m?ts$/.test(url.pathname) && tsxApi
      ? new wt.Worker(tsxBootstrap(tsxApi, url), { eval: true, execArgv: [] })
      : new wt.Worker(url, { execArgv: [] });
    this.w.on('message', (d) => this.l.emitMessage(d));
    this.w.on('error', (e) => {
      if (!this.l.emitError(e, toError(e).message)) console.error('unhandled worker error:', e);
    });
    this.w.on('messageerror', (e) => this.l.emitError(e, 'messageerror: ' + toError(e).message));
    // A worker that ends without an error event (process.exit, out of memory) and was not
    // terminated by us is a crash too.
    this.w.on('exit', (code) => {
      if (!this.done) this.l.emitError(new Error(`worker exited with code ${String(code)}`), `worker exited with code ${String(code)}`);
    });
  }
  postMessage(msg: unknown, transfer?: Transferable[]): void {
    this.w.postMessage(msg, transfer as unknown as readonly unknown[]);
  }
  addEventListener(type: 'message' | 'error', fn: Listener): void {
    (this.l[type] as Set<Listener>).add(fn);
  }
  removeEventListener(type: 'message' | 'error', fn: Listener): void {
    (this.l[type] as Set<Listener>).delete(fn);
  }
  terminate(): Promise<void> {
    return (this.done ??= this.w.terminate().then(() => undefined));
  }
  unref(): void {
    this.w.unref();
  }
  ref(): void {
    this.w.ref();
  }
}

class WebWorkerLike implements WorkerHandle {
  private readonly l = new Listeners();
  private readonly w: Worker;
  private terminated = false;
  constructor(url: URL) {
    this.w = new Worker(url, { type: 'module' });
    this.w.addEventListener('message', (ev) => this.l.emitMessage(ev.data));
    this.w.addEventListener('error', (ev) => {
      // handled here: Deno would otherwise re-throw it on this thread
      ev.preventDefault();
      const err = (ev as ErrorEvent).error ?? new Error((ev as ErrorEvent).message);
      if (!this.l.emitError(err, (ev as ErrorEvent).message ?? toError(err).message)) console.error('unhandled worker error:', err);
    });
    this.w.addEventListener('messageerror', (ev) => {
      this.l.emitError(new Error('messageerror'), 'messageerror: ' + String((ev as MessageEvent).data));
    });
  }
  postMessage(msg: unknown, transfer?: Transferable[]): void {
    this.w.postMessage(msg, transfer ?? []);
  }
  addEventListener(type: 'message' | 'error', fn: Listener): void {
    (this.l[type] as Set<Listener>).add(fn);
  }
  removeEventListener(type: 'message' | 'error', fn: Listener): void {
    (this.l[type] as Set<Listener>).delete(fn);
  }
  terminate(): Promise<void> {
    if (!this.terminated) {
      this.terminated = true;
      this.w.terminate();
    }
    return Promise.resolve();
  }
  unref(): void {
    (this.w as unknown as { unref?: () => void }).unref?.();
  }
  ref(): void {
    (this.w as unknown as { ref?: () => void }).ref?.();
  }
}

/** Starts a module worker running `url` (a file URL, e.g. new URL('../workers/x.ts', import.meta.url)). */
export function createWorker(url: URL): WorkerHandle {
  return nodeWt ? new NodeWorkerLike(nodeWt, url) : new WebWorkerLike(url);
}

/**
 * Request/response helper: posts `msg` and resolves with the next message from the
 * worker, rejects on a worker error or after `timeoutMs`.
 */
export function request<T = unknown>(w: WorkerHandle, msg: unknown, timeoutMs = 30_000, transfer?: Transferable[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMsg = (ev: WorkerMessageEvent) => {
      cleanup();
      resolve(ev.data as T);
    };
    const onErr = (ev: WorkerErrorEvent) => {
      cleanup();
      reject(toError(ev.error));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`worker did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      w.removeEventListener('message', onMsg as Listener);
      w.removeEventListener('error', onErr as Listener);
    };
    w.addEventListener('message', onMsg);
    w.addEventListener('error', onErr);
    w.postMessage(msg, transfer);
  });
}
