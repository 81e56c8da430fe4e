/**
 * CScriptNum (script/script.h): little-endian sign-magnitude numbers, at most 4 bytes as
 * operands (5 for CHECKLOCKTIMEVERIFY/CHECKSEQUENCEVERIFY), minimal encoding under
 * MINIMALDATA. Values stay within ±2^40, so plain numbers are exact.
 */
import { allocBytes } from '../primitives/bytes.ts';

/** Thrown (and caught inside the interpreter) where Core throws scriptnum_error. */
export class ScriptNumError extends Error {
  override readonly name = 'ScriptNumError';
}

export function decodeScriptNum(v: Uint8Array, requireMinimal: boolean, maxSize = 4): number {
  const n = v.length;
  if (n > maxSize) throw new ScriptNumError('script number overflow');
  if (n === 0) return 0;
  if (requireMinimal && (v[n - 1]! & 0x7f) === 0) {
    // The most significant byte is only 0x00/0x80 if the next byte needs its sign bit.
    if (n <= 1 || (v[n - 2]! & 0x80) === 0) throw new ScriptNumError('non-minimally encoded script number');
  }
  let r = 0;
  for (let i = 0; i < n - 1; i++) r += v[i]! * 2 ** (8 * i);
  const last = v[n - 1]!;
  r += (last & 0x7f) * 2 ** (8 * (n - 1));
  return last & 0x80 ? -r : r;
}

export function encodeScriptNum(value: number): Uint8Array {
  if (value === 0) return new Uint8Array(0);
  const neg = value < 0;
  let abs = Math.abs(value);
  const out: number[] = [];
  while (abs > 0) {
    out.push(abs % 256);
    abs = Math.floor(abs / 256);
  }
  const last = out[out.length - 1]!;
  if (last & 0x80) out.push(neg ? 0x80 : 0);
  else if (neg) out[out.length - 1] = last | 0x80;
  const b = allocBytes(out.length);
  for (let i = 0; i < out.length; i++) b[i] = out[i]!;
  return b;
}

/** CastToBool: any non-zero byte, except a lone sign bit in the last byte (negative zero). */
export function castToBool(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) return !(i === v.length - 1 && v[i] === 0x80);
  }
  return false;
}
