/**
 * Byte reader/writer and CompactSize, as Core's serialize.h.
 */
import { allocBytes } from './bytes.ts';
import { DecodeError } from './decode-error.ts';

/** Core's MAX_SIZE: the largest CompactSize a vector length may have (serialize.h). */
export const MAX_SIZE = 0x02000000;

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly what = 'data') {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number, field: string): void {
    if (this.buf.length - this.pos < n) {
      throw new DecodeError('truncated', `${this.what} truncated: needed ${n} bytes for ${field}, ${this.buf.length - this.pos} left`, this.pos);
    }
  }
  u8(field = 'a byte'): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }
  u32(field = 'a 32-bit integer'): number {
    this.need(4, field);
    const b = this.buf, o = this.pos;
    this.pos += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }
  i64(field = 'a 64-bit integer'): bigint {
    this.need(8, field);
    const lo = BigInt(this.u32()), hi = BigInt.asIntN(32, BigInt(this.u32()));
    return (hi << 32n) | lo;
  }
  u64(field = 'a 64-bit integer'): bigint {
    this.need(8, field);
    const lo = BigInt(this.u32()), hi = BigInt(this.u32());
    return (hi << 32n) | lo;
  }
  /** A view into the input (no copy): decoded fields keep the original bytes. */
  bytes(n: number, field = 'bytes'): Uint8Array {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** Core's ReadCompactSize with range check: canonical encodings only, at most MAX_SIZE. */
  compactSize(field = 'a CompactSize', rangeCheck = true): number {
    const start = this.pos;
    const first = this.u8(field);
    let n: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      this.need(2, field);
      n = this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8);
      this.pos += 2;
      if (n < 0xfd) throw new DecodeError('non-canonical-compactsize', `non-canonical CompactSize for ${field}`, start);
    } else if (first === 0xfe) {
      n = this.u32(field);
      if (n < 0x10000) throw new DecodeError('non-canonical-compactsize', `non-canonical CompactSize for ${field}`, start);
    } else {
      const v = this.u64(field);
      if (v < 0x100000000n) throw new DecodeError('non-canonical-compactsize', `non-canonical CompactSize for ${field}`, start);
      if (rangeCheck) throw new DecodeError('oversize', `CompactSize for ${field} too large (${v})`, start);
      n = Number(v);
    }
    if (rangeCheck && n > MAX_SIZE) throw new DecodeError('oversize', `CompactSize for ${field} too large (${n} > ${MAX_SIZE})`, start);
    return n;
  }
  /** A vector length, checked against what the remaining bytes could hold. */
  count(minItemSize: number, field: string): number {
    const start = this.pos;
    const n = this.compactSize(field);
    if (n * minItemSize > this.remaining) {
      throw new DecodeError('truncated', `${this.what} truncated: ${n} ${field} declared but only ${this.remaining} bytes left`, start);
    }
    return n;
  }
  varBytes(field = 'bytes'): Uint8Array {
    const start = this.pos;
    const n = this.compactSize(field);
    if (n > this.remaining) throw new DecodeError('truncated', `${this.what} truncated: ${field} of ${n} bytes declared, ${this.remaining} left`, start);
    return this.bytes(n, field);
  }
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new DecodeError('trailing-bytes', `${this.buf.length - this.pos} trailing bytes after ${this.what}`, this.pos);
    }
  }
}

export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(capacity = 256) {
    this.buf = allocBytes(capacity);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = Math.max(16, this.buf.length * 2);
    while (cap < this.pos + n) cap *= 2;
    const nb = allocBytes(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = v & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 24) & 0xff;
    return this;
  }
  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    this.u32(Number(u & 0xffffffffn));
    return this.u32(Number(u >> 32n));
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  compactSize(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) return this.u8(0xfd).u16(n);
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    return this.u8(0xff).i64(BigInt(n));
  }
  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }
  /** The bytes written, in an array of their own length (allocBytes: see there). */
  finish(): Uint8Array {
    const out = allocBytes(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
  /** The bytes written so far as a view (no copy); later writes may reuse or replace the buffer. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
