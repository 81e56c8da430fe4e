/**
 * The writer side of the shared-memory UTXO table (layout.ts): one writer applies batches
 * of adds and spends (a block connect or disconnect) and publishes each batch as a new
 * version; readers (reader.ts) in any worker see exactly the version they pinned.
 * Space of spent coins, replaced pages and moved records is reclaimed only once no reader
 * pins a version that could still reach it.
 */
import type { Coin, CoinView } from './coin.ts';
import {
  compressAmount, KIND_PAYLOAD, KIND_RAW, kindPayload, MAX_SCRIPT_SIZE, scriptKind, skipVarInt, varIntLength,
  writeVarInt, writeVarIntBig, decodeVarIntTrusted,
} from './compress.ts';
import {
  BUCKET_FULL, BUCKET_MASK, BUCKET_SLOTS, CHUNK_BYTES, CHUNK_UNITS, CHUNK_UNITS_SHIFT, FP_MASK, GROUP_CREATED,
  GROUP_VARINTS, HEADER_PAGES, HEAP_SEGMENT_BYTES, INDEX_SEGMENT_BYTES, MAGIC, MAX_DEPTH, MAX_HEAP_SEGMENTS,
  PAGE_BYTES, PAGE_SHIFT_WORDS, PAGES_PER_SEGMENT, PAGES_PER_SEGMENT_SHIFT, READER_SLOTS, REF_EMPTY, REF_TOMB,
  SPENT_BIT, UNIT_MASK, UNITS_PER_SEGMENT_SHIFT, W_COUNT, W_DIR, W_MAGIC, W_READER_SLOTS, W_SALT0, W_SALT1,
  W_SLOTS, W_VERSION, dirIndex, hashKey, hashKeyHeap, type UtxoShared,
} from './layout.ts';
import { lookupCoin, TableViews, UtxoReader, type Snapshot } from './reader.ts';

export interface OutPointRef {
  /** Internal byte order. */
  txid: Uint8Array;
  vout: number;
}
export interface CoinAdd extends OutPointRef {
  coin: Coin;
}
export interface UtxoBatch {
  /** Applied first. Adding an outpoint that is unspent replaces it (Core's possible_overwrite). */
  add?: readonly CoinAdd[];
  /** Applied after the adds; an add spent in the same batch never becomes visible. */
  spend?: readonly OutPointRef[];
}

export interface UtxoSetOptions {
  /** Index segments reserved (1 GiB of address space each, committed on use). Default 4. */
  indexSegments?: number;
  /** Heap segments reserved (1 GiB each, at most 16). Default 16. */
  heapSegments?: number;
}

/** A coin in the table's compact form, as the snapshot codec moves it. */
export interface RawCoinSink {
  beginGroup(txid: Uint8Array, txidOff: number, code: number): void;
  /** amount: the VARINT bytes of CompressAmount; script: kind 0..8 with payload, or KIND_RAW with bytes. */
  addCoin(vout: number, amount: Uint8Array, amountOff: number, amountLen: number, kind: number, script: Uint8Array, scriptOff: number, scriptLen: number): void;
  endGroup(): void;
}

const INDEX_GROW_STEP = 4 << 20;
const HEAP_GROW_STEP = 4 * CHUNK_BYTES;
/** Evacuate a full chunk once live bytes fall below this share of it. */
const EVACUATE_BELOW = 0.5;
/** Chunks evacuated per batch at most (bounds the pause). */
const EVACUATE_PER_BATCH = 4;
const NO_READER = 0x7fffffff;
/** Slot inserts queued and sorted by bucket during a bulk load. */
const BULK = 1 << 16;

/** 30 random bits: small integers stay Smis in V8, keeping the hash function optimized. */
function randomSalt(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]! & 0x3fffffff;
}

/** Scratch buffer that grows. */
class Scratch {
  buf = new Uint8Array(1 << 16);
  ensure(n: number): void {
    if (n <= this.buf.length) return;
    let c = this.buf.length * 2;
    while (c < n) c *= 2;
    const b = new Uint8Array(c);
    b.set(this.buf);
    this.buf = b;
  }
}

export class UtxoSet implements CoinView, RawCoinSink {
  private readonly idxSabs: SharedArrayBuffer[];
  private readonly heapSabs: SharedArrayBuffer[];
  private readonly views: TableViews;
  private readonly i0: Int32Array;
  private readonly salt0: number;
  private readonly salt1: number;
  private readonly h = new Int32Array(2);
  private readonly h2 = new Int32Array(2);

  private _version = 0;
  /** No reader can exist yet (shared() never called): retired memory is reusable at once. */
  private exclusive = true;
  private _count = 0;
  private dirPage = 0;
  private depth = 0;

  // index pages (writer-private bookkeeping)
  private nextPage = HEADER_PAGES;
  private freePages: number[] = [];
  private retiredPages: number[] = []; // pairs: page, version
  private pageDepth = new Uint8Array(1024);
  private pageUsed = new Uint8Array(1024);
  private pageLive = new Uint8Array(1024);

  // heap chunks
  private readonly maxChunks: number;
  private chunkUsed: Int32Array;
  private chunkLive: Float64Array;
  private chunkState: Uint8Array; // 0 unused, 1 current, 2 full, 3 retired, 4 free
  private nextChunk = 0;
  private freeChunks: number[] = [];
  private retiredChunks: number[] = []; // pairs: chunk, version
  private cur = -1;
  private curPos = 0; // units used in the current chunk

  // spends awaiting reclamation: txid bytes, vout, version
  private pendTxid = new Scratch();
  private pendVout: number[] = [];
  private pendVer: number[] = [];

  // group builder state
  private gTxid = new Uint8Array(32);
  private gCode = 0;
  private gRec = new Scratch(); // encoded records without back distance
  private gRecOff: number[] = [];
  private gVout: number[] = [];
  private gOpen = false;
  private gCreated = 0;

  private constructor(opts: UtxoSetOptions) {
    const ni = opts.indexSegments ?? 4;
    const nh = Math.min(opts.heapSegments ?? MAX_HEAP_SEGMENTS, MAX_HEAP_SEGMENTS);
    this.idxSabs = Array.from({ length: ni }, () => new SharedArrayBuffer(0, { maxByteLength: INDEX_SEGMENT_BYTES }));
    this.heapSabs = Array.from({ length: nh }, () => new SharedArrayBuffer(0, { maxByteLength: HEAP_SEGMENT_BYTES }));
    this.maxChunks = (nh * HEAP_SEGMENT_BYTES) / CHUNK_BYTES;
    this.chunkUsed = new Int32Array(this.maxChunks);
    this.chunkLive = new Float64Array(this.maxChunks);
    this.chunkState = new Uint8Array(this.maxChunks);
    this.idxSabs[0]!.grow(INDEX_GROW_STEP);
    this.views = new TableViews({ index: this.idxSabs, heap: this.heapSabs });
    this.i0 = this.views.words(0, 0);
    this.salt0 = randomSalt();
    this.salt1 = randomSalt();
    const i0 = this.i0;
    i0[W_SALT0] = this.salt0;
    i0[W_SALT1] = this.salt1;
    i0[W_SLOTS] = READER_SLOTS;
    // an empty directory of depth 0 pointing at one empty bucket
    const dir = this.allocPage();
    const b = this.allocPage();
    this.pageDepth[b] = 0;
    this.words(dir)[this.wordOf(dir)] = b;
    this.dirPage = dir;
    this.depth = 0;
    i0[W_DIR] = (dir << 5) | 0;
    i0[W_VERSION] = 0;
    Atomics.store(i0, W_MAGIC, MAGIC);
  }

  static create(opts: UtxoSetOptions = {}): UtxoSet {
    return new UtxoSet(opts);
  }

  /** Latest published version (0 for a new set; +1 per applyBatch). */
  get version(): number {
    return this._version;
  }
  /** Unspent coins at the latest version. */
  get size(): number {
    return this._count;
  }
  /** Shared memory committed (index + heap segments). */
  get memoryBytes(): number {
    let n = 0;
    for (const s of this.idxSabs) n += s.byteLength;
    for (const s of this.heapSabs) n += s.byteLength;
    return n;
  }
  /** Bytes in use: allocated index pages and heap chunks (a tighter figure than memoryBytes). */
  get usedBytes(): number {
    let chunks = 0;
    for (let c = 0; c < this.nextChunk; c++) if (this.chunkState[c] !== 4) chunks++;
    return (this.nextPage - this.freePages.length) * PAGE_BYTES + chunks * CHUNK_BYTES;
  }

  /** The segments to postMessage to workers (UtxoReader.attach). */
  shared(): UtxoShared {
    this.exclusive = false;
    return { index: this.idxSabs, heap: this.heapSabs };
  }

  /** A reader on this thread (pins snapshots like a worker would). */
  reader(): UtxoReader {
    return UtxoReader.attach(this.shared());
  }

  /** The coin unspent at the latest version. */
  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    return lookupCoin(this.views, this.salt0, this.salt1, this.h, txid, vout, this._version);
  }

  /** Pins the latest version on this thread (see UtxoReader.pin). */
  pin(): Snapshot {
    return this.reader().pin();
  }

  // ------------------------------------------------------------------------------------
  // index memory

  private words(page: number): Int32Array {
    const seg = page >>> PAGES_PER_SEGMENT_SHIFT;
    return this.views.words(seg, this.wordOf(page) + 127);
  }
  private wordOf(page: number): number {
    return (page & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
  }

  private ensurePageArrays(n: number): void {
    if (n <= this.pageDepth.length) return;
    let c = this.pageDepth.length;
    while (c < n) c *= 2;
    const grow = (a: Uint8Array) => {
      const b = new Uint8Array(c);
      b.set(a);
      return b;
    };
    this.pageDepth = grow(this.pageDepth);
    this.pageUsed = grow(this.pageUsed);
    this.pageLive = grow(this.pageLive);
  }

  /** Makes pages [first, first+n) addressable (one segment). */
  private commitPages(first: number, n: number): void {
    const seg = first >>> PAGES_PER_SEGMENT_SHIFT;
    const sab = this.idxSabs[seg];
    if (!sab) throw new Error('UtxoSet: index address space exhausted (raise indexSegments)');
    const need = ((first & (PAGES_PER_SEGMENT - 1)) + n) * PAGE_BYTES;
    if (sab.byteLength < need) sab.grow(Math.min(INDEX_SEGMENT_BYTES, Math.max(need, sab.byteLength + INDEX_GROW_STEP)));
    this.ensurePageArrays(first + n);
  }

  /** A zeroed page, from the free list or fresh. */
  private allocPage(): number {
    const p = this.freePages.pop();
    if (p !== undefined) {
      const w = this.wordOf(p);
      this.words(p).fill(0, w, w + 128);
      this.pageUsed[p] = 0;
      this.pageLive[p] = 0;
      return p;
    }
    return this.allocContiguous(1);
  }

  /** n fresh contiguous pages in one segment (directories). */
  private allocContiguous(n: number): number {
    let first = this.nextPage;
    const off = first & (PAGES_PER_SEGMENT - 1);
    if (off + n > PAGES_PER_SEGMENT) {
      // a directory never straddles two segments: skip (waste) the tail of this one
      first = ((first >>> PAGES_PER_SEGMENT_SHIFT) + 1) << PAGES_PER_SEGMENT_SHIFT;
    }
    this.commitPages(first, n);
    this.nextPage = first + n;
    for (let p = first; p < first + n; p++) {
      this.pageUsed[p] = 0;
      this.pageLive[p] = 0;
    }
    return first;
  }

  private bucketFor(h1: number): number {
    const dw = this.wordOf(this.dirPage) + dirIndex(h1, this.depth);
    return this.views.words(this.dirPage >>> PAGES_PER_SEGMENT_SHIFT, dw)[dw]!;
  }

  // ------------------------------------------------------------------------------------
  // heap memory

  /** The heap segment holding ref, viewed at least to the end of ref's chunk. */
  private heapBytes(ref: number): Uint8Array {
    return this.views.bytes(ref >>> UNITS_PER_SEGMENT_SHIFT, (((ref & UNIT_MASK) | (CHUNK_UNITS - 1)) << 2) + 3);
  }

  private newChunk(): void {
    if (this.cur >= 0) {
      this.chunkUsed[this.cur] = this.curPos;
      this.chunkState[this.cur] = 2;
    }
    let c = this.freeChunks.pop();
    if (c === undefined) {
      c = this.nextChunk++;
      if (c >= this.maxChunks - 1) throw new Error('UtxoSet: heap address space exhausted');
      const seg = c >>> (UNITS_PER_SEGMENT_SHIFT - CHUNK_UNITS_SHIFT);
      const sab = this.heapSabs[seg]!;
      const need = ((((c << CHUNK_UNITS_SHIFT) & UNIT_MASK) + CHUNK_UNITS) << 2) >>> 0;
      if (sab.byteLength < need) sab.grow(Math.min(HEAP_SEGMENT_BYTES, Math.max(need, sab.byteLength + HEAP_GROW_STEP)));
    }
    this.cur = c;
    // unit 0 of the heap stays unused so that ref 0 means "empty"
    this.curPos = c === 0 ? 1 : 0;
    this.chunkLive[c] = 0;
    this.chunkUsed[c] = this.curPos;
    this.chunkState[c] = 1;
  }

  // ------------------------------------------------------------------------------------
  // group builder (also the snapshot loader's sink)

  beginGroup(txid: Uint8Array, txidOff: number, code: number): void {
    if (this.gOpen) this.endGroup();
    for (let i = 0; i < 32; i++) this.gTxid[i] = txid[txidOff + i]!;
    this.gCode = code;
    this.gRecOff.length = 0;
    this.gVout.length = 0;
    this.gRecOff.push(0);
    this.gOpen = true;
  }

  addCoin(vout: number, amount: Uint8Array, amountOff: number, amountLen: number, kind: number, script: Uint8Array, scriptOff: number, scriptLen: number): void {
    const sc = this.gRec;
    const start = this.gRecOff[this.gRecOff.length - 1]!;
    sc.ensure(start + 5 + amountLen + 1 + 5 + scriptLen);
    const b = sc.buf;
    let p = vout < 128 ? (b[start] = vout, start + 1) : writeVarInt(b, start, vout);
    for (let i = 0; i < amountLen; i++) b[p++] = amount[amountOff + i]!;
    b[p++] = kind;
    if (kind === KIND_RAW) p = writeVarInt(b, p, scriptLen);
    if (scriptLen <= 64) for (let i = 0; i < scriptLen; i++) b[p++] = script[scriptOff + i]!;
    else {
      b.set(script.subarray(scriptOff, scriptOff + scriptLen), p);
      p += scriptLen;
    }
    this.gRecOff.push(p);
    this.gVout.push(vout);
  }

  /** Writes the pending group(s) to the heap and links every coin into the index. */
  endGroup(): void {
    if (!this.gOpen) return;
    this.gOpen = false;
    const total = this.gVout.length;
    let i = 0;
    while (i < total) i = this.placeGroup(i, total);
  }

  /** Units of a group header for n coins (code fixed by the open group). */
  private headerUnits(n: number): number {
    return (GROUP_VARINTS + varIntLength(this.gCode) + varIntLength(n) + 3) >>> 2;
  }

  /** How many records from `from` (at most n) fit after a header sized for n in the current chunk. */
  private fit(from: number, n: number): number {
    const avail = CHUNK_UNITS - this.curPos;
    let u = this.headerUnits(n);
    if (u > avail) return 0;
    const offs = this.gRecOff;
    let k = 0;
    while (k < n) {
      const restLen = offs[from + k + 1]! - offs[from + k]!;
      const units = ((u < 128 ? 1 : varIntLength(u)) + restLen + 3) >>> 2;
      if (u + units > avail) break;
      u += units;
      k++;
    }
    return k;
  }

  /** Places records [from, to) (as many as fit in the current chunk); returns the next index. */
  private placeGroup(from: number, to: number): number {
    let n = Math.min(to - from, 0xffff);
    if (this.cur < 0) this.newChunk();
    let k = this.fit(from, n);
    if (k === 0) {
      this.newChunk();
      k = this.fit(from, n);
      if (k === 0) throw new Error('UtxoSet: coin record larger than a heap chunk');
    }
    if (k < n) {
      n = k;
      k = this.fit(from, n);
      if (k < n) throw new Error('UtxoSet: internal placement error');
    }
    // write the header
    const c = this.cur;
    const gUnit = (c << CHUNK_UNITS_SHIFT) + this.curPos;
    const hb = this.heapBytes(gUnit);
    const g = (gUnit & UNIT_MASK) << 2;
    const gt = this.gTxid;
    for (let i = 0; i < 32; i++) hb[g + i] = gt[i]!;
    const cr = this.gCreated;
    hb[g + GROUP_CREATED] = cr & 0xff;
    hb[g + GROUP_CREATED + 1] = (cr >>> 8) & 0xff;
    hb[g + GROUP_CREATED + 2] = (cr >>> 16) & 0xff;
    hb[g + GROUP_CREATED + 3] = (cr >>> 24) & 0xff;
    writeVarInt(hb, writeVarInt(hb, g + GROUP_VARINTS, this.gCode), n);
    // padding bytes up to the next unit are never read (lengths come from the VARINTs)
    const hu = this.headerUnits(n);
    let u = hu;
    const src = this.gRec.buf;
    let bytes = hu * 4;
    for (let j = 0; j < n; j++) {
      const a = this.gRecOff[from + j]!;
      const e = this.gRecOff[from + j + 1]!;
      const r = g + u * 4;
      let q = u < 128 ? (hb[r] = u, r + 1) : writeVarInt(hb, r, u);
      for (let x = a; x < e; x++) hb[q++] = src[x]!;
      const units = (q - r + 3) >>> 2;
      const ref = gUnit + u;
      u += units;
      bytes += units * 4;
      const rl = this.relinkTo;
      if (rl) {
        // compaction: point the existing slot at the identical copy
        Atomics.store(this.words(rl[2 * (from + j)]!), rl[2 * (from + j) + 1]! + 1, ref);
      } else {
        this.link(this.gTxid, this.gVout[from + j]!, ref);
      }
    }
    this.curPos += u;
    this.chunkUsed[c] = this.curPos;
    this.chunkLive[c] = this.chunkLive[c]! + bytes;
    return from + n;
  }

  /** Inserts a slot for (txid, vout) -> ref; the record is fully written before. */
  private link(txid: Uint8Array, vout: number, ref: number): void {
    hashKey(txid, 0, vout, this.salt0, this.salt1, this.h2);
    const h1 = this.h2[0]!;
    const fp = this.h2[1]! & FP_MASK;
    if (this.bulk) {
      // bulk load: queue, then insert in bucket order (sequential page access)
      const q = this.bulkN++;
      this.bulkH[q] = h1;
      this.bulkF[q] = fp;
      this.bulkR[q] = ref;
      if (this.bulkN === BULK) this.flushBulk();
      return;
    }
    this.linkHashed(h1, fp, ref);
  }

  private bulk = false;
  private bulkN = 0;
  private readonly bulkH = new Int32Array(BULK);
  private readonly bulkF = new Int32Array(BULK);
  private readonly bulkR = new Int32Array(BULK);
  private readonly bulkKey = new Float64Array(BULK);

  private flushBulk(): void {
    const n = this.bulkN;
    const key = this.bulkKey.subarray(0, n);
    for (let i = 0; i < n; i++) key[i] = (this.bulkH[i]! >>> 0) * BULK + i;
    key.sort();
    for (let i = 0; i < n; i++) {
      const j = key[i]! % BULK;
      this.linkHashed(this.bulkH[j]!, this.bulkF[j]!, this.bulkR[j]!);
    }
    this.bulkN = 0;
  }

  private linkHashed(h1: number, fp: number, ref: number): void {
    let page = this.bucketFor(h1);
    if (this.pageUsed[page]! >= BUCKET_FULL) {
      this.splitOrRebuild(page, h1);
      page = this.bucketFor(h1);
    }
    const w = this.words(page);
    const base = this.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      if (w[o + 1] === REF_EMPTY) {
        w[o] = fp;
        // publish: the record and w0 are written before the ref becomes visible
        Atomics.store(w, o + 1, ref);
        this.pageUsed[page]!++;
        this.pageLive[page]!++;
        return;
      }
      s = (s + 1) & BUCKET_MASK;
    }
    throw new Error('UtxoSet: bucket full (internal error)');
  }

  private readonly rk = { b: new Uint8Array(0) as Uint8Array, g: 0, vout: 0, p: 0 };
  /**
   * The record at ref: b = its heap segment, g = byte offset of its group header, vout,
   * p = offset of its amount. Returns a shared scratch object (valid until the next call).
   */
  private recordKey(ref: number): { b: Uint8Array; g: number; vout: number; p: number } {
    const b = this.heapBytes(ref);
    const off = (ref & UNIT_MASK) << 2;
    let p = off;
    let back = 0;
    for (;;) {
      const ch = b[p++]!;
      back = back * 128 + (ch & 0x7f);
      if (ch & 0x80) back++;
      else break;
    }
    let vout = 0;
    for (;;) {
      const ch = b[p++]!;
      vout = vout * 128 + (ch & 0x7f);
      if (ch & 0x80) vout++;
      else break;
    }
    const k = this.rk;
    k.b = b;
    k.g = off - back * 4;
    k.vout = vout;
    k.p = p;
    return k;
  }

  /** Bytes of the record at ref (to its padded end). */
  private recordBytes(ref: number): number {
    const { b, p: p0 } = this.recordKey(ref);
    let p = skipVarInt(b, p0);
    const kind = b[p++]!;
    if (kind === KIND_RAW) {
      const len = decodeVarIntTrusted(b, p);
      p = skipVarInt(b, p) + len;
    } else p += KIND_PAYLOAD[kind]!;
    const off = (ref & UNIT_MASK) << 2;
    return ((p - off + 3) >>> 2) * 4;
  }

  private hashOfRecord(ref: number): number {
    const k = this.recordKey(ref);
    hashKeyHeap(k.b, k.g, k.vout, this.salt0, this.salt1, this.h2);
    return this.h2[0]!;
  }

  /** Replaces a full bucket by one rebuilt page (few live slots) or two split pages. */
  private splitOrRebuild(page: number, h1: number): void {
    const w = this.words(page);
    const base = this.wordOf(page);
    const w0s: number[] = [];
    const refs: number[] = [];
    const hs: number[] = [];
    for (let s = 0; s < BUCKET_SLOTS; s++) {
      const ref = w[base + 2 * s + 1]!;
      if (ref !== REF_EMPTY && ref !== REF_TOMB) {
        w0s.push(w[base + 2 * s]!);
        refs.push(ref);
        hs.push(this.hashOfRecord(ref));
      }
    }
    const d = this.pageDepth[page]!;
    const split = refs.length > BUCKET_SLOTS / 2;
    if (split && d >= MAX_DEPTH) throw new Error('UtxoSet: bucket overflow at maximum depth');
    if (split && d === this.depth) this.doubleDirectory();
    const D = this.depth;
    const first = (dirIndex(h1, D) >>> (D - d)) << (D - d);
    const span = 1 << (D - d);
    const fill = (p: number, keep: (hv: number) => boolean) => {
      const pw = this.words(p);
      const pb = this.wordOf(p);
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
      this.pageUsed[p] = used;
      this.pageLive[p] = used;
    };
    const dirW = this.words(this.dirPage);
    const dirBase = this.wordOf(this.dirPage);
    if (!split) {
      const np = this.allocPage();
      this.pageDepth[np] = d;
      fill(np, () => true);
      for (let i = 0; i < span; i++) Atomics.store(dirW, dirBase + first + i, np);
    } else {
      const p0 = this.allocPage();
      const p1 = this.allocPage();
      this.pageDepth[p0] = d + 1;
      this.pageDepth[p1] = d + 1;
      const bit = 31 - d;
      fill(p0, (hv) => ((hv >>> bit) & 1) === 0);
      fill(p1, (hv) => ((hv >>> bit) & 1) === 1);
      // link the new pages (each fully written above); the old one is frozen from now on
      for (let i = 0; i < span; i++) Atomics.store(dirW, dirBase + first + i, i < span / 2 ? p0 : p1);
    }
    this.retirePage(page);
  }

  /**
   * Unlinked now: reachable by readers pinned at the current version, so free once every
   * reader is at version+1 or later. Before the memory was ever shared, free at once.
   */
  private retirePage(p: number): void {
    if (this.exclusive) this.freePages.push(p);
    else this.retiredPages.push(p, this._version + 1);
  }

  /** Replaces the empty depth-0 directory by 2^D empty buckets of local depth D. */
  private presize(D: number): void {
    const n = 1 << D;
    const pages = Math.max(1, (n * 4) / PAGE_BYTES);
    const np = this.allocContiguous(pages);
    const nw = this.views.words(np >>> PAGES_PER_SEGMENT_SHIFT, this.wordOf(np) + pages * 128 - 1);
    const nb = this.wordOf(np);
    const old = this.bucketFor(0);
    for (let i = 0; i < n; i++) {
      const b = this.allocPage();
      this.pageDepth[b] = D;
      nw[nb + i] = b;
    }
    this.retirePage(this.dirPage);
    this.retirePage(old);
    this.dirPage = np;
    this.depth = D;
    Atomics.store(this.i0, W_DIR, (np << 5) | D);
  }

  private doubleDirectory(): void {
    const oldPage = this.dirPage;
    const oldN = 1 << this.depth;
    const newN = oldN * 2;
    const pages = Math.max(1, (newN * 4) / PAGE_BYTES);
    const np = this.allocContiguous(pages);
    const ow = this.words(oldPage);
    const ob = this.wordOf(oldPage);
    const nw = this.views.words(np >>> PAGES_PER_SEGMENT_SHIFT, this.wordOf(np) + pages * 128 - 1);
    const nb = this.wordOf(np);
    for (let i = 0; i < oldN; i++) {
      const v = ow[ob + i]!;
      nw[nb + 2 * i] = v;
      nw[nb + 2 * i + 1] = v;
    }
    this.dirPage = np;
    this.depth++;
    // publish the new directory in one word: page and depth together
    Atomics.store(this.i0, W_DIR, (np << 5) | this.depth);
    const oldPages = Math.max(1, (oldN * 4) / PAGE_BYTES);
    for (let i = 0; i < oldPages; i++) this.retirePage(oldPage + i);
  }

  // ------------------------------------------------------------------------------------
  // finding slots (writer only)

  /**
   * Finds the slot of (txid, vout): live (w0 >= 0) when spentAt is 0, else the one marked
   * SPENT|spentAt. Returns [page, word offset] in `out`, or false.
   */
  private findSlot(txid: Uint8Array, toff: number, vout: number, spentAt: number, out: number[]): boolean {
    hashKey(txid, toff, vout, this.salt0, this.salt1, this.h2);
    const h1 = this.h2[0]!;
    const fp = this.h2[1]! & FP_MASK;
    const want = spentAt === 0 ? fp : (SPENT_BIT | spentAt);
    const page = this.bucketFor(h1);
    const w = this.words(page);
    const base = this.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      const ref = w[o + 1]!;
      if (ref === REF_EMPTY) return false;
      if (ref !== REF_TOMB && w[o] === want) {
        const k = this.recordKey(ref);
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

  /** Whether (txid, vout) is unspent at the latest version (writer-side fast check). */
  has(txid: Uint8Array, vout: number): boolean {
    return this.findSlot(txid, 0, vout, 0, [0, 0]);
  }

  // ------------------------------------------------------------------------------------
  // batches

  private beginVersion(): number {
    return this._version + 1;
  }

  private spendSlot(page: number, o: number, txid: Uint8Array, toff: number, vout: number, v: number): void {
    const w = this.words(page);
    Atomics.store(w, o, SPENT_BIT | v);
    const at = this.pendVout.length * 32;
    this.pendTxid.ensure(at + 32);
    this.pendTxid.buf.set(txid.subarray(toff, toff + 32), at);
    this.pendVout.push(vout);
    this.pendVer.push(v);
    this._count--;
  }

  /**
   * Applies one batch (a block connect or disconnect) and publishes it as a new version,
   * which it returns. Throws (programmer error) if a spend names a coin that is not
   * unspent, before changing anything. Adds of unspendable scripts are skipped, as Core's
   * CCoinsViewCache::AddCoin does.
   */
  applyBatch(batch: UtxoBatch): number {
    const adds = batch.add ?? [];
    const spends = batch.spend ?? [];
    const v = this.beginVersion();
    // adds spent in this same batch cancel out
    let cancelled: Set<number> | undefined;
    const spendCancelled = new Uint8Array(spends.length);
    if (adds.length && spends.length) {
      const byKey = new Map<string, number>();
      for (let i = 0; i < adds.length; i++) byKey.set(keyString(adds[i]!.txid, adds[i]!.vout), i);
      for (let j = 0; j < spends.length; j++) {
        const i = byKey.get(keyString(spends[j]!.txid, spends[j]!.vout));
        if (i !== undefined) {
          (cancelled ??= new Set()).add(i);
          byKey.delete(keyString(spends[j]!.txid, spends[j]!.vout));
          spendCancelled[j] = 1;
        }
      }
    }
    const loc = [0, 0];
    const seen = spends.length > 1 ? new Set<string>() : undefined;
    for (let j = 0; j < spends.length; j++) {
      if (spendCancelled[j]) continue;
      const sp = spends[j]!;
      if (sp.txid.length !== 32 || !this.findSlot(sp.txid, 0, sp.vout, 0, loc)) {
        throw new Error(`UtxoSet.applyBatch: spend of a missing coin ${hexTxid(sp.txid)}:${sp.vout}`);
      }
      if (seen) {
        const k = keyString(sp.txid, sp.vout);
        if (seen.has(k)) throw new Error(`UtxoSet.applyBatch: coin spent twice ${hexTxid(sp.txid)}:${sp.vout}`);
        seen.add(k);
      }
    }
    this.gCreated = v;
    const amount = new Uint8Array(10);
    let openTxid: Uint8Array | undefined;
    let openCode = -1;
    for (let i = 0; i < adds.length; i++) {
      const a = adds[i]!;
      if (cancelled?.has(i)) {
        // replaced, then spent: an unspent coin it would have replaced goes too
        if (a.txid.length === 32 && this.findSlot(a.txid, 0, a.vout, 0, loc)) this.spendSlot(loc[0]!, loc[1]!, a.txid, 0, a.vout, v);
        continue;
      }
      const c = a.coin;
      const s = c.scriptPubKey;
      // Core AddCoin: unspendable outputs never enter the set (CScript::IsUnspendable)
      if ((s.length > 0 && s[0] === 0x6a) || s.length > MAX_SCRIPT_SIZE) continue;
      if (a.txid.length !== 32) throw new Error('UtxoSet.applyBatch: txid must be 32 bytes');
      if (this.findSlot(a.txid, 0, a.vout, 0, loc)) this.spendSlot(loc[0]!, loc[1]!, a.txid, 0, a.vout, v);
      const code = c.height * 2 + (c.coinbase ? 1 : 0);
      if (!openTxid || code !== openCode || !sameBytes(openTxid, a.txid)) {
        this.beginGroup(a.txid, 0, code);
        openTxid = a.txid;
        openCode = code;
      }
      const ca = compressAmount(c.value);
      const alen = typeof ca === 'number' ? writeVarInt(amount, 0, ca) : writeVarIntBig(amount, 0, ca);
      const kind = scriptKind(s);
      if (kind === KIND_RAW) this.addCoin(a.vout, amount, 0, alen, kind, s, 0, s.length);
      else this.addCoin(a.vout, amount, 0, alen, kind, kindPayload(s, kind), 0, KIND_PAYLOAD[kind]!);
      this._count++;
    }
    this.endGroup();
    for (let j = 0; j < spends.length; j++) {
      if (spendCancelled[j]) continue;
      const sp = spends[j]!;
      if (!this.findSlot(sp.txid, 0, sp.vout, 0, loc)) throw new Error('UtxoSet.applyBatch: internal error (spend vanished)');
      this.spendSlot(loc[0]!, loc[1]!, sp.txid, 0, sp.vout, v);
    }
    return this.publish(v);
  }

  /**
   * Bulk load (the snapshot loader): feed groups to the returned sink (no duplicate or
   * existence checks), then finishLoad(coins added) publishes them as one version.
   * `expected` coins presizes the directory of an empty, never shared set, so that the
   * load does not split buckets over and over.
   */
  beginLoad(expected = 0): RawCoinSink {
    if (this.exclusive && this._count === 0 && this.depth === 0 && expected > 64 * 36) this.presize(Math.min(MAX_DEPTH - 2, Math.round(Math.log2(expected / 36))));
    this.bulk = true;
    this.gCreated = this.beginVersion();
    return this;
  }
  finishLoad(coins: number): number {
    this.endGroup();
    this.flushBulk();
    this.bulk = false;
    this._count += coins;
    return this.publish(this.gCreated);
  }

  private publish(v: number): number {
    Atomics.store(this.i0, W_COUNT, this._count);
    // everything of version v is written: publish it
    this._version = v;
    Atomics.store(this.i0, W_VERSION, v);
    Atomics.notify(this.i0, W_VERSION);
    this.maintain();
    return v;
  }

  /** Oldest version a reader still pins (or NO_READER). Scanned after VERSION was stored. */
  minPinned(): number {
    let m = NO_READER;
    for (let i = 0; i < READER_SLOTS; i++) {
      const x = Atomics.load(this.i0, W_READER_SLOTS + i);
      if (x !== 0 && x - 1 < m) m = x - 1;
    }
    return m;
  }

  /** Reclaims what no reader can reach any more, then compacts sparse heap chunks. */
  private maintain(): void {
    const safe = Math.min(this.minPinned(), this._version);
    // 1. spent coins no pinned reader can see: TOMB their slots
    let keep = 0;
    const loc = [0, 0];
    const n = this.pendVout.length;
    const pt = this.pendTxid.buf;
    for (let i = 0; i < n; i++) {
      const s = this.pendVer[i]!;
      const vout = this.pendVout[i]!;
      if (s <= safe && this.findSlot(pt, i * 32, vout, s, loc)) {
        const w = this.words(loc[0]!);
        const ref = w[loc[1]! + 1]!;
        const bytes = this.recordBytes(ref);
        // readers at >= s skip this slot on its SPENT mark before ever reading the ref
        Atomics.store(w, loc[1]! + 1, REF_TOMB);
        this.pageLive[loc[0]!]!--;
        const c = ref >>> CHUNK_UNITS_SHIFT;
        this.chunkLive[c] = this.chunkLive[c]! - bytes - 16;
        if (this.chunkState[c] === 2) this.maybeCandidate(c);
      } else if (s > safe) {
        if (keep !== i) {
          pt.copyWithin(keep * 32, i * 32, i * 32 + 32);
          this.pendVout[keep] = vout;
          this.pendVer[keep] = s;
        }
        keep++;
      }
    }
    this.pendVout.length = keep;
    this.pendVer.length = keep;
    // 2. free retired pages and chunks
    let k = 0;
    for (let i = 0; i < this.retiredPages.length; i += 2) {
      if (this.retiredPages[i + 1]! <= safe) this.freePages.push(this.retiredPages[i]!);
      else {
        this.retiredPages[k++] = this.retiredPages[i]!;
        this.retiredPages[k++] = this.retiredPages[i + 1]!;
      }
    }
    this.retiredPages.length = k;
    k = 0;
    for (let i = 0; i < this.retiredChunks.length; i += 2) {
      const c = this.retiredChunks[i]!;
      if (this.retiredChunks[i + 1]! <= safe) {
        this.chunkState[c] = 4;
        this.freeChunks.push(c);
      } else {
        this.retiredChunks[k++] = c;
        this.retiredChunks[k++] = this.retiredChunks[i + 1]!;
      }
    }
    this.retiredChunks.length = k;
    // 3. compact sparse chunks
    let budget = EVACUATE_PER_BATCH;
    while (budget > 0 && this.candidates.length) {
      const c = this.candidates.pop()!;
      this.isCandidate[c] = 0;
      if (this.chunkState[c] !== 2) continue;
      if (this.chunkLive[c]! >= EVACUATE_BELOW * this.chunkUsed[c]! * 4) continue;
      this.evacuate(c);
      budget--;
    }
  }

  private candidates: number[] = [];
  private isCandidate = new Uint8Array(0);
  private maybeCandidate(c: number): void {
    if (this.isCandidate.length < this.maxChunks) this.isCandidate = new Uint8Array(this.maxChunks);
    if (this.isCandidate[c]) return;
    if (this.chunkLive[c]! < EVACUATE_BELOW * this.chunkUsed[c]! * 4) {
      this.isCandidate[c] = 1;
      this.candidates.push(c);
    }
  }

  /**
   * Copies the records of chunk c that a slot still references into fresh groups, points
   * the slots at the copies (Atomics.store of the ref; the copy is identical) and retires
   * the chunk. Readers holding an old ref keep reading the old bytes until they unpin.
   */
  private evacuate(c: number): void {
    const end = this.chunkUsed[c]!;
    let u = c === 0 ? 1 : 0;
    const chunkBase = c << CHUNK_UNITS_SHIFT;
    const loc = [0, 0];
    while (u < end) {
      const gUnit = chunkBase + u;
      const b = this.heapBytes(gUnit);
      const g = (gUnit & UNIT_MASK) << 2;
      const created = (b[g + GROUP_CREATED]! | (b[g + GROUP_CREATED + 1]! << 8) | (b[g + GROUP_CREATED + 2]! << 16) | (b[g + GROUP_CREATED + 3]! << 24)) >>> 0;
      const code = decodeVarIntTrusted(b, g + GROUP_VARINTS);
      let p = skipVarInt(b, g + GROUP_VARINTS);
      const n = decodeVarIntTrusted(b, p);
      p = skipVarInt(b, p);
      u += ((p - g + 3) >>> 2);
      const txid = b.slice(g, g + 32);
      const moves: number[] = [];
      const slots: number[] = [];
      for (let j = 0; j < n; j++) {
        const ref = chunkBase + u;
        const size = this.recordBytes(ref);
        u += size >>> 2;
        if (this.findSlotByRef(txid, ref, loc)) {
          moves.push(ref);
          slots.push(loc[0]!, loc[1]!);
        }
      }
      if (moves.length === 0) continue;
      // rebuild the group from the surviving records
      this.beginGroup(txid, 0, code);
      this.gCreated = created;
      for (const ref of moves) {
        const k = this.recordKey(ref);
        const rb = k.b;
        const amountStart = k.p;
        const amountEnd = skipVarInt(rb, amountStart);
        let q = amountEnd;
        const kind = rb[q++]!;
        let len: number;
        if (kind === KIND_RAW) {
          len = decodeVarIntTrusted(rb, q);
          q = skipVarInt(rb, q);
        } else len = KIND_PAYLOAD[kind]!;
        this.addCoin(k.vout, rb, amountStart, amountEnd - amountStart, kind, rb, q, len);
      }
      this.relinkTo = slots;
      this.endGroup();
      this.relinkTo = undefined;
    }
    this.chunkState[c] = 3;
    this.retiredChunks.push(c, this._version + 1);
  }

  /** While evacuating, placeGroup repoints these existing slots (pairs page, word) in order. */
  private relinkTo: number[] | undefined;

  private findSlotByRef(txid: Uint8Array, ref: number, out: number[]): boolean {
    const k = this.recordKey(ref);
    hashKey(txid, 0, k.vout, this.salt0, this.salt1, this.h2);
    const h1 = this.h2[0]!;
    const page = this.bucketFor(h1);
    const w = this.words(page);
    const base = this.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      const r = w[o + 1]!;
      if (r === REF_EMPTY) return false;
      if (r === ref) {
        out[0] = page;
        out[1] = o;
        return true;
      }
      s = (s + 1) & BUCKET_MASK;
    }
    return false;
  }

  // ------------------------------------------------------------------------------------
  // iteration

  /**
   * Heap refs of every coin visible at version v (unspent at v), in index order.
   * The caller must keep v pinned while it reads the refs.
   */
  refsAt(v: number): Uint32Array {
    let out = new Uint32Array(Math.max(16, this._count + 16));
    let n = 0;
    const D = this.depth;
    const dirW = this.words(this.dirPage);
    const dirBase = this.wordOf(this.dirPage);
    let last = -1;
    for (let i = 0; i < 1 << D; i++) {
      const page = dirW[dirBase + i]!;
      if (page === last) continue;
      last = page;
      const w = this.words(page);
      const base = this.wordOf(page);
      for (let s = 0; s < BUCKET_SLOTS; s++) {
        const ref = w[base + 2 * s + 1]!;
        if (ref === REF_EMPTY || ref === REF_TOMB) continue;
        const w0 = w[base + 2 * s]!;
        if (w0 < 0 && (w0 & FP_MASK) <= v) continue;
        if (n === out.length) {
          const o2 = new Uint32Array(out.length * 2);
          o2.set(out);
          out = o2;
        }
        out[n++] = ref >>> 0;
      }
    }
    // heap order, so that the record reads below (and the caller's) are sequential
    const refs = out.subarray(0, n).sort();
    let m = 0;
    for (let i = 0; i < n; i++) {
      const { b, g } = this.recordKey(refs[i]!);
      const created = (b[g + GROUP_CREATED]! | (b[g + GROUP_CREATED + 1]! << 8) | (b[g + GROUP_CREATED + 2]! << 16) | (b[g + GROUP_CREATED + 3]! << 24)) >>> 0;
      if (created <= v) refs[m++] = refs[i]!;
    }
    return refs.subarray(0, m);
  }

  /**
   * Record access for the snapshot writer: txid offset, vout, code, amount bytes, script.
   * Fills and returns `out` (a fresh object when omitted).
   */
  readRaw(ref: number, out?: RawRecord): RawRecord {
    const k = this.recordKey(ref);
    const b = k.b;
    const code = decodeVarIntTrusted(b, k.g + GROUP_VARINTS);
    const amountStart = k.p;
    const amountEnd = skipVarInt(b, amountStart);
    let q = amountEnd;
    const kind = b[q++]!;
    let len: number;
    if (kind === KIND_RAW) {
      len = decodeVarIntTrusted(b, q);
      q = skipVarInt(b, q);
    } else len = KIND_PAYLOAD[kind]!;
    if (!out) return { b, g: k.g, vout: k.vout, code, amountStart, amountEnd, kind, scriptStart: q, scriptLen: len };
    out.b = b;
    out.g = k.g;
    out.vout = k.vout;
    out.code = code;
    out.amountStart = amountStart;
    out.amountEnd = amountEnd;
    out.kind = kind;
    out.scriptStart = q;
    out.scriptLen = len;
    return out;
  }

  /** Every coin unspent at the latest version (unordered). */
  *coins(): Generator<{ txid: Uint8Array; vout: number; coin: Coin }> {
    const snap = this.pin();
    try {
      const refs = this.refsAt(snap.version);
      for (const ref of refs) {
        const r = this.readRaw(ref);
        const txid = r.b.slice(r.g, r.g + 32);
        const coin = snap.getCoin(txid, r.vout);
        if (coin) yield { txid, vout: r.vout, coin };
      }
    } finally {
      snap.release();
    }
  }

  /** Heap unit sizes, for tests and benchmarks. */
  stats(): { pages: number; freePages: number; chunks: number; freeChunks: number; depth: number; pendingSpends: number } {
    return { pages: this.nextPage, freePages: this.freePages.length, chunks: this.nextChunk, freeChunks: this.freeChunks.length, depth: this.depth, pendingSpends: this.pendVout.length };
  }
}

/** A RawRecord to pass to readRaw as scratch. */
export function emptyRawRecord(): RawRecord {
  return { b: new Uint8Array(0), g: 0, vout: 0, code: 0, amountStart: 0, amountEnd: 0, kind: 0, scriptStart: 0, scriptLen: 0 };
}

export interface RawRecord {
  b: Uint8Array;
  /** Byte offset of the group header (txid at b[g..g+32]). */
  g: number;
  vout: number;
  code: number;
  amountStart: number;
  amountEnd: number;
  kind: number;
  scriptStart: number;
  scriptLen: number;
}

function keyString(txid: Uint8Array, vout: number): string {
  let s = '';
  for (let i = 0; i < txid.length; i++) s += String.fromCharCode(txid[i]!);
  return s + ':' + vout;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hexTxid(t: Uint8Array): string {
  let s = '';
  for (let i = t.length - 1; i >= 0; i--) s += t[i]!.toString(16).padStart(2, '0');
  return s;
}

