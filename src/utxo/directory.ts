/**
 * The index of the UTXO table (layout.ts), writer side: an extendible-hashing directory of
 * bucket pages, each slot (w0, ref) pointing at record k of the group at heap unit ref.
 * Inserts (in bucket order during a bulk load), bucket splits and rebuilds, directory
 * doubling and presizing, and the writer's searches for a slot.
 */
import { decodeVarIntTrusted } from './compress.ts';
import type { HeapChunks } from './heap-chunks.ts';
import type { IndexPages, WriterEpoch } from './index-pages.ts';
import {
  BUCKET_FULL, BUCKET_MASK, BUCKET_SLOTS, GROUP_N, GROUP_VARINTS, K_BITS, K_MASK, MAX_DEPTH, MAX_SCALE, PAGE_BYTES, PAGES_PER_SEGMENT_SHIFT,
  recordEnd, REF_EMPTY, REF_TOMB, SPENT_BIT, TAG_DEAD, UNIT_MASK, W_DIR, W_SCALE, dirIndex, hashKey, hashKeyHeap,
} from './layout.ts';
import type { TableViews } from './reader.ts';

/** Slot inserts queued and sorted by bucket during a bulk load. */
const BULK = 1 << 18;
/** Bins of the bulk insert's counting sort: the top 16 bits of h1 (dirIndex is monotonic in h1 >>> 1). */
const BULK_SHIFT = 16;
const BULK_BINS = 1 << 16;
/** Mean coins per bucket a presized directory aims at (BUCKET_FULL splits the tail). */
export const PRESIZE_FILL = 50;

/** Record k of a group, as Directory.locate finds it. */
export interface RecordAt {
  /** The heap segment. */
  b: Uint8Array;
  /** Byte offset of the group. */
  g: number;
  /** The record's vout, -1 for a DEAD record. */
  vout: number;
  /** Byte offset of the record's tag. */
  rec: number;
}

export class Directory {
  dirPage = 0;
  depth = 0;
  /** Directory scale S (layout.ts), fixed before the table is shared. */
  scale = 1;
  private readonly h = new Int32Array(10);
  private readonly rk: RecordAt = { b: new Uint8Array(0), g: 0, vout: 0, rec: 0 };

  private bulk = false;
  private bulkN = 0;
  private readonly bulkH = new Int32Array(BULK);
  private readonly bulkW = new Int32Array(BULK);
  private readonly bulkR = new Int32Array(BULK);
  private readonly bulkOrder = new Int32Array(BULK);
  private readonly bulkCount = new Int32Array(BULK_BINS + 1);

  constructor(
    private readonly pages: IndexPages,
    private readonly heap: HeapChunks,
    private readonly views: TableViews,
    private readonly i0: Int32Array,
    private readonly epoch: WriterEpoch,
    readonly salt0: number,
    readonly salt1: number,
  ) {
    // an empty directory of depth 0 pointing at one empty bucket
    const dir = pages.alloc();
    const b = pages.alloc();
    pages.depth[b] = 0;
    pages.words(dir)[pages.wordOf(dir)] = b;
    this.dirPage = dir;
    i0[W_DIR] = (dir << 5) | 0;
  }

  bucketFor(h1: number): number {
    const dw = this.pages.wordOf(this.dirPage) + dirIndex(h1, this.depth, this.scale);
    return this.views.words(this.dirPage >>> PAGES_PER_SEGMENT_SHIFT, dw)[dw]!;
  }

  /** Directory entries: S * 2^depth. */
  dirEntries(depth: number): number {
    return this.scale * 2 ** depth;
  }

  /** Queues slot inserts from now on, to insert them in bucket order (a bulk load). */
  beginBulk(): void {
    this.bulk = true;
  }
  /** Inserts the queued slots and ends the bulk load. */
  endBulk(): void {
    this.flushBulk();
    this.bulk = false;
  }

  /** Inserts a slot (hash h1, word w0) -> the group at ref; the group is fully written before. */
  link(h1: number, w0: number, ref: number): void {
    if (this.bulk) {
      // bulk load: queue, then insert in bucket order (sequential page access)
      const q = this.bulkN++;
      this.bulkH[q] = h1;
      this.bulkW[q] = w0;
      this.bulkR[q] = ref;
      if (this.bulkN === BULK) this.flushBulk();
      return;
    }
    this.linkHashed(h1, w0, ref);
  }

  /** Inserts the queued slots in directory order (a counting sort on the top bits of h1). */
  private flushBulk(): void {
    const n = this.bulkN;
    const h = this.bulkH;
    const cnt = this.bulkCount;
    cnt.fill(0);
    for (let i = 0; i < n; i++) cnt[(h[i]! >>> BULK_SHIFT) + 1]!++;
    for (let b = 0; b < BULK_BINS; b++) cnt[b + 1]! += cnt[b]!;
    const order = this.bulkOrder;
    for (let i = 0; i < n; i++) order[cnt[h[i]! >>> BULK_SHIFT]!++] = i;
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      this.linkHashed(h[j]!, this.bulkW[j]!, this.bulkR[j]!);
    }
    this.bulkN = 0;
  }

  private linkHashed(h1: number, w0: number, ref: number): void {
    const pages = this.pages;
    let page = this.bucketFor(h1);
    // a split may leave this key's half still full (keys close in hash order, as a bulk
    // load inserts them): split again until there is room
    while (pages.used[page]! >= BUCKET_FULL) {
      this.splitOrRebuild(page, h1);
      page = this.bucketFor(h1);
    }
    const w = pages.words(page);
    const base = pages.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      if (w[o + 1] === REF_EMPTY) {
        w[o] = w0;
        // publish: the group and w0 are written before the ref becomes visible (no reader
        // can exist before shared(): a plain store, then VERSION publishes everything)
        if (this.epoch.exclusive) w[o + 1] = ref;
        else Atomics.store(w, o + 1, ref);
        pages.used[page]!++;
        pages.live[page]!++;
        return;
      }
      s = (s + 1) & BUCKET_MASK;
    }
    throw new Error('UtxoSet: bucket full (internal error)');
  }

  /**
   * Record k of the group at ref. Returns a shared scratch object (valid until the next
   * call).
   */
  locate(ref: number, k: number): RecordAt {
    const b = this.heap.bytes(ref);
    const g = (ref & UNIT_MASK) << 2;
    let p = g + GROUP_VARINTS;
    while (b[p++]! & 0x80);
    while (b[p++]! & 0x80);
    for (let j = 0; j < k; j++) p = recordEnd(b, p);
    const out = this.rk;
    out.b = b;
    out.g = g;
    out.rec = p;
    out.vout = b[p] === TAG_DEAD ? -1 : decodeVarIntTrusted(b, p + 1);
    return out;
  }

  /** Bytes of record k of the group at ref plus its share of the group header. */
  recordShare(ref: number, k: number): number {
    const { b, g, rec } = this.locate(ref, k);
    let p = g + GROUP_VARINTS;
    while (b[p++]! & 0x80);
    while (b[p++]! & 0x80);
    return recordEnd(b, rec) - rec + (p - g) / b[g + GROUP_N]!;
  }

  private hashOfRecord(ref: number, k: number): number {
    const r = this.locate(ref, k);
    hashKeyHeap(r.b, r.g, r.vout, this.salt0, this.salt1, this.h);
    return this.h[0]!;
  }

  /** Replaces a full bucket by one rebuilt page (few live slots) or two split pages. */
  private splitOrRebuild(page: number, h1: number): void {
    const pages = this.pages;
    const w = pages.words(page);
    const base = pages.wordOf(page);
    const w0s: number[] = [];
    const refs: number[] = [];
    const hs: number[] = [];
    for (let s = 0; s < BUCKET_SLOTS; s++) {
      const ref = w[base + 2 * s + 1]!;
      if (ref !== REF_EMPTY && ref !== REF_TOMB) {
        const w0 = w[base + 2 * s]!;
        w0s.push(w0);
        refs.push(ref);
        hs.push(this.hashOfRecord(ref, w0 & K_MASK));
      }
    }
    const d = pages.depth[page]!;
    const split = refs.length > BUCKET_SLOTS / 2;
    if (split && this.dirEntries(d + 1) > 2 ** MAX_DEPTH) throw new Error('UtxoSet: bucket overflow at maximum depth');
    if (split && d === this.depth) this.doubleDirectory();
    const D = this.depth;
    const S = this.scale;
    const first = Math.floor(dirIndex(h1, D, S) / 2 ** (D - d)) * 2 ** (D - d);
    const span = 2 ** (D - d);
    const fill = (p: number, keep: (hv: number) => boolean) => {
      const pw = pages.words(p);
      const pb = pages.wordOf(p);
      let used = 0;
      for (let i = 0; i < refs.length; i++) {
        const hv = hs[i]!;
        if (!keep(hv)) continue;
        let s = hv & BUCKET_MASK;
        while (pw[pb + 2 * s + 1] !== REF_EMPTY) s = (s + 1) & BUCKET_MASK;
        pw[pb + 2 * s] = w0s[i]!;
        pw[pb + 2 * s + 1] = refs[i]!;
        used++;
      }
      pages.used[p] = used;
      pages.live[p] = used;
    };
    const dirW = pages.words(this.dirPage);
    const dirBase = pages.wordOf(this.dirPage);
    if (!split) {
      const np = pages.alloc();
      pages.depth[np] = d;
      fill(np, () => true);
      for (let i = 0; i < span; i++) Atomics.store(dirW, dirBase + first + i, np);
    } else {
      const p0 = pages.alloc();
      const p1 = pages.alloc();
      pages.depth[p0] = d + 1;
      pages.depth[p1] = d + 1;
      // the child of a key is the parity of its directory index at depth d + 1
      fill(p0, (hv) => (dirIndex(hv, d + 1, S) & 1) === 0);
      fill(p1, (hv) => (dirIndex(hv, d + 1, S) & 1) === 1);
      // link the new pages (each fully written above); the old one is frozen from now on
      for (let i = 0; i < span; i++) Atomics.store(dirW, dirBase + first + i, i < span / 2 ? p0 : p1);
    }
    pages.retire(page);
  }

  /**
   * Replaces the empty depth-0 directory by about expected / PRESIZE_FILL empty buckets:
   * S * 2^D of local depth D, S in 128..255 for a close fit (any count, not only powers of
   * two). Only before the table is shared: readers read S once, when they attach.
   */
  presize(expected: number): void {
    const pages = this.pages;
    const buckets = Math.ceil(expected / PRESIZE_FILL);
    let D = 0;
    while (Math.ceil(buckets / 2 ** D) > MAX_SCALE) D++;
    const S = Math.ceil(buckets / 2 ** D);
    const n = S * 2 ** D;
    if (n > 2 ** MAX_DEPTH) return;
    const count = Math.ceil((n * 4) / PAGE_BYTES);
    const np = pages.allocContiguous(count);
    const nw = pages.run(np, count);
    const nb = pages.wordOf(np);
    const old = this.bucketFor(0);
    for (let i = 0; i < n; i++) {
      const b = pages.alloc();
      pages.depth[b] = D;
      nw[nb + i] = b;
    }
    pages.retire(this.dirPage);
    pages.retire(old);
    this.dirPage = np;
    this.depth = D;
    this.scale = S;
    this.i0[W_SCALE] = S;
    Atomics.store(this.i0, W_DIR, (np << 5) | D);
  }

  private doubleDirectory(): void {
    const pages = this.pages;
    const oldPage = this.dirPage;
    const oldN = this.dirEntries(this.depth);
    const newN = oldN * 2;
    const count = Math.ceil((newN * 4) / PAGE_BYTES);
    const np = pages.allocContiguous(count);
    const ow = pages.words(oldPage);
    const ob = pages.wordOf(oldPage);
    const nw = pages.run(np, count);
    const nb = pages.wordOf(np);
    for (let i = 0; i < oldN; i++) {
      const v = ow[ob + i]!;
      nw[nb + 2 * i] = v;
      nw[nb + 2 * i + 1] = v;
    }
    this.dirPage = np;
    this.depth++;
    // publish the new directory in one word: page and depth together
    Atomics.store(this.i0, W_DIR, (np << 5) | this.depth);
    const oldPages = Math.ceil((oldN * 4) / PAGE_BYTES);
    for (let i = 0; i < oldPages; i++) pages.retire(oldPage + i);
  }

  /**
   * Finds the slot of (txid, vout): live (w0 >= 0) when spentAt is 0, else the one marked
   * spent at spentAt. Returns [page, word offset] in `out`, or false.
   */
  findSlot(txid: Uint8Array, toff: number, vout: number, spentAt: number, out: number[]): boolean {
    hashKey(txid, toff, vout, this.salt0, this.salt1, this.h);
    const h1 = this.h[0]!;
    const want = spentAt === 0 ? this.h[1]! >>> 7 : (SPENT_BIT >>> K_BITS) | spentAt;
    const page = this.bucketFor(h1);
    const w = this.pages.words(page);
    const base = this.pages.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      const ref = w[o + 1]!;
      if (ref === REF_EMPTY) return false;
      const w0 = w[o]!;
      if (ref !== REF_TOMB && w0 >>> K_BITS === want) {
        const k = this.locate(ref, w0 & K_MASK);
        if (k.vout === vout) {
          let eq = true;
          for (let i = 0; i < 32; i++) {
            if (k.b[k.g + i] !== txid[toff + i]) {
              eq = false;
              break;
            }
          }
          if (eq) {
            out[0] = page;
            out[1] = o;
            return true;
          }
        }
      }
      s = (s + 1) & BUCKET_MASK;
    }
    return false;
  }

  /** The slot of record k of the group at ref (txid at b[g..], the record's vout). */
  findSlotByRef(b: Uint8Array, g: number, vout: number, ref: number, k: number, out: number[]): boolean {
    hashKeyHeap(b, g, vout, this.salt0, this.salt1, this.h);
    const h1 = this.h[0]!;
    const page = this.bucketFor(h1);
    const w = this.pages.words(page);
    const base = this.pages.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      const r = w[o + 1]!;
      if (r === REF_EMPTY) return false;
      if (r === ref && (w[o]! & K_MASK) === k) {
        out[0] = page;
        out[1] = o;
        return true;
      }
      s = (s + 1) & BUCKET_MASK;
    }
    return false;
  }
}
