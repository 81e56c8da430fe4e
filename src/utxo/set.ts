/**
 * The writer side of the shared-memory UTXO table (layout.ts): one writer applies batches
 * of adds and spends (a block connect or disconnect) and publishes each batch as a new
 * version; readers (reader.ts) in any worker see exactly the version they pinned.
 * Space of spent coins, replaced pages and moved records is reclaimed only once no reader
 * pins a version that could still reach it (compaction.ts).
 *
 * The parts: index-pages.ts and heap-chunks.ts allocate the shared memory, directory.ts
 * keeps the hash index, group-writer.ts encodes and places coins, batch.ts checks a batch
 * before it is applied, compaction.ts reclaims and compacts.
 */
import type { Coin, CoinView } from './coin.ts';
import { KIND_PAYLOAD, KIND_RAW, kindPayload, scriptKind } from './compress.ts';
import { isUnspendable, validateBatch, type CoinAdd, type OutPointRef, type UtxoBatch } from './batch.ts';
import { Reclaimer } from './compaction.ts';
import { Directory, PRESIZE_FILL } from './directory.ts';
import { GroupWriter, sameBytes, type RawCoinSink } from './group-writer.ts';
import { HeapChunks, type GroupView } from './heap-chunks.ts';
import { IndexPages, type WriterEpoch } from './index-pages.ts';
import {
  CHUNK_BYTES, HEAP_SEGMENT_BYTES, INDEX_SEGMENT_BYTES, K_BITS, K_MASK, MAGIC, MAX_HEAP_SEGMENTS, MAX_VERSION, PAGE_BYTES,
  READER_SLOTS, SHARED_READER_SLOTS, SPENT_BIT, W_COUNT, W_MAGIC, W_READER_SLOTS, W_SALT0, W_SALT1, W_SCALE,
  W_SLOTS, W_VERSION, type UtxoShared,
} from './layout.ts';
import { handlesAt, slotsPerChunk, type ScanParts, type TxidRange } from './slot-scan.ts';
import { lookupCoin, lookupMany, ManyScratch, TableViews, UtxoReader, type OutPointKey, type Snapshot } from './reader.ts';

export type { CoinAdd, OutPointRef, UtxoBatch } from './batch.ts';
export type { RawCoinSink } from './group-writer.ts';
export { emptyGroupView, type GroupView } from './heap-chunks.ts';

export interface UtxoSetOptions {
  /** Index segments reserved (1 GiB of address space each, committed on use). Default 4. */
  indexSegments?: number;
  /** Heap segments reserved (1 GiB each, at most 16). Default 16. */
  heapSegments?: number;
}

const NO_READER = 0x7fffffff;

/** 30 random bits: small integers stay Smis in V8, keeping the hash function optimized. */
function randomSalt(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]! & 0x3fffffff;
}

export class UtxoSet implements CoinView {
  private readonly idxSabs: SharedArrayBuffer[];
  private readonly heapSabs: SharedArrayBuffer[];
  private readonly views: TableViews;
  private readonly i0: Int32Array;
  private readonly h = new Int32Array(10);
  private readonly many = new ManyScratch();
  private readonly epoch: WriterEpoch = { version: 0, exclusive: true };
  private _count = 0;

  private readonly pages: IndexPages;
  private readonly heap: HeapChunks;
  private readonly dir: Directory;
  private readonly writer: GroupWriter;
  private readonly reclaimer: Reclaimer;

  private constructor(opts: UtxoSetOptions) {
    const ni = opts.indexSegments ?? 4;
    const nh = Math.min(opts.heapSegments ?? MAX_HEAP_SEGMENTS, MAX_HEAP_SEGMENTS);
    this.idxSabs = Array.from({ length: ni }, () => new SharedArrayBuffer(0, { maxByteLength: INDEX_SEGMENT_BYTES }));
    this.heapSabs = Array.from({ length: nh }, () => new SharedArrayBuffer(0, { maxByteLength: HEAP_SEGMENT_BYTES }));
    this.views = new TableViews({ index: this.idxSabs, heap: this.heapSabs });
    this.pages = new IndexPages(this.idxSabs, this.views, this.epoch);
    this.heap = new HeapChunks(this.heapSabs, this.views);
    const i0 = (this.i0 = this.views.words(0, 0));
    const salt0 = randomSalt();
    const salt1 = randomSalt();
    i0[W_SALT0] = salt0;
    i0[W_SALT1] = salt1;
    i0[W_SLOTS] = READER_SLOTS;
    i0[W_SCALE] = 1;
    this.dir = new Directory(this.pages, this.heap, this.views, i0, this.epoch, salt0, salt1);
    this.writer = new GroupWriter(this.dir, this.heap, this.views);
    this.reclaimer = new Reclaimer(this.pages, this.heap, this.dir);
    i0[W_VERSION] = 0;
    Atomics.store(i0, W_MAGIC, MAGIC);
  }

  static create(opts: UtxoSetOptions = {}): UtxoSet {
    return new UtxoSet(opts);
  }

  /** Latest published version (0 for a new set; +1 per applyBatch). */
  get version(): number {
    return this.epoch.version;
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
    return (this.pages.nextPage - this.pages.freePages.length) * PAGE_BYTES + this.heap.inUse * CHUNK_BYTES;
  }

  /** The segments to postMessage to workers (UtxoReader.attach). */
  shared(): UtxoShared {
    this.epoch.exclusive = false;
    return { index: this.idxSabs, heap: this.heapSabs };
  }

  /** A reader on this thread (pins snapshots like a worker would). */
  reader(): UtxoReader {
    return UtxoReader.attach(this.shared());
  }

  /** The coin unspent at the latest version. */
  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    const d = this.dir;
    return lookupCoin(this.views, d.salt0, d.salt1, d.scale, this.h, txid, vout, this.epoch.version);
  }

  /** getCoin for many outpoints at the latest version (see Snapshot.getMany). */
  getMany(outpoints: readonly OutPointKey[], out: (Coin | undefined)[] = []): (Coin | undefined)[] {
    const d = this.dir;
    lookupMany(this.views, d.salt0, d.salt1, d.scale, this.many, outpoints, this.epoch.version, out);
    return out;
  }

  /** Pins the latest version on this thread (see UtxoReader.pin). */
  pin(): Snapshot {
    return this.reader().pin();
  }

  /** Whether (txid, vout) is unspent at the latest version (writer-side fast check). */
  has(txid: Uint8Array, vout: number): boolean {
    return this.dir.findSlot(txid, 0, vout, 0, [0, 0]);
  }

  // ------------------------------------------------------------------------------------
  // batches

  private beginVersion(): number {
    if (this.epoch.version >= MAX_VERSION) throw new Error(`UtxoSet: version limit ${MAX_VERSION} reached`);
    return this.epoch.version + 1;
  }

  /** Marks the slot at word o of page spent at version v; the reclaimer frees it later. */
  private spendSlot(page: number, o: number, txid: Uint8Array, vout: number, v: number): void {
    const w = this.pages.words(page);
    Atomics.store(w, o, SPENT_BIT | (v << K_BITS) | (w[o]! & K_MASK));
    this.reclaimer.defer(txid, 0, vout, v);
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
    const dir = this.dir;
    const writer = this.writer;
    const loc = [0, 0];
    const { cancelled, spendCancelled } = validateBatch(adds, spends, (txid, vout) => dir.findSlot(txid, 0, vout, 0, loc));
    writer.created = v;
    let openTxid: Uint8Array | undefined;
    let openCode = -1;
    for (let i = 0; i < adds.length; i++) {
      const a = adds[i]!;
      // an earlier add of this outpoint in this batch may still wait in the open group:
      // place it so that findSlot sees (and replaces) it
      if (openTxid && writer.pendingInGroup(openTxid, a.txid, a.vout)) writer.placeGroup();
      if (cancelled?.has(i)) {
        // replaced, then spent: an unspent coin it would have replaced goes too
        if (a.txid.length === 32 && dir.findSlot(a.txid, 0, a.vout, 0, loc)) this.spendSlot(loc[0]!, loc[1]!, a.txid, a.vout, v);
        continue;
      }
      const c = a.coin;
      const s = c.scriptPubKey;
      // Core AddCoin: unspendable outputs never enter the set (CScript::IsUnspendable)
      if (isUnspendable(s)) continue;
      if (dir.findSlot(a.txid, 0, a.vout, 0, loc)) this.spendSlot(loc[0]!, loc[1]!, a.txid, a.vout, v);
      const code = c.height * 2 + (c.coinbase ? 1 : 0);
      if (!openTxid || code !== openCode || !sameBytes(openTxid, a.txid)) {
        writer.beginGroup(a.txid, 0, code);
        openTxid = a.txid;
        openCode = code;
      }
      const value = c.value >= 0n && c.value <= 9_007_199_254_740_992n ? Number(c.value) : c.value;
      const kind = scriptKind(s);
      if (kind === KIND_RAW) writer.addCoin(a.vout, value, kind, s, 0, s.length);
      else writer.addCoin(a.vout, value, kind, kindPayload(s, kind), 0, KIND_PAYLOAD[kind]!);
      this._count++;
    }
    writer.endGroup();
    for (let j = 0; j < spends.length; j++) {
      if (spendCancelled[j]) continue;
      const sp = spends[j]!;
      if (!dir.findSlot(sp.txid, 0, sp.vout, 0, loc)) throw new Error('UtxoSet.applyBatch: internal error (spend vanished)');
      this.spendSlot(loc[0]!, loc[1]!, sp.txid, sp.vout, v);
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
    const d = this.dir;
    if (this.epoch.exclusive && this._count === 0 && d.depth === 0 && d.scale === 1 && expected > 64 * PRESIZE_FILL) d.presize(expected);
    d.beginBulk();
    this.writer.created = this.beginVersion();
    return this.writer;
  }
  finishLoad(coins: number): number {
    this.writer.endGroup();
    this.dir.endBulk();
    this._count += coins;
    return this.publish(this.writer.created);
  }

  private publish(v: number): number {
    Atomics.store(this.i0, W_COUNT, this._count);
    // everything of version v is written: publish it
    this.epoch.version = v;
    Atomics.store(this.i0, W_VERSION, v);
    Atomics.notify(this.i0, W_VERSION);
    // reclaim what no reader can reach any more, then compact sparse heap chunks
    this.reclaimer.run(Math.min(this.minPinned(), v), v);
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

  // ------------------------------------------------------------------------------------
  // iteration

  /** Every coin visible at version v, or those of `range`, as handles in heap order (slot-scan.ts). */
  handlesAt(v: number, range?: TxidRange): Float64Array {
    return handlesAt(this.scanParts(), v, this._count, range);
  }
  /** Slots live at version v per heap chunk (slot-scan.ts). */
  slotsPerChunk(v: number): Float64Array {
    return slotsPerChunk(this.scanParts(), v, this.heap.nextChunk);
  }
  private scanParts(): ScanParts {
    return { pages: this.pages, dir: this.dir, heap: this.heap };
  }
  /** Per heap chunk, the txid bins its groups span (HeapChunks.txidBins). */
  txidBins(): { minBin: Int32Array; maxBin: Int32Array } {
    return this.heap.txidBins();
  }

  /** Reads the header of the group at heap unit ref into `out` (a fresh object when omitted). */
  groupAt(ref: number, out?: GroupView): GroupView {
    return this.heap.groupAt(ref, out);
  }

  /** Every coin unspent at the latest version (unordered). */
  *coins(): Generator<{ txid: Uint8Array; vout: number; coin: Coin }> {
    const snap = this.pin();
    try {
      const hs = this.handlesAt(snap.version);
      for (const hd of hs) {
        const ref = Math.floor(hd / 64);
        const r = this.dir.locate(ref, hd % 64);
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
    const { pages, heap } = this;
    return { pages: pages.nextPage, freePages: pages.freePages.length, chunks: heap.nextChunk, freeChunks: heap.freeChunks.length, depth: this.dir.depth, pendingSpends: this.reclaimer.pending };
  }
}
