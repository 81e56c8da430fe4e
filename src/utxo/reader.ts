/**
 * Lock-free readers of the shared UTXO table (layout.ts): map the segments posted by the
 * writer (UtxoSet.shared()), pin a version, look coins up without locks or copies of the
 * table. Works in any worker or on the thread that owns the writer.
 */
import type { Coin, CoinView } from './coin.ts';
import { ByteSlab, decompressAmount, expandScript, KIND_RAW } from './compress.ts';
import {
  BUCKET_MASK, BUCKET_SLOTS, FP_MASK, GROUP_CREATED, GROUP_VARINTS, MAGIC, PAGES_PER_SEGMENT, PAGES_PER_SEGMENT_SHIFT,
  PAGE_SHIFT_WORDS, READER_SLOTS, REF_EMPTY, REF_TOMB, UNITS_PER_SEGMENT_SHIFT, UNIT_MASK, W_DIR, W_MAGIC,
  W_READER_SLOTS, W_SALT0, W_SALT1, W_VERSION, dirIndex, hashKey, type UtxoShared,
} from './layout.ts';

const EMPTY = new Uint8Array(0);
/** Scripts returned by lookups are views on slabs (cheap small allocations everywhere). */
const slab = new ByteSlab();

/** Typed-array views over segmented growable SABs, refreshed when the writer has grown them. */
export class TableViews {
  readonly idx: Int32Array[];
  readonly heap: Uint8Array[];
  constructor(readonly shared: UtxoShared) {
    this.idx = shared.index.map((s) => new Int32Array(s, 0, s.byteLength >> 2));
    this.heap = shared.heap.map((s) => new Uint8Array(s, 0, s.byteLength));
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
}

/** Continues a VARINT past 2^45 in bigint (huge in-memory amounts); returns [value, nextPos]. */
function readAmountVarInt(b: Uint8Array, p: number, start: number): [number | bigint, number] {
  let x = BigInt(start);
  for (;;) {
    const c = b[p++]!;
    x = (x << 7n) | BigInt(c & 0x7f);
    if (c & 0x80) x++;
    else return [x <= 2n ** 53n ? Number(x) : x, p];
  }
}

/**
 * The lookup every reader and the writer use. `v` is the pinned version. `h` is scratch
 * space for the two hash lanes. Returns the coin visible at v, if any.
 *
 * Races (all benign by construction, see layout.ts):
 *  - the DIR word and directory entries are read with Atomics.load; an entry may point to
 *    a page the writer has just replaced: the old page is frozen, still mapped (retired
 *    pages are reused only once no reader pins an older version) and exact for every
 *    version up to the one that replaced it, which is newer than v;
 *  - slot w1 (ref) is read with Atomics.load before w0, so the record and w0 written
 *    before the ref's Atomics.store are visible; w0 may turn to SPENT|s concurrently
 *    (a word-sized, tear-free store), with s > v (spends of versions <= v were
 *    published before this reader pinned);
 *  - a ref may be replaced by the ref of a moved copy; the old record stays mapped until
 *    no reader pins a version older than the move.
 */
export function lookupCoin(t: TableViews, salt0: number, salt1: number, h: Int32Array, txid: Uint8Array, vout: number, v: number): Coin | undefined {
  if (txid.length !== 32) return undefined;
  hashKey(txid, 0, vout, salt0, salt1, h);
  const h1 = h[0]!;
  const fp = h[1]! & FP_MASK;
  const i0 = t.idx[0]!;
  const dw = Atomics.load(i0, W_DIR);
  const dirPage = dw >>> 5;
  const dword = ((dirPage & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS) + dirIndex(h1, dw & 31);
  const page = Atomics.load(t.words(dirPage >>> PAGES_PER_SEGMENT_SHIFT, dword), dword);
  const base = (page & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
  const arr = t.words(page >>> PAGES_PER_SEGMENT_SHIFT, base + 127);
  let s = h1 & BUCKET_MASK;
  for (let n = 0; n < BUCKET_SLOTS; n++) {
    const o = base + (s << 1);
    const ref = Atomics.load(arr, o + 1);
    if (ref === REF_EMPTY) return undefined;
    if (ref !== REF_TOMB) {
      // plain read: ordered after the Atomics.load of the ref, which synchronizes with the
      // writer's publishing store (w0 was written before it, or later as SPENT|s)
      const w0 = arr[o]!;
      if (w0 >= 0 ? w0 === fp : (w0 & FP_MASK) > v) {
        const c = readRecord(t, ref, txid, vout, v);
        if (c !== undefined) return c;
      }
    }
    s = (s + 1) & BUCKET_MASK;
  }
  return undefined;
}

/** Decodes the record at heap unit `ref` if its key is (txid, vout) and it was created by v. */
function readRecord(t: TableViews, ref: number, txid: Uint8Array, vout: number, v: number): Coin | undefined {
  const off = (ref & UNIT_MASK) << 2;
  const b = t.bytes(ref >>> UNITS_PER_SEGMENT_SHIFT, off + 3);
  // back distance and vout
  let p = off;
  let back = 0;
  for (;;) {
    const ch = b[p++]!;
    back = back * 128 + (ch & 0x7f);
    if (ch & 0x80) back++;
    else break;
  }
  let rv = 0;
  for (;;) {
    const ch = b[p++]!;
    rv = rv * 128 + (ch & 0x7f);
    if (ch & 0x80) rv++;
    else break;
  }
  if (rv !== vout) return undefined;
  const g = off - back * 4;
  for (let i = 0; i < 32; i++) if (b[g + i] !== txid[i]) return undefined;
  const created = (b[g + GROUP_CREATED]! | (b[g + GROUP_CREATED + 1]! << 8) | (b[g + GROUP_CREATED + 2]! << 16) | (b[g + GROUP_CREATED + 3]! << 24)) >>> 0;
  if (created > v) return undefined;
  let q = g + GROUP_VARINTS;
  let code = 0;
  for (;;) {
    const ch = b[q++]!;
    code = code * 128 + (ch & 0x7f);
    if (ch & 0x80) code++;
    else break;
  }
  // the compressed amount (a VARINT that may exceed 2^53 for huge values)
  let ca: number | bigint = 0;
  for (;;) {
    const ch = b[p]!;
    if (ca >= 2 ** 45) {
      [ca, p] = readAmountVarInt(b, p, ca);
      break;
    }
    p++;
    ca = ca * 128 + (ch & 0x7f);
    if (ch & 0x80) ca++;
    else break;
  }
  const kind = b[p++]!;
  let script: Uint8Array;
  if (kind === KIND_RAW) {
    let len = 0;
    for (;;) {
      const ch = b[p++]!;
      len = len * 128 + (ch & 0x7f);
      if (ch & 0x80) len++;
      else break;
    }
    script = slab.alloc(len);
    for (let i = 0; i < len; i++) script[i] = b[p + i]!;
  } else {
    // Core's DecompressScript leaves the script empty for an invalid uncompressed key.
    script = expandScript(kind, b, p, slab.alloc) ?? EMPTY;
  }
  return { value: decompressAmount(ca), scriptPubKey: script, height: Math.floor(code / 2), coinbase: (code & 1) === 1 };
}

/** A pinned, immutable view of the UTXO set at one version. Release it when done. */
export class Snapshot implements CoinView {
  private released = false;
  constructor(private readonly r: UtxoReader, readonly version: number, private readonly slot: number) {}
  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    if (this.released) throw new Error('UTXO snapshot used after release()');
    return this.r.lookup(txid, vout, this.version);
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.r.unpin(this.slot);
  }
}

/** Maps a UtxoSet's shared memory (in a worker or anywhere) and pins snapshots. */
export class UtxoReader {
  private readonly h = new Int32Array(2);
  private readonly salt0: number;
  private readonly salt1: number;
  private hint = 0;
  private constructor(readonly views: TableViews) {
    const i0 = views.idx[0]!;
    if (i0[W_MAGIC] !== MAGIC) throw new Error('UtxoReader.attach: not a UTXO table');
    this.salt0 = i0[W_SALT0]!;
    this.salt1 = i0[W_SALT1]!;
  }

  static attach(shared: UtxoShared): UtxoReader {
    return new UtxoReader(new TableViews(shared));
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
    for (let k = 0; k < READER_SLOTS; k++) {
      const j = (this.hint + k) % READER_SLOTS;
      if (Atomics.compareExchange(i0, W_READER_SLOTS + j, 0, v + 1) === 0) {
        slot = j;
        this.hint = j + 1;
        break;
      }
    }
    if (slot < 0) throw new Error(`UtxoReader.pin: all ${READER_SLOTS} reader slots are in use`);
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

  /** @internal lookup at a pinned version. */
  lookup(txid: Uint8Array, vout: number, v: number): Coin | undefined {
    return lookupCoin(this.views, this.salt0, this.salt1, this.h, txid, vout, v);
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
