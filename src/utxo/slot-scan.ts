/**
 * Whole-table scans for the snapshot writer (snapshot-write.ts) and UtxoSet.coins(): the
 * coins visible at a pinned version as handles, all of them or only those whose txid
 * starts in a range (so that a dump can walk the set range by range in bounded memory),
 * and the per-heap-chunk figures that size those ranges. Layout terms are layout.ts's.
 */
import type { Directory } from './directory.ts';
import { emptyGroupView, type HeapChunks } from './heap-chunks.ts';
import type { IndexPages } from './index-pages.ts';
import { BUCKET_SLOTS, CHUNK_UNITS_SHIFT, K_BITS, K_MASK, REF_EMPTY, REF_TOMB, UNIT_MASK, V_MASK } from './layout.ts';

/** The table parts a scan reads. */
export interface ScanParts {
  pages: IndexPages;
  dir: Directory;
  heap: HeapChunks;
}

/**
 * Coins whose txid's first two bytes (big-endian, 0..65535) are in [lo, hi). `minBin` and
 * `maxBin` bound those bytes over the groups of each heap chunk (-1: not known; from
 * HeapChunks.txidBins), so that only coins of chunks straddling the range read their group.
 */
export interface TxidRange {
  lo: number;
  hi: number;
  minBin: Int32Array;
  maxBin: Int32Array;
  /** Expected number of coins (the first size of the result). */
  expect: number;
}

/**
 * Every coin visible at version v (unspent at v), or those of `range`, as a handle
 * ref * 64 + k (record k of the group at heap unit ref), in heap order. The caller keeps v
 * pinned while it reads the groups.
 */
export function handlesAt(t: ScanParts, v: number, count: number, range?: TxidRange): Float64Array {
  const { out, n } = scan(t, v, count, range);
  // heap order, so that the group reads below (and the caller's) are sequential
  const hs = out.subarray(0, n).sort();
  let m = 0;
  let lastRef = -1;
  let ok = false;
  const g = emptyGroupView();
  for (let i = 0; i < n; i++) {
    const ref = Math.floor(hs[i]! / 64);
    if (ref !== lastRef) {
      lastRef = ref;
      ok = t.heap.groupAt(ref, g).created <= v;
    }
    if (ok) hs[m++] = hs[i]!;
  }
  return hs.subarray(0, m);
}

/** The directory walk of handlesAt (handles of the slots live at v, unordered), or with `per` the count of those slots per heap chunk. */
function scan(t: ScanParts, v: number, count: number, range: TxidRange | undefined, per?: Float64Array): { out: Float64Array; n: number } {
  let out = new Float64Array(per ? 0 : Math.max(16, (range ? range.expect : count) + 16));
  let n = 0;
  const { pages, dir: d, heap } = t;
  const dirW = pages.words(d.dirPage);
  const dirBase = pages.wordOf(d.dirPage);
  const entries = d.dirEntries(d.depth);
  const lo = range?.lo ?? 0;
  const hi = range?.hi ?? 65536;
  const minBin = range?.minBin;
  const maxBin = range?.maxBin;
  let last = -1;
  for (let i = 0; i < entries; i++) {
    const page = dirW[dirBase + i]!;
    if (page === last) continue;
    last = page;
    const w = pages.words(page);
    const base = pages.wordOf(page);
    for (let s = 0; s < BUCKET_SLOTS; s++) {
      const ref = w[base + 2 * s + 1]!;
      if (ref === REF_EMPTY || ref === REF_TOMB) continue;
      const w0 = w[base + 2 * s]!;
      if (w0 < 0 && ((w0 >>> K_BITS) & V_MASK) <= v) continue;
      if (per) {
        per[ref >>> CHUNK_UNITS_SHIFT]!++;
        continue;
      }
      if (minBin) {
        const c = ref >>> CHUNK_UNITS_SHIFT;
        // a chunk newer than the figures: not known
        const mn = minBin[c] ?? -1;
        const mx = maxBin![c] ?? -1;
        if (mn >= 0 && (mx < lo || mn >= hi)) continue;
        if (mn < 0 || mn < lo || mx >= hi) {
          const b = heap.bytes(ref);
          const g = (ref & UNIT_MASK) << 2;
          const bin = (b[g]! << 8) | b[g + 1]!;
          if (bin < lo || bin >= hi) continue;
        }
      }
      if (n === out.length) {
        const o2 = new Float64Array(out.length * 2);
        o2.set(out);
        out = o2;
      }
      out[n++] = (ref >>> 0) * 64 + (w0 & K_MASK);
    }
  }
  return { out, n };
}

/**
 * Slots live at version v per heap chunk (the groups' creation is not checked: at the
 * writer's latest version every slot's group is visible).
 */
export function slotsPerChunk(t: ScanParts, v: number, chunks: number): Float64Array {
  const per = new Float64Array(chunks);
  scan(t, v, 0, undefined, per);
  return per;
}
