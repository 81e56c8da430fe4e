// GET /events ids and Last-Event-ID replay: ids increase by one over the whole stream
// (confirmations included); a reconnecting client gets exactly the events after its
// Last-Event-ID from the bounded replay buffer, and a `missed` event when its id is
// outside that buffer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import type { MempoolMount } from '../../src/api/mempool-routes.ts';
import { DEFAULT_REPLAY_EVENTS, type SseOptions } from '../../src/api/sse.ts';
import { mempoolApp, readUntil, spend, TestMempoolNode } from './mempool-deps.ts';

type App = ReturnType<typeof mempoolApp>['app'];
interface SseEvent { id?: number; event: string; data: any }

const id = (t: { txid: Uint8Array }) => hashToHex(t.txid);

/** The events (not comments) in SSE text. */
function parse(text: string): SseEvent[] {
  return text.split('\n\n').filter((block) => /^(id|event|data):/m.test(block)).map((block) => {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1];
    const idText = field('id');
    return { ...(idText === undefined ? {} : { id: Number(idText) }), event: field('event') ?? 'message', data: JSON.parse(field('data') ?? 'null') };
  });
}

async function open(app: App, lastEventId?: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const res = await app.request('/events', lastEventId === undefined ? {} : { headers: { 'Last-Event-ID': lastEventId } });
  assert.equal(res.status, 200);
  return res.body!.getReader();
}

/** Submits a fresh transaction; its txid. */
async function submit(app: App, node: TestMempoolNode): Promise<string> {
  const tx = spend([node.fund(100_000n)], [90_000n]);
  const r = await app.request('/tx', { method: 'POST', body: toHex(tx.raw), headers: { 'content-type': 'text/plain' } });
  assert.equal(r.status, 200);
  return id(tx);
}

/** Runs `fn` on a fresh node and app; the event streams end afterwards, whatever happens. */
async function withApp(sse: SseOptions, fn: (app: App, node: TestMempoolNode, mount: MempoolMount) => Promise<void>): Promise<void> {
  const node = new TestMempoolNode();
  const { app, mount } = mempoolApp(node, { sse });
  try {
    await fn(app, node, mount);
  } finally {
    mount.close();
  }
}

/** Reads until the event carrying `txid` has arrived; every event read. */
async function readThrough(reader: ReadableStreamDefaultReader<Uint8Array>, txid: string): Promise<SseEvent[]> {
  return parse(await readUntil(reader, (s) => s.includes(`"txid":"${txid}"`)));
}

describe('GET /events: ids and Last-Event-ID replay', () => {
  test('ids are unique and increase by one across added, replaced and confirmed events', () => withApp({}, async (app, node) => {
    const reader = await open(app);
    const coin = node.fund(100_000n);
    const a = spend([coin], [90_000n]);
    const b = spend([coin], [80_000n], { tag: 9 });
    for (const t of [a, b]) await app.request('/tx', { method: 'POST', body: toHex(t.raw), headers: { 'content-type': 'text/plain' } });
    node.mine([b]);
    const c = await submit(app, node);
    const events = await readThrough(reader, c);
    assert.deepEqual(events.map((e) => [e.event, e.data.reason ?? '']), [
      ['added', ''], ['removed', 'replaced'], ['added', ''], ['removed', 'confirmed'], ['added', ''],
    ]);
    assert.deepEqual(events.map((e) => e.id), [1, 2, 3, 4, 5]);
    // Core's sequence is in the data: every addition and removal advances it, a confirmation
    // too (CTxMemPool::removeUnchecked).
    assert.deepEqual(events.slice(1).map((e, i) => e.data.sequence - events[i]!.data.sequence), [1, 1, 1, 1]);
  }));

  test('a client reconnecting with Last-Event-ID gets exactly the events it missed, then live ones', () => withApp({}, async (app, node, mount) => {
    const first = await open(app);
    const seen = [await submit(app, node), await submit(app, node)];
    assert.deepEqual((await readThrough(first, seen[1]!)).map((e) => e.id), [1, 2]);
    await first.cancel();
    assert.equal(mount.sse.clientCount, 0);
    // Events while no client is connected are kept too.
    const missed = [await submit(app, node), await submit(app, node), await submit(app, node)];
    const again = await open(app, '2');
    const live = await submit(app, node);
    const events = await readThrough(again, live);
    assert.deepEqual(events.map((e) => [e.id, e.data.txid]), [[3, missed[0]], [4, missed[1]], [5, missed[2]], [6, live]]);
    await again.cancel();
    const upToDate = await open(app, '6');
    const next = await submit(app, node);
    assert.deepEqual((await readThrough(upToDate, next)).map((e) => e.id), [7], 'nothing to replay');
  }));

  const size = 4;
  test('the replay buffer is bounded: N-1, N and N+1 events around its size', () => withApp({ replayEvents: size }, async (app, node) => {
    await (await open(app)).cancel();
    const txids: string[] = [];
    for (let i = 0; i < size + 2; i++) txids.push(await submit(app, node));
    // Ids 1..6 were sent; the buffer keeps 3..6.
    const replay = async (lastEventId: string) => {
      const reader = await open(app, lastEventId);
      const events = await readThrough(reader, txids.at(-1)!);
      await reader.cancel();
      return events;
    };
    // Missed size - 1 (id 3 on): replayed, no gap.
    assert.deepEqual((await replay('3')).map((e) => e.id), [4, 5, 6]);
    // Missed exactly size (2 on): the whole buffer, no gap.
    assert.deepEqual((await replay('2')).map((e) => e.id), [3, 4, 5, 6]);
    // Missed size + 1 (1 on): event 2 is gone; a `missed` event says so, then the buffer.
    const over = await replay('1');
    assert.deepEqual(over.map((e) => [e.event, e.id]), [['missed', undefined], ['added', 3], ['added', 4], ['added', 5], ['added', 6]]);
    assert.deepEqual(over[0]!.data, { lastEventId: '1', firstAvailable: 3, lastId: 6 });
    // An id newer than any sent (from before a restart) or not a number: `missed` too.
    for (const bad of ['7', 'x']) assert.deepEqual((await replay(bad)).map((e) => e.event), ['missed', 'added', 'added', 'added', 'added']);
  }));

  test(`the default replay buffer holds the last ${DEFAULT_REPLAY_EVENTS} events`, () => withApp({}, async (app, node) => {
    await (await open(app)).cancel();
    const entry = node.mempool.get(await submit(app, node))!;
    // Ids 2..DEFAULT + 1: event 1 falls out of the buffer.
    for (let i = 0; i < DEFAULT_REPLAY_EVENTS; i++) node.mempool.events.emitAdded(entry);
    const replay = async (lastEventId: string, events: number) => {
      const reader = await open(app, lastEventId);
      const text = await readUntil(reader, (s) => (s.match(/^event: /gm) ?? []).length >= events);
      await reader.cancel();
      return parse(text);
    };
    const kept = await replay('1', DEFAULT_REPLAY_EVENTS);
    assert.deepEqual([kept.length, kept[0]!.id, kept.at(-1)!.id], [DEFAULT_REPLAY_EVENTS, 2, DEFAULT_REPLAY_EVENTS + 1]);
    const over = await replay('0', DEFAULT_REPLAY_EVENTS + 1);
    assert.deepEqual([over.length, over[0]!.event, over[1]!.id], [DEFAULT_REPLAY_EVENTS + 1, 'missed', 2]);
  }));
});
