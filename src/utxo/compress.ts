/**
 * Bitcoin Core's compact encodings for coins (compressor.cpp, serialize.h):
 *   - VARINT: MSB-first base-128 with the "+1 per continuation byte" trick (WriteVarInt/ReadVarInt);
 *   - CompressAmount/DecompressAmount;
 *   - CompressScript/DecompressScript (nSize 0..5 special, else size+6 then raw bytes).
 * Plus the in-memory script kinds the shared UTXO table adds on top of Core's six
 * (P2WPKH, P2WSH, P2TR), see layout.ts.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { DecodeError } from '../primitives/decode-error.ts';

/** Core's MAX_SCRIPT_SIZE (script/script.h); longer scripts are unspendable. */
export const MAX_SCRIPT_SIZE = 10000;
/** Core's MAX_MONEY (consensus/amount.h). */
export const MAX_MONEY = 2_100_000_000_000_000n;
/** ScriptCompression::nSpecialScripts. */
export const N_SPECIAL_SCRIPTS = 6;

const TWO53 = 2 ** 53;

// ---------------------------------------------------------------------------------------
// VARINT (serialize.h WriteVarInt / ReadVarInt, VarIntMode::DEFAULT, unsigned)

/** Bytes WriteVarInt uses for n (n a non-negative safe integer). */
export function varIntLength(n: number): number {
  let len = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128) - 1;
    len++;
  }
  return len;
}

/** WriteVarInt for a non-negative safe integer; returns the new offset. */
export function writeVarInt(buf: Uint8Array, off: number, n: number): number {
  if (n <= 0x7f) {
    buf[off] = n;
    return off + 1;
  }
  const len = varIntLength(n);
  let i = off + len - 1;
  buf[i] = n % 128;
  n = Math.floor(n / 128) - 1;
  while (i > off) {
    i--;
    buf[i] = (n % 128) | 0x80;
    if (i > off) n = Math.floor(n / 128) - 1;
  }
  return off + len;
}

/** WriteVarInt for any u64 given as bigint. */
export function writeVarIntBig(buf: Uint8Array, off: number, n: bigint): number {
  if (n < BigInt(TWO53)) return writeVarInt(buf, off, Number(n));
  const tmp: number[] = [];
  let len = 0;
  for (;;) {
    tmp.push(Number(n & 0x7fn) | (len ? 0x80 : 0));
    if (n <= 0x7fn) break;
    n = (n >> 7n) - 1n;
    len++;
  }
  for (let i = tmp.length - 1; i >= 0; i--) buf[off++] = tmp[i]!;
  return off;
}


/**
 * ReadVarInt with Core's overflow checks for a field of `bits` (32: unsigned int,
 * 64: uint64). Returns a number when it fits 2^53, else a bigint. Throws
 * DecodeError('invalid', 'ReadVarInt(): size too large') like Core, or 'truncated'.
 */
export function readVarIntAt(buf: Uint8Array, pos: number, end: number, bits: 32 | 64): { value: number | bigint; pos: number } {
  let n = 0;
  const lim = bits === 32 ? 0x1ffffff : Infinity; // (2^32-1) >> 7
  for (;;) {
    if (pos >= end) throw new DecodeError('truncated', 'VARINT truncated', pos);
    const ch = buf[pos++]!;
    if (n >= 2 ** 45) return readVarIntSlow(buf, pos - 1, end, bits === 32 ? 0xffffffffn : 0xffffffffffffffffn, n);
    if (n > lim) throw new DecodeError('invalid', 'ReadVarInt(): size too large', pos - 1);
    n = n * 128 + (ch & 0x7f);
    if (ch & 0x80) {
      if (bits === 32 && n === 0xffffffff) throw new DecodeError('invalid', 'ReadVarInt(): size too large', pos - 1);
      n++;
    } else {
      return { value: n, pos };
    }
  }
}

function readVarIntSlow(buf: Uint8Array, pos: number, end: number, max: bigint, start: number): { value: number | bigint; pos: number } {
  let n = BigInt(start);
  for (;;) {
    if (pos >= end) throw new DecodeError('truncated', 'VARINT truncated', pos);
    const ch = buf[pos++]!;
    if (n > max >> 7n) throw new DecodeError('invalid', 'ReadVarInt(): size too large', pos - 1);
    n = (n << 7n) | BigInt(ch & 0x7f);
    if (ch & 0x80) {
      if (n === max) throw new DecodeError('invalid', 'ReadVarInt(): size too large', pos - 1);
      n++;
    } else {
      return { value: n <= BigInt(TWO53) ? Number(n) : n, pos };
    }
  }
}

/** Decodes a VARINT known to be well formed and below 2^53 (in-memory data we wrote). */
export function decodeVarIntTrusted(buf: Uint8Array, pos: number): number {
  let n = 0;
  for (;;) {
    const ch = buf[pos++]!;
    n = n * 128 + (ch & 0x7f);
    if (ch & 0x80) n++;
    else return n;
  }
}


// ---------------------------------------------------------------------------------------
// Amounts (compressor.cpp CompressAmount / DecompressAmount)

/** CompressAmount for any uint64 (bigint); Core's loop on a copy. */
export function compressAmount(amount: bigint): number | bigint {
  if (amount >= 0n && amount <= 900_000_000_000_000n) return compressAmountNum(Number(amount));
  let n = BigInt.asUintN(64, amount);
  if (n === 0n) return 0;
  let e = 0n;
  while (n % 10n === 0n && e < 9n) {
    n /= 10n;
    e++;
  }
  let r: bigint;
  if (e < 9n) {
    const d = n % 10n;
    n /= 10n;
    r = 1n + (n * 9n + d - 1n) * 10n + e;
  } else {
    r = 1n + (n - 1n) * 10n + 9n;
  }
  r = BigInt.asUintN(64, r);
  return r <= BigInt(TWO53) ? Number(r) : r;
}

/** CompressAmount for 0 <= amount <= 9e14 (exact in doubles: the result stays below 2^53). */
export function compressAmountNum(n: number): number {
  if (n === 0) return 0;
  let e = 0;
  while (n % 10 === 0 && e < 9) {
    n /= 10;
    e++;
  }
  if (e < 9) {
    const d = n % 10;
    n = (n - d) / 10;
    return 1 + (n * 9 + d - 1) * 10 + e;
  }
  return 1 + (n - 1) * 10 + 9;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** DecompressAmount as a double for x <= 8e15 (exact while the result is below 2^53). */
export function decompressAmountNum(x: number): number {
  if (x === 0) return 0;
  x--;
  const e = x % 10;
  x = (x - e) / 10;
  let n: number;
  if (e < 9) {
    const d = (x % 9) + 1;
    n = ((x - (d - 1)) / 9) * 10 + d;
  } else {
    n = x + 1;
  }
  return n * POW10[e]!;
}

/** DecompressAmount (wraps modulo 2^64 like Core's uint64 arithmetic). */
export function decompressAmount(x: number | bigint): bigint {
  if (typeof x === 'number' && x <= 8_100_000_000_000_000) {
    // Number path: every intermediate below 2^53 for x below ~8.1e15 until the final
    // power-of-ten scaling, which is done in bigint.
    if (x === 0) return 0n;
    x--;
    const e = x % 10;
    x = (x - e) / 10;
    let n: number;
    if (e < 9) {
      const d = (x % 9) + 1;
      x = (x - (d - 1)) / 9;
      n = x * 10 + d;
    } else {
      n = x + 1;
    }
    if (n < TWO53 / 1e9) return BigInt(n * 10 ** e);
    return BigInt.asUintN(64, BigInt(n) * 10n ** BigInt(e));
  }
  let y = BigInt(x);
  if (y === 0n) return 0n;
  y--;
  const e = y % 10n;
  y /= 10n;
  let n: bigint;
  if (e < 9n) {
    const d = (y % 9n) + 1n;
    y /= 9n;
    n = y * 10n + d;
  } else {
    n = y + 1n;
  }
  return BigInt.asUintN(64, n * 10n ** e);
}

// ---------------------------------------------------------------------------------------
// Scripts

/** Core's CompressScript special cases plus the in-memory ones (layout.ts SCRIPT_KIND_*). */
const KIND_P2PKH = 0;
const KIND_P2SH = 1;
/** 2, 3: compressed-key P2PK (the prefix byte); 4, 5: uncompressed key, 4 | (y & 1). */
const KIND_P2PK_EVEN = 2;
const KIND_P2PK_ODD = 3;
const KIND_P2PK_UNCOMPRESSED_EVEN = 4;
const KIND_P2PK_UNCOMPRESSED_ODD = 5;
/** In memory only (Core writes these raw): OP_0 <20>, OP_0 <32>, OP_1 <32>. */
export const KIND_P2WPKH = 6;
export const KIND_P2WSH = 7;
export const KIND_P2TR = 8;
/** In memory only: VARINT(length) then the raw bytes. */
export const KIND_RAW = 9;
/**
 * In memory only: P2PK with a valid uncompressed key, payload x||y (64 bytes). Core's
 * types 4/5 need a square root to expand (tens of µs); keeping y makes reads cheap and
 * costs 32 bytes on a rare kind. Written to snapshots as type 4|(y&1).
 */
export const KIND_P2PK_FULL = 10;

/** Payload bytes after the kind byte (KIND_RAW: none fixed). */
export const KIND_PAYLOAD = [20, 20, 32, 32, 32, 32, 20, 32, 32, 0, 64] as const;

/** CPubKey::IsFullyValid for a 65-byte 0x04 key: the point is on the curve. */
function isValidUncompressedKey(script: Uint8Array): boolean {
  try {
    secp256k1.Point.fromBytes(script.subarray(1, 66));
    return true;
  } catch {
    return false;
  }
}

/**
 * Core's script classification for compression (compressor.cpp IsToKeyID, IsToScriptID,
 * IsToPubKey) extended with the witness kinds. Returns the kind (0..8) or KIND_RAW.
 * `core` restricts to Core's six special cases (for the snapshot format).
 */
export function scriptKind(s: Uint8Array, core = false): number {
  const len = s.length;
  if (len === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 20 && s[23] === 0x88 && s[24] === 0xac) return KIND_P2PKH;
  if (len === 23 && s[0] === 0xa9 && s[1] === 20 && s[22] === 0x87) return KIND_P2SH;
  if (len === 35 && s[0] === 33 && s[34] === 0xac && (s[1] === 2 || s[1] === 3)) return s[1]!;
  if (len === 67 && s[0] === 65 && s[66] === 0xac && s[1] === 4) {
    if (!isValidUncompressedKey(s)) return KIND_RAW;
    return core ? KIND_P2PK_UNCOMPRESSED_EVEN | (s[65]! & 1) : KIND_P2PK_FULL;
  }
  if (core) return KIND_RAW;
  if (len === 22 && s[0] === 0 && s[1] === 20) return KIND_P2WPKH;
  if (len === 34 && s[0] === 0 && s[1] === 32) return KIND_P2WSH;
  if (len === 34 && s[0] === 0x51 && s[1] === 32) return KIND_P2TR;
  return KIND_RAW;
}

/** The payload (hash, x coordinate or program) for kinds 0..8, a view into s. */
export function kindPayload(s: Uint8Array, kind: number): Uint8Array {
  switch (kind) {
    case KIND_P2PKH:
      return s.subarray(3, 23);
    case KIND_P2SH:
      return s.subarray(2, 22);
    case KIND_P2PK_EVEN:
    case KIND_P2PK_ODD:
    case KIND_P2PK_UNCOMPRESSED_EVEN:
    case KIND_P2PK_UNCOMPRESSED_ODD:
      return s.subarray(2, 34);
    case KIND_P2PK_FULL:
      return s.subarray(2, 66);
    default:
      return s.subarray(2);
  }
}


/**
 * DecompressScript for kinds 0..8 from a payload at buf[p..]. Returns undefined for an
 * uncompressed key whose x is not on the curve (Core's DecompressScript returns false and
 * the script stays empty).
 */
export function expandScript(kind: number, buf: Uint8Array, p: number, alloc: (n: number) => Uint8Array = newBytes): Uint8Array | undefined {
  let out: Uint8Array;
  let o: number;
  let n: number;
  switch (kind) {
    case KIND_P2PKH:
      out = alloc(25);
      out[0] = 0x76;
      out[1] = 0xa9;
      out[2] = 20;
      out[23] = 0x88;
      out[24] = 0xac;
      o = 3;
      n = 20;
      break;
    case KIND_P2SH:
      out = alloc(23);
      out[0] = 0xa9;
      out[1] = 20;
      out[22] = 0x87;
      o = 2;
      n = 20;
      break;
    case KIND_P2PK_EVEN:
    case KIND_P2PK_ODD:
      out = alloc(35);
      out[0] = 33;
      out[1] = kind;
      out[34] = 0xac;
      o = 2;
      n = 32;
      break;
    case KIND_P2PK_UNCOMPRESSED_EVEN:
    case KIND_P2PK_UNCOMPRESSED_ODD: {
      const xy = decompressPubKeyXY(kind, buf, p);
      if (!xy) return undefined;
      return expandScript(KIND_P2PK_FULL, xy, 0, alloc);
    }
    case KIND_P2PK_FULL:
      out = alloc(67);
      out[0] = 65;
      out[1] = 4;
      out[66] = 0xac;
      o = 2;
      n = 64;
      break;
    case KIND_P2WPKH:
      out = alloc(22);
      out[1] = 20;
      o = 2;
      n = 20;
      break;
    case KIND_P2WSH:
    case KIND_P2TR:
      out = alloc(34);
      out[0] = kind === KIND_P2TR ? 0x51 : 0;
      out[1] = 32;
      o = 2;
      n = 32;
      break;
    default:
      throw new Error(`expandScript: bad kind ${kind}`);
  }
  for (let i = 0; i < n; i++) out[o + i] = buf[p + i]!;
  return out;
}

function newBytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

/** x||y of the uncompressed key for Core's type 4/5 payload x, or undefined off the curve. */
export function decompressPubKeyXY(kind: number, x: Uint8Array, off: number): Uint8Array | undefined {
  const c = new Uint8Array(33);
  c[0] = kind - 2;
  for (let i = 0; i < 32; i++) c[1 + i] = x[off + i]!;
  try {
    return secp256k1.Point.fromBytes(c).toBytes(false).subarray(1);
  } catch {
    return undefined;
  }
}

/** Bytes of Core's ScriptCompression serialization of s (compressor.h). */
export function coreScriptLength(s: Uint8Array): number {
  const k = scriptKind(s, true);
  if (k !== KIND_RAW) return 1 + KIND_PAYLOAD[k]!;
  return varIntLength(s.length + N_SPECIAL_SCRIPTS) + s.length;
}

/** Core's ScriptCompression serialization of s into buf at off; returns the new offset. */
export function writeCoreScript(buf: Uint8Array, off: number, s: Uint8Array): number {
  const k = scriptKind(s, true);
  if (k !== KIND_RAW) {
    buf[off] = k;
    buf.set(kindPayload(s, k), off + 1);
    return off + 1 + KIND_PAYLOAD[k]!;
  }
  off = writeVarInt(buf, off, s.length + N_SPECIAL_SCRIPTS);
  buf.set(s, off);
  return off + s.length;
}

/** Core's Coin serialization: VARINT(height*2+coinbase), VARINT(CompressAmount), script. */
export function writeCoreCoin(buf: Uint8Array, off: number, height: number, coinbase: boolean, value: bigint, script: Uint8Array): number {
  off = writeVarInt(buf, off, height * 2 + (coinbase ? 1 : 0));
  const ca = compressAmount(value);
  off = typeof ca === 'number' ? writeVarInt(buf, off, ca) : writeVarIntBig(buf, off, ca);
  return writeCoreScript(buf, off, script);
}
