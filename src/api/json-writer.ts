/**
 * JSON text written straight into bytes, for answers too large to build as strings
 * (getrawmempool true at 100,000 entries is ~45 MB: as JS strings, the concatenations and
 * the final UTF-8 encoding cost more than everything else). ASCII only: callers write
 * numbers, hex and fixed keys, never arbitrary text.
 */
import { concatBytes } from '../primitives/bytes.ts';

const encoder = new TextEncoder();

/**
 * Chunk size: small enough to die young (a scavenge frees it, no full GC) and to come back
 * from the allocator instead of freshly mapped memory (45 MB of page faults cost ~150 ms on
 * this project's VMs); large enough that Bun allocates few (64 KB chunks cost Bun ~30 %
 * more than 256 KB in getrawmempool true; Node and Deno do not notice).
 */
export const CHUNK = 256 << 10;

/** A chunked byte buffer with the few JSON writers the big RPC answers need. */
export class JsonWriter {
  private buf: Uint8Array<ArrayBuffer>;
  private done: Uint8Array<ArrayBuffer>[] = [];
  pos = 0;

  constructor(capacity = CHUNK) {
    this.buf = new Uint8Array(capacity);
  }

  /** Room for n more contiguous bytes (starts a new chunk when needed). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) this.done.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(Math.max(CHUNK, n));
    this.pos = 0;
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Pre-encoded ASCII (keys and punctuation: encode them once with `ascii`). */
  raw(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n > 64) buf.set(b, p);
    // Short constants: a byte loop beats TypedArray.prototype.set's call overhead.
    else for (let i = 0; i < n; i++) buf[p + i] = b[i]!;
    this.pos = p + n;
  }

  /** A non-negative safe integer, or a negative one, in decimal. */
  int(n: number): void {
    this.ensure(17);
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d;
      n = -n;
    }
    if (n < 0x80000000) {
      // Small integers (all sizes, counts, times, heights): int32 arithmetic.
      let v = n | 0;
      const digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
      let p = this.pos + digits;
      this.pos = p;
      do {
        const q = (v / 10) | 0;
        buf[--p] = 0x30 + v - q * 10;
        v = q;
      } while (v > 0);
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** ValueFromAmount (core_write.cpp): satoshis as BTC with exactly 8 decimals, e.g. 0.00001000. */
  btc(sats: number): void {
    this.ensure(26);
    if (sats < 0) {
      this.buf[this.pos++] = 0x2d;
      sats = -sats;
    }
    const whole = Math.floor(sats / 100_000_000);
    let frac = (sats - whole * 100_000_000) | 0;
    this.int(whole);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = 0x2e;
    for (let p = at + 8; p > at; p--) {
      const q = (frac / 10) | 0;
      buf[p] = 0x30 + frac - q * 10;
      frac = q;
    }
    this.pos = at + 9;
  }

  /** A quoted ASCII string that needs no escaping (hex), copied char by char. */
  asciiString(s: string): void {
    const n = s.length;
    this.ensure(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** A quoted string from `len` ASCII codes at `from` in `src` (hex kept as bytes). */
  asciiBytes(src: Uint8Array, from: number, len: number): void {
    this.ensure(len + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < len; i++) buf[p++] = src[from + i]!;
    buf[p++] = 0x22;
    this.pos = p;
  }

  bool(v: boolean): void {
    this.raw(v ? TRUE : FALSE);
  }

  /** The bytes written since the last take, as one array (copied only when they span chunks). */
  take(): Uint8Array<ArrayBuffer> {
    const last = this.buf.subarray(0, this.pos);
    const parts = this.done.length ? [...this.done, last] : [last];
    this.done = [];
    this.buf = new Uint8Array(this.buf.length);
    this.pos = 0;
    return parts.length === 1 ? last : concatBytes(...parts);
  }
}

/** ASCII text as bytes, for the constant parts of a writer's output. */
export function ascii(s: string): Uint8Array {
  return encoder.encode(s);
}

const TRUE = ascii('true');
const FALSE = ascii('false');

/** A response body pulling chunks from an iterable as the client reads (no single huge buffer). */
export function chunkStream(parts: Iterable<Uint8Array<ArrayBuffer>>): ReadableStream<Uint8Array<ArrayBuffer>> {
  const it = parts[Symbol.iterator]();
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      const r = it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel() {
      it.return?.();
    },
  });
}
