/**
 * hash_serialized_3 of a snapshot being loaded, computed on a worker (workers/snapshot-hash.ts)
 * while the loading thread parses the coins and inserts them: the loader hands each file
 * chunk over once it has parsed it (loadSnapshot's onChunkDone), transferred, not copied
 * (a chunk that shares its buffer is copied first). At most MAX_QUEUED chunks wait for the
 * worker: the loader awaits room() before it reads the next chunk, so memory stays bounded
 * when the worker falls behind.
 */
import { createWorker, type WorkerHandle } from '../runtime/worker.ts';

const WORKER_URL = new URL('../../workers/snapshot-hash.ts', import.meta.url);
/** Chunks (1 MiB each from readFileChunks) sent and not yet taken by the worker. */
const MAX_QUEUED = 8;

export interface WorkerHash {
  /** hash_serialized_3, internal byte order. */
  hash: Uint8Array;
  ordered: boolean;
  coins: number;
}

export class SnapshotHashWorker {
  private readonly w: WorkerHandle;
  private queued = 0;
  private roomWaiter: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly result: Promise<WorkerHash>;

  constructor() {
    this.w = createWorker(WORKER_URL);
    this.result = new Promise<WorkerHash>((resolve, reject) => {
      const fail = (e: Error) => {
        this.failure ??= e;
        this.wakeRoom();
        reject(e);
      };
      this.w.addEventListener('message', (ev) => {
        const m = ev.data as { type: string; hash?: Uint8Array; ordered?: boolean; coins?: number; message?: string };
        if (m.type === 'ack') {
          this.queued--;
          if (this.queued < MAX_QUEUED) this.wakeRoom();
        } else if (m.type === 'done') resolve({ hash: new Uint8Array(m.hash!), ordered: m.ordered!, coins: m.coins! });
        else if (m.type === 'error') fail(new Error(`snapshot hash worker: ${m.message}`));
      });
      this.w.addEventListener('error', (ev) => fail(new Error(`snapshot hash worker failed: ${ev.message}`)));
    });
    // a load refused early never asks for the result
    this.result.catch(() => {});
  }

  private wakeRoom(): void {
    const f = this.roomWaiter;
    this.roomWaiter = undefined;
    f?.();
  }

  /** Resolves once the worker's queue has room for another chunk (at once after a failure). */
  room(): Promise<void> {
    if (this.queued < MAX_QUEUED || this.failure) return Promise.resolve();
    return new Promise<void>((r) => (this.roomWaiter = r));
  }

  /** Hands a chunk over (the caller must not touch it afterwards). */
  send(chunk: Uint8Array): void {
    if (this.failure) return;
    const own = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
    const c = own ? chunk : chunk.slice();
    this.queued++;
    this.w.postMessage({ type: 'chunk', chunk: c }, [c.buffer as ArrayBuffer]);
  }

  /** The hash of every chunk sent. */
  finish(): Promise<WorkerHash> {
    if (!this.failure) this.w.postMessage({ type: 'end' });
    return this.result;
  }

  close(): Promise<void> {
    return this.w.terminate();
  }
}
