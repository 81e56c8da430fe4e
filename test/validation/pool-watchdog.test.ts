/**
 * The pool's hang detector (src/validation/worker-pool.ts, batchTimeoutMs): a worker is stuck
 * when it answers none of its posted batches for the timeout, counted from its last answer;
 * a slow worker working through batches queued behind each other is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationPool, type InitMessage, type WorkerLike } from '../../src/validation/worker-pool.ts';
import { encodeResults, unpackBatch, type WireBatch } from '../../src/validation/wire.ts';

/** A worker that runs its batches one after another, `ms` each (never, when `ms` is undefined), answering the first `answers` only. */
function serialWorker(ms: number | undefined, answers = Infinity): WorkerLike {
  let onMessage: ((ev: { data: unknown }) => void) | undefined;
  let busyUntil = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    postMessage(m) {
      const msg = m as { type: string };
      if (msg.type === 'init') queueMicrotask(() => onMessage?.({ data: { type: 'ready', backend: 'fake' } }));
      else if (msg.type === 'batch' && ms !== undefined && answers-- > 0) {
        const jobs = unpackBatch(m as WireBatch);
        busyUntil = Math.max(busyUntil, performance.now()) + ms;
        const t = setTimeout(() => {
          timers.delete(t);
          onMessage?.({ data: { type: 'results', batch: (m as WireBatch).batch, results: encodeResults(jobs.map((j) => ({ id: j.id, kind: 'error' as const, message: 'done' }))) } });
        }, busyUntil - performance.now());
        timers.add(t);
      }
    },
    addEventListener(type: string, f: (ev: never) => void) {
      if (type === 'message') onMessage = f as (ev: { data: unknown }) => void;
    },
    terminate() {
      for (const t of timers) clearTimeout(t);
      return Promise.resolve();
    },
  };
}

const job = { kind: 'scripts' as const, tx: new Uint8Array([1, 2, 3]), spent: [], flags: 0 };

test('batches queued behind each other in a slow worker: none is taken for a hang', async () => {
  // 100 jobs make 4 batches of up to 32, answered 150 ms apart: the last one 600 ms after it
  // was posted, more than the 250 ms timeout, but never 250 ms without an answer.
  const pool = new ValidationPool({ workers: 1, spawn: () => serialWorker(150), init: (index): InitMessage => ({ type: 'init', index }), batchTimeoutMs: 250 });
  await pool.ready();
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: 100 }, () => pool.submit(0, job)));
  assert.ok(performance.now() - t0 >= 400, 'the batches were answered one after another');
  assert.deepEqual(new Set(results.map((r) => (r as { message?: string }).message)), new Set(['done']));
  await pool.close();
});

test('a worker that answers nothing for the timeout is stuck: its jobs fail', async () => {
  let spawned = 0;
  const pool = new ValidationPool({ workers: 1, spawn: () => serialWorker(spawned++ === 0 ? undefined : 10), init: (index): InitMessage => ({ type: 'init', index }), batchTimeoutMs: 250 });
  await pool.ready();
  const t0 = performance.now();
  await assert.rejects(pool.submit(0, job), /answered nothing within 250 ms/);
  const waited = performance.now() - t0;
  assert.ok(waited >= 240 && waited < 2000, `failed after ${waited.toFixed(0)} ms`);
  // The replacement answers.
  assert.equal(((await pool.submit(0, job)) as { message?: string }).message, 'done');
  await pool.close();
});

test('a worker that answers one batch and then nothing more is stuck too', async () => {
  // 64 jobs make two batches of 32, both posted at once; the first is answered after 20 ms,
  // the second never: 250 ms after the first answer the worker is taken for stuck.
  let spawned = 0;
  const pool = new ValidationPool({ workers: 1, spawn: () => serialWorker(20, spawned++ === 0 ? 1 : Infinity), init: (index): InitMessage => ({ type: 'init', index }), batchTimeoutMs: 250 });
  await pool.ready();
  const settled = await Promise.allSettled(Array.from({ length: 64 }, () => pool.submit(0, job)));
  const failed = settled.filter((s) => s.status === 'rejected');
  assert.equal(failed.length, 32, 'the unanswered batch fails');
  assert.match(String((failed[0] as PromiseRejectedResult).reason), /answered nothing within 250 ms/);
  await pool.close();
});
