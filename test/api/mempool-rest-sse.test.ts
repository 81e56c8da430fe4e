// The mempool REST routes and GET /events (Server-Sent Events with removal reasons,
// heartbeats, bounded per-client buffering) on a real Mempool.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { mempoolApp, readUntil, spend, TestMempoolNode } from './mempool-deps.ts';

const id = (t: { txid: Uint8Array }) => hashToHex(t.txid);

function post(app: ReturnType<typeof mempoolApp>['app'], body: BodyInit, type: string) {
  return app.request('/tx', { method: 'POST', body, headers: { 'content-type': type } });
}

describe('POST /tx', () => {
  test('hex, raw bytes and JSON bodies: 200 with txid, wtxid, fee, vsize, replaced', async () => {
    const node = new TestMempoolNode();
    const { app } = mempoolApp(node);
    const coin = node.fund(100_000n);
    const a = spend([coin], [90_000n]);
    const r = await post(app, toHex(a.raw) + '\n', 'text/plain');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { accepted: true, txid: id(a), wtxid: hashToHex(a.wtxid), fee: 10_000, vsize: a.vsize, replaced: [] });
    const again = await post(app, new Uint8Array(a.raw), 'application/octet-stream');
    assert.equal((await again.json() as Record<string, unknown>).alreadyInMempool, true);
    const b = spend([coin], [80_000n], { tag: 3 });
    const rb = await post(app, JSON.stringify({ tx: toHex(b.raw) }), 'application/json');
    assert.deepEqual((await rb.json() as Record<string, unknown>).replaced, [id(a)]);
  });
  test('a reject is 422 with Core\'s reason; bad input 400/415; busy 503', async () => {
    const node = new TestMempoolNode();
    const { app } = mempoolApp(node);
    const free = spend([node.fund(1000n)], [1000n]);
    const r = await post(app, toHex(free.raw), 'text/plain');
    assert.equal(r.status, 422);
    assert.deepEqual(await r.json(), {
      accepted: false, txid: id(free), wtxid: hashToHex(free.wtxid), reason: 'min relay fee not met', details: `0 < ${Math.ceil(free.vsize / 10)}`, kind: 'fee',
    });
    const orphan = spend([{ txid: new Uint8Array(32).fill(3), vout: 1 }], [10n]);
    const ro = await (await post(app, toHex(orphan.raw), 'text/plain')).json() as Record<string, unknown>;
    assert.equal(ro.kind, 'missing-inputs');
    const rich = spend([node.fund(100_000n)], [1000n]);
    const rm = await (await post(app, JSON.stringify({ tx: toHex(rich.raw), maxfeerate: 0.0001 }), 'application/json')).json() as Record<string, unknown>;
    assert.equal(rm.reason, 'max-fee-exceeded');
    const bad = await post(app, 'zz', 'text/plain');
    assert.equal(bad.status, 400);
    assert.equal((await bad.json() as { error: { code: string } }).error.code, 'malformed');
    assert.equal((await post(app, JSON.stringify({ tx: 'aa', extra: 1 }), 'application/json')).status, 400);
    assert.equal((await post(app, 'aa', 'image/png')).status, 415);
    node.busy = true;
    const busy = await post(app, toHex(rich.raw), 'text/plain');
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get('retry-after'), '2');
  });
});

describe('mempool queries', () => {
  async function filled() {
    const node = new TestMempoolNode();
    const { app } = mempoolApp(node);
    const a = spend([node.fund(100_000n)], [99_000n]);
    const b = spend([{ txid: a.txid, vout: 0 }], [89_000n]);
    const c = spend([node.fund(100_000n)], [95_000n]);
    for (const t of [a, b, c]) assert.equal((await post(app, toHex(t.raw), 'text/plain')).status, 200);
    return { node, app, a, b, c };
  }
  test('GET /mempool, /mempool/txids, /mempool/tx/:txid', async () => {
    const { node, app, a, b, c } = await filled();
    assert.deepEqual(await (await app.request('/mempool')).json(), {
      count: 3, vsize: a.vsize + b.vsize + c.vsize, usage: node.mempool.memoryUsage, totalFee: 16_000,
      minFeeRate: 0.1, minRelayFeeRate: 0.1, incrementalRelayFeeRate: 0.1, maxMempool: 300_000_000,
    });
    assert.deepEqual(new Set(await (await app.request('/mempool/txids')).json() as string[]), new Set([id(a), id(b), id(c)]));
    const e = await (await app.request(`/mempool/tx/${id(b)}`)).json() as Record<string, any>;
    assert.equal(e.txid, id(b));
    assert.deepEqual(e.fees, { base: 10_000, modified: 10_000, ancestor: 11_000, descendant: 10_000 });
    assert.equal(e.ancestorcount, 2);
    assert.equal(e.ancestorsize, a.vsize + b.vsize);
    assert.deepEqual(e.depends, [id(a)]);
    assert.equal((await app.request(`/mempool/tx/${'00'.repeat(32)}`)).status, 404);
    assert.equal((await app.request('/mempool/tx/xyz')).status, 400);
  });
  test('GET /mempool/top by ancestor score, bounded', async () => {
    const { app, a, b, c } = await filled();
    const top = await (await app.request('/mempool/top?limit=2')).json() as { txid: string; score: number }[];
    // c pays 5000 alone; b's package (a+b) pays 11000 over two; a alone 1000.
    assert.equal(top.length, 2);
    assert.ok(top[0]!.score >= top[1]!.score);
    const all = await (await app.request('/mempool/top')).json() as { txid: string }[];
    assert.deepEqual(new Set(all.map((x) => x.txid)), new Set([id(a), id(b), id(c)]));
    for (const q of ['0', '1001', 'x', '-1']) assert.equal((await app.request(`/mempool/top?limit=${q}`)).status, 400);
  });
  test('GET /mempool/blocks and /fees/recommended', async () => {
    const { app, a, b, c } = await filled();
    const blocks = await (await app.request('/mempool/blocks')).json() as Record<string, any>[];
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]!.nTx, 3);
    assert.equal(blocks[0]!.blockVSize, a.vsize + b.vsize + c.vsize);
    assert.equal(blocks[0]!.totalFees, 16_000);
    assert.deepEqual(Object.keys(blocks[0]!), ['blockSize', 'blockVSize', 'nTx', 'totalFees', 'medianFee', 'feeRange']);
    const fees = await (await app.request('/fees/recommended')).json();
    assert.deepEqual(fees, { fastestFee: 1, halfHourFee: 1, hourFee: 1, economyFee: 1, minimumFee: 1 });
  });
});

describe('GET /events (SSE)', () => {
  test('added and removed events with reasons, heartbeats, clean close', async () => {
    const node = new TestMempoolNode();
    const { app, mount } = mempoolApp(node, { sse: { heartbeatMs: 30 } });
    const res = await app.request('/events');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const reader = res.body!.getReader();
    assert.match(await readUntil(reader, (s) => s.includes('retry:')), /^retry: 5000\n/);
    const coin = node.fund(100_000n);
    const a = spend([coin], [90_000n]);
    await post(app, toHex(a.raw), 'text/plain');
    const added = await readUntil(reader, (s) => s.includes('event: added'));
    const m = /id: (\d+)\nevent: added\ndata: (.*)\n\n/.exec(added)!;
    assert.ok(m);
    const data = JSON.parse(m[2]!);
    assert.equal(data.txid, id(a));
    assert.equal(data.fee, 10_000);
    assert.equal(data.vsize, a.vsize);
    const b = spend([coin], [80_000n], { tag: 9 });
    await post(app, toHex(b.raw), 'text/plain');
    const removed = await readUntil(reader, (s) => s.includes('event: removed'));
    assert.match(removed, new RegExp(`event: removed\\ndata: \\{"txid":"${id(a)}","wtxid":"[0-9a-f]{64}","reason":"replaced","sequence":\\d+\\}`));
    node.mine([b]);
    assert.match(await readUntil(reader, (s) => s.includes('"reason":"confirmed"')), new RegExp(`"txid":"${id(b)}"`));
    assert.match(await readUntil(reader, (s) => s.includes(': heartbeat')), /: heartbeat\n\n/);
    assert.equal(mount.sse.clientCount, 1);
    mount.close();
    assert.equal(mount.sse.clientCount, 0);
    const rest = await readUntil(reader, () => false, 200).catch((e: Error) => e.message);
    void rest;
    assert.equal((await reader.read()).done, true);
  });
  test('a client that does not read is dropped; the client limit answers 503', async () => {
    const node = new TestMempoolNode();
    const { app, mount } = mempoolApp(node, { sse: { maxBufferedEvents: 3, maxClients: 1, heartbeatMs: 60_000 } });
    const res = await app.request('/events');
    assert.equal((await app.request('/events')).status, 503);
    for (let i = 0; i < 6; i++) await post(app, toHex(spend([node.fund(100_000n)], [90_000n]).raw), 'text/plain');
    assert.equal(mount.sse.clientCount, 0);
    assert.equal(mount.sse.dropped, 1);
    await assert.rejects(async () => {
      const r = res.body!.getReader();
      for (;;) if ((await r.read()).done) break;
    });
    assert.equal((await app.request('/events')).status, 200, 'the slot is free again');
    mount.close();
  });
});
