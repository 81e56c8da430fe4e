/**
 * A portable RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996) for what validation hashes:
 * HASH160's 32-byte SHA-256 digests, one block each (OP_HASH160, P2PKH and P2WPKH key
 * hashes). One preallocated message block, no per-call objects besides the digest; any
 * length is hashed correctly.
 */
import { allocBytes } from './bytes.ts';

// Message word order, left and right lines, 80 steps each.
const RL = new Uint8Array([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
  3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
  4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
]);
const RR = new Uint8Array([
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
  15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
  12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
]);
// Rotation amounts.
const SL = new Uint8Array([
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
  11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
  9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
]);
const SR = new Uint8Array([
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
  9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
  8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
]);

const X = new Int32Array(16);
const H = new Int32Array(5);

const rotl = (x: number, s: number): number => (x << s) | (x >>> (32 - s));

/**
 * One compression of the 16 little-endian words in X into H: the two lines of 80 steps,
 * a loop per round so that each round's function is inlined (f1..f5 of the paper; the
 * right line takes them in reverse order).
 */
function compress(): void {
  const x = X;
  let al = H[0]!, bl = H[1]!, cl = H[2]!, dl = H[3]!, el = H[4]!;
  let ar = al, br = bl, cr = cl, dr = dl, er = el;
  let t = 0;
  for (let j = 0; j < 16; j++) {
    t = (rotl((al + (bl ^ cl ^ dl) + x[RL[j]!]!) | 0, SL[j]!) + el) | 0;
    al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t;
    t = (rotl((ar + (br ^ (cr | ~dr)) + x[RR[j]!]! + 0x50a28be6) | 0, SR[j]!) + er) | 0;
    ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t;
  }
  for (let j = 16; j < 32; j++) {
    t = (rotl((al + ((bl & cl) | (~bl & dl)) + x[RL[j]!]! + 0x5a827999) | 0, SL[j]!) + el) | 0;
    al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t;
    t = (rotl((ar + ((br & dr) | (cr & ~dr)) + x[RR[j]!]! + 0x5c4dd124) | 0, SR[j]!) + er) | 0;
    ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t;
  }
  for (let j = 32; j < 48; j++) {
    t = (rotl((al + ((bl | ~cl) ^ dl) + x[RL[j]!]! + 0x6ed9eba1) | 0, SL[j]!) + el) | 0;
    al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t;
    t = (rotl((ar + ((br | ~cr) ^ dr) + x[RR[j]!]! + 0x6d703ef3) | 0, SR[j]!) + er) | 0;
    ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t;
  }
  for (let j = 48; j < 64; j++) {
    t = (rotl((al + ((bl & dl) | (cl & ~dl)) + x[RL[j]!]! + (0x8f1bbcdc | 0)) | 0, SL[j]!) + el) | 0;
    al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t;
    t = (rotl((ar + ((br & cr) | (~br & dr)) + x[RR[j]!]! + 0x7a6d76e9) | 0, SR[j]!) + er) | 0;
    ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t;
  }
  for (let j = 64; j < 80; j++) {
    t = (rotl((al + (bl ^ (cl | ~dl)) + x[RL[j]!]! + (0xa953fd4e | 0)) | 0, SL[j]!) + el) | 0;
    al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t;
    t = (rotl((ar + (br ^ cr ^ dr) + x[RR[j]!]!) | 0, SR[j]!) + er) | 0;
    ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t;
  }
  t = (H[1]! + cl + dr) | 0;
  H[1] = (H[2]! + dl + er) | 0;
  H[2] = (H[3]! + el + ar) | 0;
  H[3] = (H[4]! + al + br) | 0;
  H[4] = (H[0]! + bl + cr) | 0;
  H[0] = t;
}

/** Loads the 16 little-endian words of b[off..off+64) into X. */
function load(b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) X[i] = b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24);
}

const TAIL = new Uint8Array(128);

/** RIPEMD-160 of `data`. */
export function ripemd160Js(data: Uint8Array): Uint8Array {
  H[0] = 0x67452301; H[1] = 0xefcdab89 | 0; H[2] = 0x98badcfe | 0; H[3] = 0x10325476; H[4] = 0xc3d2e1f0 | 0;
  const n = data.length;
  const full = n - (n % 64);
  for (let off = 0; off < full; off += 64) {
    load(data, off);
    compress();
  }
  // Padding: 0x80, zeros, the length in bits as a little-endian 64-bit number.
  const tail = TAIL;
  const rest = n - full;
  for (let i = 0; i < rest; i++) tail[i] = data[full + i]!;
  tail[rest] = 0x80;
  const end = rest < 56 ? 64 : 128;
  tail.fill(0, rest + 1, end - 8);
  const lo = (n * 8) >>> 0, hi = Math.floor(n / 0x20000000);
  tail[end - 8] = lo; tail[end - 7] = lo >>> 8; tail[end - 6] = lo >>> 16; tail[end - 5] = lo >>> 24;
  tail[end - 4] = hi; tail[end - 3] = hi >>> 8; tail[end - 2] = hi >>> 16; tail[end - 1] = hi >>> 24;
  load(tail, 0);
  compress();
  if (end === 128) {
    load(tail, 64);
    compress();
  }
  const out = allocBytes(20);
  for (let i = 0; i < 5; i++) {
    const v = H[i]!;
    out[4 * i] = v; out[4 * i + 1] = v >>> 8; out[4 * i + 2] = v >>> 16; out[4 * i + 3] = v >>> 24;
  }
  return out;
}
