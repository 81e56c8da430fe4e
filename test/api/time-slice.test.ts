/**
 * Time slices of the main thread (src/api/time-slice.ts): a pause goes on at once while the
 * slice has time left and queues once it is spent; the queue resumes one task per turn of the
 * loop, first come first served; a finished task hands on the rest of its slice; a slice is
 * as long as the loop was elsewhere, within its bounds; a batch through the app pauses between its items, so GET
 * /health answers within a bound while a batch whose items take 3 s in all keeps this
 * thread busy; validateInSlices keeps the items' order and makes one busy item a busy batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { TimeSlicer, validateInSlices } from '../../src/api/time-slice.ts';
import type { AppDeps, ValidateItem, ValidateOutcome } from '../../src/api/deps.ts';
import type { AcceptResult } from '../../src/mempool/accept.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { toHex } from '../../src/primitives/bytes.ts';

/** A clock the unit tests move by hand. */
let clock = 0;
const advance = (ms: number) => {
  clock += ms;
};
const fakeNow = () => clock;

const busyFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a synchronous piece of work */ }
};

test('a pause goes on while the slice lasts, then queues; one task resumes per turn, in order', async () => {
  const turns: (() => void)[] = [];
  const slicer = new TimeSlicer(20, 20, (f) => turns.push(f), fakeNow);
  // No slice is running yet: the first pause queues.
  const order: string[] = [];
  const a = slicer.pause()!.then(() => order.push('a'));
  const b = slicer.pause()!.then(() => order.push('b'));
  assert.equal(slicer.queued, 2);
  assert.equal(turns.length, 1, 'one turn is asked for, however many wait');
  turns.shift()!();
  await a;
  assert.deepEqual(order, ['a']);
  // Inside the slice just started: go on.
  assert.equal(slicer.pause(), undefined);
  advance(25);
  // The slice is spent: wait again, behind b.
  const a2 = slicer.pause()!.then(() => order.push('a2'));
  assert.equal(turns.length, 1);
  turns.shift()!();
  await b;
  turns.shift()!();
  await a2;
  assert.deepEqual(order, ['a', 'b', 'a2']);
  assert.equal(slicer.queued, 0);
});

test('a task that is done hands the rest of its slice to the next; a spent slice hands nothing', async () => {
  const turns: (() => void)[] = [];
  const slicer = new TimeSlicer(50, 50, (f) => turns.push(f), fakeNow);
  const order: string[] = [];
  const a = slicer.pause()!.then(() => order.push('a'));
  const b = slicer.pause()!.then(() => order.push('b'));
  const c = slicer.pause()!.then(() => order.push('c'));
  turns.shift()!();
  await a;
  slicer.release();
  await b;
  assert.deepEqual(order, ['a', 'b'], 'b ran in the slice a left, without a turn of its own');
  advance(55);
  slicer.release();
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, ['a', 'b'], 'c waits for its turn');
  turns.shift()!();
  await c;
  assert.deepEqual(order, ['a', 'b', 'c']);
});

test('a slice lasts as long as the loop was elsewhere, within its bounds', async () => {
  const turns: (() => void)[] = [];
  const slicer = new TimeSlicer(5, 40, (f) => turns.push(f), fakeNow);
  const first = slicer.pause()!;
  turns.shift()!();
  await first;
  advance(6);
  // The slice (5 ms, nothing was elsewhere before it) is spent: wait, while the loop is elsewhere for 30 ms.
  const second = slicer.pause()!;
  advance(30);
  turns.shift()!();
  await second;
  advance(20);
  assert.equal(slicer.pause(), undefined, 'a 30 ms slice after 30 ms elsewhere still has time after 20 ms');
  advance(15);
  const third = slicer.pause();
  assert.ok(third, 'and is spent after 35 ms');
  advance(100);
  turns.shift()!();
  await third;
  advance(45);
  assert.ok(slicer.pause(), 'never more than 40 ms');
  turns.splice(0);
});

const result = (i: number): AcceptResult => ({ txid: String(i), wtxid: null, allowed: true, vsize: 1, weight: 4, fee: 0n, feerate: 0 }) as unknown as AcceptResult;

test('validateInSlices: the first call takes one item, the next as many as the slice has time for at the cost so far; results in order; one busy item makes the batch busy', async () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ tx: { i } }) as unknown as ValidateItem);
  const calls: number[] = [];
  // Each item's synchronous part takes 2 ms of the slicer's clock; slices of 10 ms.
  const validate = async (xs: ValidateItem[]): Promise<ValidateOutcome> => {
    calls.push(xs.length);
    advance(2 * xs.length);
    const is = xs.map((x) => (x.tx as unknown as { i: number }).i);
    await new Promise((r) => setTimeout(r, 1));
    return { busy: false, results: is.map((i) => result(i)) };
  };
  const out = await validateInSlices(items, validate, new TimeSlicer(10, 10, (f) => setTimeout(f, 0), fakeNow));
  // 1 item (2 ms, 8 ms left: 4 more), the slice spent, a new one of 10 ms: the last 5.
  assert.deepEqual(calls, [1, 4, 5]);
  assert.ok(!out.busy);
  assert.deepEqual(out.results.map((r) => r.txid), items.map((_, i) => String(i)));
  const busy = await validateInSlices(items.slice(0, 4), async (xs) => {
    const is = xs.map((x) => (x.tx as unknown as { i: number }).i);
    return is.includes(3) ? { busy: true, retryAfter: 5 } : is.includes(1) ? { busy: true, retryAfter: 2 } : { busy: false, results: is.map((i) => result(i)) };
  }, new TimeSlicer(0));
  assert.deepEqual(busy, { busy: true, retryAfter: 5 });
});

test('GET /health answers within 1 s while a batch keeps the thread busy for 3 s', { timeout: 60_000 }, async () => {
  const ITEMS = 100;
  const PER_ITEM_MS = 30;
  let validated = 0;
  let probe: Promise<{ status: number; ms: number }> | undefined;
  let start = 0;
  const deps: AppDeps = {
    info: () => ({}),
    health: () => ({ ok: true }),
    // Each item's synchronous part (as PreChecks on this thread) takes PER_ITEM_MS.
    validate: async (xs) => {
      // A probe due 100 ms after the batch's validation starts.
      probe ??= new Promise((resolve) => {
        start = performance.now();
        setTimeout(() => void Promise.resolve(app.request('/health')).then((r) => resolve({ status: r.status, ms: performance.now() - (start + 100) })), 100);
      });
      busyFor(PER_ITEM_MS * xs.length);
      validated += xs.length;
      return { busy: false, results: xs.map((_, i) => result(i)) };
    },
  };
  const app = createApp(deps, { slicer: new TimeSlicer(4) });
  const tx = toHex(new RegtestChainBuilder().next().block.txs[0]!.raw);
  const body = JSON.stringify(Array.from({ length: ITEMS }, () => ({ tx })));
  const b = await app.request('/validate', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const h = await probe!;
  assert.equal(b.status, 200);
  assert.equal(((await b.json()) as unknown[]).length, ITEMS);
  assert.equal(validated, ITEMS);
  assert.ok(performance.now() - start >= ITEMS * PER_ITEM_MS * 0.9, 'the batch did keep the thread busy');
  assert.equal(h.status, 200);
  assert.ok(h.ms < 1_000, `GET /health waited ${Math.round(h.ms)} ms behind the batch`);
});
