/**
 * The mempool's fee-rate indexes (Core's ancestor_score and descendant_score
 * multi_index orders): sorted chunks like bench/sorted-index.ts, but each chunk keeps a
 * copy of its elements' keys (fee, size and two numeric tie-breaks) in a slot of one Float64Array slab
 * (off the garbage-collected heap, slots reused), and the index keeps the last key of
 * every chunk in one array. A lookup then reads contiguous numbers
 * instead of dereferencing an entry per comparison, which at 100,000 entries is mostly
 * cache misses (bench/mempool-index.bench.ts compares it with SortedIndex).
 *
 * Order: by fee rate fee/size compared by cross-multiplication (best first: higher first;
 * otherwise lower first), then tie1 ascending, then tie2 ascending, then `tie`. The key
 * is copied at insertion: an element must be deleted under the key it was inserted with.
 */

export interface ScoreKey<T> {
  /** True: higher fee rate first (ancestor score); false: lower first (descendant score). */
  readonly bestFirst: boolean;
  /** Writes [fee, size, tie1, tie2] of x into k. */
  load(x: T, k: Float64Array): void;
  /** Order of distinct elements whose four keys are all equal. */
  tie(a: T, b: T): number;
}

const CAP = 64;
const W = 4;
/** Key numbers per chunk (room for one element over CAP before a split). */
const SLOT = (CAP + 1) * W;

class Chunk<T> {
  n = 0;
  readonly items: (T | undefined)[] = [];
  /** Offset of this chunk's keys in the index's slab. */
  constructor(readonly off: number) {}
}

export class ScoreIndex<T> {
  private chunks: Chunk<T>[] = [];
  /** Every chunk's keys, SLOT numbers each; freed slots are reused. */
  private slab = new Float64Array(16 * SLOT);
  private slots = 0;
  private freeSlots: number[] = [];
  /** The key of each chunk's last element, W numbers per chunk. */
  private lastKeys = new Float64Array(64 * W);
  private count = 0;
  private readonly p = new Float64Array(W);
  private readonly best: boolean;

  constructor(private readonly key: ScoreKey<T>) {
    this.best = key.bestFirst;
  }

  get size(): number {
    return this.count;
  }

  private newChunk(): Chunk<T> {
    let off = this.freeSlots.pop();
    if (off === undefined) {
      off = this.slots++ * SLOT;
      if (off + SLOT > this.slab.length) {
        const bigger = new Float64Array(this.slab.length * 2);
        bigger.set(this.slab);
        this.slab = bigger;
      }
    }
    return new Chunk<T>(off);
  }

  /** The key at keys[o..o+3] against the probe: < 0 before it, > 0 after it, 0 equal keys. */
  private cmpKey(keys: Float64Array, o: number): number {
    const p = this.p;
    const f1 = keys[o]! * p[1]!;
    const f2 = keys[o + 1]! * p[0]!;
    if (f1 !== f2) return (this.best ? f1 > f2 : f1 < f2) ? -1 : 1;
    const a = keys[o + 2]!;
    if (a !== p[2]!) return a < p[2]! ? -1 : 1;
    const b = keys[o + 3]!;
    if (b !== p[3]!) return b < p[3]! ? -1 : 1;
    return 0;
  }

  /** First chunk whose last element does not order before x (chunks.length if none). */
  private chunkFor(x: T): number {
    const cs = this.chunks;
    const lk = this.lastKeys;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let r = this.cmpKey(lk, mid * W);
      if (r === 0) {
        const c = cs[mid]!;
        const item = c.items[c.n - 1]!;
        r = item === x ? 0 : this.key.tie(item, x);
      }
      if (r < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lowerBound(c: Chunk<T>, x: T): number {
    let lo = 0;
    let hi = c.n;
    const keys = this.slab;
    const off = c.off;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let r = this.cmpKey(keys, off + mid * W);
      if (r === 0) {
        const item = c.items[mid]!;
        r = item === x ? 0 : this.key.tie(item, x);
      }
      if (r < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Makes room for chunk ci's last key (chunks after it move up); call after inserting the chunk. */
  private openLast(ci: number): void {
    let lk = this.lastKeys;
    const n = this.chunks.length;
    if (n * W > lk.length) {
      const bigger = new Float64Array(lk.length * 2);
      bigger.set(lk);
      this.lastKeys = lk = bigger;
    }
    lk.copyWithin((ci + 1) * W, ci * W, (n - 1) * W);
  }

  /** Drops chunk ci's last key; call after removing the chunk. */
  private closeLast(ci: number): void {
    const n = this.chunks.length;
    this.lastKeys.copyWithin(ci * W, (ci + 1) * W, (n + 1) * W);
  }

  private setLast(ci: number): void {
    const c = this.chunks[ci]!;
    const o = c.off + (c.n - 1) * W;
    const k = this.slab;
    const lk = this.lastKeys;
    const t = ci * W;
    lk[t] = k[o]!;
    lk[t + 1] = k[o + 1]!;
    lk[t + 2] = k[o + 2]!;
    lk[t + 3] = k[o + 3]!;
  }

  insert(x: T): void {
    const p = this.p;
    this.key.load(x, p);
    this.count++;
    const cs = this.chunks;
    if (cs.length === 0) {
      const c = this.newChunk();
      c.items.push(x);
      this.slab.set(p, c.off);
      c.n = 1;
      cs.push(c);
      this.lastKeys.set(p, 0);
      return;
    }
    let ci = this.chunkFor(x);
    if (ci === cs.length) ci--;
    const c = cs[ci]!;
    const at = this.lowerBound(c, x);
    const items = c.items;
    const keys = this.slab;
    const off = c.off;
    if (items.length === c.n) items.push(undefined);
    for (let i = c.n; i > at; i--) items[i] = items[i - 1];
    if (at < c.n) keys.copyWithin(off + (at + 1) * W, off + at * W, off + c.n * W);
    items[at] = x;
    const o = off + at * W;
    keys[o] = p[0]!;
    keys[o + 1] = p[1]!;
    keys[o + 2] = p[2]!;
    keys[o + 3] = p[3]!;
    c.n++;
    if (c.n > CAP) {
      // Split in halves.
      const half = c.n >>> 1;
      const d = this.newChunk();
      d.n = c.n - half;
      for (let i = 0; i < d.n; i++) {
        d.items.push(items[half + i]);
        items[half + i] = undefined;
      }
      // newChunk may have replaced the slab.
      this.slab.copyWithin(d.off, off + half * W, off + c.n * W);
      c.n = half;
      cs.splice(ci + 1, 0, d);
      this.openLast(ci + 1);
      this.setLast(ci);
      this.setLast(ci + 1);
    } else if (at === c.n - 1) {
      this.setLast(ci);
    }
  }

  /** Removes x (located by the key it was inserted with); false when absent. */
  delete(x: T): boolean {
    const cs = this.chunks;
    if (cs.length === 0) return false;
    this.key.load(x, this.p);
    const ci = this.chunkFor(x);
    if (ci === cs.length) return false;
    const c = cs[ci]!;
    const at = this.lowerBound(c, x);
    if (at >= c.n || c.items[at] !== x) return false;
    const items = c.items;
    const off = c.off;
    for (let i = at; i < c.n - 1; i++) items[i] = items[i + 1];
    items[c.n - 1] = undefined;
    if (at < c.n - 1) this.slab.copyWithin(off + at * W, off + (at + 1) * W, off + c.n * W);
    c.n--;
    this.count--;
    if (c.n === 0) {
      cs.splice(ci, 1);
      this.freeSlots.push(off);
      this.closeLast(ci);
      return true;
    }
    const next = cs[ci + 1];
    if (c.n < CAP >>> 2 && next !== undefined && next.n + c.n <= CAP) {
      // Merge the next chunk into this one.
      for (let i = 0; i < next.n; i++) {
        if (items.length === c.n + i) items.push(next.items[i]);
        else items[c.n + i] = next.items[i];
      }
      this.slab.copyWithin(off + c.n * W, next.off, next.off + next.n * W);
      c.n += next.n;
      cs.splice(ci + 1, 1);
      this.freeSlots.push(next.off);
      this.closeLast(ci + 1);
      this.setLast(ci);
    } else if (at === c.n) {
      this.setLast(ci);
    }
    return true;
  }

  first(): T | undefined {
    const c = this.chunks[0];
    return c ? c.items[0] : undefined;
  }

  last(): T | undefined {
    const c = this.chunks[this.chunks.length - 1];
    return c ? c.items[c.n - 1] : undefined;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const c of this.chunks) for (let i = 0; i < c.n; i++) yield c.items[i]!;
  }

  /** Ascending iteration stopping when fn returns false. */
  forEach(fn: (x: T) => boolean | void): void {
    for (const c of this.chunks) {
      const items = c.items;
      for (let i = 0; i < c.n; i++) if (fn(items[i]!) === false) return;
    }
  }

  toArray(): T[] {
    const out: T[] = new Array<T>(this.count);
    let k = 0;
    for (const c of this.chunks) for (let i = 0; i < c.n; i++) out[k++] = c.items[i]!;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.slab = new Float64Array(16 * SLOT);
    this.slots = 0;
    this.freeSlots = [];
    this.lastKeys = new Float64Array(64 * W);
    this.count = 0;
  }
}
