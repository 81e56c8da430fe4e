/**
 * Shared fast-check arbitraries and mutation helpers for the codec property tests
 * (not a test file itself).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import type { TxFields, TxIn, TxOut } from '../../src/primitives/tx.ts';

/** Per-case bound: a decode of a few KB takes well under a millisecond; this only catches hangs/blow-ups. */
export const CASE_TIME_LIMIT_MS = 2000;

/** Runs f; returns its value or the DecodeError it threw. Anything else thrown fails the property. */
export function decodeOrError<T>(f: () => T): T | DecodeError {
  const t0 = performance.now();
  let out: T | DecodeError;
  try {
    out = f();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`decoder threw a non-DecodeError: ${String(e)}`, { cause: e });
    out = e;
  }
  const dt = performance.now() - t0;
  assert.ok(dt < CASE_TIME_LIMIT_MS, `decode took ${dt.toFixed(0)} ms`);
  return out;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Scripts: mostly short, some ≥ 253 bytes so the 3-byte CompactSize form is exercised. */
export const scriptArb = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 300 }) },
);
export const witnessArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Uint8Array[]>([]) },
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.constant(new Uint8Array(0))), { maxLength: 4 }) },
);
export const txInArb: fc.Arbitrary<TxIn> = fc.record({
  prevout: fc.record({ txid: fc.uint8Array({ minLength: 32, maxLength: 32 }), vout: u32 }),
  scriptSig: scriptArb,
  sequence: u32,
  witness: witnessArb,
});
export const txOutArb: fc.Arbitrary<TxOut> = fc.record({
  value: fc.oneof(
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    fc.bigInt({ min: -5n, max: 2_100_000_000_000_000n }),
  ),
  scriptPubKey: scriptArb,
});
export const txFieldsArb: fc.Arbitrary<TxFields> = fc.record({
  version: fc.oneof(u32, fc.constantFrom(0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff)),
  inputs: fc.oneof({ weight: 1, arbitrary: fc.constant<TxIn[]>([]) }, { weight: 6, arbitrary: fc.array(txInArb, { minLength: 1, maxLength: 4 }) }),
  outputs: fc.array(txOutArb, { maxLength: 4 }),
  locktime: u32,
});

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
);

/** Applies mutations in order; positions are taken modulo the current length. */
export function mutate(src: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === 'insert' || m.kind === 'truncate' ? 1 : 0));
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert': {
        const nb = new Uint8Array(b.length + 1);
        nb.set(b.subarray(0, at));
        nb[at] = m.byte;
        nb.set(b.subarray(at), at + 1);
        b = nb;
        break;
      }
      case 'delete':
        if (b.length) b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1)]);
        break;
      case 'overwrite':
        for (let i = 0; i < m.bytes.length && at + i < b.length; i++) b[at + i] = m.bytes[i]!;
        break;
    }
  }
  return b;
}
