/**
 * ScoreIndex (src/mempool/score-index.ts), the ordered index behind the mempool's
 * ancestor-score and descendant-score orders: random inserts and deletes (with chunk splits
 * and merges) against a sorted-array model using the same order as a plain comparator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScoreIndex } from '../../src/mempool/score-index.ts';

interface Item { fee: number; size: number; t1: number; t2: number; id: number }

function order(bestFirst: boolean): (a: Item, b: Item) => number {
  return (a, b) => {
    const f1 = a.fee * b.size;
    const f2 = a.size * b.fee;
    if (f1 !== f2) return (bestFirst ? f1 > f2 : f1 < f2) ? -1 : 1;
    if (a.t1 !== b.t1) return a.t1 < b.t1 ? -1 : 1;
    if (a.t2 !== b.t2) return a.t2 < b.t2 ? -1 : 1;
    return a.id - b.id;
  };
}

function makeIndex(bestFirst: boolean): ScoreIndex<Item> {
  return new ScoreIndex<Item>({
    bestFirst,
    load(x, k) {
      k[0] = x.fee;
      k[1] = x.size;
      k[2] = x.t1;
      k[3] = x.t2;
    },
    tie: (a, b) => a.id - b.id,
  });
}

// Few distinct values, so equal fee rates and full key ties (down to the id) are common.
const opsArb = fc.array(fc.record({
  del: fc.boolean(),
  pick: fc.nat(10_000),
  fee: fc.integer({ min: 0, max: 40 }),
  size: fc.integer({ min: 1, max: 8 }),
  t1: fc.integer({ min: -2, max: 2 }),
  t2: fc.integer({ min: 0, max: 1 }),
}), { minLength: 1, maxLength: 600 });

for (const bestFirst of [true, false]) {
  test(`ScoreIndex keeps ${bestFirst ? 'best' : 'worst'}-first order through inserts and deletes`, () => {
    fc.assert(fc.property(opsArb, (ops) => {
      const cmp = order(bestFirst);
      const idx = makeIndex(bestFirst);
      const model: Item[] = [];
      let id = 0;
      for (const op of ops) {
        if (op.del && model.length) {
          const x = model[op.pick % model.length]!;
          assert.equal(idx.delete(x), true);
          model.splice(model.indexOf(x), 1);
          // Deleting again (absent) reports false and changes nothing.
          assert.equal(idx.delete(x), false);
        } else {
          const x = { fee: op.fee, size: op.size, t1: op.t1, t2: op.t2, id: id++ };
          idx.insert(x);
          model.push(x);
        }
      }
      model.sort(cmp);
      assert.equal(idx.size, model.length);
      assert.deepEqual(idx.toArray(), model);
      assert.deepEqual([...idx], model);
      const seen: Item[] = [];
      idx.forEach((x) => { seen.push(x); return seen.length < 5; });
      assert.deepEqual(seen, model.slice(0, 5));
      assert.equal(idx.first(), model[0]);
      assert.equal(idx.last(), model[model.length - 1]);
    }), { numRuns: 150 });
  });
}

test('ScoreIndex handles thousands of elements with the same fee rate, then empties', () => {
  const idx = makeIndex(true);
  const items: Item[] = [];
  for (let i = 0; i < 5000; i++) items.push({ fee: 2 * (1 + (i % 3)), size: 1 + (i % 3), t1: (i * 7919) % 13, t2: 0, id: i });
  for (const x of items) idx.insert(x);
  const sorted = [...items].sort(order(true));
  assert.deepEqual(idx.toArray(), sorted);
  for (let i = 0; i < items.length; i += 2) assert.equal(idx.delete(items[i]!), true);
  assert.deepEqual(idx.toArray(), sorted.filter((x) => x.id % 2 === 1));
  for (let i = 1; i < items.length; i += 2) assert.equal(idx.delete(items[i]!), true);
  assert.equal(idx.size, 0);
  assert.deepEqual(idx.toArray(), []);
  assert.equal(idx.first(), undefined);
  idx.insert(items[0]!);
  assert.deepEqual(idx.toArray(), [items[0]]);
});

/** A deterministic stream (LCG) so that every run meets the same ties, splits and merges. */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s % n;
  };
}

for (const bestFirst of [true, false]) {
  test(`ScoreIndex (${bestFirst ? 'best' : 'worst'} first): ties on every key, chunks filled, emptied from the front and merged`, () => {
    const cmp = order(bestFirst);
    const idx = makeIndex(bestFirst);
    const rnd = lcg(bestFirst ? 7 : 11);
    let model: Item[] = [];
    let id = 0;
    const check = (): void => {
      assert.equal(idx.size, model.length);
      assert.deepEqual(idx.toArray(), model);
      assert.equal(idx.first(), model[0]);
      assert.equal(idx.last(), model[model.length - 1]);
    };
    const insert = (n: number): void => {
      for (let i = 0; i < n; i++) {
        // Few values: equal fee rates, equal first tie-breaks with both second ones, both id orders.
        const x = { fee: rnd(4), size: 1 + rnd(2), t1: rnd(3) - 1, t2: rnd(2), id: id++ };
        idx.insert(x);
        model.push(x);
      }
      model.sort(cmp);
    };
    const remove = (pick: (n: number) => number, n: number): void => {
      for (let i = 0; i < n && model.length; i++) {
        const x = model[pick(model.length)]!;
        assert.equal(idx.delete(x), true);
        model.splice(model.indexOf(x), 1);
      }
    };
    insert(2000);
    check();
    // From the front, a chunk at a time: the first chunk empties while its neighbour is too full to merge.
    for (let k = 0; k < 6; k++) {
      remove(() => 0, 40);
      check();
      insert(30);
      check();
    }
    remove((n) => rnd(n), model.length - 400);
    check();
    // From the back, then at random, checking after every step for a while.
    for (let k = 0; k < 300; k++) {
      remove((n) => (k % 2 ? n - 1 : rnd(n)), 3);
      if (k % 3 === 0) insert(2);
      check();
    }
    remove((n) => rnd(n), model.length);
    check();
    insert(100);
    check();
    model = [];
    idx.clear();
    check();
    insert(300);
    check();
  });
}

test('a chunk under a quarter full merges with the next only if both fit in one chunk (64): the keys of the chunk stored after it stay intact', () => {
  // Ascending by fee (size 1). Slots are the slab's order of creation, chunks the key order:
  // 1..65 splits into A [1..32] (slot 0) and B [33..65] (slot 1); 33 more values inside A's
  // range split it again into A (slot 0) and C (slot 2), so the order is A, C, B and B's keys
  // follow A's in the slab. C grows to 64; A shrinks under 16. A merge of A and C (15 + 64 >
  // 64) would write C's keys past A's slot, over B's.
  const idx = makeIndex(false);
  const model: Item[] = [];
  let id = 0;
  const add = (fee: number) => {
    const x = { fee, size: 1, t1: 0, t2: 0, id: id++ };
    idx.insert(x);
    model.push(x);
  };
  for (let v = 1; v <= 65; v++) add(v);
  for (let v = 1; v <= 32; v++) add(v + 0.5);
  add(0.25);
  const sorted = () => model.slice().sort(order(false));
  assert.deepEqual(idx.toArray(), sorted());
  const aMax = sorted()[31]!.fee;
  const cItems = sorted().slice(32, 65);
  assert.ok(cItems.every((x) => x.fee < 33), 'C holds the values between A and B');
  // C grows to 64: 31 values inside its range.
  for (let k = 1; k <= 31; k++) add(cItems[0]!.fee + k / 100);
  assert.deepEqual(idx.toArray(), sorted());
  // A shrinks to 15: its lowest 17 go.
  for (const x of sorted().filter((x) => x.fee <= aMax).slice(0, 17)) {
    assert.equal(idx.delete(x), true);
    model.splice(model.indexOf(x), 1);
  }
  assert.deepEqual(idx.toArray(), sorted());
  // Every element is still found under its key: delete them all, B's first.
  const order2 = [...sorted().filter((x) => x.fee >= 33), ...sorted().filter((x) => x.fee < 33)];
  for (const x of order2) {
    assert.equal(idx.delete(x), true, `delete ${x.fee}`);
    model.splice(model.indexOf(x), 1);
    assert.deepEqual(idx.toArray(), sorted());
  }
  assert.equal(idx.size, 0);
});
