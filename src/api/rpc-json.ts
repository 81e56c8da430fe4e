/**
 * JSON as Core's UniValue writes it: amounts are numbers printed with exactly 8 decimals
 * (ValueFromAmount: "0.00001000"), object keys keep insertion order, replies end in "\n".
 * Plus Core's amount parsing (AmountFromValue / ParseFixedPoint) for fee-rate parameters.
 */
import { concatBytes } from '../primitives/bytes.ts';

/** A satoshi amount that serializes as BTC with 8 decimals (ValueFromAmount). */
class BtcAmount {
  constructor(readonly sats: number | bigint) {}
  /** For plain JSON.stringify: the same value as a JS number; inside coreJson, its exact text. */
  toJSON(): number | string {
    return coreMode ? `${RAW}${this.toString()}@@` : Number(this.sats) / 1e8;
  }
  toString(): string {
    const s = this.sats;
    // Every amount below 2^53 sats (all real ones) takes the fast path without BigInt.
    if (typeof s === 'number' && Number.isSafeInteger(s)) {
      const a = s < 0 ? -s : s;
      const frac = String(a % 100_000_000);
      return `${s < 0 ? '-' : ''}${Math.floor(a / 100_000_000)}.${'00000000'.slice(frac.length)}${frac}`;
    }
    const n = BigInt(s);
    const a = n < 0n ? -n : n;
    return `${n < 0n ? '-' : ''}${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, '0')}`;
  }
}

export const amount = (sats: number | bigint): BtcAmount => new BtcAmount(sats);

/** A marker no real string contains: raw number text travels through JSON.stringify inside it. */
const RAW = `@@raw${Math.random().toString(36).slice(2)}:`;
const RAW_RE = new RegExp(`"${RAW}(-?[0-9.]+)@@"`, 'g');
let coreMode = false;
/** Pre-serialized JSON spliced in by coreJson (RawJson values met during one call). */
let rawTexts: string[] = [];
const RAW_TEXT_RE = new RegExp(`"${RAW}#(\\d+)@@"`, 'g');

/**
 * JSON text produced ahead of time (e.g. the 100,000 entries of getrawmempool true, written
 * one entry at a time instead of as one huge object). coreJson splices it in verbatim.
 */
class RawJson {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    if (!coreMode) return JSON.parse(this.text);
    rawTexts.push(this.text);
    return `${RAW}#${rawTexts.length - 1}@@`;
  }
}

/** A source of JSON bytes, written chunk by chunk when iterated. */
export type JsonChunks = () => Iterable<Uint8Array<ArrayBuffer>>;

/**
 * JSON written as bytes (JsonWriter chunks, produced when the body is read): spliced in
 * verbatim by coreJsonBody, so a 45 MB answer is never a JS string nor one buffer.
 */
export class RawJsonBytes {
  constructor(readonly chunks: JsonChunks) {}
  toJSON(): unknown {
    if (!coreMode) return JSON.parse(decoder.decode(concatBytes(...this.chunks())));
    rawBytes.push(this.chunks);
    return `${RAW}$${rawBytes.length - 1}@@`;
  }
}

let rawBytes: JsonChunks[] = [];
const RAW_BYTES_RE = new RegExp(`"${RAW}\\$(\\d+)@@"`);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * coreJson(v) + suffix as a response body: a string, or the body's chunks in order when `v`
 * holds RawJsonBytes (the text around them encoded once, their chunks written as read).
 */
export function coreJsonBody(v: unknown, suffix = ''): string | Iterable<Uint8Array<ArrayBuffer>> {
  rawBytes = [];
  const text = coreJson(v, true) + suffix;
  const spliced = rawBytes;
  rawBytes = [];
  if (spliced.length === 0) return text;
  return splice(text, spliced);
}

function* splice(text: string, spliced: JsonChunks[]): Generator<Uint8Array<ArrayBuffer>> {
  let rest = text;
  for (let m = RAW_BYTES_RE.exec(rest); m; m = RAW_BYTES_RE.exec(rest)) {
    yield encoder.encode(rest.slice(0, m.index));
    yield* spliced[Number(m[1])]!();
    rest = rest.slice(m.index + m[0].length);
  }
  yield encoder.encode(rest);
}

/**
 * Serializes like UniValue::write() (compact): BtcAmount values as raw 8-decimal numbers,
 * bigints as integers. Uses the native JSON.stringify (an amount becomes a marker string that
 * is then unquoted), so a 100,000-entry getrawmempool stays fast. RawJsonBytes values are
 * decoded into the text here; coreJsonBody keeps them as bytes.
 */
export function coreJson(v: unknown, keepBytes = false): string {
  if (!keepBytes) rawBytes = [];
  coreMode = true;
  try {
    let text: string | undefined;
    try {
      // The fast path: no replacer (a replacer takes V8 off its fast serializer).
      text = JSON.stringify(v);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      // A bigint somewhere: serialize it as an integer.
      text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${RAW}${x.toString()}@@` : x));
    }
    if (text === undefined) return 'null';
    if (!text.includes(RAW)) return text;
    text = text.replace(RAW_RE, '$1');
    if (rawTexts.length) {
      const raws = rawTexts;
      text = text.replace(RAW_TEXT_RE, (_m, i: string) => raws[Number(i)]!);
    }
    if (!keepBytes && rawBytes.length) {
      const chunks = rawBytes;
      text = text.replace(new RegExp(RAW_BYTES_RE.source, 'g'), (_m, i: string) => decoder.decode(concatBytes(...chunks[Number(i)]!())));
    }
    return text;
  } finally {
    coreMode = false;
    rawTexts = [];
    if (!keepBytes) rawBytes = [];
  }
}

const COIN = 100_000_000n;
const MAX_MONEY = 21_000_000n * COIN;

/**
 * ParseFixedPoint(val, 8): a decimal with optional sign, fraction and exponent, exactly
 * representable in satoshis. Returns undefined where Core's parser fails.
 */
export function parseFixedPoint(s: string, decimals = 8): bigint | undefined {
  const m = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return undefined;
  const [, neg, int, frac = '', exp = '0'] = m;
  if (exp.length > 6) return undefined;
  let digits = int! + frac;
  let scale = Number(exp) + decimals - frac.length;
  if (scale < 0) {
    // Digits below one satoshi must all be zero.
    const k = -scale;
    const cut = k >= digits.length ? digits : digits.slice(digits.length - k);
    if (/[1-9]/.test(cut)) return undefined;
    digits = k >= digits.length ? '0' : digits.slice(0, digits.length - k);
    scale = 0;
  }
  digits = digits.replace(/^0+/, '') || '0';
  if (digits.length + scale > 18) return undefined;
  const n = BigInt(digits) * 10n ** BigInt(scale);
  return neg ? -n : n;
}

/** The text of a JSON number as UniValue would have kept it (JS numbers lose the original text). */
function numberText(n: number): string {
  return String(n);
}

export type AmountParse = { ok: true; sats: bigint } | { ok: false; message: string };

/** AmountFromValue (rpc/util.cpp): RPC_TYPE_ERROR messages on failure. */
export function amountFromValue(v: unknown): AmountParse {
  if (typeof v !== 'number' && typeof v !== 'string') return { ok: false, message: 'Amount is not a number or string' };
  const sats = parseFixedPoint(typeof v === 'number' ? numberText(v) : v);
  if (sats === undefined) return { ok: false, message: 'Invalid amount' };
  if (sats < 0n || sats > MAX_MONEY) return { ok: false, message: 'Amount out of range' };
  return { ok: true, sats };
}
