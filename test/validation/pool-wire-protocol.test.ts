import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationPool, type WorkerLike } from '../../src/validation/worker-pool.ts';
import { decodeResults, encodeResults, packBatch, unpackBatch, type JobInput, type JobResult, type ScriptsJob, type WireBatch } from '../../src/validation/wire.ts';

/** A scripts job of `n` transaction bytes and no spent outputs (the scheduling tests' unit of work). */
const work = (n: number): JobInput => ({ kind: 'scripts', tx: new Uint8Array(n), spent: [], flags: 0 });

describe('pool ⇄ worker wire', () => {
  test('a batch packs every transaction and spent script into one buffer and unpacks to the same jobs', () => {
    const jobs: ScriptsJob[] = [
      { kind: 'scripts', id: 1, tx: new Uint8Array([1, 2, 3]), spent: [], flags: 0 },
      { kind: 'scripts', id: 2, tx: new Uint8Array(0), spent: [{ value: 5n, scriptPubKey: new Uint8Array([0x51]) }, { value: 0n, scriptPubKey: new Uint8Array(0) }], flags: 7 },
      { kind: 'scripts', id: 3, tx: new Uint8Array([9, 8, 7, 6, 5]), spent: [{ value: 1n, scriptPubKey: new Uint8Array([0x51, 0x52]) }], flags: 0x1ffff },
    ];
    const msg = packBatch(42, jobs);
    assert.equal(msg.buf.byteLength, 3 * 4 * 4 + 6 * 4 + 3 * 8 + 3 * 32 + 11, 'head, ends, values, wtxids, then the transactions and spent scripts');
    const back = unpackBatch(structuredClone(msg) as WireBatch);
    assert.equal(back.length, 3);
    back.forEach((j, i) => {
      const want = jobs[i]!;
      assert.deepEqual([j.kind, j.id, j.flags, [...j.tx]], [want.kind, want.id, want.flags, [...want.tx]]);
      assert.deepEqual(j.spent.map((o) => [o.value, [...o.scriptPubKey]]), want.spent.map((o) => [o.value, [...o.scriptPubKey]]));
    });
  });

  test('any batch survives the trip (property)', () => {
    const bytes = fc.uint8Array({ maxLength: 40 });
    const job = fc.record({
      tx: bytes, flags: fc.nat({ max: 0x1ffff }),
      spent: fc.array(fc.record({ value: fc.bigInt({ min: 0n, max: 21n * 10n ** 14n }), scriptPubKey: bytes }), { maxLength: 5 }),
      wtxid: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
      block: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(job, { maxLength: 20 }), (js) => {
      const jobs: ScriptsJob[] = js.map(({ wtxid, block, ...j }, i) => ({ kind: 'scripts', id: i + 1, ...j, ...(wtxid ? { wtxid } : {}), ...(block ? { block } : {}) }));
      const back = unpackBatch(structuredClone(packBatch(7, jobs)) as WireBatch);
      const plain = (j: ScriptsJob) => [j.id, j.flags, [...j.tx], j.spent.map((o) => [o.value, [...o.scriptPubKey]]), j.wtxid && [...j.wtxid], j.block === true];
      assert.deepEqual(back.map(plain), jobs.map(plain));
    }));
  });

  test('spent scripts travel in the batch buffer, never as views of their own (larger) buffers', () => {
    // A script that is a view into a big buffer (a block, a UTXO-set slab) would clone that
    // whole buffer with the message.
    const block = new Uint8Array(1 << 20);
    block.set([0x00, 0x14], 5000);
    const script = block.subarray(5000, 5022);
    const jobs: ScriptsJob[] = [{ kind: 'scripts', id: 1, tx: new Uint8Array([1, 2]), spent: [{ value: 7n, scriptPubKey: script }, { value: 8n, scriptPubKey: new Uint8Array(0) }], flags: 1 }];
    const msg = packBatch(1, jobs);
    assert.deepEqual(Object.values(msg).filter((v) => typeof v === 'object'), [msg.buf], 'one buffer of its own');
    assert.equal(msg.buf.byteLength, 4 * 4 + 3 * 4 + 4 + 2 * 8 + 32 + 2 + 22, 'head, ends, 4 bytes to align the values, values, wtxid, then the tx and the scripts');
    const [back] = unpackBatch(structuredClone(msg) as WireBatch);
    assert.ok(back);
    assert.deepEqual(back.spent.map((o) => [o.value, [...o.scriptPubKey]]), [[7n, [...script]], [8n, []]]);
  });

  test('a batch is one buffer, whatever its size: no object per job to clone', () => {
    const jobs: ScriptsJob[] = Array.from({ length: 50 }, (_, i) => ({ kind: 'scripts', id: 0xffffffff - i, tx: new Uint8Array([i]), spent: [{ value: 2n ** 63n - 1n - BigInt(i), scriptPubKey: new Uint8Array([i]) }], flags: 0x1ffff }));
    const msg = packBatch(3, jobs);
    assert.deepEqual(Object.values(msg).filter((v) => typeof v === 'object'), [msg.buf]);
    const back = unpackBatch(structuredClone(msg));
    assert.deepEqual(back.map((j) => [j.id, j.flags, j.spent[0]!.value, [...j.tx]]), jobs.map((j) => [j.id, j.flags, j.spent[0]!.value, [...j.tx]]));
  });

  test('job ids wrap within uint32 and still find their answers', async () => {
    const f = fakeWorker();
    const pool = new ValidationPool({ workers: 1, spawn: () => f.w, init: { type: 'init' } });
    try {
      await pool.ready();
      (pool as unknown as { nextId: number }).nextId = 0xfffffffe;
      const jobs = Promise.all([pool.submit(0, work(1)), pool.submit(0, work(2)), pool.submit(0, work(3))]);
      for (let i = 0; i < 10 && f.sent.length < 3; i++) {
        await tick();
        for (const b of f.sent.splice(0)) f.answer(b);
      }
      const got = await jobs;
      assert.deepEqual(got.map((r) => [r.id, r.kind === 'error' && r.message]), [[0xfffffffe, 'tx of 1 bytes'], [0xffffffff, 'tx of 2 bytes'], [1, 'tx of 3 bytes']]);
    } finally {
      await pool.close();
    }
  });

  test('answers survive the flat encoding exactly, as primitives', () => {
    const results: JobResult[] = [
      { id: 1, kind: 'scripts', result: { ok: true } },
      { id: 2, kind: 'scripts', result: { ok: false, error: 'EVAL_FALSE', input: 0 } },
      { id: 3, kind: 'scripts', result: { ok: false, error: 'SIG_HIGH_S', input: 17 } },
      { id: 4, kind: 'error', message: 'boom' },
    ];
    const flat = structuredClone(encodeResults(results));
    assert.ok(flat.every((x) => typeof x !== 'object' || x === null), 'answers are flat primitives');
    const back: JobResult[] = [];
    decodeResults(flat, (r) => back.push(r));
    assert.deepEqual(back, results);
  });
});

/** A worker that records what it is sent and answers only when told. */
function fakeWorker() {
  const sent: WireBatch[] = [];
  let onMessage: ((ev: { data: unknown }) => void) | undefined;
  const w: WorkerLike = {
    postMessage(m) {
      const msg = m as { type: string };
      if (msg.type === 'init') queueMicrotask(() => onMessage?.({ data: { type: 'ready', backend: 'fake' } }));
      else if (msg.type === 'batch') sent.push(m as WireBatch);
    },
    addEventListener(type: string, f: (ev: never) => void) {
      if (type === 'message') onMessage = f as (ev: { data: unknown }) => void;
    },
    terminate() {},
  };
  /** Answers a batch; `ms`: the time the worker says it took (as workers/validator.ts reports). */
  const answer = (b: WireBatch, ms?: number) => {
    const results: JobResult[] = unpackBatch(b).map((j) => ({ id: j.id, kind: 'error', message: `tx of ${j.tx.length} bytes` }));
    onMessage!({ data: { type: 'results', batch: b.batch, results: encodeResults(results), ...(ms === undefined ? {} : { ms, jobs: b.jobs }) } });
  };
  return { w, sent, answer };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('pool batching across requests', () => {
  test('an idle worker gets a lone job at once; jobs arriving while it is busy leave together with its answer', async () => {
    const f = fakeWorker();
    const pool = new ValidationPool({ workers: 1, spawn: () => f.w, init: { type: 'init' } });
    try {
      await pool.ready();
      const first = pool.submit(0, work(10));
      await tick();
      assert.equal(f.sent.length, 1, 'idle: posted without waiting');
      // Five more, each in its own macrotask (as separate HTTP requests arrive).
      const more: Promise<JobResult>[] = [];
      for (let i = 0; i < 5; i++) {
        more.push(pool.submit(0, work(i + 1)));
        await tick();
      }
      assert.equal(f.sent.length, 1, 'busy: the five wait for the answer');
      f.answer(f.sent[0]!);
      assert.deepEqual(await first, { id: 1, kind: 'error', message: 'tx of 10 bytes' });
      assert.equal(f.sent.length, 2, 'the answer sends the waiting jobs');
      assert.equal(f.sent[1]!.jobs, 5);
      f.answer(f.sent[1]!);
      const rs = await Promise.all(more);
      assert.deepEqual(rs.map((r) => r.kind === 'error' && r.message), [1, 2, 3, 4, 5].map((n) => `tx of ${n} bytes`));
    } finally {
      await pool.close();
    }
  });

  test('a deep queue is pipelined: a second batch leaves before the first is answered', async () => {
    const f = fakeWorker();
    const pool = new ValidationPool({ workers: 1, spawn: () => f.w, init: { type: 'init' } });
    try {
      await pool.ready();
      const all: Promise<JobResult>[] = [pool.submit(0, work(1))];
      await tick();
      for (let i = 0; i < 20; i++) all.push(pool.submit(0, work(2)));
      await tick();
      assert.equal(f.sent.length, 2, 'a busy worker gets a second batch once 16 jobs wait');
      assert.equal(f.sent[1]!.jobs, 20);
      for (let i = 0; i < 20; i++) all.push(pool.submit(0, work(3)));
      await tick();
      assert.equal(f.sent.length, 2, 'at most two batches in flight at the usual pace');
      f.answer(f.sent[0]!);
      assert.equal(f.sent.length, 3);
      assert.equal(f.sent[2]!.jobs, 20);
      f.answer(f.sent[1]!);
      f.answer(f.sent[2]!);
      assert.equal((await Promise.all(all)).length, 41);
    } finally {
      await pool.close();
    }
  });

  test('jobs queued in one synchronous run leave in batches of 32 while the caller goes on', async () => {
    // A block's script checks, queued as ConnectBlock walks the block: the workers start
    // before the walk ends.
    const f = fakeWorker();
    const pool = new ValidationPool({ workers: 1, spawn: () => f.w, init: { type: 'init' } });
    try {
      await pool.ready();
      const all: Promise<JobResult>[] = [];
      for (let i = 0; i < 100; i++) {
        all.push(pool.submit(0, work(1 + (i % 3))));
        if (i === 31) assert.equal(f.sent.length, 1, 'posted during the run, not after it');
      }
      assert.deepEqual(f.sent.map((b) => b.jobs), [32, 32, 32]);
      await tick();
      assert.equal(f.sent.length, 3, 'the last 4 wait for an answer (3 batches in flight)');
      for (const b of [...f.sent]) f.answer(b);
      await tick();
      assert.deepEqual(f.sent.map((b) => b.jobs), [32, 32, 32, 4]);
      f.answer(f.sent[3]!);
      assert.equal((await Promise.all(all)).length, 100);
    } finally {
      await pool.close();
    }
  });
});

describe('pool batches sized by the worker\'s time', () => {
  test('slow jobs leave a few at a time; the rest waits in the pool', async () => {
    const f = fakeWorker();
    const pool = new ValidationPool({ workers: 1, spawn: () => f.w, init: { type: 'init' } });
    try {
      await pool.ready();
      const all: Promise<JobResult>[] = [pool.submit(0, work(1))];
      await tick();
      f.answer(f.sent[0]!, 5); // 5 ms for one job: batches of 2 carry the 10 ms aimed at
      for (let i = 0; i < 10; i++) all.push(pool.submit(0, work(2)));
      await tick();
      assert.deepEqual(f.sent.map((b) => b.jobs), [1, 2, 2], 'two batches of two in flight, six wait');
      f.answer(f.sent[1]!, 10);
      assert.deepEqual(f.sent.map((b) => b.jobs), [1, 2, 2, 2], 'an answer lets one more batch go');
      // Fast jobs from now on (0.2 ms each), every batch answered as it leaves.
      const drain = async () => {
        while (answered < f.sent.length) {
          const b = f.sent[answered++]!;
          f.answer(b, 0.2 * b.jobs);
          await tick();
        }
      };
      let answered = 2;
      await drain();
      assert.equal((await Promise.all(all)).length, 11);
      assert.equal(f.sent.reduce((a, b) => a + b.jobs, 0), 11, 'every job sent once');
      // The pace learned: the batches have grown back.
      const more = Array.from({ length: 20 }, () => pool.submit(0, work(4)));
      await tick();
      assert.ok(f.sent[answered]!.jobs > 2, `next batch: ${f.sent[answered]!.jobs} jobs`);
      await drain();
      assert.equal((await Promise.all(more)).length, 20);
    } finally {
      await pool.close();
    }
  });

  test('an idle worker takes the slow jobs another worker has not been sent yet', async () => {
    const fs = [fakeWorker(), fakeWorker()];
    let k = 0;
    const pool = new ValidationPool({ workers: 2, spawn: () => fs[k++]!.w, init: { type: 'init' } });
    try {
      await pool.ready();
      // Shard 0 is worker 0's, shard 1 worker 1's; one job each to learn their pace (5 ms).
      const all = [pool.submit(0, work(1)), pool.submit(1, work(1))];
      await tick();
      fs[0]!.answer(fs[0]!.sent[0]!, 5);
      fs[1]!.answer(fs[1]!.sent[0]!, 5);
      // Twelve slow jobs, all for worker 0: it gets 2 + 2, worker 1 takes 4 of the 8 that wait.
      for (let i = 0; i < 12; i++) all.push(pool.submit(0, work(3)));
      await tick();
      assert.deepEqual(fs[0]!.sent.slice(1).map((b) => b.jobs), [2, 2]);
      assert.deepEqual(fs[1]!.sent.slice(1).map((b) => b.jobs), [2, 2]);
      assert.equal(pool.stolen, 4);
      // Whoever answers first takes more of what still waits.
      const answered = [1, 1];
      for (let round = 0; round < 10; round++) {
        fs.forEach((f, i) => {
          while (answered[i]! < f.sent.length) f.answer(f.sent[answered[i]!++]!, 10);
        });
        await tick();
      }
      const rs = await Promise.all(all);
      assert.equal(rs.length, 14);
      assert.ok(rs.every((r) => r.kind === 'error' && /^tx of \d bytes$/.test(r.message)));
      assert.equal(pool.queueDepth(), 0);
    } finally {
      await pool.close();
    }
  });
});
