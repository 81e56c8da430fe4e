/**
 * The block header tree stored column by column (what Core keeps as one CBlockIndex per
 * header): the 80 header bytes in one growable buffer, the 32-byte hashes in another, typed
 * arrays for height, parent, skip pointer (CBlockIndex::pskip), status bits, block sequence
 * (nSequenceId), cached median time past and chain work (256 bits, eight 32-bit words), and an
 * open-addressing table from a hash to its header's number. A header is named by that number;
 * headers are only appended (truncate() undoes a failed batch). About 180 bytes a header.
 */
import { blockProof, type BlockHeader } from '../primitives/block.ts';
import { fromHex, hashToHex, readU32LE } from '../primitives/bytes.ts';

/** No header (a parent of genesis, a hash not found). */
export const NONE = -1;
/** In the chain state's block index: its block was accepted, or its header restored as connected. */
export const ACCEPTED = 1;
/** Connected to the active chain at least once (BLOCK_VALID_SCRIPTS). */
export const CONNECTED = 2;
/** The chain state found its block, or an ancestor's, invalid (BLOCK_FAILED_VALID / CHILD). */
export const FAILED = 4;
/** The header tree marked it, or an ancestor, invalid: its block failed as a peer sent it. */
export const HEADER_FAILED = 8;

/** Number of blocks in the median-time-past window (CBlockIndex::nMedianTimeSpan). */
const MEDIAN_TIME_SPAN = 11;
const WORK_WORDS = 8;
/** A hash as hashToHex writes it. */
const HASH_HEX = /^[0-9a-f]{64}$/;

/** Core's GetSkipHeight: the height the skip pointer of a block at `height` points to. */
function skipHeight(height: number): number {
  if (height < 2) return 0;
  const invertLowestOne = (n: number) => n & (n - 1);
  return height & 1 ? invertLowestOne(invertLowestOne(height - 1)) + 1 : invertLowestOne(height);
}

export class HeaderStore {
  count = 0;
  /** Headers with the ACCEPTED bit. */
  accepted = 0;
  private cap = 0;
  private raw = new Uint8Array(0);
  private hashes = new Uint8Array(0);
  private heights = new Int32Array(0);
  private parents = new Int32Array(0);
  private skips = new Int32Array(0);
  private flags = new Uint8Array(0);
  private seqs = new Int32Array(0);
  private mtps = new Uint32Array(0);
  private work = new Uint32Array(0);
  /** Header number + 1 by hash (0: empty slot), linear probing, at most half full. */
  private table = new Int32Array(0);

  constructor(capacity = 1024) {
    this.grow(capacity);
  }

  private grow(cap: number): void {
    const widen = <T extends Uint8Array | Int32Array | Uint32Array>(old: T, make: (n: number) => T, per: number): T => {
      const a = make(cap * per);
      a.set(old);
      return a;
    };
    this.raw = widen(this.raw, (n) => new Uint8Array(n), 80);
    this.hashes = widen(this.hashes, (n) => new Uint8Array(n), 32);
    this.heights = widen(this.heights, (n) => new Int32Array(n), 1);
    this.parents = widen(this.parents, (n) => new Int32Array(n), 1);
    this.skips = widen(this.skips, (n) => new Int32Array(n), 1);
    this.flags = widen(this.flags, (n) => new Uint8Array(n), 1);
    this.seqs = widen(this.seqs, (n) => new Int32Array(n), 1);
    this.mtps = widen(this.mtps, (n) => new Uint32Array(n), 1);
    this.work = widen(this.work, (n) => new Uint32Array(n), WORK_WORDS);
    this.cap = cap;
    this.rehash(this.count, cap * 2);
  }

  /** Rebuilds the hash table over headers 0..n-1 with `slots` slots (a power of two). */
  private rehash(n: number, slots: number): void {
    let size = 1;
    while (size < slots) size *= 2;
    this.table = new Int32Array(size);
    for (let i = 0; i < n; i++) this.table[this.slot(this.hashes, 32 * i)] = i + 1;
  }

  /** The slot of a hash: its own, or the empty one where it would go. */
  private slot(key: Uint8Array, off: number): number {
    const mask = this.table.length - 1;
    // Internal byte order: the first bytes of a block hash are the least significant, uniform.
    let s = readU32LE(key, off) & mask;
    for (;;) {
      const v = this.table[s]!;
      if (v === 0 || this.sameHash(v - 1, key, off)) return s;
      s = (s + 1) & mask;
    }
  }

  private sameHash(i: number, key: Uint8Array, off: number): boolean {
    const h = this.hashes, o = 32 * i;
    for (let k = 0; k < 32; k++) if (h[o + k] !== key[off + k]) return false;
    return true;
  }

  /** The header with this hash (internal byte order), or NONE. */
  find(hash: Uint8Array): number {
    return this.table[this.slot(hash, 0)]! - 1;
  }

  /** The header with this display-order hex hash, or NONE (also for a string that is no hash). */
  findHex(hex: string): number {
    if (!HASH_HEX.test(hex)) return NONE;
    return this.find(fromHex(hex).reverse());
  }

  /** Appends a header (80 bytes, its hash) under `parent` (NONE for genesis); returns its number. */
  add(raw: Uint8Array, hash: Uint8Array, parent: number): number {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const i = this.count++;
    this.raw.set(raw.subarray(0, 80), 80 * i);
    this.hashes.set(hash, 32 * i);
    this.table[this.slot(hash, 0)] = i + 1;
    const height = parent === NONE ? 0 : this.heights[parent]! + 1;
    this.heights[i] = height;
    this.parents[i] = parent;
    this.skips[i] = parent === NONE ? NONE : this.ancestor(parent, skipHeight(height));
    this.flags[i] = 0;
    this.seqs[i] = 0;
    this.mtps[i] = 0;
    this.setWork(i, (parent === NONE ? 0n : this.workOf(parent)) + blockProof(this.bits(i)));
    return i;
  }

  /** Drops the headers numbered n and above (undoing a batch that failed). */
  truncate(n: number): void {
    for (let i = n; i < this.count; i++) if (this.flags[i]! & ACCEPTED) this.accepted--;
    this.count = n;
    this.rehash(n, this.cap * 2);
  }

  height(i: number): number {
    return this.heights[i]!;
  }
  parent(i: number): number {
    return this.parents[i]!;
  }
  status(i: number): number {
    return this.flags[i]!;
  }
  setStatus(i: number, bits: number): void {
    const was = this.flags[i]!;
    this.accepted += (bits & ACCEPTED) - (was & ACCEPTED);
    this.flags[i] = bits;
  }
  sequence(i: number): number {
    return this.seqs[i]!;
  }
  setSequence(i: number, seq: number): void {
    this.seqs[i] = seq;
  }
  bits(i: number): number {
    return readU32LE(this.raw, 80 * i + 72);
  }
  time(i: number): number {
    return readU32LE(this.raw, 80 * i + 68);
  }
  /** A copy of the header's hash, internal byte order. */
  hash(i: number): Uint8Array {
    return this.hashes.slice(32 * i, 32 * i + 32);
  }
  hashHex(i: number): string {
    return hashToHex(this.hashes.subarray(32 * i, 32 * i + 32));
  }
  /** Copies the 80 header bytes into `dst` at `off`. */
  copyRaw(i: number, dst: Uint8Array, off: number): void {
    dst.set(this.raw.subarray(80 * i, 80 * i + 80), off);
  }
  /** Copies of the 80-byte headers of heights 1..height(i) of header i's branch. */
  branchHeaders(i: number): Uint8Array[] {
    const out: Uint8Array[] = new Array(this.heights[i]!);
    for (let x = i; this.heights[x]! > 0; x = this.parents[x]!) out[this.heights[x]! - 1] = this.rawHeader(x);
    return out;
  }
  /** A copy of the 80 header bytes. */
  rawHeader(i: number): Uint8Array {
    return this.raw.slice(80 * i, 80 * i + 80);
  }
  /** The decoded header (fields read from the stored bytes, the hash not recomputed). */
  header(i: number): BlockHeader {
    const raw = this.rawHeader(i);
    return {
      version: readU32LE(raw, 0) | 0, prevHash: raw.subarray(4, 36), merkleRoot: raw.subarray(36, 68),
      time: readU32LE(raw, 68), bits: readU32LE(raw, 72), nonce: readU32LE(raw, 76), raw, hash: this.hash(i),
    };
  }

  workOf(i: number): bigint {
    let v = 0n;
    for (let k = WORK_WORDS - 1; k >= 0; k--) v = (v << 32n) | BigInt(this.work[WORK_WORDS * i + k]!);
    return v;
  }
  private setWork(i: number, v: bigint): void {
    for (let k = 0; k < WORK_WORDS; k++, v >>= 32n) this.work[WORK_WORDS * i + k] = Number(v & 0xffffffffn);
  }
  /** Chain work of a against b: negative, zero or positive. */
  compareWork(a: number, b: number): number {
    const w = this.work;
    for (let k = WORK_WORDS - 1; k >= 0; k--) {
      const x = w[WORK_WORDS * a + k]!, y = w[WORK_WORDS * b + k]!;
      if (x !== y) return x - y;
    }
    return 0;
  }

  /** GetAncestor: the ancestor of header i at `height` (i itself at its own height), or NONE. */
  ancestor(i: number, height: number): number {
    let walk = this.heights[i]!;
    if (height > walk || height < 0) return NONE;
    while (walk > height) {
      const hs = skipHeight(walk), hsPrev = skipHeight(walk - 1);
      if (this.skips[i]! !== NONE && (hs === height || (hs > height && !(hsPrev < hs - 2 && hsPrev >= height)))) {
        i = this.skips[i]!;
        walk = hs;
      } else {
        i = this.parents[i]!;
        walk--;
      }
    }
    return i;
  }

  /** GetMedianTimePast: the median of the header's and its 10 predecessors' timestamps. */
  medianTimePast(i: number): number {
    const cached = this.mtps[i]!;
    if (cached !== 0) return cached;
    const times: number[] = [];
    for (let x = i, n = 0; n < MEDIAN_TIME_SPAN && x !== NONE; n++, x = this.parents[x]!) times.push(this.time(x));
    times.sort((a, b) => a - b);
    const mtp = times[Math.floor(times.length / 2)]!;
    this.mtps[i] = mtp;
    return mtp;
  }

  /**
   * Adds status `bit` to header i and to its descendants that have every bit of `among`
   * (found by ancestry: the tree has no child links; a descendant is numbered after i).
   */
  markBranch(i: number, bit: number, among: number): void {
    this.setStatus(i, this.flags[i]! | bit);
    const h = this.heights[i]!;
    for (let x = i + 1; x < this.count; x++) {
      if ((this.flags[x]! & among) === among && this.heights[x]! > h && this.ancestor(x, h) === i) this.setStatus(x, this.flags[x]! | bit);
    }
  }

  /** LastCommonAncestor, or NONE for headers that share no genesis. */
  fork(a: number, b: number): number {
    const ha = this.heights[a]!, hb = this.heights[b]!;
    if (ha > hb) a = this.ancestor(a, hb);
    else if (hb > ha) b = this.ancestor(b, ha);
    // Aligned heights: a and b reach NONE together when they share no genesis.
    while (a !== b) {
      a = this.parents[a]!;
      b = this.parents[b]!;
    }
    return a;
  }
}
