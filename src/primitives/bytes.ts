import { DecodeError } from './decode-error.ts';

const HEX = '0123456789abcdef';
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_TABLE[b[i]!]!;
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decodes hex (either case). Throws DecodeError('bad-hex') on odd length or a non-hex digit. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new DecodeError('bad-hex', `hex string has odd length ${s.length}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new DecodeError('bad-hex', `invalid hex character at position ${hi < 0 ? 2 * i : 2 * i + 1}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Decodes the ASCII hex digits (either case) of `b[start, end)`: what fromHex gives for the
 * same characters as a string, without making the string. Undefined on odd length or a
 * byte that is not a hex digit.
 */
export function hexBytesAt(b: Uint8Array, start: number, end: number): Uint8Array | undefined {
  if ((end - start) % 2 !== 0) return undefined;
  const out = new Uint8Array((end - start) / 2);
  for (let i = 0, j = start; i < out.length; i++, j += 2) {
    const hi = nibble(b[j]!);
    const lo = nibble(b[j + 1]!);
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function isHex(s: string): boolean {
  return s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison (memcmp then length), as Core orders byte vectors. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function reverseBytes(b: Uint8Array): Uint8Array {
  const out = allocBytes(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[b.length - 1 - i]!;
  return out;
}

/** uint256 display order (txid/block hash as humans see it) from internal byte order. */
export function hashToHex(h: Uint8Array): string {
  let s = '';
  for (let i = h.length - 1; i >= 0; i--) s += HEX_TABLE[h[i]!]!;
  return s;
}

/**
 * Carves small byte arrays out of 64 KiB slabs: a fresh Uint8Array costs 0.4–1.2 µs on Deno
 * at any size and 0.4–0.9 µs on Node above 64 bytes (its own backing store; best of 5
 * passes, bench/alloc.bench.ts — more with the GC it brings), a view on an existing buffer
 * ~20 ns; on Bun a fresh one is the cheaper (10–20 ns). Arrays come back zeroed (each slab is fresh
 * and every byte is handed out once). A view keeps its whole slab alive, and posting one
 * clones the whole slab: use slab arrays only for data that is short-lived and stays in
 * its thread.
 */
export class ByteSlab {
  private buf = new ArrayBuffer(0);
  private pos = 0;
  readonly alloc = (n: number): Uint8Array => {
    if (n > 1024) return new Uint8Array(n);
    if (this.pos + n > this.buf.byteLength) {
      this.buf = new ArrayBuffer(65536);
      this.pos = 0;
    }
    const a = new Uint8Array(this.buf, this.pos, n);
    this.pos += n;
    return a;
  };
}

const fresh = (n: number): Uint8Array => new Uint8Array(n);
const threadSlab = new ByteSlab();
let alloc: (n: number) => Uint8Array = fresh;

/**
 * A zeroed byte array for an intermediate result (a digest, a serialization to be hashed,
 * a reversed hash): fresh by default; a view on one of this thread's slabs once the thread
 * has called useByteSlabs(true) — validation workers do, where every such array is
 * short-lived and their answers leave as strings (src/runtime/tuning.ts).
 */
export function allocBytes(n: number): Uint8Array {
  return alloc(n);
}

/** allocBytes hands out slab views (true) or fresh arrays (false, the default) on this thread. */
export function useByteSlabs(on: boolean): void {
  alloc = on ? threadSlab.alloc : fresh;
}

export function hexToHash(s: string): Uint8Array {
  const b = fromHex(s);
  if (b.length !== 32) throw new DecodeError('invalid', `expected a 32-byte hash, got ${b.length} bytes`);
  return reverseBytes(b);
}

/**
 * 32 bytes as a 16-code-unit string: an opaque Map key holding all 256 bits, built in one
 * call (no hex). Never displayed.
 */
export function bytes32Key(d: Uint8Array): string {
  return String.fromCharCode(
    d[0]! | (d[1]! << 8), d[2]! | (d[3]! << 8), d[4]! | (d[5]! << 8), d[6]! | (d[7]! << 8),
    d[8]! | (d[9]! << 8), d[10]! | (d[11]! << 8), d[12]! | (d[13]! << 8), d[14]! | (d[15]! << 8),
    d[16]! | (d[17]! << 8), d[18]! | (d[19]! << 8), d[20]! | (d[21]! << 8), d[22]! | (d[23]! << 8),
    d[24]! | (d[25]! << 8), d[26]! | (d[27]! << 8), d[28]! | (d[29]! << 8), d[30]! | (d[31]! << 8),
  );
}

export function readU32LE(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function writeU32LE(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
