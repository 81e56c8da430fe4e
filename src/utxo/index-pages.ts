/**
 * The index's page allocator (layout.ts): 512-byte pages in growable shared segments,
 * with the writer's private bookkeeping per page (local depth, slots used, slots live).
 * A page unlinked from the directory is retired and freed only once no reader can still
 * reach it.
 */
import { HEADER_PAGES, INDEX_SEGMENT_BYTES, PAGE_BYTES, PAGE_SHIFT_WORDS, PAGES_PER_SEGMENT, PAGES_PER_SEGMENT_SHIFT } from './layout.ts';
import type { TableViews } from './reader.ts';

/** Memory committed at a time to an index segment. */
const INDEX_GROW_STEP = 4 << 20;

/** The writer's published state, as its allocators need it. */
export interface WriterEpoch {
  /** Latest published version. */
  version: number;
  /** No reader can exist yet (shared() never called): retired memory is reusable at once. */
  exclusive: boolean;
}

export class IndexPages {
  /** Pages handed out so far, free ones included. */
  nextPage = HEADER_PAGES;
  readonly freePages: number[] = [];
  private readonly retiredPages: number[] = []; // pairs: page, version
  /** Local depth of each bucket page. */
  depth = new Uint8Array(1024);
  /** Slots of each bucket page that are not empty (tombstones included). */
  used = new Uint8Array(1024);
  /** Slots of each bucket page that reference a record. */
  live = new Uint8Array(1024);

  constructor(
    private readonly sabs: SharedArrayBuffer[],
    private readonly views: TableViews,
    private readonly epoch: WriterEpoch,
  ) {
    sabs[0]!.grow(INDEX_GROW_STEP);
  }

  /** The segment holding `page`, viewed at least to the page's end. */
  words(page: number): Int32Array {
    const seg = page >>> PAGES_PER_SEGMENT_SHIFT;
    return this.views.words(seg, this.wordOf(page) + 127);
  }
  /** The first word of `page` in its segment. */
  wordOf(page: number): number {
    return (page & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
  }
  /** Pages [first, first + pages) of one segment as words, with the word offset of `first`. */
  run(first: number, pages: number): Int32Array {
    return this.views.words(first >>> PAGES_PER_SEGMENT_SHIFT, this.wordOf(first) + pages * 128 - 1);
  }

  private ensurePageArrays(n: number): void {
    if (n <= this.depth.length) return;
    let c = this.depth.length;
    while (c < n) c *= 2;
    const grow = (a: Uint8Array) => {
      const b = new Uint8Array(c);
      b.set(a);
      return b;
    };
    this.depth = grow(this.depth);
    this.used = grow(this.used);
    this.live = grow(this.live);
  }

  /** Makes pages [first, first+n) addressable (one segment). */
  private commitPages(first: number, n: number): void {
    const seg = first >>> PAGES_PER_SEGMENT_SHIFT;
    const sab = this.sabs[seg];
    if (!sab) throw new Error('UtxoSet: index address space exhausted (raise indexSegments)');
    const need = ((first & (PAGES_PER_SEGMENT - 1)) + n) * PAGE_BYTES;
    if (sab.byteLength < need) sab.grow(Math.min(INDEX_SEGMENT_BYTES, Math.max(need, sab.byteLength + INDEX_GROW_STEP)));
    this.ensurePageArrays(first + n);
  }

  /** A zeroed page, from the free list or fresh. */
  alloc(): number {
    const p = this.freePages.pop();
    if (p !== undefined) {
      const w = this.wordOf(p);
      this.words(p).fill(0, w, w + 128);
      this.used[p] = 0;
      this.live[p] = 0;
      return p;
    }
    return this.allocContiguous(1);
  }

  /** n fresh contiguous pages in one segment (directories). */
  allocContiguous(n: number): number {
    let first = this.nextPage;
    const off = first & (PAGES_PER_SEGMENT - 1);
    if (off + n > PAGES_PER_SEGMENT) {
      // a directory never straddles two segments: skip (waste) the tail of this one
      first = ((first >>> PAGES_PER_SEGMENT_SHIFT) + 1) << PAGES_PER_SEGMENT_SHIFT;
    }
    this.commitPages(first, n);
    this.nextPage = first + n;
    for (let p = first; p < first + n; p++) {
      this.used[p] = 0;
      this.live[p] = 0;
    }
    return first;
  }

  /**
   * Unlinked now: reachable by readers pinned at the current version, so free once every
   * reader is at version+1 or later. Before the memory was ever shared, free at once.
   */
  retire(p: number): void {
    if (this.epoch.exclusive) this.freePages.push(p);
    else this.retiredPages.push(p, this.epoch.version + 1);
  }

  /** Frees the retired pages that no reader pinned at `safe` or later can reach. */
  freeRetired(safe: number): void {
    const r = this.retiredPages;
    let k = 0;
    for (let i = 0; i < r.length; i += 2) {
      if (r[i + 1]! <= safe) this.freePages.push(r[i]!);
      else {
        r[k++] = r[i]!;
        r[k++] = r[i + 1]!;
      }
    }
    r.length = k;
  }
}
