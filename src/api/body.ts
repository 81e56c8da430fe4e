/**
 * Reading request bodies against hostile clients, the same on every runtime:
 *  - a size limit per route, checked on the declared Content-Length before anything is read
 *    and on the bytes as they arrive (chunked bodies);
 *  - a deadline for the whole body (a client trickling bytes is answered 408 and its
 *    connection closed);
 *  - a cap on the bodies being read at once, in count and in bytes (the declared length, or
 *    the route's limit for a chunked body): past it the request is answered 503 with
 *    Retry-After without reading its body;
 *  - JSON nesting bounded before JSON.parse (a cheap scan of the text), so no deeply nested
 *    value reaches a recursive parser, validator or writer.
 * Every answer given without reading the body carries `Connection: close`, so the unread
 * bytes cannot be taken for the next request on a keep-alive connection.
 */
import { ApiError } from './http-error.ts';
import { concatBytes } from '../primitives/bytes.ts';

/** Deepest JSON nesting accepted (arrays and objects). Core's UniValue allows 512; no txgate request needs more than 4. */
export const MAX_JSON_DEPTH = 64;

export interface BodyGateOptions {
  /** Time allowed to receive one whole body, from the handler's first read (default 30 s). */
  readTimeoutMs?: number;
  /** Most bodies being read at once (default 256). */
  maxInFlight?: number;
  /** Most bytes reserved by the bodies being read at once (default 64 MiB). */
  maxInFlightBytes?: number;
}

export const DEFAULT_BODY_GATE: Required<BodyGateOptions> = {
  readTimeoutMs: 30_000,
  maxInFlight: 256,
  maxInFlightBytes: 64 * 1024 * 1024,
};

/** Headers of an answer given before the body was read. */
export const CLOSE = { Connection: 'close' } as const;

export class BodyGate {
  readonly opts: Required<BodyGateOptions>;
  private count = 0;
  private bytes = 0;

  constructor(o: BodyGateOptions = {}) {
    this.opts = { ...DEFAULT_BODY_GATE, ...o };
  }

  /** Bodies and bytes being read now. */
  get inFlight(): { count: number; bytes: number } {
    return { count: this.count, bytes: this.bytes };
  }

  /**
   * The whole body of `req`, at most `limit` bytes: 413 past the limit, 408 past the
   * deadline, 503 when the gate is full.
   */
  async read(req: Request, limit: number): Promise<Uint8Array> {
    const declared = req.headers.get('content-length');
    const chunked = req.headers.get('transfer-encoding') !== null;
    let length: number | undefined;
    if (declared !== null && !chunked) {
      if (!/^\d{1,16}$/.test(declared.trim())) throw new ApiError(400, 'bad-request', 'invalid Content-Length', CLOSE);
      length = Number(declared.trim());
      if (length > limit) throw tooLarge(limit);
      if (length === 0) return new Uint8Array(0);
    }
    // With a declared length the body is not touched until the whole-body read below:
    // reading `req.body` makes @hono/node-server build a web stream for the request, which
    // costs more than the rest of a small request's handling.
    if (length === undefined && !req.body) return new Uint8Array(0);
    const reserve = length ?? limit;
    if (this.count + 1 > this.opts.maxInFlight || this.bytes + reserve > this.opts.maxInFlightBytes) {
      throw new ApiError(503, 'busy', 'too many request bodies in flight', { 'Retry-After': '1', ...CLOSE });
    }
    this.count++;
    this.bytes += reserve;
    // With a declared length, the runtime's own whole-body read (its fast path on Node);
    // the reservation lasts until that read ends, even after a 408 answered it. Without one, `req.body` was checked above.
    // (No closure is named here: under tsx every named closure made per call is also given
    // its name with Object.defineProperty, which showed in Node's profiles of this path.)
    const reading = length !== undefined ? req.arrayBuffer().then((b) => new Uint8Array(b)) : readCapped(req.body!, limit);
    reading.then(() => this.free(reserve), () => this.free(reserve));
    return new Promise<Uint8Array>((resolve, reject) => {
      const read: Deadline = { at: Date.now() + this.opts.readTimeoutMs, fail: reject };
      this.watch(read);
      reading.then((b) => {
        this.unwatch(read);
        resolve(b);
      }, (e: unknown) => {
        this.unwatch(read);
        reject(e);
      });
    });
  }

  /** Ends the reservation of a body read. */
  private free(reserve: number): void {
    this.count--;
    this.bytes -= reserve;
  }

  /**
   * The deadlines of the reads under way, swept by one interval timer (a tenth of the
   * deadline, at most a second) that runs only while a read is: a timer and a race per read
   * cost as much as the rest of a small body's read on Node.
   */
  private readonly deadlines = new Set<Deadline>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private watch(d: Deadline): void {
    this.deadlines.add(d);
    if (this.sweeper !== undefined) return;
    const every = Math.min(1000, Math.max(5, this.opts.readTimeoutMs / 10));
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const x of this.deadlines) {
        if (x.at > now) continue;
        this.unwatch(x);
        x.fail(new ApiError(408, 'timeout', `request body not received within ${this.opts.readTimeoutMs / 1000} s`, CLOSE));
      }
    }, every);
  }

  private unwatch(d: Deadline): void {
    this.deadlines.delete(d);
    if (this.deadlines.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

/** A body read's deadline (ms since the epoch) and how to fail it. */
interface Deadline {
  at: number;
  fail: (e: ApiError) => void;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload-too-large', `request body exceeds ${limit} bytes`, CLOSE);
}

/** A stream read to its end, failing (and cancelled) once it passes `limit` bytes. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  return parts.length === 1 ? parts[0]! : concatBytes(...parts);
}

const utf8 = new TextDecoder();

export function bodyText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/**
 * Whether `text`, read as JSON, nests arrays and objects deeper than `max`. Brackets inside
 * strings do not count; the text need not be valid JSON (JSON.parse judges that after).
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      // Skip the string: its closing quote is the next one not preceded by an odd run of backslashes.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
        i = q;
        if ((slashes & 1) === 0) break;
      }
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    }
  }
  return false;
}

export class JsonDepthError extends Error {
  override readonly name = 'JsonDepthError';
  constructor(readonly max: number) {
    super(`JSON nested deeper than ${max} levels`);
  }
}

/** JSON.parse after the nesting bound: JsonDepthError, or JSON.parse's SyntaxError. */
export function parseJson(text: string, max = MAX_JSON_DEPTH): unknown {
  if (jsonTooDeep(text, max)) throw new JsonDepthError(max);
  return JSON.parse(text);
}

/** A JSON request body for the REST routes: 400 for bad or too deeply nested JSON. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  try {
    return parseJson(bodyText(bytes));
  } catch (e) {
    throw new ApiError(400, 'bad-request', `invalid JSON: ${(e as Error).message}`);
  }
}
