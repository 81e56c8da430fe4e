/**
 * JSON as Core's UniValue writes it: amounts are numbers printed with exactly 8 decimals
 * (ValueFromAmount: "0.00001000"), object keys keep insertion order, replies end in "\n".
 * Plus Core's amount parsing (AmountFromValue / ParseFixedPoint) for fee-rate parameters.
 */

/** A satoshi amount that serializes as BTC with 8 decimals (ValueFromAmount). */
export class BtcAmount {
  constructor(readonly sats: number | bigint) {}
  /** For plain JSON.stringify: the same value as a JS number. */
  toJSON(): number {
    return Number(this.sats) / 1e8;
  }
  toString(): string {
    const n = BigInt(this.sats);
    const a = n < 0n ? -n : n;
    return `${n < 0n ? '-' : ''}${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, '0')}`;
  }
}

export const amount = (sats: number | bigint): BtcAmount => new BtcAmount(sats);

/** Serializes like UniValue::write() (compact): BtcAmount values as raw 8-decimal numbers. */
export function coreJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof BtcAmount) return v.toString();
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'string':
      return JSON.stringify(v);
    default:
      break;
  }
  if (Array.isArray(v)) return '[' + v.map(coreJson).join(',') + ']';
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    parts.push(JSON.stringify(k) + ':' + coreJson(x));
  }
  return '{' + parts.join(',') + '}';
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
