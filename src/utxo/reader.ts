/**
 * Lock-free readers of the shared UTXO table (layout.ts): map the segments posted by the
 * writer (UtxoSet.shared()), pin a version, look coins up without locks or copies of the
 * table. Works in any worker or on the thread that owns the writer.
 */
import type { Coin, CoinView } from './coin.ts';
import { ByteSlab } from '../primitives/bytes.ts';
import { decompressAmount, decompressAmountNum, expandScript, KIND_RAW } from './compress.ts';
import {
  AMOUNT_BYTES, AMOUNT_RAW_CODE, BUCKET_MASK, BUCKET_SLOTS, CHUNK_UNITS, K_BITS, K_MASK, MAGIC, PAGES_PER_SEGMENT,
  PAGES_PER_SEGMENT_SHIFT, PAGE_SHIFT_WORDS, READER_SLOTS, REF_EMPTY, SHARED_READER_SLOTS, REF_TOMB, UNITS_PER_SEGMENT_SHIFT, UNIT_MASK,
  V_MASK, W_DIR, W_MAGIC, W_READER_SLOTS, W_SALT0, W_SALT1, W_SCALE, W_VERSION, dirIndex, hashKey, recordEnd,
  type UtxoShared,
} from './layout.ts';

const EMPTY = new Uint8Array(0);
/**
 * Scripts returned by lookups: views on slabs by default (creating a small typed array is
 * slow on Deno: ~10x a view), fresh arrays where the runtime layer says views cost more
 * (Bun: ~4x a small array), see src/runtime/tuning.ts.
 */
const slab = new ByteSlab();
const fresh = (n: number): Uint8Array => new Uint8Array(n);
let alloc: (n: number) => Uint8Array = slab.alloc;

/** Lookups return fresh arrays (true) or views on shared slabs (false, the default). */
export function useFreshScriptArrays(on: boolean): void {
  alloc = on ? fresh : slab.alloc;
}

/** A range of reader slots: [from, from + count). */
export interface ReaderSlots {
  from: number;
  count: number;
}

/** Typed-array views over segmented growable SABs, refreshed when the writer has grown them. */
export class TableViews {
  readonly idx: Int32Array[];
  readonly heap: Uint8Array[];
  readonly heap32: Int32Array[];
  constructor(readonly shared: UtxoShared) {
    this.idx = shared.index.map((s) => new Int32Array(s, 0, s.byteLength >> 2));
    this.heap = shared.heap.map((s) => new Uint8Array(s, 0, s.byteLength));
    this.heap32 = shared.heap.map((s) => new Int32Array(s, 0, s.byteLength >> 2));
  }
  /** Index segment `seg`, long enough to hold word `w`. */
  words(seg: number, w: number): Int32Array {
    let a = this.idx[seg]!;
    if (w >= a.length) {
      const s = this.shared.index[seg]!;
      a = this.idx[seg] = new Int32Array(s, 0, s.byteLength >> 2);
    }
    return a;
  }
  /** Heap segment `seg`, long enough to hold byte `b`. */
  bytes(seg: number, b: number): Uint8Array {
    let a = this.heap[seg]!;
    if (b >= a.length) {
      const s = this.shared.heap[seg]!;
      a = this.heap[seg] = new Uint8Array(s, 0, s.byteLength);
    }
    return a;
  }
  /** Heap segment `seg` as words, long enough to hold word `w`. */
  heapWords(seg: number, w: number): Int32Array {
    let a = this.heap32[seg]!;
    if (w >= a.length) {
      const s = this.shared.heap[seg]!;
      a = this.heap32[seg] = new Int32Array(s, 0, s.byteLength >> 2);
    }
    return a;
  }
}

/**
 * The lookup every reader and the writer use. `v` is the pinned version, `scale` the
 * directory scale (fixed before the table is shared). `h` is scratch space (10 words:
 * the two hash lanes and the txid words). Returns the coin visible at v, if any.
 *
 * Races (all benign by construction, see layout.ts):
 *  - the DIR word and directory entries are read with Atomics.load; an entry may point to
 *    a page the writer has just replaced: the old page is frozen, still mapped (retired
 *    pages are reused only once no reader pins an older version) and exact for every
 *    version up to the one that replaced it, which is newer than v;
 *  - slots are scanned with plain reads: every slot write of versions <= v (link, spend)
 *    happens before the VERSION store this reader's pin synchronized with, so a plain read
 *    sees it or a later write; later writes only link coins created after v, mark spends
 *    after v (word-sized, tear-free), TOMB slots spent at or before v (invisible at v
 *    either way) or repoint a ref to an identical copy;
 *  - a candidate's ref is then read again with Atomics.load, which synchronizes with the
 *    store that published it: the group it names (a first write or a compaction copy) is
 *    fully visible. The old copy of a moved group stays mapped until no reader pins a
 *    version older than the move.
 */
export function lookupCoin(t: TableViews, salt0: number, salt1: number, scale: number, h: Int32Array, txid: Uint8Array, vout: number, v: number): Coin | undefined {
  if (txid.length !== 32) return undefined;
  hashKey(txid, 0, vout, salt0, salt1, h);
  const h1 = h[0]!;
  const fp = h[1]! >>> 7;
  const i0 = t.idx[0]!;
  const dw = Atomics.load(i0, W_DIR);
  const dirPage = dw >>> 5;
  const dword = ((dirPage & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS) + dirIndex(h1, dw & 31, scale);
  const page = Atomics.load(t.words(dirPage >>> PAGES_PER_SEGMENT_SHIFT, dword), dword);
  const base = (page & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
  const arr = t.words(page >>> PAGES_PER_SEGMENT_SHIFT, base + 127);
  let s = h1 & BUCKET_MASK;
  for (let n = 0; n < BUCKET_SLOTS; n++) {
    const o = base + (s << 1);
    const ref = arr[o + 1]!;
    if (ref === REF_EMPTY) return undefined;
    if (ref !== REF_TOMB) {
      const w0 = arr[o]!;
      if (w0 >= 0 ? w0 >>> K_BITS === fp : ((w0 >>> K_BITS) & V_MASK) > v) {
        const r = Atomics.load(arr, o + 1);
        if (r !== REF_TOMB) {
          const c = readRecord(t, r, w0 & K_MASK, h, 2, vout, v);
          if (c !== undefined) return c;
        }
      }
    }
    s = (s + 1) & BUCKET_MASK;
  }
  return undefined;
}

/**
 * Decodes record k of the group at heap unit `ref` if the group's txid is the 8 words
 * h[o..o+7], the record's vout is `vout` and the group was created by v.
 */
function readRecord(t: TableViews, ref: number, k: number, h: Int32Array, o: number, vout: number, v: number): Coin | undefined {
  const seg = ref >>> UNITS_PER_SEGMENT_SHIFT;
  const gw = ref & UNIT_MASK;
  // the group lies in one chunk, committed whole before it was written
  const last = gw | (CHUNK_UNITS - 1);
  const w = t.heapWords(seg, last);
  if (w[gw] !== h[o] || w[gw + 1] !== h[o + 1] || w[gw + 2] !== h[o + 2] || w[gw + 3] !== h[o + 3] ||
      w[gw + 4] !== h[o + 4] || w[gw + 5] !== h[o + 5] || w[gw + 6] !== h[o + 6] || w[gw + 7] !== h[o + 7]) return undefined;
  const b = t.bytes(seg, last * 4 + 3);
  let p = gw * 4 + 33;
  // created version, then height*2+coinbase
  let created = 0;
  for (;;) {
    const ch = b[p++]!;
    created = created * 128 + (ch & 0x7f);
    if (ch & 0x80) created++;
    else break;
  }
  if (created > v) return undefined;
  let code = 0;
  for (;;) {
    const ch = b[p++]!;
    code = code * 128 + (ch & 0x7f);
    if (ch & 0x80) code++;
    else break;
  }
  for (let j = 0; j < k; j++) p = recordEnd(b, p);
  const tag = b[p++]!;
  let rv = 0;
  for (;;) {
    const ch = b[p++]!;
    rv = rv * 128 + (ch & 0x7f);
    if (ch & 0x80) rv++;
    else break;
  }
  if (rv !== vout) return undefined;
  const ac = tag & 15;
  const nb = AMOUNT_BYTES[ac]!;
  let value: bigint;
  if (nb <= 3) {
    // the common case (raw values below 2^24, CompressAmount codes of round amounts):
    // integer arithmetic only
    const x = nb === 0 ? 0 : nb === 1 ? b[p]! : nb === 2 ? b[p]! | (b[p + 1]! << 8) : b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    value = ac >= AMOUNT_RAW_CODE ? BigInt(x) : BigInt(decompressAmountNum(x));
  } else if (nb <= 6) {
    let x = 0;
    let m = 1;
    for (let i = 0; i < nb; i++) {
      x += b[p + i]! * m;
      m *= 256;
    }
    value = ac >= AMOUNT_RAW_CODE ? BigInt(x) : decompressAmount(x);
  } else {
    let x = 0n;
    for (let i = nb - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[p + i]!);
    value = ac >= AMOUNT_RAW_CODE ? x : decompressAmount(x <= 2n ** 53n ? Number(x) : x);
  }
  p += nb;
  const kind = tag >>> 4;
  let script: Uint8Array;
  if (kind === KIND_RAW) {
    let len = 0;
    for (;;) {
      const ch = b[p++]!;
      len = len * 128 + (ch & 0x7f);
      if (ch & 0x80) len++;
      else break;
    }
    script = len === 0 ? EMPTY : alloc(len);
    for (let i = 0; i < len; i++) script[i] = b[p + i]!;
  } else {
    script = expandScript(kind, b, p, alloc) ?? EMPTY;
  }
  return { value, scriptPubKey: script, height: Math.floor(code / 2), coinbase: (code & 1) === 1 };
}

/** An outpoint as lookupMany takes it (a transaction input's prevout has this shape). */
export interface OutPointKey {
  /** Internal byte order. */
  readonly txid: Uint8Array;
  readonly vout: number;
}

/** Per-key scratch of lookupMany (grows to the largest batch seen). */
export class ManyScratch {
  /** Per key, 10 words as hashKey leaves them: h1, h2, the 8 txid words. */
  key = new Int32Array(10 * 64);
  /** Bucket page word base and index segment per key (-1: no lookup). */
  base = new Int32Array(64);
  seg = new Int32Array(64);
  /** The first candidate: heap ref (0: none) and record index k. */
  ref = new Int32Array(64);
  k = new Int32Array(64);
  readonly h = new Int32Array(10);
  /** Sink of the touching loads (kept so that they are not dead code). */
  touched = 0;
  ensure(n: number): void {
    if (n <= this.base.length) return;
    let c = this.base.length;
    while (c < n) c *= 2;
    this.key = new Int32Array(10 * c);
    this.base = new Int32Array(c);
    this.seg = new Int32Array(c);
    this.ref = new Int32Array(c);
    this.k = new Int32Array(c);
  }
}

/**
 * lookupCoin for many keys at once, out[i] for keys[i]: the same reads, reordered so that
 * the keys' cache misses overlap instead of following each other. Pass 1 hashes every key
 * and reads its directory entry (the directory is small and stays cached); pass 2 touches
 * every key's first probed slot (independent loads: the CPU keeps many misses in flight);
 * pass 3 probes each bucket, now cached, and keeps the first candidate; pass 4 touches
 * the first two cache lines of every candidate's group; pass 5 decodes. A candidate that
 * turns out not to be the key (a fingerprint collision, or a slot spent after v holding
 * another key) is finished by lookupCoin, which probes the bucket again from the start.
 *
 * Races: the same reads as lookupCoin (directory entry and ref with Atomics.load, slots
 * with plain reads) and the same reasoning applies to each. Between pass 3 and pass 5 a
 * compaction may repoint the slot to a copy of the group: the ref read in pass 3 stays
 * valid, because the old copy stays mapped and unchanged until no reader pins a version
 * older than the move, and this reader pins v. The touching loads of passes 2 and 4 are
 * plain reads whose values are discarded: the second line of a group may hold the start
 * of a later group that the writer is filling right now (a racy read of shared memory
 * returns some value, never faults, and that value is not used).
 */
export function lookupMany(t: TableViews, salt0: number, salt1: number, scale: number, sc: ManyScratch, keys: readonly OutPointKey[], v: number, out: (Coin | undefined)[]): void {
  const n = keys.length;
  sc.ensure(n);
  out.length = n;
  const key = sc.key;
  const baseA = sc.base;
  const segA = sc.seg;
  const refA = sc.ref;
  const kA = sc.k;
  const h = sc.h;
  const i0 = t.idx[0]!;
  const dw = Atomics.load(i0, W_DIR);
  const dirPage = dw >>> 5;
  const depth = dw & 31;
  const dirBase = (dirPage & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
  const dirSeg = dirPage >>> PAGES_PER_SEGMENT_SHIFT;
  for (let i = 0; i < n; i++) {
    const kk = keys[i]!;
    if (kk.txid.length !== 32) {
      baseA[i] = -1;
      continue;
    }
    hashKey(kk.txid, 0, kk.vout, salt0, salt1, h);
    const o = i * 10;
    for (let j = 0; j < 10; j++) key[o + j] = h[j]!;
    const dword = dirBase + dirIndex(h[0]!, depth, scale);
    const page = Atomics.load(t.words(dirSeg, dword), dword);
    baseA[i] = (page & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
    segA[i] = page >>> PAGES_PER_SEGMENT_SHIFT;
  }
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const base = baseA[i]!;
    if (base < 0) continue;
    acc ^= t.words(segA[i]!, base + 127)[base + ((key[i * 10]! & BUCKET_MASK) << 1) + 1]!;
  }
  for (let i = 0; i < n; i++) {
    refA[i] = 0;
    const base = baseA[i]!;
    if (base < 0) continue;
    const arr = t.words(segA[i]!, base + 127);
    const h1 = key[i * 10]!;
    const fp = key[i * 10 + 1]! >>> 7;
    let s = h1 & BUCKET_MASK;
    for (let m = 0; m < BUCKET_SLOTS; m++) {
      const o = base + (s << 1);
      const ref = arr[o + 1]!;
      if (ref === REF_EMPTY) break;
      if (ref !== REF_TOMB) {
        const w0 = arr[o]!;
        if (w0 >= 0 ? w0 >>> K_BITS === fp : ((w0 >>> K_BITS) & V_MASK) > v) {
          const r = Atomics.load(arr, o + 1);
          if (r !== REF_TOMB) {
            refA[i] = r;
            kA[i] = w0 & K_MASK;
            break;
          }
        }
      }
      s = (s + 1) & BUCKET_MASK;
    }
  }
  for (let i = 0; i < n; i++) {
    const r = refA[i]!;
    if (r === 0) continue;
    const gw = r & UNIT_MASK;
    const last = gw | (CHUNK_UNITS - 1);
    const hw = t.heapWords(r >>> UNITS_PER_SEGMENT_SHIFT, last);
    // the header and a first record span up to about 80 bytes from a 4-byte aligned
    // start: touch the following cache line too
    acc ^= hw[gw]! ^ hw[gw + 16 > last ? last : gw + 16]!;
  }
  sc.touched = acc;
  for (let i = 0; i < n; i++) {
    const r = refA[i]!;
    if (r === 0) {
      out[i] = undefined;
      continue;
    }
    const kk = keys[i]!;
    out[i] = readRecord(t, r, kA[i]!, key, i * 10 + 2, kk.vout, v) ?? lookupCoin(t, salt0, salt1, scale, h, kk.txid, kk.vout, v);
  }
}


/** A pinned, immutable view of the UTXO set at one version. Release it when done. */
export class Snapshot implements CoinView {
  private released = false;
  constructor(private readonly r: UtxoReader, readonly version: number, private readonly slot: number) {}
  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    if (this.released) throw new Error('UTXO snapshot used after release()');
    return this.r.lookup(txid, vout, this.version);
  }
  /**
   * getCoin for many outpoints at once (e.g. a transaction's prevouts): out[i] is the coin
   * of outpoints[i] or undefined. Cheaper per lookup than getCoin in a loop: the cache
   * misses of different outpoints overlap (lookupMany). `out` is reused when given.
   */
  getMany(outpoints: readonly OutPointKey[], out: (Coin | undefined)[] = []): (Coin | undefined)[] {
    if (this.released) throw new Error('UTXO snapshot used after release()');
    this.r.lookupMany(outpoints, this.version, out);
    return out;
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.r.unpin(this.slot);
  }
}

/** Maps a UtxoSet's shared memory (in a worker or anywhere) and pins snapshots. */
export class UtxoReader {
  private readonly h = new Int32Array(10);
  private readonly many = new ManyScratch();
  private readonly salt0: number;
  private readonly salt1: number;
  private readonly scale: number;
  private hint = 0;
  private constructor(readonly views: TableViews, private readonly slots: ReaderSlots) {
    const i0 = views.idx[0]!;
    if (i0[W_MAGIC] !== MAGIC) throw new Error('UtxoReader.attach: not a UTXO table');
    this.salt0 = i0[W_SALT0]!;
    this.salt1 = i0[W_SALT1]!;
    this.scale = i0[W_SCALE]!;
  }

  /**
   * Maps the table. `slots`: the reader slots this reader pins in (default: the shared
   * range); a validation worker gets a range of its own (see SHARED_READER_SLOTS).
   */
  static attach(shared: UtxoShared, slots: ReaderSlots = { from: 0, count: SHARED_READER_SLOTS }): UtxoReader {
    if (!(slots.from >= 0 && slots.count > 0 && slots.from + slots.count <= READER_SLOTS)) throw new RangeError('UtxoReader.attach: bad reader slot range');
    return new UtxoReader(new TableViews(shared), slots);
  }

  /** The latest published version. */
  get version(): number {
    return Atomics.load(this.views.idx[0]!, W_VERSION);
  }

  /**
   * Pins the latest version: claims a reader slot, stores the version in it and
   * re-reads VERSION until they agree. The writer stores VERSION before scanning the
   * slots, so once the re-read agrees, every later scan sees this pin (sequentially
   * consistent Atomics); if it moved, nothing was yet read under the stale pin.
   */
  pin(): Snapshot {
    const i0 = this.views.idx[0]!;
    let v = Atomics.load(i0, W_VERSION);
    let slot = -1;
    const { from, count } = this.slots;
    for (let k = 0; k < count; k++) {
      const j = from + ((this.hint + k) % count);
      if (Atomics.compareExchange(i0, W_READER_SLOTS + j, 0, v + 1) === 0) {
        slot = j;
        this.hint = j - from + 1;
        break;
      }
    }
    if (slot < 0) throw new Error(`UtxoReader.pin: all ${count} reader slots of this reader are in use`);
    for (;;) {
      const now = Atomics.load(i0, W_VERSION);
      if (now === v) break;
      v = now;
      Atomics.store(i0, W_READER_SLOTS + slot, v + 1);
    }
    return new Snapshot(this, v, slot);
  }

  /** @internal */
  unpin(slot: number): void {
    Atomics.store(this.views.idx[0]!, W_READER_SLOTS + slot, 0);
  }

  /** @internal lookupMany at a pinned version. */
  lookupMany(keys: readonly OutPointKey[], v: number, out: (Coin | undefined)[]): void {
    lookupMany(this.views, this.salt0, this.salt1, this.scale, this.many, keys, v, out);
  }

  /** @internal lookup at a pinned version. */
  lookup(txid: Uint8Array, vout: number, v: number): Coin | undefined {
    return lookupCoin(this.views, this.salt0, this.salt1, this.scale, this.h, txid, vout, v);
  }

  /**
   * Blocks until the published version differs from `seen` or `timeoutMs` passes; returns
   * the version then. Uses Atomics.wait: call it only inside a worker, never on a main
   * thread.
   */
  waitForVersion(seen: number, timeoutMs: number): number {
    Atomics.wait(this.views.idx[0]!, W_VERSION, seen, timeoutMs);
    return this.version;
  }
}
