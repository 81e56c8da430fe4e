/**
 * Real workers reading the shared table while the writer applies batches: every snapshot
 * a worker pins must show exactly the contents of its version (test/utxo/model.ts), with
 * no torn or inconsistent read, across splits, directory doublings, reclamation and heap
 * compaction. Also the worker adapter itself (src/runtime/worker.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorker, request } from '../../src/runtime/worker.ts';
import { UtxoSet } from '../../src/utxo/set.ts';
import { batchFor, checkVersion } from './model.ts';

const workerUrl = new URL('../util/utxo-reader.ts', import.meta.url);

test('worker adapter: messages, errors surface as error events, terminate', async () => {
  const w = createWorker(workerUrl);
  try {
    assert.deepEqual(await request(w, { cmd: 'echo', value: { a: [1, 2n] } }), { a: [1, 2n] });
    const err = await new Promise<{ message: string }>((resolve) => {
      w.addEventListener('error', (ev) => resolve(ev));
      w.postMessage({ cmd: 'throw' });
    });
    assert.match(err.message, /boom from worker/);
  } finally {
    await w.terminate();
  }
  await w.terminate();
});

test('two workers check pinned snapshots while the writer applies 120 batches', async () => {
  const set = UtxoSet.create({ indexSegments: 1, heapSegments: 1 });
  const workers = [createWorker(workerUrl), createWorker(workerUrl)];
  const LAST = 120;
  try {
    for (const w of workers) assert.deepEqual(await request(w, { cmd: 'attach', shared: set.shared() }), { ok: true, version: 0 });
    const results = workers.map((w, i) => request<{ checks: number; versions: number; errors: string[]; errorCount: number }>(w, { cmd: 'check', until: LAST, holdMs: 3, seed: 1000 * (i + 1) }, 120_000));
    const mainReader = set.reader();
    for (let v = 1; v <= LAST; v++) {
      assert.equal(set.applyBatch(batchFor(v)), v);
      if (v % 10 === 0) {
        const s = mainReader.pin();
        assert.deepEqual(checkVersion(s, s.version, v), []);
        s.release();
      }
      // let the workers run between blocks now and then
      if (v % 4 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    const out = await Promise.all(results);
    for (const r of out) {
      assert.deepEqual(r.errors, [], `${r.errorCount} inconsistent reads`);
      assert.ok(r.checks >= 4, `only ${r.checks} checks`);
    }
    assert.ok(out.some((r) => r.versions >= 3), 'the workers saw several versions');
    const st = set.stats();
    assert.ok(st.depth >= 4, 'the directory doubled during the run');
    // what the final set holds matches the model too
    assert.deepEqual(checkVersion(set, LAST, 5), []);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
