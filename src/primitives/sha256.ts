/**
 * A portable SHA-256 (FIPS 180-4) tuned for what validation hashes most: short messages
 * (txids, sighashes, HASH160, tagged hashes). One preallocated message schedule, no
 * per-call objects besides the digest, big-endian word loads by hand. Streams keep a
 * 64-byte block buffer and can be cloned (midstates for tagged hashes and legacy sighash).
 */
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
  for (let i = 0; i < 16; i++, off += 4) {
    W[i] = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!, w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + b) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
}

function writeDigest(h: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[4 * i] = v >>> 24; out[4 * i + 1] = v >>> 16; out[4 * i + 2] = v >>> 8; out[4 * i + 3] = v;
  }
  return out;
}

/** Pads and finishes: `tail` holds the last (< 64) message bytes, `total` the message length. */
const PAD = new Uint8Array(128);
function finish(h: Int32Array, tail: Uint8Array, tailLen: number, total: number): void {
  PAD.fill(0);
  PAD.set(tail.subarray(0, tailLen));
  PAD[tailLen] = 0x80;
  const blocks = tailLen < 56 ? 1 : 2;
  const end = blocks * 64;
  const bitsHi = Math.floor(total / 0x20000000);
  const bitsLo = (total * 8) >>> 0;
  PAD[end - 8] = bitsHi >>> 24; PAD[end - 7] = bitsHi >>> 16; PAD[end - 6] = bitsHi >>> 8; PAD[end - 5] = bitsHi;
  PAD[end - 4] = bitsLo >>> 24; PAD[end - 3] = bitsLo >>> 16; PAD[end - 2] = bitsLo >>> 8; PAD[end - 1] = bitsLo;
  compress(h, PAD, 0);
  if (blocks === 2) compress(h, PAD, 64);
}

const H = new Int32Array(8);
/** SHA-256 of `data` in one call. */
export function sha256Js(data: Uint8Array): Uint8Array {
  H.set(IV);
  const n = data.length;
  const full = n - (n % 64);
  for (let off = 0; off < full; off += 64) compress(H, data, off);
  finish(H, data.subarray(full), n - full, n);
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
    this.total += n;
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, n);
      this.buf.set(data.subarray(0, take), this.bufLen);
      this.bufLen += take;
      pos = take;
      if (this.bufLen < 64) return this;
      compress(this.h, this.buf, 0);
      this.bufLen = 0;
    }
    while (n - pos >= 64) {
      compress(this.h, data, pos);
      pos += 64;
    }
    if (pos < n) {
      this.buf.set(data.subarray(pos), 0);
      this.bufLen = n - pos;
    }
    return this;
  }

  digest(): Uint8Array {
    const h = this.h.slice();
    finish(h, this.buf, this.bufLen, this.total);
    return writeDigest(h);
  }

  clone(): Sha256JsStream {
    return new Sha256JsStream(this);
  }
}
