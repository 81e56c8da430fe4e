/**
 * GenericTransactionSignatureChecker (src/script/tx-checker.ts) on its own:
 * CheckLockTime (BIP65: same kind of lock, LOCKTIME_THRESHOLD 500,000,000 at N-1/N, a final
 * input never satisfies), CheckSequence (BIP112: version ≥ 2 compared unsigned, the disable
 * flag of the input, the type flag, the 16-bit mask, operands above 32 bits), and the
 * signature checks: which message an ECDSA signature is checked against (legacy or BIP143,
 * digests from @scure/btc-signer, signatures made with noble), what reaches the verifier and
 * the signature cache, and CheckSchnorrSignature's size and hash-type errors.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Transaction as ScureTransaction } from '@scure/btc-signer';
import { encodeTx, type TxFields } from '../../src/primitives/tx.ts';
import { SigVersion } from '../../src/script/exec.ts';
import { TxSignatureChecker, type SigCache } from '../../src/script/tx-checker.ts';
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import { nobleVerifier } from '../../src/script/sigcheck-noble.ts';
import { buildCreditingTx, buildSpendingTx } from '../util/script-tx.ts';

const FINAL = 0xffffffff;
function txWith(o: { version?: number; locktime?: number; sequence?: number }): TxFields {
  return {
    version: o.version ?? 2,
    inputs: [
      { prevout: { txid: new Uint8Array(32), vout: 0 }, scriptSig: new Uint8Array(0), sequence: 0, witness: [] },
      { prevout: { txid: new Uint8Array(32).fill(1), vout: 1 }, scriptSig: new Uint8Array(0), sequence: o.sequence ?? 0, witness: [] },
    ],
    outputs: [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51) }],
    locktime: o.locktime ?? 0,
  };
}
/** The checker of input 1 (input 0 has sequence 0, so a wrong input index shows). */
const checker = (tx: TxFields, verifier: SigVerifier = nobleVerifier, cache?: SigCache) => new TxSignatureChecker(tx, 1, 1000n, {}, verifier, cache);

describe('CheckLockTime (BIP65)', () => {
  const lt = (txLock: number, lock: number, sequence = 0xfffffffe) => checker(txWith({ locktime: txLock, sequence })).checkLockTime(lock);
  test('heights: satisfied up to the transaction’s nLockTime', () => {
    assert.equal(lt(100, 99), true);
    assert.equal(lt(100, 100), true);
    assert.equal(lt(100, 101), false);
    assert.equal(lt(0, 0), true);
  });
  test('times: satisfied up to the transaction’s nLockTime', () => {
    assert.equal(lt(600_000_000, 599_999_999), true);
    assert.equal(lt(600_000_000, 600_000_000), true);
    assert.equal(lt(600_000_000, 600_000_001), false);
  });
  test('a height against a time (either way) fails; 499,999,999 is a height, 500,000,000 a time', () => {
    assert.equal(lt(499_999_999, 499_999_999), true);
    assert.equal(lt(500_000_000, 500_000_000), true);
    assert.equal(lt(500_000_000, 499_999_999), false);
    assert.equal(lt(499_999_999, 500_000_000), false);
    assert.equal(lt(600_000_000, 100), false);
  });
  test('the input’s nSequence must not be final (0xffffffff); the one being checked, not input 0', () => {
    assert.equal(lt(100, 50, FINAL), false);
    assert.equal(lt(100, 50, 0xfffffffe), true);
    const tx = txWith({ locktime: 100, sequence: 0 });
    tx.inputs[0]!.sequence = FINAL;
    assert.equal(checker(tx).checkLockTime(50), true);
  });
});

describe('CheckSequence (BIP112)', () => {
  const TYPE = 1 << 22;
  const cs = (txSeq: number, operand: number, version = 2) => checker(txWith({ version, sequence: txSeq })).checkSequence(operand);
  test('version 2 and up, compared unsigned (0xffffffff is not -1)', () => {
    assert.equal(cs(10, 10, 1), false);
    assert.equal(cs(10, 10, 2), true);
    assert.equal(cs(10, 10, 3), true);
    assert.equal(cs(10, 10, 0xffffffff), true);
    assert.equal(cs(10, 10, 0), false);
  });
  test('blocks: satisfied up to the input’s relative lock', () => {
    assert.equal(cs(10, 9), true);
    assert.equal(cs(10, 10), true);
    assert.equal(cs(10, 11), false);
    assert.equal(cs(0, 0), true);
  });
  test('time (type flag): satisfied up to the input’s lock; blocks against time fails either way', () => {
    assert.equal(cs(TYPE | 10, TYPE | 10), true);
    assert.equal(cs(TYPE | 10, TYPE | 9), true);
    assert.equal(cs(TYPE | 10, TYPE | 11), false);
    assert.equal(cs(TYPE | 10, 5), false);
    assert.equal(cs(10, TYPE | 5), false);
  });
  test('the input’s disable flag fails the check', () => {
    assert.equal(cs(0x80000000 | 10, 5), false);
    assert.equal(cs(0x40000000 | 10, 5), true, 'bit 30 is not the disable flag');
  });
  test('only the type flag and the low 16 bits count, of both (operands may exceed 32 bits)', () => {
    assert.equal(cs(0x00010005, 5), true, 'bit 16 of the input is masked off');
    assert.equal(cs(5, 0x00010006), false);
    assert.equal(cs(5, 0x00bf0005), true, 'bits 16..21 and 23 of the operand are masked off');
    assert.equal(cs(5, 0x3f000005), true, 'bits 24..29 of the operand are masked off');
    assert.equal(cs(0x3f000005, 5), true, 'bits 24..29 of the input are masked off');
    assert.equal(cs(5, 2 ** 32 + 5), true, 'bit 32 of a 5-byte operand is masked off');
    assert.equal(cs(5, 2 ** 32 + 6), false);
    assert.equal(cs(TYPE | 5, 2 ** 33 + TYPE + 5), true);
  });
});

describe('CheckECDSASignature: the message, the verifier and the cache', () => {
  const SK = new Uint8Array(32).fill(7);
  const PUB = secp256k1.getPublicKey(SK, true);
  const spk = Uint8Array.of(0x21, ...PUB, 0xac);
  const AMOUNT = 12_345n;
  const credit = buildCreditingTx(spk, AMOUNT);
  const spend = buildSpendingTx(new Uint8Array(0), [], credit);
  const scure = ScureTransaction.fromRaw(encodeTx(spend, false), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  const legacyDigest = (scure as unknown as { preimageLegacy(i: number, s: Uint8Array, t: number): Uint8Array }).preimageLegacy(0, spk, 1);
  const v0Digest = scure.preimageWitnessV0(0, spk, 1, AMOUNT);
  const sign = (digest: Uint8Array) => Uint8Array.of(...secp256k1.sign(digest, SK, { prehash: false, format: 'der' }), 0x01);
  const chk = (verifier: SigVerifier = nobleVerifier, cache?: SigCache) => new TxSignatureChecker(spend, 0, AMOUNT, {}, verifier, cache);

  test('BASE signs the legacy digest, WITNESS_V0 the BIP143 one (with the amount)', () => {
    assert.equal(chk().checkEcdsa(sign(legacyDigest), PUB, spk, SigVersion.BASE), true);
    assert.equal(chk().checkEcdsa(sign(legacyDigest), PUB, spk, SigVersion.WITNESS_V0), false);
    assert.equal(chk().checkEcdsa(sign(v0Digest), PUB, spk, SigVersion.WITNESS_V0), true);
    assert.equal(chk().checkEcdsa(sign(v0Digest), PUB, spk, SigVersion.BASE), false);
    const other = new TxSignatureChecker(spend, 0, AMOUNT + 1n, {}, nobleVerifier);
    assert.equal(other.checkEcdsa(sign(v0Digest), PUB, spk, SigVersion.WITNESS_V0), false);
  });

  test('a bad key, an empty or unparseable signature never reach the verifier', () => {
    const calls: string[] = [];
    const spy: SigVerifier = { name: 'spy', verifyEcdsa: () => (calls.push('e'), true), verifySchnorr: () => (calls.push('s'), true) };
    assert.equal(chk(spy).checkEcdsa(sign(legacyDigest), Uint8Array.of(5, ...PUB.subarray(1)), spk, SigVersion.BASE), false);
    assert.equal(chk(spy).checkEcdsa(new Uint8Array(0), PUB, spk, SigVersion.BASE), false);
    assert.equal(chk(spy).checkEcdsa(Uint8Array.of(0x31, 0x01), PUB, spk, SigVersion.BASE), false);
    assert.deepEqual(calls, []);
    assert.equal(chk(spy).checkEcdsa(sign(legacyDigest), PUB, spk, SigVersion.BASE), true);
    assert.deepEqual(calls, ['e']);
  });

  test('with a cache, the cache is asked (with the compact signature, the digest, the key and the verifier) and its answer used', () => {
    const seen: [Uint8Array, Uint8Array, Uint8Array, SigVerifier][] = [];
    const cache = (answer: boolean): SigCache => ({
      ecdsa: (s, m, k, v) => (seen.push([s, m, k, v]), answer),
      schnorr: () => assert.fail('no schnorr check'),
    });
    const sig = sign(legacyDigest);
    assert.equal(chk(nobleVerifier, cache(false)).checkEcdsa(sig, PUB, spk, SigVersion.BASE), false);
    assert.equal(chk(nobleVerifier, cache(true)).checkEcdsa(Uint8Array.of(...sign(v0Digest)), PUB, spk, SigVersion.BASE), true);
    const [s, m, k, v] = seen[0]!;
    assert.equal(s.length, 64);
    assert.deepEqual(m, legacyDigest);
    assert.deepEqual(k, PUB);
    assert.equal(v, nobleVerifier);
  });
});

describe('CheckSchnorrSignature: sizes and hash types', () => {
  const spend = buildSpendingTx(new Uint8Array(0), [], buildCreditingTx(Uint8Array.of(0x51), 1000n));
  const spent = [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(2)) }];
  const key = new Uint8Array(32).fill(9);
  const got: Uint8Array[] = [];
  const spy = (answer: boolean): SigVerifier => ({ name: 'spy', verifyEcdsa: () => false, verifySchnorr: (s, m) => (got.push(s, m), answer) });
  const chk = (answer = true, cache?: SigCache) => new TxSignatureChecker(spend, 0, 1000n, { spent }, spy(answer), cache);
  const exec = { codesepPos: 0xffffffff };

  test('64 or 65 bytes only', () => {
    for (const n of [0, 63, 66]) assert.equal(chk().checkSchnorr(new Uint8Array(n).fill(1), key, SigVersion.TAPROOT, exec), 'SCHNORR_SIG_SIZE', `${n}`);
    assert.equal(chk().checkSchnorr(new Uint8Array(64).fill(1), key, SigVersion.TAPROOT, exec), true);
    assert.equal(chk().checkSchnorr(Uint8Array.of(...new Uint8Array(64).fill(1), 0x01), key, SigVersion.TAPROOT, exec), true);
  });
  test('an explicit hash type 0x00 and undefined hash types are SCHNORR_SIG_HASHTYPE; the verifier sees 64 bytes', () => {
    const sig = (t: number) => Uint8Array.of(...new Uint8Array(64).fill(1), t);
    assert.equal(chk().checkSchnorr(sig(0), key, SigVersion.TAPROOT, exec), 'SCHNORR_SIG_HASHTYPE');
    for (const t of [4, 0x80, 0x84, 0x41]) assert.equal(chk().checkSchnorr(sig(t), key, SigVersion.TAPROOT, exec), 'SCHNORR_SIG_HASHTYPE', t.toString(16));
    got.length = 0;
    assert.equal(chk().checkSchnorr(sig(0x83), key, SigVersion.TAPROOT, exec), true);
    assert.equal(got[0]!.length, 64);
    assert.equal(got[1]!.length, 32);
  });
  test('a failing verification is SCHNORR_SIG; with a cache the cache decides', () => {
    assert.equal(chk(false).checkSchnorr(new Uint8Array(64).fill(1), key, SigVersion.TAPROOT, exec), 'SCHNORR_SIG');
    const cache = (answer: boolean): SigCache => ({ ecdsa: () => assert.fail('no ecdsa check'), schnorr: () => answer });
    assert.equal(chk(true, cache(false)).checkSchnorr(new Uint8Array(64).fill(1), key, SigVersion.TAPROOT, exec), 'SCHNORR_SIG');
    assert.equal(chk(false, cache(true)).checkSchnorr(new Uint8Array(64).fill(1), key, SigVersion.TAPROOT, exec), true);
  });
});
