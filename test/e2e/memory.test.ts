/**
 * The server's memory figures: the runtime's reader (src/runtime/memory.ts), the gauges of
 * GET /metrics (src/api/memory-metrics.ts) and GET /info's `memory`, read live each time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryReader } from '../../src/runtime/memory.ts';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';
import { Registry } from '../../src/api/metrics.ts';
import { registerMemoryMetrics, type MemoryFigures } from '../../src/api/memory-metrics.ts';
import { getJson, startTestServer, type TestServer } from '../util/server.ts';

const MB = 1024 * 1024;
/** About 25 MB of small live objects on the JavaScript heap. */
const retainObjects = () => Array.from({ length: 400_000 }, (_, i) => ({ i, s: `object ${i}` }));
/**
 * Bun: JavaScriptCore's heap size is brought up to date by a full collection (between them
 * eden collections may leave it behind), and the memory its objects hold outside the heap is
 * learnt there too.
 */
const collectOnBun = () => (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun?.gc(true);

describe('memory figures of this runtime', () => {
  test('rss, heap used and total, external: positive, and they follow what the program holds', async () => {
    const read = memoryReader();
    collectOnBun();
    const before = read();
    for (const k of ['rss', 'heapUsed', 'heapTotal', 'external'] as const) assert.ok(before[k] > 0, `${k} ${before[k]}`);
    assert.ok(before.heapTotal < before.rss, 'the main thread\'s heap is part of the process');
    assert.equal(before.arrayBuffers !== undefined, runtimeName() === 'node');
    const objects = retainObjects();
    const bytes = new Uint8Array(64 * MB).fill(1);
    collectOnBun();
    const held = read();
    assert.ok(held.heapUsed - before.heapUsed > 10 * MB, `heap used ${before.heapUsed} → ${held.heapUsed}`);
    assert.ok(held.heapUsed - before.heapUsed < 60 * MB, 'the byte array is external memory, not heap');
    assert.ok(held.external - before.external > 60 * MB, `external ${before.external} → ${held.external}`);
    assert.ok(held.rss - before.rss > 60 * MB, `rss ${before.rss} → ${held.rss}`);
    if (held.arrayBuffers !== undefined) assert.ok(held.arrayBuffers - before.arrayBuffers! > 60 * MB);
    assert.equal(objects.length + bytes[0]!, 400_001);
  });

  test('GET /metrics has a gauge per figure offered, read at scrape time', () => {
    let figures: MemoryFigures = { rss: 300, heapUsed: 100, heapTotal: 200, external: 50 };
    const registry = new Registry();
    registerMemoryMetrics(registry, () => figures);
    const value = (name: string) => /^(\S+) (\S+)$/m.exec(registry.render().split('\n').filter((l) => l.startsWith(`${name} `)).join('\n'))?.[2];
    assert.equal(value('txgate_process_resident_memory_bytes'), '300');
    assert.equal(value('txgate_js_heap_used_bytes'), '100');
    assert.equal(value('txgate_js_heap_total_bytes'), '200');
    assert.equal(value('txgate_js_external_memory_bytes'), '50');
    assert.ok(!registry.render().includes('txgate_js_array_buffers_bytes'), 'not offered, not registered');
    figures = { ...figures, heapUsed: 150 };
    assert.equal(value('txgate_js_heap_used_bytes'), '150');
    const node = new Registry();
    registerMemoryMetrics(node, () => ({ ...figures, arrayBuffers: 7 }));
    assert.match(node.render(), /^txgate_js_array_buffers_bytes 7$/m);
  });
});

describe('memory figures of the server', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.close();
  });

  test('GET /info reports the memory as it is at each call', async () => {
    collectOnBun();
    const first = (await getJson<{ memory: MemoryFigures }>(`${srv.url}/info`)).body.memory;
    for (const k of ['rss', 'heapUsed', 'heapTotal', 'external'] as const) assert.equal(typeof first[k], 'number', k);
    assert.ok(first.heapUsed > 0 && first.heapTotal < first.rss);
    // The server runs in this process: what the test holds is on the server's heap.
    const objects = retainObjects();
    collectOnBun();
    const second = (await getJson<{ memory: MemoryFigures }>(`${srv.url}/info`)).body.memory;
    assert.ok(second.heapUsed - first.heapUsed > 10 * MB, `heap used ${first.heapUsed} → ${second.heapUsed}`);
    assert.equal(objects.length, 400_000);
  });

  test('GET /metrics reports the resident set and the heap', async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    for (const name of ['txgate_process_resident_memory_bytes', 'txgate_js_heap_used_bytes', 'txgate_js_heap_total_bytes', 'txgate_js_external_memory_bytes']) {
      const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
      assert.ok(m && Number(m[1]) > 0, `${name} in /metrics`);
    }
  });
});
