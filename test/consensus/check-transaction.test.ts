/** Core's CheckTransaction (consensus/tx_check.cpp): every reject reason, in Core's order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkTransaction } from '../../src/consensus/tx-check.ts';
import { MAX_MONEY } from '../../src/consensus/constants.ts';
import { makeTx, type TxFields, type TxIn } from '../../src/primitives/tx.ts';

const txid = (b: number) => new Uint8Array(32).fill(b);
const input = (b: number, vout = 0): TxIn => ({ prevout: { txid: txid(b), vout }, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] });
const out = (value: bigint) => ({ value, scriptPubKey: Uint8Array.of(0x51) });
const base = (): TxFields => ({ version: 2, inputs: [input(1)], outputs: [out(1000n)], locktime: 0 });
const check = (f: TxFields) => checkTransaction(makeTx(f));

test('a plain transaction passes', () => {
  assert.deepEqual(check(base()), { ok: true });
});

test('bad-txns-vin-empty and bad-txns-vout-empty', () => {
  // An input-less tx serializes like the segwit marker; build the fields without re-decoding.
  const t = makeTx(base());
  assert.deepEqual(checkTransaction({ ...t, inputs: [] }), { ok: false, reason: 'bad-txns-vin-empty' });
  assert.deepEqual(check({ ...base(), outputs: [] }), { ok: false, reason: 'bad-txns-vout-empty' });
  // vin is checked first
  assert.deepEqual(checkTransaction({ ...t, inputs: [], outputs: [] }), { ok: false, reason: 'bad-txns-vin-empty' });
});

test('bad-txns-oversize: stripped size * 4 > 4,000,000', () => {
  const big = (n: number) => ({ ...base(), outputs: [{ value: 0n, scriptPubKey: new Uint8Array(n) }] });
  // base overhead: version 4 + vin (1 + 41) + vout count 1 + value 8 + script len 5 + locktime 4 = 64 bytes
  assert.deepEqual(check(big(1_000_000 - 64)), { ok: true });
  assert.deepEqual(check(big(1_000_000 - 63)), { ok: false, reason: 'bad-txns-oversize' });
  // witness bytes do not count
  const t = makeTx({ ...big(900_000), inputs: [{ ...input(1), witness: [new Uint8Array(200_000)] }] });
  assert.ok(t.totalSize > 1_000_000);
  assert.deepEqual(checkTransaction(t), { ok: true });
});

test('output value rules: negative, too large, total too large', () => {
  assert.deepEqual(check({ ...base(), outputs: [out(-1n)] }), { ok: false, reason: 'bad-txns-vout-negative' });
  assert.deepEqual(check({ ...base(), outputs: [out(MAX_MONEY)] }), { ok: true });
  assert.deepEqual(check({ ...base(), outputs: [out(MAX_MONEY + 1n)] }), { ok: false, reason: 'bad-txns-vout-toolarge' });
  assert.deepEqual(check({ ...base(), outputs: [out(MAX_MONEY), out(1n)] }), { ok: false, reason: 'bad-txns-txouttotal-toolarge' });
  // per-output checks come before the running total of later outputs
  assert.deepEqual(check({ ...base(), outputs: [out(1n), out(-5n)] }), { ok: false, reason: 'bad-txns-vout-negative' });
});

test('bad-txns-inputs-duplicate (CVE-2018-17144)', () => {
  assert.deepEqual(check({ ...base(), inputs: [input(1, 0), input(2, 0), input(1, 0)] }), { ok: false, reason: 'bad-txns-inputs-duplicate' });
  assert.deepEqual(check({ ...base(), inputs: [input(1, 0), input(1, 1)] }), { ok: true });
});

test('bad-txns-inputs-duplicate among many inputs: any pair, equal bytes in different arrays', () => {
  // 2..40 inputs spending (txid i, vout i % 3): all distinct; then input d repeats input s.
  fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.nat(), (n, a, b) => {
    const ins = Array.from({ length: n }, (_, i) => input(i + 1, i % 3));
    assert.deepEqual(check({ ...base(), inputs: ins }), { ok: true });
    const [s, d] = [a % n, b % n];
    if (s === d) return;
    ins[d] = input(s + 1, s % 3);
    assert.deepEqual(check({ ...base(), inputs: ins }), { ok: false, reason: 'bad-txns-inputs-duplicate' });
    // Same txid, another index; same index, another txid: no duplicate.
    ins[d] = input(s + 1, (s % 3) + 3);
    assert.deepEqual(check({ ...base(), inputs: ins }), { ok: true });
    ins[d] = input(n + 1, s % 3);
    assert.deepEqual(check({ ...base(), inputs: ins }), { ok: true });
  }), { numRuns: 200 });
});

test('coinbase scriptSig length 2..100: bad-cb-length', () => {
  const cb = (n: number): TxFields => ({ ...base(), inputs: [{ ...input(0, 0xffffffff), scriptSig: new Uint8Array(n) }] });
  assert.deepEqual(check(cb(1)), { ok: false, reason: 'bad-cb-length' });
  assert.deepEqual(check(cb(2)), { ok: true });
  assert.deepEqual(check(cb(100)), { ok: true });
  assert.deepEqual(check(cb(101)), { ok: false, reason: 'bad-cb-length' });
});

test('bad-txns-prevout-null in a non-coinbase', () => {
  assert.deepEqual(check({ ...base(), inputs: [input(1), input(0, 0xffffffff)] }), { ok: false, reason: 'bad-txns-prevout-null' });
  // a null-hash prevout with another index is not null
  assert.deepEqual(check({ ...base(), inputs: [input(1), input(0, 5)] }), { ok: true });
});

test('property: every accepted tx has in-range outputs and distinct prevouts', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 5 }),
    fc.array(fc.bigInt({ min: -2n, max: MAX_MONEY + 2n }), { minLength: 1, maxLength: 4 }),
    (ins, vals) => {
      const r = check({ version: 1, inputs: ins.map(([b, v]) => input(b + 1, v)), outputs: vals.map(out), locktime: 0 });
      const distinct = new Set(ins.map(([b, v]) => `${b}:${v}`)).size === ins.length;
      const sum = vals.reduce((a, b) => a + b, 0n);
      const inRange = vals.every((v) => v >= 0n && v <= MAX_MONEY) && sum <= MAX_MONEY;
      assert.equal(r.ok, distinct && inRange);
    },
  ));
});
