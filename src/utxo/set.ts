/**
 * The writer side of the shared-memory UTXO table (layout.ts): one writer applies batches
 * of adds and spends (a block connect or disconnect) and publishes each batch as a new
 * version; readers (reader.ts) in any worker see exactly the version they pinned.
 * Space of spent coins, replaced pages and moved records is reclaimed only once no reader
 * pins a version that could still reach it.
 */
import type { Coin, CoinView } from './coin.ts';
import {
  compressAmount, compressAmountNum, decodeVarIntTrusted, KIND_PAYLOAD, KIND_RAW, kindPayload, MAX_SCRIPT_SIZE, scriptKind, writeVarInt,
} from './compress.ts';
import {
  AMOUNT_BYTES, BUCKET_FULL, BUCKET_MASK, BUCKET_SLOTS, byteLength, CHUNK_BYTES, CHUNK_UNITS, CHUNK_UNITS_SHIFT,
  GROUP_MAX_BYTES, GROUP_MAX_RECORDS, GROUP_N, GROUP_VARINTS, HEADER_PAGES, HEAP_SEGMENT_BYTES, INDEX_SEGMENT_BYTES,
  K_BITS, K_MASK, MAGIC, MAX_DEPTH, MAX_HEAP_SEGMENTS, MAX_SCALE, MAX_VERSION, PAGE_BYTES, PAGE_SHIFT_WORDS,
  PAGES_PER_SEGMENT, PAGES_PER_SEGMENT_SHIFT, READER_SLOTS, recordEnd, REF_EMPTY, REF_TOMB, SHARED_READER_SLOTS, SPENT_BIT, TAG_DEAD,
  UNIT_MASK, UNITS_PER_SEGMENT_SHIFT, V_MASK, W_COUNT, W_DIR, W_MAGIC, W_READER_SLOTS, W_SALT0, W_SALT1, W_SCALE,
  W_SLOTS, W_VERSION, dirIndex, hashFinish, hashKey, hashKeyHeap, hashTxid, type UtxoShared,
} from './layout.ts';
import { lookupCoin, lookupMany, ManyScratch, TableViews, UtxoReader, type OutPointKey, type Snapshot } from './reader.ts';

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
  /**
   * value: the amount, a safe integer >= 0 or any bigint (taken modulo 2^64, as Core's
   * uint64 amount compression does); script: kind 0..3, 6..8 or 10 with its payload, or
   * KIND_RAW with the script bytes; ca: CompressAmount(value) if the caller has it (saves
   * recomputing it; value must be a number then), else omitted or -1.
   */
  addCoin(vout: number, value: number | bigint, kind: number, script: Uint8Array, scriptOff: number, scriptLen: number, ca?: number): void;
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
const BULK = 1 << 18;
/** Bins of the bulk insert's counting sort: the top 16 bits of h1 (dirIndex is monotonic in h1 >>> 1). */
const BULK_SHIFT = 16;
const BULK_BINS = 1 << 16;
/** Mean coins per bucket a presized directory aims at (BUCKET_FULL splits the tail). */
const PRESIZE_FILL = 50;
const TWO53 = 2 ** 53;

/** The amount code writeAmount chose for its last call (layout.ts). */
let amountCode = 0;
/**
 * Writes an amount in the table's form (layout.ts: CompressAmount or the raw value,
 * whichever is shorter) at b[p]; returns the new offset and leaves the code in amountCode.
 * caKnown: CompressAmount(value) when the caller has it (a snapshot), else -1.
 */
function writeAmount(b: Uint8Array, p: number, value: number | bigint, caKnown: number): number {
  if (typeof value === 'number' && value > 0 && value < 4294967296 && value % 10 !== 0) {
    // CompressAmount of a value that is not a multiple of 10 is 90n + 10d - 9 >= the
    // value: the raw value is never longer
    const x = value >>> 0;
    if (x < 256) {
      amountCode = 9;
      b[p] = x;
      return p + 1;
    }
    if (x < 65536) {
      amountCode = 10;
      b[p] = x & 0xff;
      b[p + 1] = x >>> 8;
      return p + 2;
    }
    b[p] = x & 0xff;
    b[p + 1] = (x >>> 8) & 0xff;
    b[p + 2] = (x >>> 16) & 0xff;
    if (x < 16777216) {
      amountCode = 11;
      return p + 3;
    }
    amountCode = 12;
    b[p + 3] = x >>> 24;
    return p + 4;
  }
  if (typeof value === 'number') {
    const ca = caKnown >= 0 ? caKnown : value <= 9e14 ? compressAmountNum(value) : compressAmount(BigInt(value));
    if (typeof ca === 'number') {
      const lc = byteLength(ca);
      const lr = byteLength(value);
      let x: number;
      let n: number;
      if (lr <= lc && lr > 0) {
        amountCode = lr + 8;
        x = value;
        n = lr;
      } else {
        amountCode = lc;
        x = ca;
        n = lc;
      }
      for (let i = 0; i < n; i++) {
        const lo = x % 256;
        b[p++] = lo;
        x = (x - lo) / 256;
      }
      return p;
    }
    value = BigInt(value);
  }
  const raw = BigInt.asUintN(64, value);
  const caAny = compressAmount(raw);
  const ca = typeof caAny === 'number' ? BigInt(caAny) : caAny;
  let lc = 0;
  for (let x = ca; x > 0n; x >>= 8n) lc++;
  let lr = 0;
  for (let x = raw; x > 0n; x >>= 8n) lr++;
  let x: bigint;
  if (lr <= lc && lr > 0 && lr <= 7) {
    amountCode = lr + 8;
    x = raw;
    lc = lr;
  } else {
    amountCode = lc;
    x = ca;
  }
  for (let i = 0; i < lc; i++) {
    b[p++] = Number(x & 0xffn);
    x >>= 8n;
  }
  return p;
}

/** 30 random bits: small integers stay Smis in V8, keeping the hash function optimized. */
function randomSalt(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]! & 0x3fffffff;
}

/** Scratch buffer that grows. */
class Scratch {
  buf = new Uint8Array(1 << 16);
  /** The same bytes as 32-bit words. */
  buf32 = new Int32Array(this.buf.buffer);
  ensure(n: number): void {
    if (n <= this.buf.length) return;
    let c = this.buf.length * 2;
    while (c < n) c *= 2;
    const b = new Uint8Array(c);
    b.set(this.buf);
    this.buf = b;
    this.buf32 = new Int32Array(b.buffer);
  }
}

export class UtxoSet implements CoinView, RawCoinSink {
  private readonly idxSabs: SharedArrayBuffer[];
  private readonly heapSabs: SharedArrayBuffer[];
  private readonly views: TableViews;
  private readonly i0: Int32Array;
  private readonly salt0: number;
  private readonly salt1: number;
  private readonly h = new Int32Array(10);
  private readonly h2 = new Int32Array(10);
  private readonly many = new ManyScratch();

  private _version = 0;
  /** No reader can exist yet (shared() never called): retired memory is reusable at once. */
  private exclusive = true;
  private _count = 0;
  private dirPage = 0;
  private depth = 0;
  /** Directory scale S (layout.ts), fixed before the table is shared. */
  private scale = 1;

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

  // group builder state: records of the open group, encoded (layout.ts), not yet placed
  private gRec = new Scratch();
  /** Bytes of the open group's header at the front of gRec. */
  private gHdr = 0;
  /** Bytes of the open group built in gRec (header and records). */
  private gLen = 0;
  private gN = 0;
  private readonly gVout = new Float64Array(GROUP_MAX_RECORDS);
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
    i0[W_SCALE] = 1;
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
    return lookupCoin(this.views, this.salt0, this.salt1, this.scale, this.h, txid, vout, this._version);
  }

  /** getCoin for many outpoints at the latest version (see Snapshot.getMany). */
  getMany(outpoints: readonly OutPointKey[], out: (Coin | undefined)[] = []): (Coin | undefined)[] {
    lookupMany(this.views, this.salt0, this.salt1, this.scale, this.many, outpoints, this._version, out);
    return out;
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
    const dw = this.wordOf(this.dirPage) + dirIndex(h1, this.depth, this.scale);
    return this.views.words(this.dirPage >>> PAGES_PER_SEGMENT_SHIFT, dw)[dw]!;
  }

  /** Directory entries: S * 2^depth. */
  private dirEntries(depth: number): number {
    return this.scale * 2 ** depth;
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
      this.maybeCandidate(this.cur);
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

  /** A heap unit with room for `units` in the current chunk (a new chunk if needed). */
  private reserve(units: number): number {
    if (this.cur < 0 || CHUNK_UNITS - this.curPos < units) {
      this.newChunk();
      if (CHUNK_UNITS - this.curPos < units) throw new Error('UtxoSet: group larger than a heap chunk');
    }
    const u = (this.cur << CHUNK_UNITS_SHIFT) + this.curPos;
    this.curPos += units;
    this.chunkUsed[this.cur] = this.curPos;
    this.chunkLive[this.cur] = this.chunkLive[this.cur]! + units * 4;
    return u;
  }

  // ------------------------------------------------------------------------------------
  // group builder (also the snapshot loader's sink)

  /**
   * Opens a group: its header (layout.ts: txid, n, VARINT(created), VARINT(code)) goes to
   * the front of the builder's scratch and the records follow, so that placeGroup copies
   * the finished group to the heap in 4-byte words.
   */
  beginGroup(txid: Uint8Array, txidOff: number, code: number): void {
    if (this.gOpen) this.endGroup();
    const b = this.gRec.buf;
    for (let i = 0; i < 32; i++) b[i] = txid[txidOff + i]!;
    b[GROUP_N] = 0;
    this.gHdr = writeVarInt(b, writeVarInt(b, GROUP_VARINTS, this.gCreated), code);
    this.gLen = this.gHdr;
    this.gN = 0;
    this.gOpen = true;
  }

  addCoin(vout: number, value: number | bigint, kind: number, script: Uint8Array, scriptOff: number, scriptLen: number, ca = -1): void {
    // a group holds at most 64 records (k has 6 bits) and stays small: else close it and
    // go on with a new header for the same txid
    if (this.gN === GROUP_MAX_RECORDS || (this.gN > 0 && this.gLen - this.gHdr + scriptLen > GROUP_MAX_BYTES)) this.placeGroup();
    const sc = this.gRec;
    let p = this.gLen;
    sc.ensure(p + scriptLen + 24);
    const b = sc.buf;
    const tagAt = p++;
    p = vout < 128 ? (b[p] = vout, p + 1) : writeVarInt(b, p, vout);
    p = writeAmount(b, p, value, ca);
    b[tagAt] = (kind << 4) | amountCode;
    if (kind === KIND_RAW) p = scriptLen < 128 ? (b[p] = scriptLen, p + 1) : writeVarInt(b, p, scriptLen);
    if (scriptLen <= 64) for (let i = 0; i < scriptLen; i++) b[p++] = script[scriptOff + i]!;
    else {
      b.set(script.subarray(scriptOff, scriptOff + scriptLen), p);
      p += scriptLen;
    }
    this.gLen = p;
    this.gVout[this.gN++] = vout;
  }

  /** Writes the pending group to the heap and links every coin into the index. */
  endGroup(): void {
    if (!this.gOpen) return;
    this.gOpen = false;
    this.placeGroup();
  }

  /** Places the records built so far under one header and links them; the group stays open. */
  private placeGroup(): void {
    const n = this.gN;
    if (n === 0) return;
    const sc = this.gRec;
    const b = sc.buf;
    const total = this.gLen;
    const units = (total + 3) >>> 2;
    sc.ensure(units * 4);
    b[GROUP_N] = n;
    // padding up to the unit: zeros (never read)
    for (let x = total; x < units * 4; x++) b[x] = 0;
    const gUnit = this.reserve(units);
    const gw = gUnit & UNIT_MASK;
    const hw = this.views.heapWords(gUnit >>> UNITS_PER_SEGMENT_SHIFT, gw | (CHUNK_UNITS - 1));
    const src = sc.buf32;
    for (let i = 0; i < units; i++) hw[gw + i] = src[i]!;
    const h = this.h2;
    hashTxid(b, 0, this.salt0, this.salt1, h);
    const ha = h[0]!;
    const hb2 = h[1]!;
    for (let k = 0; k < n; k++) {
      hashFinish(ha, hb2, this.gVout[k]!, h);
      this.link(h[0]!, ((h[1]! >>> 7) << K_BITS) | k, gUnit);
    }
    // the header stays in front for the rest of an open group (same txid and code)
    this.gN = 0;
    this.gLen = this.gHdr;
  }

  /** Inserts a slot (hash h1, word w0) -> the group at ref; the group is fully written before. */
  private link(h1: number, w0: number, ref: number): void {
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

  private bulk = false;
  private bulkN = 0;
  private readonly bulkH = new Int32Array(BULK);
  private readonly bulkW = new Int32Array(BULK);
  private readonly bulkR = new Int32Array(BULK);
  private readonly bulkOrder = new Int32Array(BULK);
  private readonly bulkCount = new Int32Array(BULK_BINS + 1);

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
    let page = this.bucketFor(h1);
    // a split may leave this key's half still full (keys close in hash order, as a bulk
    // load inserts them): split again until there is room
    while (this.pageUsed[page]! >= BUCKET_FULL) {
      this.splitOrRebuild(page, h1);
      page = this.bucketFor(h1);
    }
    const w = this.words(page);
    const base = this.wordOf(page);
    let s = h1 & BUCKET_MASK;
    for (let n = 0; n < BUCKET_SLOTS; n++) {
      const o = base + (s << 1);
      if (w[o + 1] === REF_EMPTY) {
        w[o] = w0;
        // publish: the group and w0 are written before the ref becomes visible (no reader
        // can exist before shared(): a plain store, then VERSION publishes everything)
        if (this.exclusive) w[o + 1] = ref;
        else Atomics.store(w, o + 1, ref);
        this.pageUsed[page]!++;
        this.pageLive[page]!++;
        return;
      }
      s = (s + 1) & BUCKET_MASK;
    }
    throw new Error('UtxoSet: bucket full (internal error)');
  }

  private readonly rk = { b: new Uint8Array(0) as Uint8Array, g: 0, vout: 0, rec: 0 };
  /**
   * Record k of the group at ref: b = its heap segment, g = byte offset of the group,
   * rec = byte offset of the record's tag, vout (-1 for a DEAD record). Returns a shared
   * scratch object (valid until the next call).
   */
  private locate(ref: number, k: number): { b: Uint8Array; g: number; vout: number; rec: number } {
    const b = this.heapBytes(ref);
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
  private recordShare(ref: number, k: number): number {
    const { b, g, rec } = this.locate(ref, k);
    let p = g + GROUP_VARINTS;
    while (b[p++]! & 0x80);
    while (b[p++]! & 0x80);
    return recordEnd(b, rec) - rec + (p - g) / b[g + GROUP_N]!;
  }

  private hashOfRecord(ref: number, k: number): number {
    const r = this.locate(ref, k);
    hashKeyHeap(r.b, r.g, r.vout, this.salt0, this.salt1, this.h2);
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
        const w0 = w[base + 2 * s]!;
        w0s.push(w0);
        refs.push(ref);
        hs.push(this.hashOfRecord(ref, w0 & K_MASK));
      }
    }
    const d = this.pageDepth[page]!;
    const split = refs.length > BUCKET_SLOTS / 2;
    if (split && this.dirEntries(d + 1) > 2 ** MAX_DEPTH) throw new Error('UtxoSet: bucket overflow at maximum depth');
    if (split && d === this.depth) this.doubleDirectory();
    const D = this.depth;
    const S = this.scale;
    const first = Math.floor(dirIndex(h1, D, S) / 2 ** (D - d)) * 2 ** (D - d);
    const span = 2 ** (D - d);
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
      // the child of a key is the parity of its directory index at depth d + 1
      fill(p0, (hv) => (dirIndex(hv, d + 1, S) & 1) === 0);
      fill(p1, (hv) => (dirIndex(hv, d + 1, S) & 1) === 1);
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

  /**
   * Replaces the empty depth-0 directory by about expected / PRESIZE_FILL empty buckets:
   * S * 2^D of local depth D, S in 128..255 for a close fit (any count, not only powers of
   * two). Only before the table is shared: readers read S once, when they attach.
   */
  private presize(expected: number): void {
    const buckets = Math.ceil(expected / PRESIZE_FILL);
    let D = 0;
    while (Math.ceil(buckets / 2 ** D) > MAX_SCALE) D++;
    const S = Math.ceil(buckets / 2 ** D);
    const n = S * 2 ** D;
    if (n > 2 ** MAX_DEPTH) return;
    const pages = Math.ceil((n * 4) / PAGE_BYTES);
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
    this.scale = S;
    this.i0[W_SCALE] = S;
    Atomics.store(this.i0, W_DIR, (np << 5) | D);
  }

  private doubleDirectory(): void {
    const oldPage = this.dirPage;
    const oldN = this.dirEntries(this.depth);
    const newN = oldN * 2;
    const pages = Math.ceil((newN * 4) / PAGE_BYTES);
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
    const oldPages = Math.ceil((oldN * 4) / PAGE_BYTES);
    for (let i = 0; i < oldPages; i++) this.retirePage(oldPage + i);
  }

  // ------------------------------------------------------------------------------------
  // finding slots (writer only)

  /**
   * Finds the slot of (txid, vout): live (w0 >= 0) when spentAt is 0, else the one marked
   * spent at spentAt. Returns [page, word offset] in `out`, or false.
   */
  private findSlot(txid: Uint8Array, toff: number, vout: number, spentAt: number, out: number[]): boolean {
    hashKey(txid, toff, vout, this.salt0, this.salt1, this.h2);
    const h1 = this.h2[0]!;
    const want = spentAt === 0 ? this.h2[1]! >>> 7 : (SPENT_BIT >>> K_BITS) | spentAt;
    const page = this.bucketFor(h1);
    const w = this.words(page);
    const base = this.wordOf(page);
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

  /** Whether (txid, vout) is unspent at the latest version (writer-side fast check). */
  has(txid: Uint8Array, vout: number): boolean {
    return this.findSlot(txid, 0, vout, 0, [0, 0]);
  }

  // ------------------------------------------------------------------------------------
  // batches

  private beginVersion(): number {
    if (this._version >= MAX_VERSION) throw new Error(`UtxoSet: version limit ${MAX_VERSION} reached`);
    return this._version + 1;
  }

  private spendSlot(page: number, o: number, txid: Uint8Array, toff: number, vout: number, v: number): void {
    const w = this.words(page);
    Atomics.store(w, o, SPENT_BIT | (v << K_BITS) | (w[o]! & K_MASK));
    const at = this.pendVout.length * 32;
    this.pendTxid.ensure(at + 32);
    this.pendTxid.buf.set(txid.subarray(toff, toff + 32), at);
    this.pendVout.push(vout);
    this.pendVer.push(v);
    this._count--;
  }

  /**
   * Applies one batch (a block connect or disconnect) and publishes it as a new version,
   * which it returns. The batch reads as: every add in order (an add over an unspent coin
   * replaces it), then every spend, each of a coin unspent at that point. Adds of
   * unspendable scripts are skipped, as Core's CCoinsViewCache::AddCoin does.
   * An inconsistent or malformed batch is a programmer error: it throws before anything
   * changes (validateBatch), so the set is never left half-applied.
   */
  applyBatch(batch: UtxoBatch): number {
    const adds = batch.add ?? [];
    const spends = batch.spend ?? [];
    const v = this.beginVersion();
    const { cancelled, spendCancelled } = this.validateBatch(adds, spends);
    const loc = [0, 0];
    this.gCreated = v;
    let openTxid: Uint8Array | undefined;
    let openCode = -1;
    for (let i = 0; i < adds.length; i++) {
      const a = adds[i]!;
      // an earlier add of this outpoint in this batch may still wait in the open group:
      // place it so that findSlot sees (and replaces) it
      if (openTxid && this.pendingInGroup(openTxid, a.txid, a.vout)) this.placeGroup();
      if (cancelled?.has(i)) {
        // replaced, then spent: an unspent coin it would have replaced goes too
        if (a.txid.length === 32 && this.findSlot(a.txid, 0, a.vout, 0, loc)) this.spendSlot(loc[0]!, loc[1]!, a.txid, 0, a.vout, v);
        continue;
      }
      const c = a.coin;
      const s = c.scriptPubKey;
      // Core AddCoin: unspendable outputs never enter the set (CScript::IsUnspendable)
      if (isUnspendable(s)) continue;
      if (this.findSlot(a.txid, 0, a.vout, 0, loc)) this.spendSlot(loc[0]!, loc[1]!, a.txid, 0, a.vout, v);
      const code = c.height * 2 + (c.coinbase ? 1 : 0);
      if (!openTxid || code !== openCode || !sameBytes(openTxid, a.txid)) {
        this.beginGroup(a.txid, 0, code);
        openTxid = a.txid;
        openCode = code;
      }
      const value = c.value >= 0n && c.value <= 9_007_199_254_740_992n ? Number(c.value) : c.value;
      const kind = scriptKind(s);
      if (kind === KIND_RAW) this.addCoin(a.vout, value, kind, s, 0, s.length);
      else this.addCoin(a.vout, value, kind, kindPayload(s, kind), 0, KIND_PAYLOAD[kind]!);
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
   * Checks a whole batch against the current state without changing anything; throws
   * (programmer error) on the first problem:
   *  - an add whose txid is not 32 bytes, whose vout is not an integer in 0..2^32-1, whose
   *    height is not an integer in 0..0x7fffffff, or whose value is not in 0..2^64-1;
   *  - a spend with a bad txid or vout, or of a coin unspent neither now nor after the
   *    adds (an add of an unspendable script adds nothing);
   *  - the same outpoint spent twice (also when the batch adds it too).
   * Returns which adds are spent in this batch (the last add of such an outpoint) and
   * which spends they absorb: those cancel out (the add is not placed; a coin it would
   * have replaced is spent).
   */
  private validateBatch(adds: readonly CoinAdd[], spends: readonly OutPointRef[]): { cancelled: Set<number> | undefined; spendCancelled: Uint8Array } {
    for (let i = 0; i < adds.length; i++) {
      const a = adds[i]!;
      if (!(a.txid instanceof Uint8Array) || a.txid.length !== 32) throw new Error(`UtxoSet.applyBatch: add ${i}: txid must be 32 bytes`);
      if (!isVout(a.vout)) throw new Error(`UtxoSet.applyBatch: add ${i}: bad vout ${a.vout}`);
      const c = a.coin;
      if (!c || !(c.scriptPubKey instanceof Uint8Array)) throw new Error(`UtxoSet.applyBatch: add ${i}: no coin or script`);
      if (!Number.isInteger(c.height) || c.height < 0 || c.height > 0x7fffffff) throw new Error(`UtxoSet.applyBatch: add ${i}: bad height ${c.height}`);
      if (typeof c.value !== 'bigint' || c.value < 0n || c.value > 0xffffffffffffffffn) throw new Error(`UtxoSet.applyBatch: add ${i}: bad value ${String(c.value)}`);
    }
    const spendCancelled = new Uint8Array(spends.length);
    let cancelled: Set<number> | undefined;
    if (spends.length === 0) return { cancelled, spendCancelled };
    // the last add of each outpoint, and whether any add of it is spendable
    let lastAdd: Map<string, number> | undefined;
    let addsLive: Set<string> | undefined;
    if (adds.length) {
      lastAdd = new Map();
      addsLive = new Set();
      for (let i = 0; i < adds.length; i++) {
        const a = adds[i]!;
        const k = keyString(a.txid, a.vout);
        lastAdd.set(k, i);
        if (!isUnspendable(a.coin.scriptPubKey)) addsLive.add(k);
      }
    }
    const loc = [0, 0];
    const seen = spends.length > 1 ? new Set<string>() : undefined;
    for (let j = 0; j < spends.length; j++) {
      const sp = spends[j]!;
      const ok = sp.txid instanceof Uint8Array && sp.txid.length === 32 && isVout(sp.vout);
      const k = ok ? keyString(sp.txid, sp.vout) : '';
      if (ok && seen) {
        if (seen.has(k)) throw new Error(`UtxoSet.applyBatch: coin spent twice ${hexTxid(sp.txid)}:${sp.vout}`);
        seen.add(k);
      }
      const i = lastAdd?.get(k);
      if (ok && i !== undefined) {
        // unspent after the adds if one of them is spendable, or if the coin is unspent now
        if (!addsLive!.has(k) && !this.findSlot(sp.txid, 0, sp.vout, 0, loc)) {
          throw new Error(`UtxoSet.applyBatch: spend of a missing coin ${hexTxid(sp.txid)}:${sp.vout} (its add is unspendable)`);
        }
        (cancelled ??= new Set()).add(i);
        spendCancelled[j] = 1;
      } else if (!ok || !this.findSlot(sp.txid, 0, sp.vout, 0, loc)) {
        throw new Error(`UtxoSet.applyBatch: spend of a missing coin ${sp.txid instanceof Uint8Array ? hexTxid(sp.txid) : '?'}:${sp.vout}`);
      }
    }
    return { cancelled, spendCancelled };
  }

  /** Whether the open group (of openTxid) holds an unplaced record for (txid, vout). */
  private pendingInGroup(openTxid: Uint8Array, txid: Uint8Array, vout: number): boolean {
    if (!this.gOpen || this.gN === 0) return false;
    let has = false;
    for (let k = 0; k < this.gN; k++) {
      if (this.gVout[k] === vout) {
        has = true;
        break;
      }
    }
    return has && sameBytes(openTxid, txid);
  }

  /**
   * Bulk load (the snapshot loader): feed groups to the returned sink (no duplicate or
   * existence checks), then finishLoad(coins added) publishes them as one version.
   * `expected` coins presizes the directory of an empty, never shared set, so that the
   * load does not split buckets over and over.
   */
  beginLoad(expected = 0): RawCoinSink {
    if (this.exclusive && this._count === 0 && this.depth === 0 && this.scale === 1 && expected > 64 * PRESIZE_FILL) this.presize(expected);
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

  /**
   * Frees the reader slots [from, from + count), pinned or not: for the slots of a worker
   * that is gone (terminated), whose pins would otherwise hold back reclamation for ever.
   * Race: only correct once no thread can still read through those slots — the caller
   * frees a dead worker's range after its termination, and gives the range to its
   * replacement, which claims slots by compare-and-exchange as any reader does.
   */
  releaseReaderSlots(from: number, count: number): void {
    if (!(from >= SHARED_READER_SLOTS && count > 0 && from + count <= READER_SLOTS)) throw new RangeError('releaseReaderSlots: not a worker range');
    for (let i = from; i < from + count; i++) Atomics.store(this.i0, W_READER_SLOTS + i, 0);
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
        const bytes = this.recordShare(ref, w[loc[1]!]! & K_MASK);
        // readers at >= s skip this slot on its SPENT mark before ever reading the ref
        Atomics.store(w, loc[1]! + 1, REF_TOMB);
        this.pageLive[loc[0]!]!--;
        const c = ref >>> CHUNK_UNITS_SHIFT;
        this.chunkLive[c] = this.chunkLive[c]! - bytes;
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
   * Copies every group of chunk c that a slot still references into the current chunk,
   * points those slots at the copies (Atomics.store of the ref) and retires the chunk.
   * A copy keeps each referenced record at its index k (unreferenced ones before the last
   * referenced one become 1-byte DEAD records), so a slot's k stays right for both copies.
   * Readers holding an old ref keep reading the old bytes until they unpin.
   */
  private evacuate(c: number): void {
    const end = this.chunkUsed[c]!;
    let u = c === 0 ? 1 : 0;
    const chunkBase = c << CHUNK_UNITS_SHIFT;
    const loc = [0, 0];
    const keepK: number[] = [];
    const keepSlot: number[] = [];
    const recStart: number[] = [];
    while (u < end) {
      const gUnit = chunkBase + u;
      const b = this.heapBytes(gUnit);
      const g = (gUnit & UNIT_MASK) << 2;
      const n = b[g + GROUP_N]!;
      let p = g + GROUP_VARINTS;
      while (b[p++]! & 0x80);
      while (b[p++]! & 0x80);
      const hlen = p - g;
      keepK.length = 0;
      keepSlot.length = 0;
      recStart.length = 0;
      for (let k = 0; k < n; k++) {
        recStart.push(p);
        if (b[p] !== TAG_DEAD && this.findSlotByRef(b, g, decodeVarIntTrusted(b, p + 1), gUnit, k, loc)) {
          keepK.push(k);
          keepSlot.push(loc[0]!, loc[1]!);
        }
        p = recordEnd(b, p);
      }
      recStart.push(p);
      u += (p - g + 3) >>> 2;
      if (keepK.length === 0) continue;
      const last = keepK[keepK.length - 1]!;
      let size = hlen;
      let j = 0;
      for (let k = 0; k <= last; k++) {
        if (keepK[j] === k) {
          size += recStart[k + 1]! - recStart[k]!;
          j++;
        } else size++;
      }
      const nu = this.reserve((size + 3) >>> 2);
      const nb = this.heapBytes(nu);
      let q = (nu & UNIT_MASK) << 2;
      for (let i = 0; i < hlen; i++) nb[q + i] = b[g + i]!;
      nb[q + GROUP_N] = last + 1;
      q += hlen;
      j = 0;
      for (let k = 0; k <= last; k++) {
        if (keepK[j] === k) {
          for (let x = recStart[k]!; x < recStart[k + 1]!; x++) nb[q++] = b[x]!;
          j++;
        } else nb[q++] = TAG_DEAD;
      }
      // the copy is complete: repoint the slots (a reader sees either identical copy)
      for (let i = 0; i < keepSlot.length; i += 2) Atomics.store(this.words(keepSlot[i]!), keepSlot[i + 1]! + 1, nu);
    }
    this.chunkState[c] = 3;
    this.retiredChunks.push(c, this._version + 1);
  }

  /** The slot of record k of the group at ref (txid at b[g..], the record's vout). */
  private findSlotByRef(b: Uint8Array, g: number, vout: number, ref: number, k: number, out: number[]): boolean {
    hashKeyHeap(b, g, vout, this.salt0, this.salt1, this.h2);
    const h1 = this.h2[0]!;
    const page = this.bucketFor(h1);
    const w = this.words(page);
    const base = this.wordOf(page);
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

  // ------------------------------------------------------------------------------------
  // iteration

  /**
   * Every coin visible at version v (unspent at v) as a handle ref * 64 + k (record k of
   * the group at heap unit ref), in heap order. The caller must keep v pinned while it
   * reads the groups (groupAt).
   */
  handlesAt(v: number): Float64Array {
    let out = new Float64Array(Math.max(16, this._count + 16));
    let n = 0;
    const D = this.depth;
    const dirW = this.words(this.dirPage);
    const dirBase = this.wordOf(this.dirPage);
    const entries = this.dirEntries(D);
    let last = -1;
    for (let i = 0; i < entries; i++) {
      const page = dirW[dirBase + i]!;
      if (page === last) continue;
      last = page;
      const w = this.words(page);
      const base = this.wordOf(page);
      for (let s = 0; s < BUCKET_SLOTS; s++) {
        const ref = w[base + 2 * s + 1]!;
        if (ref === REF_EMPTY || ref === REF_TOMB) continue;
        const w0 = w[base + 2 * s]!;
        if (w0 < 0 && ((w0 >>> K_BITS) & V_MASK) <= v) continue;
        if (n === out.length) {
          const o2 = new Float64Array(out.length * 2);
          o2.set(out);
          out = o2;
        }
        out[n++] = (ref >>> 0) * 64 + (w0 & K_MASK);
      }
    }
    // heap order, so that the group reads below (and the caller's) are sequential
    const hs = out.subarray(0, n).sort();
    let m = 0;
    let lastRef = -1;
    let ok = false;
    const g = this.gv;
    for (let i = 0; i < n; i++) {
      const ref = Math.floor(hs[i]! / 64);
      if (ref !== lastRef) {
        lastRef = ref;
        ok = this.groupAt(ref, g).created <= v;
      }
      if (ok) hs[m++] = hs[i]!;
    }
    return hs.subarray(0, m);
  }
  private readonly gv = emptyGroupView();

  /** Reads the header of the group at heap unit ref into `out` (a fresh object when omitted). */
  groupAt(ref: number, out: GroupView = emptyGroupView()): GroupView {
    const b = this.heapBytes(ref);
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

  /** Every coin unspent at the latest version (unordered). */
  *coins(): Generator<{ txid: Uint8Array; vout: number; coin: Coin }> {
    const snap = this.pin();
    try {
      const hs = this.handlesAt(snap.version);
      for (const hd of hs) {
        const ref = Math.floor(hd / 64);
        const r = this.locate(ref, hd % 64);
        const txid = r.b.slice(r.g, r.g + 32);
        const vout = r.vout;
        const coin = snap.getCoin(txid, vout);
        if (coin) yield { txid, vout, coin };
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

/** Core's CScript::IsUnspendable: OP_RETURN first, or longer than MAX_SCRIPT_SIZE. */
function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === 0x6a) || s.length > MAX_SCRIPT_SIZE;
}

function isVout(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
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

