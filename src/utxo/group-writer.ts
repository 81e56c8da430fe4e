/**
 * The group writer of the UTXO table (layout.ts): builds a group (header, then one record
 * per coin) in scratch memory, copies it to the heap in 4-byte words and links each coin
 * into the directory. The snapshot loader feeds it through RawCoinSink; UtxoSet.applyBatch
 * feeds it the adds of a batch.
 */
import { compressAmount, compressAmountNum, KIND_RAW, writeVarInt } from './compress.ts';
import type { Directory } from './directory.ts';
import type { HeapChunks } from './heap-chunks.ts';
import { byteLength, CHUNK_UNITS, GROUP_MAX_BYTES, GROUP_MAX_RECORDS, GROUP_N, GROUP_VARINTS, hashFinish, hashTxid, K_BITS, UNIT_MASK, UNITS_PER_SEGMENT_SHIFT } from './layout.ts';
import type { TableViews } from './reader.ts';

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

/** Scratch buffer that grows. */
export class Scratch {
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

export class GroupWriter implements RawCoinSink {
  /** Records of the open group, encoded (layout.ts), not yet placed. */
  private readonly gRec = new Scratch();
  /** Bytes of the open group's header at the front of gRec. */
  private gHdr = 0;
  /** Bytes of the open group built in gRec (header and records). */
  private gLen = 0;
  private gN = 0;
  private readonly gVout = new Float64Array(GROUP_MAX_RECORDS);
  private gOpen = false;
  /** The version the groups written from now on are created at. */
  created = 0;
  private readonly h = new Int32Array(10);

  constructor(
    private readonly dir: Directory,
    private readonly heap: HeapChunks,
    private readonly views: TableViews,
  ) {}

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
    this.gHdr = writeVarInt(b, writeVarInt(b, GROUP_VARINTS, this.created), code);
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
  placeGroup(): void {
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
    const gUnit = this.heap.reserve(units);
    const gw = gUnit & UNIT_MASK;
    const hw = this.views.heapWords(gUnit >>> UNITS_PER_SEGMENT_SHIFT, gw | (CHUNK_UNITS - 1));
    const src = sc.buf32;
    for (let i = 0; i < units; i++) hw[gw + i] = src[i]!;
    const h = this.h;
    const dir = this.dir;
    hashTxid(b, 0, dir.salt0, dir.salt1, h);
    const ha = h[0]!;
    const hb2 = h[1]!;
    for (let k = 0; k < n; k++) {
      hashFinish(ha, hb2, this.gVout[k]!, h);
      dir.link(h[0]!, ((h[1]! >>> 7) << K_BITS) | k, gUnit);
    }
    // the header stays in front for the rest of an open group (same txid and code)
    this.gN = 0;
    this.gLen = this.gHdr;
  }

  /** Whether the open group (of openTxid) holds an unplaced record for (txid, vout). */
  pendingInGroup(openTxid: Uint8Array, txid: Uint8Array, vout: number): boolean {
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
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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
