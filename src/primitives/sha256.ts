/**
 * A portable SHA-256 (FIPS 180-4) tuned for what validation hashes most: short messages
 * (txids, sighashes, HASH160, tagged hashes). One preallocated message schedule, no
 * per-call objects besides the digest, big-endian word loads by hand. Streams keep a
 * 64-byte block buffer and can be cloned (midstates for tagged hashes and legacy sighash).
 */
import { allocBytes } from './bytes.ts';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W = new Int32Array(64);

/** One compression of the 64-byte block at buf[off..] into state h. */
function compress(h: Int32Array, buf: Uint8Array, off: number): void {
  const w = W, k = K;
  for (let i = 0; i < 16; i++, off += 4) {
    w[i] = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
  }
  compressW(h, w, k);
}

/** The 64 rounds on a message schedule whose first 16 words are filled in. */
function compressW(h: Int32Array, w: Int32Array, k: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!, w2 = w[i - 2]!;
    w[i] = (w[i - 16]! + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) + w[i - 7]! +
      (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    // ch = g ^ (e & (f ^ g)), maj = (a & b) | (c & (a | b)): the usual identities.
    const t1 = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + k[i]! + w[i]!) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
}

function writeDigest(h: Int32Array): Uint8Array {
  const out = allocBytes(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[4 * i] = v >>> 24; out[4 * i + 1] = v >>> 16; out[4 * i + 2] = v >>> 8; out[4 * i + 3] = v;
  }
  return out;
}

/**
 * Pads and finishes: the last (< 64) message bytes are src[from..from+tailLen), `total` the
 * message length in bytes. No views, no allocation.
 */
const PAD = new Uint8Array(128);
function finish(h: Int32Array, src: Uint8Array, from: number, tailLen: number, total: number): void {
  const pad = PAD;
  for (let i = 0; i < tailLen; i++) pad[i] = src[from + i]!;
  pad[tailLen] = 0x80;
  const blocks = tailLen < 56 ? 1 : 2;
  const end = blocks * 64;
  for (let i = tailLen + 1; i < end - 8; i++) pad[i] = 0;
  const bitsHi = Math.floor(total / 0x20000000);
  const bitsLo = (total * 8) >>> 0;
  pad[end - 8] = bitsHi >>> 24; pad[end - 7] = bitsHi >>> 16; pad[end - 6] = bitsHi >>> 8; pad[end - 5] = bitsHi;
  pad[end - 4] = bitsLo >>> 24; pad[end - 3] = bitsLo >>> 16; pad[end - 2] = bitsLo >>> 8; pad[end - 1] = bitsLo;
  compress(h, pad, 0);
  if (blocks === 2) compress(h, pad, 64);
}

const H = new Int32Array(8);
/** SHA-256 of `data` into the state H. */
function hashInto(data: Uint8Array): void {
  H.set(IV);
  const n = data.length;
  const full = n - (n % 64);
  for (let off = 0; off < full; off += 64) compress(H, data, off);
  finish(H, data, full, n - full, n);
}

/** SHA-256 of `data` in one call. */
export function sha256Js(data: Uint8Array): Uint8Array {
  hashInto(data);
  return writeDigest(H);
}

/**
 * SHA256(SHA256(data)): the second pass hashes the first digest straight from the state
 * words (one block: 8 digest words, 0x80, zeros, length 256), without the digest bytes.
 */
export function sha256dJs(data: Uint8Array): Uint8Array {
  hashInto(data);
  return secondPass();
}

/** The state after the 64 bytes block[off..off+64): a midstate for sha256dFromMidstateJs. */
export function sha256MidstateJs(block: Uint8Array, off = 0): Int32Array {
  const h = IV.slice();
  compress(h, block, off);
  return h;
}

/**
 * SHA256(SHA256(m)) of a message m whose first 64 bytes left the state `mid`
 * (sha256MidstateJs) and whose remaining bytes are `rest`: one block less to hash.
 */
export function sha256dFromMidstateJs(mid: Int32Array, rest: Uint8Array): Uint8Array {
  H.set(mid);
  const n = rest.length;
  const full = n - (n % 64);
  for (let off = 0; off < full; off += 64) compress(H, rest, off);
  finish(H, rest, full, n - full, n + 64);
  return secondPass();
}

/** SHA-256 of the digest in H, from its state words; the result as bytes. */
function secondPass(): Uint8Array {
  const w = W;
  for (let i = 0; i < 8; i++) w[i] = H[i]!;
  w[8] = 0x80000000 | 0;
  for (let i = 9; i < 15; i++) w[i] = 0;
  w[15] = 256;
  H.set(IV);
  compressW(H, w, K);
  return writeDigest(H);
}

export class Sha256JsStream {
  private readonly h: Int32Array;
  private readonly buf: Uint8Array;
  private bufLen: number;
  private total: number;

  constructor(from?: Sha256JsStream) {
    if (from) {
      this.h = from.h.slice();
      this.buf = from.buf.slice();
      this.bufLen = from.bufLen;
      this.total = from.total;
    } else {
      this.h = IV.slice();
      this.buf = new Uint8Array(64);
      this.bufLen = 0;
      this.total = 0;
    }
  }

  update(data: Uint8Array): this {
    let pos = 0;
    const n = data.length;
    const buf = this.buf;
    this.total += n;
    let bl = this.bufLen;
    if (bl > 0) {
      const take = Math.min(64 - bl, n);
      for (let i = 0; i < take; i++) buf[bl + i] = data[i]!;
      bl += take;
      pos = take;
      if (bl < 64) {
        this.bufLen = bl;
        return this;
      }
      compress(this.h, buf, 0);
      bl = 0;
    }
    while (n - pos >= 64) {
      compress(this.h, data, pos);
      pos += 64;
    }
    for (let i = pos; i < n; i++) buf[i - pos] = data[i]!;
    this.bufLen = n - pos;
    return this;
  }

  digest(): Uint8Array {
    H.set(this.h);
    finish(H, this.buf, 0, this.bufLen, this.total);
    return writeDigest(H);
  }

  clone(): Sha256JsStream {
    return new Sha256JsStream(this);
  }
}
