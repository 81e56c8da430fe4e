/**
 * The one place that defines the shared-memory layout of the UTXO table: every offset,
 * every word, the entry format and the key hash. The writer (set.ts) and the readers
 * (reader.ts) only use the names below.
 *
 * Two address spaces, each a list of growable SharedArrayBuffer segments of at most
 * 1 GiB (growable SABs are limited per buffer; segments are all created up front with
 * byteLength 0, so a worker attached once sees every later growth without messages):
 *
 *  INDEX space: 512-byte pages, Int32 words.      HEAP space: 4-byte units, bytes.
 *  page p = segment p >>> 21, word (p & 0x1fffff)*128   unit u = segment u >>> 28, byte (u & 0x0fffffff)*4
 *
 *  INDEX
 *  pages 0..15  header (8 KiB)
 *    word 0  MAGIC            'utx1'
 *    word 1  VERSION          published version (Atomics.store by the writer, last)
 *    word 2  DIR              directory page << 5 | global depth (Atomics)
 *    word 3  SALT0            \ secret per-process hash salt (written before sharing)
 *    word 4  SALT1            /
 *    word 5  COUNT            live coins at VERSION (informative)
 *    word 6  SLOTS            number of reader slots
 *    words 1024..1024+SLOTS-1 reader slots: 0 = free, else pinned version + 1 (Atomics)
 *  pages 16..   directory pages and bucket pages
 *
 *  directory (2^depth Int32 words, contiguous pages): dir[i] = bucket page for hash
 *  prefix i (the top `depth` bits of h1). Extendible hashing: a bucket of local depth d
 *  is referenced by 2^(depth-d) consecutive entries.
 *
 *  bucket page: 64 slots x 2 words, probed linearly from (h1 & 63), wrapping:
 *    +--------------------------------+--------------------------------+
 *    | w0: fingerprint (h2 & 0x7fffffff, >= 0)  or  SPENT|v (< 0)      |
 *    | w1: heap unit of the coin record; 0 = empty (ends a probe),     |
 *    |     -1 = TOMB (reclaimed, keep probing)                         |
 *    +--------------------------------+--------------------------------+
 *   A slot moves only forward: empty -> live(fp, ref) -> spent(v) -> TOMB; the ref may
 *   change (compaction moves the record) but always to a copy with the same content.
 *   Slots are never reused; pages full of TOMBs are rebuilt into fresh pages.
 *
 *  HEAP (1 MiB chunks; a group never crosses a chunk)
 *   group header at unit G (4-byte aligned):
 *    +0   txid, 32 bytes (internal order)
 *    +32  created version, u32 LE (the batch that added these coins)
 *    +36  VARINT(height*2 + coinbase)        (Core VARINT, compress.ts)
 *         VARINT(n)  coins that follow in this group
 *         pad to 4
 *   coin record at unit R > G (4-byte aligned), n of them back to back:
 *         VARINT(R - G)                       back distance to the header, in units
 *         VARINT(vout)
 *         VARINT(CompressAmount(value))
 *         kind byte: 0 P2PKH, 1 P2SH, 2/3 P2PK compressed, 4/5 P2PK uncompressed
 *                    (Core's CompressScript cases, same payloads; 4/5 are readable but
 *                    the writers store 10 instead), 6 P2WPKH, 7 P2WSH, 8 P2TR, 9 raw,
 *                    10 P2PK uncompressed with x||y kept (no square root on reads)
 *         payload: 20 bytes (0, 1, 6), 32 bytes (2..5, 7, 8), 64 bytes (10),
 *                  or VARINT(len) + bytes (9)
 *         pad to 4
 *   Group headers and records are written once and never modified while reachable.
 *
 * Visibility for a reader pinned at version v: a slot's coin is visible iff
 * created <= v and (w0 >= 0 or (w0 & 0x7fffffff) > v).
 *
 * Publication order (writer): record bytes, then slot w0, then Atomics.store(slot w1);
 * spend: Atomics.store(w0, SPENT|v); structure changes (page split, directory doubling,
 * record moves) write the new structure fully before one Atomics.store links it; the
 * batch ends with Atomics.store(VERSION). Unlinked pages and chunks are retired with the
 * next version number and reused only when every pinned reader is at or past it.
 */

export const MAGIC = 0x75747831; // 'utx1'

// ---- index space
export const PAGE_BYTES = 512;
export const PAGE_WORDS = 128;
export const PAGE_SHIFT_WORDS = 7;
/** Pages per index segment (1 GiB / 512). */
export const PAGES_PER_SEGMENT_SHIFT = 21;
export const PAGES_PER_SEGMENT = 1 << PAGES_PER_SEGMENT_SHIFT;
export const INDEX_SEGMENT_BYTES = PAGES_PER_SEGMENT * PAGE_BYTES;
export const HEADER_PAGES = 16;

export const W_MAGIC = 0;
export const W_VERSION = 1;
export const W_DIR = 2;
export const W_SALT0 = 3;
export const W_SALT1 = 4;
export const W_COUNT = 5;
export const W_SLOTS = 6;
export const W_READER_SLOTS = 1024;
export const READER_SLOTS = 1024;

/** DIR word: page << 5 | depth. */
export const DIR_DEPTH_MASK = 31;
export const MAX_DEPTH = 26;

export const BUCKET_SLOTS = 64;
export const BUCKET_MASK = 63;
/** Split or rebuild a bucket once this many slots are non-empty (87.5%). */
export const BUCKET_FULL = 56;

export const SPENT_BIT = 0x80000000 | 0;
export const FP_MASK = 0x7fffffff;
export const REF_EMPTY = 0;
export const REF_TOMB = -1;

// ---- heap space
export const UNIT_BYTES = 4;
export const UNITS_PER_SEGMENT_SHIFT = 28;
export const UNITS_PER_SEGMENT = 1 << UNITS_PER_SEGMENT_SHIFT;
export const UNIT_MASK = UNITS_PER_SEGMENT - 1;
export const HEAP_SEGMENT_BYTES = UNITS_PER_SEGMENT * UNIT_BYTES;
/** Heap unit addresses are u32 and -1 is TOMB: at most 16 segments (16 GiB). */
export const MAX_HEAP_SEGMENTS = 16;
export const CHUNK_UNITS_SHIFT = 18; // 1 MiB
export const CHUNK_UNITS = 1 << CHUNK_UNITS_SHIFT;
export const CHUNK_BYTES = CHUNK_UNITS * UNIT_BYTES;

export const GROUP_TXID = 0;
export const GROUP_CREATED = 32;
export const GROUP_VARINTS = 36;

/**
 * The key hash: two 32-bit lanes over the 8 txid words and vout, seeded with the secret
 * salt (two 30-bit words; murmur3-style rounds, fmix32 finaliser). h1 picks the directory entry (top bits)
 * and the first slot (low 6 bits); h2 is the fingerprint. Keyed so that nobody can grind
 * txids into one bucket; txids are themselves hashes, so the lanes are uniform.
 */
export function hashKey(t: Uint8Array, o: number, vout: number, salt0: number, salt1: number, out: Int32Array): void {
  let a = salt0 ^ vout;
  let b = salt1 ^ Math.imul(vout, 0x9e3779b1);
  for (let i = 0; i < 32; i += 4) {
    const w = t[o + i]! | (t[o + i + 1]! << 8) | (t[o + i + 2]! << 16) | (t[o + i + 3]! << 24);
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= Math.imul(w ^ (w >>> 16), 0x85ebca6b);
    b = (b << 17) | (b >>> 15);
    b = (Math.imul(b, 0x2c1b3c6d) + 0x297a2d39) | 0;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 15;
  b = Math.imul(b, 0x2c1b3c6d);
  b ^= b >>> 12;
  b = Math.imul(b, 0x297a2d39);
  b ^= b >>> 15;
  out[0] = a;
  out[1] = b;
}

/**
 * The same function, a separate copy for keys read from the heap (SharedArrayBuffer views)
 * so that each copy's element accesses stay monomorphic in the JIT.
 */
export function hashKeyHeap(t: Uint8Array, o: number, vout: number, salt0: number, salt1: number, out: Int32Array): void {
  let a = salt0 ^ vout;
  let b = salt1 ^ Math.imul(vout, 0x9e3779b1);
  for (let i = 0; i < 32; i += 4) {
    const w = t[o + i]! | (t[o + i + 1]! << 8) | (t[o + i + 2]! << 16) | (t[o + i + 3]! << 24);
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= Math.imul(w ^ (w >>> 16), 0x85ebca6b);
    b = (b << 17) | (b >>> 15);
    b = (Math.imul(b, 0x2c1b3c6d) + 0x297a2d39) | 0;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 15;
  b = Math.imul(b, 0x2c1b3c6d);
  b ^= b >>> 12;
  b = Math.imul(b, 0x297a2d39);
  b ^= b >>> 15;
  out[0] = a;
  out[1] = b;
}

/** Directory index for hash h1 at global depth d (0..31). */
export function dirIndex(h1: number, depth: number): number {
  return (h1 >>> 1) >>> (31 - depth);
}

/** What a worker needs to map the same table (structured-cloneable). */
export interface UtxoShared {
  readonly index: SharedArrayBuffer[];
  readonly heap: SharedArrayBuffer[];
}
