/**
 * Ordered-index candidates for the mempool's fee-rate indexes at 100,000 entries: sorted
 * chunks with the keys copied into the chunks (ScoreIndex, chosen), sorted chunks comparing
 * through the elements (SortedIndex, the previous choice), a skiplist, and a binary heap
 * (lazy deletion, no ordered iteration without copying). Insert all, delete+reinsert 20 %
 * (aggregate updates), iterate the first 1,000 in order. The elements are shuffled in
 * memory first, as mempool entries are after a while.
 */
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { SortedIndex } from './sorted-index.ts';
import { ScoreIndex } from '../src/mempool/score-index.ts';

interface Item { fee: number; size: number; id: number }
const cmp = (a: Item, b: Item): number => {
  const d = b.fee * a.size - a.fee * b.size;
  return d !== 0 ? d : a.id - b.id;
};

class SkipList {
  private head: { item?: Item; next: unknown[] } = { next: new Array(24).fill(null) };
  private level = 1;
  insert(x: Item): void {
    const update: { next: unknown[] }[] = [];
    let n = this.head as { item?: Item; next: ({ item: Item; next: unknown[] } | null)[] };
    for (let l = this.level - 1; l >= 0; l--) {
      while (n.next[l] && cmp(n.next[l]!.item, x) < 0) n = n.next[l] as typeof n;
      update[l] = n;
    }
    let lvl = 1;
    while (lvl < 24 && Math.random() < 0.25) lvl++;
    for (let l = this.level; l < lvl; l++) update[l] = this.head;
    this.level = Math.max(this.level, lvl);
    const node = { item: x, next: new Array(lvl).fill(null) };
    for (let l = 0; l < lvl; l++) {
      node.next[l] = update[l]!.next[l];
      update[l]!.next[l] = node;
    }
  }
  delete(x: Item): void {
    let n = this.head as { next: ({ item: Item; next: unknown[] } | null)[] };
    for (let l = this.level - 1; l >= 0; l--) {
      while (n.next[l] && cmp(n.next[l]!.item, x) < 0) n = n.next[l] as typeof n;
      if (n.next[l] && n.next[l]!.item === x) n.next[l] = n.next[l]!.next[l] as never;
    }
  }
  first(k: number): Item[] {
    const out: Item[] = [];
    let n = this.head.next[0] as { item: Item; next: unknown[] } | null;
    while (n && out.length < k) {
      out.push(n.item);
      n = n.next[0] as typeof n;
    }
    return out;
  }
}

class Heap {
  private a: Item[] = [];
  private dead = new Set<Item>();
  insert(x: Item): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (cmp(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  delete(x: Item): void {
    this.dead.add(x); // lazy
  }
  first(k: number): Item[] {
    // Ordered iteration needs a copy + sort (or k pops on a copy).
    return this.a.filter((x) => !this.dead.has(x)).sort(cmp).slice(0, k);
  }
}

const N = 100_000;
// Items look like mempool entries in memory: each is followed by a few hundred bytes of
// other live data, and they are allocated in a scrambled order, so neighbours in the order
// are not neighbours in memory (as after a while in a real mempool).
const items: Item[] = new Array<Item>(N);
const ballast: Uint8Array[] = [];
for (let k = 0; k < N; k++) {
  const id = (k * 40503) % N;
  items[id] = { fee: 100 + ((id * 7919) % 50_000), size: 150 + ((id * 104729) % 900), id };
  ballast.push(new Uint8Array(48), new Uint8Array(48), new Uint8Array(48));
}
const base = items.map((x) => x.fee);

type Candidate = { name: string; make: () => { insert(x: Item): void; delete(x: Item): void }; first: (s: never, k: number) => Item[]; topReps: number };
const ordered = (s: { forEach(fn: (x: Item) => boolean | void): void }, k: number): Item[] => {
  const out: Item[] = [];
  s.forEach((x) => { out.push(x); return out.length < k; });
  return out;
};
const candidates: Candidate[] = [
  {
    name: 'score chunks',
    make: () => new ScoreIndex<Item>({
      bestFirst: true,
      load(x, k) {
        k[0] = x.fee;
        k[1] = x.size;
        k[2] = x.id;
        k[3] = 0;
      },
      tie: (a, b) => a.id - b.id,
    }),
    first: (s: ScoreIndex<Item>, k) => ordered(s, k),
    topReps: 20,
  },
  { name: 'sorted chunks', make: () => new SortedIndex<Item>(cmp), first: (s: SortedIndex<Item>, k) => ordered(s, k), topReps: 20 },
  { name: 'skiplist', make: () => new SkipList(), first: (s: SkipList, k) => s.first(k), topReps: 20 },
  { name: 'binary heap', make: () => new Heap(), first: (s: Heap, k) => s.first(k), topReps: 3 },
];

/** One round: insert all, delete+reinsert 20 % with a new key, iterate the first 1,000. µs, µs, ms. */
function round(c: Candidate): [number, number, number] {
  for (let i = 0; i < N; i++) items[i]!.fee = base[i]!;
  const s = c.make();
  const t0 = performance.now();
  for (const x of items) s.insert(x);
  const t1 = performance.now();
  for (let i = 0; i < N; i += 5) {
    const x = items[i]!;
    s.delete(x);
    x.fee += 1;
    s.insert(x);
  }
  const t2 = performance.now();
  for (let r = 0; r < c.topReps; r++) c.first(s as never, 1000);
  const t3 = performance.now();
  return [((t1 - t0) * 1000) / N, ((t2 - t1) * 1000) / (N / 5), (t3 - t2) / c.topReps];
}

const ROUNDS = 5;
const results = candidates.map(() => [[], [], []] as number[][]);
// Interleaved rounds (A, B, C, D, A, B, ...); the first round is warm-up and not counted.
for (let r = 0; r <= ROUNDS; r++) {
  candidates.forEach((c, i) => {
    const m = round(c);
    if (r > 0) m.forEach((v, j) => results[i]![j]!.push(v));
  });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`mempool index bench — ${runtimeLabel()} — ${new Date().toISOString().slice(0, 10)} — ${N} entries, median of ${ROUNDS} interleaved rounds`);
const ref = results[1]!;
candidates.forEach((c, i) => {
  const [ins, upd, top] = results[i]!.map(median) as [number, number, number];
  const ratio = i === 1 ? '' : `  (insert ×${(median(ref[0]!) / ins).toFixed(2)}, update ×${(median(ref[1]!) / upd).toFixed(2)} vs sorted chunks)`;
  console.log(`  ${c.name.padEnd(14)} insert ${ins.toFixed(2)} µs  update ${upd.toFixed(2)} µs  top-1000 ${top.toFixed(3)} ms${ratio}`);
});
void ballast;
