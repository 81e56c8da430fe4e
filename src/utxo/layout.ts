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
 *    word 0  MAGIC            'utx2'
 *    word 1  VERSION          published version (Atomics.store by the writer, last)
 *    word 2  DIR              directory page << 5 | global depth (Atomics)
 *    word 3  SALT0            \ secret per-process hash salt (written before sharing)
 *    word 4  SALT1            /
 *    word 5  COUNT            live coins at VERSION (informative)
 *    word 6  SLOTS            number of reader slots
 *    word 7  SCALE            directory scale S, 1..255 (written before sharing)
 *    words 1024..1024+SLOTS-1 reader slots: 0 = free, else pinned version + 1 (Atomics)
 *                             [0, 512) any reader; [512, 1024) one range per validation worker
 *  pages 16..   directory pages and bucket pages
 *
 *  directory (S * 2^depth Int32 words, contiguous pages): dir[i] = bucket page for the
 *  hashes x = h1 >>> 1 with floor(x * S * 2^depth / 2^31) = i (dirIndex). Extendible
 *  hashing over S * 2^depth ranges: a bucket of local depth d is referenced by 2^(depth-d)
 *  consecutive aligned entries, and splits by the parity of its keys' index at depth d+1.
 *  S = 1 except for a set presized for a snapshot load (any bucket count, not only 2^d).
 *
 *  bucket page: 64 slots x 2 words, probed linearly from (h1 & 63), wrapping:
 *    +----------------------------------------------------------------+
 *    | w0: live:  0 | fp (h2 >>> 7, 25 bits) | k (6 bits)              |
 *    |     spent: 1 | spent version (25 bits) | k (6 bits)            |
 *    | w1: heap unit of the coin's group header; 0 = empty (ends a     |
 *    |     probe), -1 = TOMB (reclaimed, keep probing)                 |
 *    +----------------------------------------------------------------+
 *   k is the coin's record index in its group. A slot moves only forward:
 *   empty -> live(fp, k, ref) -> spent(v, k) -> TOMB; the ref may change (compaction
 *   moves the group) but always to a copy where record k has the same content. Slots are
 *   never reused; pages full of TOMBs are rebuilt into fresh pages. Versions are < 2^25.
 *
 *  HEAP (1 MiB chunks; a group never crosses a chunk)
 *   group at unit G (4-byte aligned), header then records, all byte-packed:
 *    +0   txid, 32 bytes (internal order)
 *    +32  n, 1 byte: records that follow (1..64)
 *    +33  VARINT(created version)             (Core VARINT, compress.ts)
 *         VARINT(height*2 + coinbase)
 *         record 0 .. record n-1, back to back, then pad to 4
 *   record: tag byte = kind << 4 | amount code; tag 0xff = DEAD (1 byte, a placeholder
 *           left by compaction so that the other records keep their index k)
 *         VARINT(vout)
 *         amount: code 0..8: CompressAmount(value) in `code` bytes, little endian;
 *                 code 9..15: the value itself in code-8 (1..7) bytes, little endian
 *                 (the writer picks the shorter; the raw value on a tie: cheaper reads)
 *         kind: 0 P2PKH, 1 P2SH, 2/3 P2PK compressed (Core's CompressScript cases, same
 *               payloads), 6 P2WPKH, 7 P2WSH, 8 P2TR, 9 raw, 10 P2PK uncompressed with
 *               x||y kept (no square root on reads; Core's 4/5 are never stored)
 *         payload: 20 bytes (0, 1, 6), 32 bytes (2, 3, 7, 8), 64 bytes (10),
 *                  or VARINT(len) + bytes (9)
 *   Groups are written once and never modified while reachable.
 *
 * Visibility for a reader pinned at version v: a slot's coin is visible iff
 * created <= v and (w0 >= 0 or spent version > v).
 *
 * Publication order (writer): group bytes, then slot w0, then Atomics.store(slot w1);
 * spend: Atomics.store(w0, SPENT|v|k); structure changes (page split, directory doubling,
 * group moves) write the new structure fully before one Atomics.store links it; the
 * batch ends with Atomics.store(VERSION). Unlinked pages and chunks are retired with the
 * next version number and reused only when every pinned reader is at or past it.
 * Readers scan slots with plain reads (every slot they may see was published before the
 * VERSION they pinned) and Atomics.load the ref of a candidate before reading its group.
 */

export const MAGIC = 0x75747832; // 'utx2'

// ---- index space
export const PAGE_BYTES = 512;
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
export const W_SCALE = 7;
export const W_READER_SLOTS = 1024;
export const READER_SLOTS = 1024;
/**
 * Reader slots [0, SHARED_READER_SLOTS) are for any reader; the rest are handed out in
 * ranges, one per validation worker, so the slots of a worker that died holding a pin can
 * be freed by whoever replaces it (UtxoSet.releaseReaderSlots).
 */
export const SHARED_READER_SLOTS = 512;

export const MAX_DEPTH = 26;

export const BUCKET_SLOTS = 64;
export const BUCKET_MASK = 63;
/** Split or rebuild a bucket once this many slots are non-empty (93.75%). */
export const BUCKET_FULL = 60;

export const SPENT_BIT = 0x80000000 | 0;
/** w0 >>> K_BITS & V_MASK: fingerprint (live) or spent version; w0 & K_MASK: record index. */
export const K_BITS = 6;
export const K_MASK = 63;
export const V_MASK = 0x1ffffff;
/** Largest version (25 bits in a spent slot). */
export const MAX_VERSION = V_MASK;
/** Directory scale S is at most this (S * 2^31 stays exact in a double product). */
export const MAX_SCALE = 255;
export const REF_EMPTY = 0;
export const REF_TOMB = -1;

// ---- heap space
const UNIT_BYTES = 4;
export const UNITS_PER_SEGMENT_SHIFT = 28;
const UNITS_PER_SEGMENT = 1 << UNITS_PER_SEGMENT_SHIFT;
export const UNIT_MASK = UNITS_PER_SEGMENT - 1;
export const HEAP_SEGMENT_BYTES = UNITS_PER_SEGMENT * UNIT_BYTES;
/** Heap unit addresses are u32 and -1 is TOMB: at most 16 segments (16 GiB). */
export const MAX_HEAP_SEGMENTS = 16;
export const CHUNK_UNITS_SHIFT = 18; // 1 MiB
export const CHUNK_UNITS = 1 << CHUNK_UNITS_SHIFT;
export const CHUNK_BYTES = CHUNK_UNITS * UNIT_BYTES;

export const GROUP_N = 32;
export const GROUP_VARINTS = 33;
/** Records per group header at most (k has 6 bits). */
export const GROUP_MAX_RECORDS = 64;
/** A group is closed before its records pass this many bytes (small chunk tails). */
export const GROUP_MAX_BYTES = 32768;

export const TAG_DEAD = 0xff;
/** Amount codes 0..8: CompressAmount in that many bytes; 9..15: raw value in code-8 bytes. */
export const AMOUNT_RAW_CODE = 9;
export const AMOUNT_BYTES = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7]);
/** Fixed payload bytes per kind (9 raw: VARINT(len) then len bytes; 4, 5, 11..14 unused). */
export const PAYLOAD_BYTES = new Uint8Array([20, 20, 32, 32, 32, 32, 20, 32, 32, 0, 64, 0, 0, 0, 0, 0]);
/**
 * Bytes of a record after its tag and vout for tags of fixed-size kinds (amount + payload),
 * 0 for raw and DEAD tags (see recordEnd).
 */
const TAG_FIXED = new Uint8Array(256);
for (let t = 0; t < 255; t++) TAG_FIXED[t] = AMOUNT_BYTES[t & 15]! + PAYLOAD_BYTES[t >>> 4]!;

/** Byte offset just past the record at p (trusted data). */
export function recordEnd(b: Uint8Array, p: number): number {
  const tag = b[p]!;
  if (tag === TAG_DEAD) return p + 1;
  p++;
  while (b[p++]! & 0x80);
  if (tag >>> 4 !== 9) return p + TAG_FIXED[tag]!;
  p += AMOUNT_BYTES[tag & 15]!;
  let len = 0;
  for (;;) {
    const ch = b[p++]!;
    len = len * 128 + (ch & 0x7f);
    if (ch & 0x80) len++;
    else break;
  }
  return p + len;
}

/** Number of bytes holding x (0 for 0), x a non-negative safe integer. */
export function byteLength(x: number): number {
  let n = 0;
  while (x >= 1) {
    x = Math.floor(x / 256);
    n++;
  }
  return n;
}

/**
 * The key hash: two 32-bit lanes over the 8 txid words, then vout, seeded with the secret
 * salt (two 30-bit words; murmur3-style rounds, fmix32 finaliser). h1 picks the directory
 * entry (top bits) and the first slot (low 6 bits); h2 >>> 7 is the fingerprint. The txid
 * is absorbed first so that the writer hashes a group's txid once (hashTxid) and finishes
 * each of its coins with hashFinish. out[0] = h1, out[1] = h2; hashKey and hashTxid also
 * leave the 8 little-endian txid words in out[2..9] (out has 10 elements) for the
 * reader's key compare.
 */
export function hashKey(t: Uint8Array, o: number, vout: number, salt0: number, salt1: number, out: Int32Array): void {
  hashTxid(t, o, salt0, salt1, out);
  hashFinish(out[0]!, out[1]!, vout, out);
}

/** The txid part of the key hash: the two lanes' state in out[0], out[1], words in out[2..9]. */
export function hashTxid(t: Uint8Array, o: number, salt0: number, salt1: number, out: Int32Array): void {
  let a = salt0;
  let b = salt1;
  for (let i = 0; i < 32; i += 4) {
    const w = t[o + i]! | (t[o + i + 1]! << 8) | (t[o + i + 2]! << 16) | (t[o + i + 3]! << 24);
    out[2 + (i >>> 2)] = w;
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
  out[0] = a;
  out[1] = b;
}

/** The same as hashTxid, a separate copy for txids read from the heap (monomorphic element access). */
function hashTxidHeap(t: Uint8Array, o: number, salt0: number, salt1: number, out: Int32Array): void {
  let a = salt0;
  let b = salt1;
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
  out[0] = a;
  out[1] = b;
}

/** Absorbs vout into the txid state (a, b) and finalises: out[0] = h1, out[1] = h2. */
export function hashFinish(a: number, b: number, vout: number, out: Int32Array): void {
  let k = Math.imul(vout, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  a ^= k;
  a = (a << 13) | (a >>> 19);
  a = (Math.imul(a, 5) + 0xe6546b64) | 0;
  b ^= Math.imul(vout ^ 0x5bd1e995, 0x85ebca6b);
  b = (b << 17) | (b >>> 15);
  b = (Math.imul(b, 0x2c1b3c6d) + 0x297a2d39) | 0;
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

/** hashKey for keys read from the heap. */
export function hashKeyHeap(t: Uint8Array, o: number, vout: number, salt0: number, salt1: number, out: Int32Array): void {
  hashTxidHeap(t, o, salt0, salt1, out);
  hashFinish(out[0]!, out[1]!, vout, out);
}

const INV_POW2 = Array.from({ length: 32 }, (_, j) => 2 ** -j);
/**
 * Directory index for hash h1 at depth d with scale S: floor((h1 >>> 1) * S * 2^d / 2^31),
 * exact in doubles ((h1 >>> 1) * S < 2^39). Index(d + 1) >>> 1 === index(d), as extendible
 * hashing needs.
 */
export function dirIndex(h1: number, depth: number, scale: number): number {
  return Math.floor((h1 >>> 1) * scale * INV_POW2[31 - depth]!);
}

/** What a worker needs to map the same table (structured-cloneable). */
export interface UtxoShared {
  readonly index: SharedArrayBuffer[];
  readonly heap: SharedArrayBuffer[];
}
