/**
 * Scheduling by cost in the validation pool (src/validation/worker-pool.ts): heavy jobs
 * (HEAVY_COST signature checks or more) run one per worker on at most workers − 1 workers,
 * so cheap jobs always find a worker with no heavy job ahead of them; the heavy lane is
 * bounded (QueueFullError); block connection's jobs are never refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAVY_COST, QueueFullError, ValidationPool, type WorkerLike } from '../../src/validation/worker-pool.ts';
import { encodeResults, unpackBatch, type WireBatch } from '../../src/validation/wire.ts';

/** Workers that record the jobs of each batch posted to them and answer only when told. */
function recordingWorkers() {
  const posted: number[][] = [[], []];
  const answers: (() => void)[] = [];
  let n = 0;
  const spawn = (): WorkerLike => {
    const me = n++;
    let onMessage: ((ev: { data: unknown }) => void) | undefined;
    return {
      postMessage(m) {
        const msg = m as { type: string };
        if (msg.type === 'init') queueMicrotask(() => onMessage?.({ data: { type: 'ready', backend: 'fake' } }));
        if (msg.type !== 'batch') return;
        const jobs = unpackBatch(m as WireBatch);
        posted[me]!.push(...jobs.map((j) => j.tx[0]!));
        answers.push(() => onMessage?.({ data: {
          type: 'results', batch: (m as WireBatch).batch, ms: 1, jobs: jobs.length,
          results: encodeResults(jobs.map((j) => ({ id: j.id, kind: 'error' as const, message: 'done' }))),
        } }));
      },
      addEventListener(type: string, f: (ev: never) => void) {
        if (type === 'message') onMessage = f as (ev: { data: unknown }) => void;
      },
      terminate() {},
    };
  };
  return { posted, answers, spawn };
}

/** A job whose transaction bytes start with `tag` (what the recording worker logs). */
const job = (tag: number) => ({ kind: 'scripts' as const, tx: new Uint8Array([tag, 0, 0, 0]), spent: [], flags: 0 });
const settle = () => new Promise((r) => setTimeout(r, 5));

test('heavy jobs take at most workers − 1 workers; cheap jobs go to the free one, ahead of waiting heavy jobs', async () => {
  const w = recordingWorkers();
  const pool = new ValidationPool({ workers: 2, spawn: w.spawn, init: { type: 'init' }, maxHeavyQueue: 6 });
  await pool.ready();
  // One heavy job runs at once and six wait: a seventh waiting is refused.
  const heavy = [0, 1, 2, 3, 4, 5, 6].map((i) => pool.submit(i, job(100 + i), { cost: HEAVY_COST * 10 }));
  assert.throws(() => pool.submit(7, job(107), { cost: HEAVY_COST }), QueueFullError, 'the heavy lane holds 6');
  // Cheap jobs of both shards (worker 0's and worker 1's).
  const cheap = [0, 1].map((s) => pool.submit(s, job(s + 1), { cost: 1 }));
  await settle();
  const heavyPosted = w.posted.map((p) => p.filter((t) => t >= 100));
  assert.equal(heavyPosted.flat().length, 1, 'one heavy job at a time on two workers');
  const free = heavyPosted[0]!.length === 0 ? 0 : 1;
  assert.deepEqual(w.posted[free]!.sort(), [1, 2], 'both cheap jobs went to the worker running no heavy job');
  assert.equal(pool.queueDepth(), 9);
  // Answer everything as it comes: the heavy lane drains one job at a time.
  for (let i = 0; i < 50 && w.answers.length; i++) {
    for (const a of w.answers.splice(0)) a();
    await settle();
  }
  await Promise.all(cheap);
  await Promise.all(heavy);
  assert.equal(w.posted.flat().filter((t) => t >= 100).length, 7);
  assert.equal(pool.queueDepth(), 0);
  await pool.close();
});

test('block connection\'s jobs are never refused for a full queue and leave first', async () => {
  const w = recordingWorkers();
  const pool = new ValidationPool({ workers: 2, spawn: w.spawn, init: { type: 'init' }, maxQueuePerWorker: 2 });
  await pool.ready();
  // Worker 0's queue is full with two cheap jobs, not yet posted.
  const cheap = [pool.submit(0, job(1)), pool.submit(0, job(2))];
  assert.throws(() => pool.submit(0, job(3)), QueueFullError);
  const block = [pool.submit(0, job(50), { priority: true }), pool.submit(0, job(51), { priority: true })];
  await settle();
  assert.deepEqual(w.posted[0], [50, 51], 'the block\'s jobs left first');
  for (let i = 0; i < 10 && w.answers.length; i++) {
    for (const a of w.answers.splice(0)) a();
    await settle();
  }
  await Promise.all([...cheap, ...block]);
  assert.deepEqual(w.posted[0], [50, 51, 1, 2]);
  await pool.close();
});
