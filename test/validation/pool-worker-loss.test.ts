/**
 * Losing a worker (src/validation/worker-pool.ts): the jobs it held fail, its resources are handed
 * on only once it is terminated (onWorkerGone), the replacement
 * gets the same position's init message, and jobs submitted meanwhile reach the replacement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationPool, type InitMessage, type WorkerLike } from '../../src/validation/worker-pool.ts';
import { encodeResults, unpackBatch, type WireBatch } from '../../src/validation/wire.ts';

const events: string[] = [];

function fakeWorker(n: number): WorkerLike {
  let onMessage: ((ev: { data: unknown }) => void) | undefined;
  let endTermination!: () => void;
  return {
    postMessage(m) {
      const msg = m as { type: string; index?: number };
      if (msg.type === 'init') {
        events.push(`w${n} init ${msg.index}`);
        queueMicrotask(() => onMessage?.({ data: { type: 'ready', backend: 'fake' } }));
      } else if (msg.type === 'batch') {
        const jobs = unpackBatch(m as WireBatch);
        events.push(`w${n} batch ${jobs.length}`);
        if (n === 0) return; // the first worker never answers: it will be killed
        queueMicrotask(() => onMessage?.({ data: { type: 'results', batch: (m as WireBatch).batch, results: encodeResults(jobs.map((j) => ({ id: j.id, kind: 'error' as const, message: `done by w${n}` }))) } }));
      }
    },
    addEventListener(type: string, f: (ev: never) => void) {
      if (type === 'message') onMessage = f as (ev: { data: unknown }) => void;
    },
    terminate() {
      events.push(`w${n} terminating`);
      return new Promise<void>((res) => {
        endTermination = () => {
          events.push(`w${n} terminated`);
          res();
        };
        setTimeout(() => endTermination(), 20);
      });
    },
  };
}

test('a lost worker: held jobs fail, onWorkerGone after termination, same init, queued jobs delivered', async () => {
  let spawned = 0;
  const pool = new ValidationPool({
    workers: 1,
    spawn: () => fakeWorker(spawned++),
    init: (index): InitMessage => ({ type: 'init', index }),
    onWorkerGone: (i) => events.push(`gone ${i}`),
  });
  await pool.ready();
  const job = { kind: 'scripts' as const, tx: new Uint8Array([1, 2, 3]), spent: [], flags: 0 };
  const held = pool.submit(0, job);
  await new Promise((r) => setTimeout(r, 5));
  pool.crash(0);
  await assert.rejects(held, /terminated/);
  // Submitted while the old worker is still terminating: waits for the replacement.
  const queued = pool.submit(0, job);
  const r = await queued;
  assert.deepEqual(r.kind === 'error' && r.message, 'done by w1');
  assert.deepEqual(events, ['w0 init 0', 'w0 batch 1', 'w0 terminating', 'w0 terminated', 'gone 0', 'w1 init 0', 'w1 batch 1']);
  await pool.close();
});
