/**
 * An ordered multiset of objects under a strict total order, stored as a list of sorted
 * chunks (a two-level B-tree): O(log n) locate, O(B) splice, cache-friendly ordered
 * iteration, for any comparator. A candidate of bench/mempool-index.bench.ts only: the
 * pool's fee-rate indexes use ScoreIndex (src/mempool/score-index.ts), the same layout with
 * the keys copied into the chunks, and the bench compares both with a skiplist and a
 * binary heap.
 * The comparator must be a strict total order, and an element's sort key must not change
 * while it is in the index (remove it, change it, insert it again).
 */
export type Compare<T> = (a: T, b: T) => number;

const MAX_CHUNK = 128;

export class SortedIndex<T> {
  private chunks: T[][] = [];
  private count = 0;
  constructor(private readonly cmp: Compare<T>) {}

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last element is >= x (chunks.length if none). */
  private chunkFor(x: T): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cs[mid]!;
      if (this.cmp(c[c.length - 1]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static lowerBound<T>(arr: T[], x: T, cmp: Compare<T>): number {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(arr[mid]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(x: T): void {
    const cs = this.chunks;
    this.count++;
    if (cs.length === 0) {
      cs.push([x]);
      return;
    }
    let ci = this.chunkFor(x);
    if (ci === cs.length) ci--;
    const c = cs[ci]!;
    c.splice(SortedIndex.lowerBound(c, x, this.cmp), 0, x);
    if (c.length > MAX_CHUNK) cs.splice(ci + 1, 0, c.splice(MAX_CHUNK >>> 1));
  }

  /** Removes x (found by the comparator, then identity); false when absent. */
  delete(x: T): boolean {
    const cs = this.chunks;
    const ci = this.chunkFor(x);
    if (ci === cs.length) return false;
    const c = cs[ci]!;
    let i = SortedIndex.lowerBound(c, x, this.cmp);
    while (i < c.length && c[i] !== x && this.cmp(c[i]!, x) === 0) i++;
    if (c[i] !== x) return false;
    c.splice(i, 1);
    this.count--;
    if (c.length === 0) cs.splice(ci, 1);
    else if (c.length < MAX_CHUNK >>> 3 && ci + 1 < cs.length && cs[ci + 1]!.length + c.length <= MAX_CHUNK) {
      cs[ci] = c.concat(cs[ci + 1]!);
      cs.splice(ci + 1, 1);
    }
    return true;
  }

  first(): T | undefined {
    return this.chunks[0]?.[0];
  }

  last(): T | undefined {
    const c = this.chunks[this.chunks.length - 1];
    return c ? c[c.length - 1] : undefined;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const c of this.chunks) for (const x of c) yield x;
  }

  /** Ascending iteration stopping when fn returns false (faster than the generator). */
  forEach(fn: (x: T) => boolean | void): void {
    for (const c of this.chunks) for (let i = 0; i < c.length; i++) if (fn(c[i]!) === false) return;
  }

  toArray(): T[] {
    const out: T[] = new Array(this.count);
    let k = 0;
    for (const c of this.chunks) for (const x of c) out[k++] = x;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
