/**
 * The heap's chunk allocator (layout.ts): groups are appended to the current chunk of
 * growable shared segments; each chunk counts its live bytes, and a full chunk that falls
 * below half live becomes a candidate for compaction (compaction.ts). A retired chunk is
 * freed only once no reader can still reach it.
 */
import { CHUNK_BYTES, CHUNK_UNITS, CHUNK_UNITS_SHIFT, GROUP_N, GROUP_VARINTS, HEAP_SEGMENT_BYTES, recordEnd, UNIT_MASK, UNITS_PER_SEGMENT_SHIFT } from './layout.ts';
import type { TableViews } from './reader.ts';

/** Memory committed at a time to a heap segment. */
const HEAP_GROW_STEP = 4 * CHUNK_BYTES;
/** Evacuate a full chunk once live bytes fall below this share of it. */
const EVACUATE_BELOW = 0.5;

const enum ChunkState {
  Unused = 0,
  Current = 1,
  Full = 2,
  Retired = 3,
  Free = 4,
}

/** A group header as groupAt reads it: the records start at b[rec] (layout.ts). */
export interface GroupView {
  b: Uint8Array;
  /** Byte offset of the group (txid at b[g..g+32]). */
  g: number;
  n: number;
  created: number;
  code: number;
  rec: number;
}

export function emptyGroupView(): GroupView {
  return { b: new Uint8Array(0), g: 0, n: 0, created: 0, code: 0, rec: 0 };
}

export class HeapChunks {
  private readonly maxChunks: number;
  /** Units written in each chunk. */
  readonly used: Int32Array;
  /** Bytes of each chunk that a slot still references. */
  readonly live: Float64Array;
  readonly state: Uint8Array;
  /** Chunks handed out so far, free ones included. */
  nextChunk = 0;
  readonly freeChunks: number[] = [];
  private readonly retiredChunks: number[] = []; // pairs: chunk, version
  private cur = -1;
  private curPos = 0; // units used in the current chunk
  private readonly candidates: number[] = [];
  private isCandidate = new Uint8Array(0);

  constructor(
    private readonly sabs: SharedArrayBuffer[],
    private readonly views: TableViews,
  ) {
    this.maxChunks = (sabs.length * HEAP_SEGMENT_BYTES) / CHUNK_BYTES;
    this.used = new Int32Array(this.maxChunks);
    this.live = new Float64Array(this.maxChunks);
    this.state = new Uint8Array(this.maxChunks);
  }

  /** Chunks in use (current, full or retired). */
  get inUse(): number {
    let chunks = 0;
    for (let c = 0; c < this.nextChunk; c++) if (this.state[c] !== ChunkState.Free) chunks++;
    return chunks;
  }

  /** The heap segment holding ref, viewed at least to the end of ref's chunk. */
  bytes(ref: number): Uint8Array {
    return this.views.bytes(ref >>> UNITS_PER_SEGMENT_SHIFT, (((ref & UNIT_MASK) | (CHUNK_UNITS - 1)) << 2) + 3);
  }

  private newChunk(): void {
    if (this.cur >= 0) {
      this.used[this.cur] = this.curPos;
      this.state[this.cur] = ChunkState.Full;
      this.maybeCandidate(this.cur);
    }
    let c = this.freeChunks.pop();
    if (c === undefined) {
      c = this.nextChunk++;
      if (c >= this.maxChunks - 1) throw new Error('UtxoSet: heap address space exhausted');
      const seg = c >>> (UNITS_PER_SEGMENT_SHIFT - CHUNK_UNITS_SHIFT);
      const sab = this.sabs[seg]!;
      const need = ((((c << CHUNK_UNITS_SHIFT) & UNIT_MASK) + CHUNK_UNITS) << 2) >>> 0;
      if (sab.byteLength < need) sab.grow(Math.min(HEAP_SEGMENT_BYTES, Math.max(need, sab.byteLength + HEAP_GROW_STEP)));
    }
    this.cur = c;
    // unit 0 of the heap stays unused so that ref 0 means "empty"
    this.curPos = c === 0 ? 1 : 0;
    this.live[c] = 0;
    this.used[c] = this.curPos;
    this.state[c] = ChunkState.Current;
  }

  /** A heap unit with room for `units` in the current chunk (a new chunk if needed). */
  reserve(units: number): number {
    if (this.cur < 0 || CHUNK_UNITS - this.curPos < units) {
      this.newChunk();
      if (CHUNK_UNITS - this.curPos < units) throw new Error('UtxoSet: group larger than a heap chunk');
    }
    const u = (this.cur << CHUNK_UNITS_SHIFT) + this.curPos;
    this.curPos += units;
    this.used[this.cur] = this.curPos;
    this.live[this.cur] = this.live[this.cur]! + units * 4;
    return u;
  }

  /** `bytes` of the chunk holding ref are no longer referenced by any slot. */
  release(ref: number, bytes: number): void {
    const c = ref >>> CHUNK_UNITS_SHIFT;
    this.live[c] = this.live[c]! - bytes;
    if (this.state[c] === ChunkState.Full) this.maybeCandidate(c);
  }

  private sparse(c: number): boolean {
    return this.live[c]! < EVACUATE_BELOW * this.used[c]! * 4;
  }

  private maybeCandidate(c: number): void {
    if (this.isCandidate.length < this.maxChunks) this.isCandidate = new Uint8Array(this.maxChunks);
    if (this.isCandidate[c]) return;
    if (this.sparse(c)) {
      this.isCandidate[c] = 1;
      this.candidates.push(c);
    }
  }

  /** The next full chunk that is still sparse enough to evacuate, or -1. */
  nextSparse(): number {
    while (this.candidates.length) {
      const c = this.candidates.pop()!;
      this.isCandidate[c] = 0;
      if (this.state[c] !== ChunkState.Full) continue;
      if (!this.sparse(c)) continue;
      return c;
    }
    return -1;
  }

  /** Chunk c was evacuated at `version`: free once every reader is at version+1 or later. */
  retire(c: number, version: number): void {
    this.state[c] = ChunkState.Retired;
    this.retiredChunks.push(c, version + 1);
  }

  /** Frees the retired chunks that no reader pinned at `safe` or later can reach. */
  freeRetired(safe: number): void {
    const r = this.retiredChunks;
    let k = 0;
    for (let i = 0; i < r.length; i += 2) {
      const c = r[i]!;
      if (r[i + 1]! <= safe) {
        this.state[c] = ChunkState.Free;
        this.freeChunks.push(c);
      } else {
        r[k++] = c;
        r[k++] = r[i + 1]!;
      }
    }
    r.length = k;
  }

  /**
   * For each full chunk, the least and greatest first two txid bytes (big-endian) over its
   * groups, reachable or not; -1 for every other chunk (the current one still grows, a
   * retired or free one may be refilled).
   */
  txidBins(): { minBin: Int32Array; maxBin: Int32Array } {
    const minBin = new Int32Array(this.nextChunk).fill(-1);
    const maxBin = new Int32Array(this.nextChunk).fill(-1);
    for (let c = 0; c < this.nextChunk; c++) {
      if (this.state[c] !== ChunkState.Full) continue;
      let mn = 65536;
      let mx = -1;
      const end = (c << CHUNK_UNITS_SHIFT) + this.used[c]!;
      for (let u = (c << CHUNK_UNITS_SHIFT) + (c === 0 ? 1 : 0); u < end;) {
        const b = this.bytes(u);
        const g = (u & UNIT_MASK) << 2;
        const bin = (b[g]! << 8) | b[g + 1]!;
        if (bin < mn) mn = bin;
        if (bin > mx) mx = bin;
        let p = g + GROUP_VARINTS;
        while (b[p++]! & 0x80);
        while (b[p++]! & 0x80);
        for (let k = b[g + GROUP_N]!; k > 0; k--) p = recordEnd(b, p);
        u += (p - g + 3) >>> 2;
      }
      if (mx >= 0) {
        minBin[c] = mn;
        maxBin[c] = mx;
      }
    }
    return { minBin, maxBin };
  }

  /** Reads the header of the group at heap unit ref into `out` (a fresh object when omitted). */
  groupAt(ref: number, out: GroupView = emptyGroupView()): GroupView {
    const b = this.bytes(ref);
    const g = (ref & UNIT_MASK) << 2;
    let p = g + GROUP_VARINTS;
    let created = 0;
    for (;;) {
      const ch = b[p++]!;
      created = created * 128 + (ch & 0x7f);
      if (ch & 0x80) created++;
      else break;
    }
    let code = 0;
    for (;;) {
      const ch = b[p++]!;
      code = code * 128 + (ch & 0x7f);
      if (ch & 0x80) code++;
      else break;
    }
    out.b = b;
    out.g = g;
    out.n = b[g + GROUP_N]!;
    out.created = created;
    out.code = code;
    out.rec = p;
    return out;
  }
}
