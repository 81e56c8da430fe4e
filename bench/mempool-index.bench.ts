/**
 * Ordered-index candidates for the mempool's fee-rate indexes at 100,000 entries: sorted
 * chunks (SortedIndex, chosen), a skiplist, and a binary heap (lazy deletion, no ordered
 * iteration without copying). Insert all, delete+reinsert 20 % (aggregate updates),
 * iterate the first 1,000 in order, delete all.
 */
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { SortedIndex } from '../src/mempool/sorted-index.ts';

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
const items: Item[] = Array.from({ length: N }, (_, id) => ({ fee: 100 + ((id * 7919) % 50_000), size: 150 + ((id * 104729) % 900), id }));
function run(name: string, make: () => { insert(x: Item): void; delete(x: Item): void }, first: (s: never, k: number) => Item[]): void {
  const s = make();
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
  const r0 = performance.now();
  for (let r = 0; r < 20; r++) first(s as never, 1000);
  const t3 = performance.now();
  console.log(`  ${name.padEnd(14)} insert ${((t1 - t0) * 1000 / N).toFixed(2)} µs  update ${((t2 - t1) * 1000 / (N / 5)).toFixed(2)} µs  top-1000 ${((t3 - r0) / 20).toFixed(3)} ms`);
}
console.log(`mempool index bench — ${runtimeLabel()} — ${N} entries`);
run('sorted chunks', () => new SortedIndex<Item>(cmp), (s: SortedIndex<Item>, k) => {
  const out: Item[] = [];
  s.forEach((x) => { out.push(x); return out.length < k; });
  return out;
});
run('skiplist', () => new SkipList(), (s: SkipList, k) => s.first(k));
run('binary heap', () => new Heap(), (s: Heap, k) => s.first(k));
