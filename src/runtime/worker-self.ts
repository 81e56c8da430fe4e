/**
 * The worker side of src/runtime/worker.ts: `self` on Bun and Deno, `parentPort` of
 * node:worker_threads on Node, behind one interface so worker scripts stay
 * runtime-agnostic.
 */
import { runtimeName } from './crypto/runtime-info.ts';

export interface WorkerPort {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  /** Replaces the message handler (receives the data, not an event). */
  onMessage(fn: (data: unknown) => void | Promise<void>): void;
  /** Ends this worker from the inside. */
  close(): void;
}

interface NodePort {
  postMessage(msg: unknown, transfer?: readonly unknown[]): void;
  on(ev: 'message', fn: (d: unknown) => void): void;
  off(ev: 'message', fn: (d: unknown) => void): void;
  close(): void;
}

const parentPort: NodePort | null | undefined =
  runtimeName() === 'node' && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined'
    ? ((await import('node:worker_threads')) as unknown as { parentPort: NodePort | null }).parentPort
    : undefined;

/** Errors thrown by an async handler surface as worker errors (rethrown asynchronously). */
function run(fn: (data: unknown) => void | Promise<void>, data: unknown): void {
  const r = fn(data);
  if (r && typeof (r as Promise<void>).then === 'function') {
    (r as Promise<void>).catch((e) => setTimeout(() => {
      throw e;
    }));
  }
}

function makePort(): WorkerPort {
  if (parentPort) {
    const port = parentPort;
    let handler: ((d: unknown) => void) | undefined;
    return {
      postMessage: (msg, transfer) => port.postMessage(msg, transfer as unknown as readonly unknown[]),
      onMessage(fn) {
        if (handler) port.off('message', handler);
        handler = (d) => run(fn, d);
        port.on('message', handler);
      },
      close: () => port.close(),
    };
  }
  const scope = globalThis as unknown as {
    postMessage(msg: unknown, transfer?: Transferable[]): void;
    onmessage: ((ev: MessageEvent) => void) | null;
    close(): void;
  };
  return {
    postMessage: (msg, transfer) => scope.postMessage(msg, transfer ?? []),
    onMessage(fn) {
      scope.onmessage = (ev) => run(fn, ev.data);
    },
    close: () => scope.close(),
  };
}

/** This worker's channel to its parent. */
export const workerPort: WorkerPort = makePort();
