/**
 * BIP341 wallet test vectors (bip-0341/wallet-test-vectors.json = Core's
 * bip341_wallet_vectors.json): output construction (leaf hashes, merkle root, tweak,
 * tweaked key, scriptPubKey, control blocks), key-path signature hashes (BIP341
 * SigMsg / TapSighash, the precomputed single-SHA256 hashes), the expected signatures
 * verified through the SigVerifier interface, and the fully signed transaction verified
 * input by input through the public verifyScript.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, concatBytes } from '../../src/primitives/bytes.ts';
import { decodeTx, encodeTx, type TxOut } from '../../src/primitives/tx.ts';
import { schnorr } from '@noble/curves/secp256k1.js';
import { Transaction as ScureTransaction } from '@scure/btc-signer';
import { precomputeTxData, bip341Hashes, taprootSigMsg, taprootSighash } from '../../src/script/sighash.ts';
import { nobleVerifier } from '../../src/script/sigcheck-noble.ts';
import { checkTapTweak } from '../../src/script/taproot.ts';
import { SCRIPT_VERIFY, ALL_FLAGS } from '../../src/script/flags.ts';
import { verifyScript } from '../../mod.ts';
import { readVectorJson } from '../util/vectors.ts';
import { taprootOutput, tapTweak, tweakPublicKey, tweakSecretKey, xOnly, type TapTree } from '../util/taproot.ts';
import { buildCreditingTx, buildSpendingTx } from '../util/script-tx.ts';

interface JsonLeaf { id: number; script: string; leafVersion: number }
type JsonTree = JsonLeaf | JsonTree[];
interface SpkCase {
  given: { internalPubkey: string; scriptTree: JsonTree | null };
  intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
  expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
}
interface InputCase {
  given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
  intermediary: { internalPubkey: string; tweak: string; tweakedPrivkey: string; sigMsg: string; precomputedUsed: string[]; sigHash: string };
  expected: { witness: string[] };
}
interface Vectors {
  version: number;
  scriptPubKey: SpkCase[];
  keyPathSpending: {
    given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
    intermediary: { hashAmounts: string; hashOutputs: string; hashPrevouts: string; hashScriptPubkeys: string; hashSequences: string };
    inputSpending: InputCase[];
    auxiliary: { fullySignedTx: string };
  }[];
}

const V = readVectorJson<Vectors>('bitcoin-core/bip341_wallet_vectors.json');

function toTree(t: JsonTree): TapTree {
  if (Array.isArray(t)) {
    assert.equal(t.length, 2);
    return [toTree(t[0]!), toTree(t[1]!)];
  }
  return { id: t.id, leafVersion: t.leafVersion, script: fromHex(t.script) };
}

describe('scriptPubKey construction', () => {
  test('7 cases', () => assert.equal(V.scriptPubKey.length, 7));
  V.scriptPubKey.forEach((c, i) => {
    test(`case ${i}: ${c.expected.bip350Address}`, () => {
      const out = taprootOutput(fromHex(c.given.internalPubkey), c.given.scriptTree ? toTree(c.given.scriptTree) : null);
      const byId = [...out.controlBlocks].sort((a, b) => a.leaf.id! - b.leaf.id!);
      if (c.intermediary.leafHashes) assert.deepEqual(byId.map((x) => toHex(x.leafHash)), c.intermediary.leafHashes);
      else assert.equal(out.controlBlocks.length, 0);
      assert.equal(out.merkleRoot ? toHex(out.merkleRoot) : null, c.intermediary.merkleRoot);
      assert.equal(toHex(out.tweak), c.intermediary.tweak);
      assert.equal(toHex(out.outputKey), c.intermediary.tweakedPubkey);
      assert.equal(toHex(out.scriptPubKey), c.expected.scriptPubKey);
      if (c.expected.scriptPathControlBlocks) assert.deepEqual(byId.map((x) => toHex(x.controlBlock)), c.expected.scriptPathControlBlocks);
    });
  });
});

const K = V.keyPathSpending[0]!;
const unsigned = decodeTx(fromHex(K.given.rawUnsignedTx));
const spent: TxOut[] = K.given.utxosSpent.map((u) => ({ scriptPubKey: fromHex(u.scriptPubKey), value: BigInt(u.amountSats) }));

describe('keyPathSpending', () => {
  test('without every spent output there are no BIP341 hashes and no taproot sighash', () => {
    for (const pre of [precomputeTxData(unsigned), precomputeTxData(unsigned, spent.slice(1))]) {
      assert.equal(bip341Hashes(unsigned, pre), undefined);
      assert.equal(taprootSigMsg(unsigned, 0, 0, pre), undefined);
      assert.equal(taprootSighash(unsigned, 0, 0, pre), undefined);
    }
    // An undefined hash type gives no sighash either.
    assert.equal(taprootSighash(unsigned, 0, 0x04, precomputeTxData(unsigned, spent)), undefined);
    assert.ok(taprootSighash(unsigned, 0, 0, precomputeTxData(unsigned, spent)));
  });

  test('precomputed BIP341 hashes (single SHA256)', () => {
    assert.equal(unsigned.inputs.length, spent.length);
    const pre = precomputeTxData(unsigned, spent);
    const h = pre.bip341 ?? bip341Hashes(unsigned, pre);
    assert.ok(h, 'bip341 hashes not computed although every spent output is known');
    assert.equal(toHex(h.amounts), K.intermediary.hashAmounts);
    assert.equal(toHex(h.outputs), K.intermediary.hashOutputs);
    assert.equal(toHex(h.prevouts), K.intermediary.hashPrevouts);
    assert.equal(toHex(h.scriptPubKeys), K.intermediary.hashScriptPubkeys);
    assert.equal(toHex(h.sequences), K.intermediary.hashSequences);
  });

  for (const c of K.inputSpending) {
    const { txinIndex: n, hashType } = c.given;
    test(`input ${n} hashType 0x${hashType.toString(16)}: keys, SigMsg, SigHash, signature`, () => {
      const sk = fromHex(c.given.internalPrivkey);
      assert.equal(toHex(xOnly(sk)), c.intermediary.internalPubkey);
      const merkleRoot = c.given.merkleRoot ? fromHex(c.given.merkleRoot) : null;
      assert.equal(toHex(tapTweak(fromHex(c.intermediary.internalPubkey), merkleRoot)), c.intermediary.tweak);
      assert.equal(toHex(tweakSecretKey(sk, merkleRoot)), c.intermediary.tweakedPrivkey);

      const pre = precomputeTxData(unsigned, spent);
      const msg = taprootSigMsg(unsigned, n, hashType, pre);
      assert.ok(msg, 'taprootSigMsg returned undefined');
      assert.equal(toHex(concatBytes(Uint8Array.of(0), msg)), c.intermediary.sigMsg, 'sigMsg (epoch byte ‖ SigMsg)');
      const sh = taprootSighash(unsigned, n, hashType, pre);
      assert.ok(sh);
      assert.equal(toHex(sh), c.intermediary.sigHash);

      // The expected witness signature verifies against the tweaked output key of the spent output.
      const w = c.expected.witness;
      assert.equal(w.length, 1);
      const sig = fromHex(w[0]!);
      assert.equal(sig.length, hashType === 0 ? 64 : 65);
      if (sig.length === 65) assert.equal(sig[64], hashType);
      const outputKey = spent[n]!.scriptPubKey.subarray(2);
      assert.equal(nobleVerifier.verifySchnorr(sig.subarray(0, 64), sh, outputKey), true, 'expected signature does not verify');
      const bad = sh.slice();
      bad[0]! ^= 1;
      assert.equal(nobleVerifier.verifySchnorr(sig.subarray(0, 64), bad, outputKey), false);
    });
  }

  test('invalid hash types and SINGLE without an output give no SigMsg', () => {
    const pre = precomputeTxData(unsigned, spent);
    for (const ht of [0x04, 0x7f, 0x80, 0x84, 0xff]) assert.equal(taprootSigMsg(unsigned, 0, ht, pre), undefined, `0x${ht.toString(16)}`);
    assert.ok(unsigned.outputs.length < unsigned.inputs.length);
    assert.equal(taprootSigMsg(unsigned, unsigned.outputs.length, 0x03, pre), undefined);
    assert.equal(taprootSigMsg(unsigned, unsigned.outputs.length, 0x83, pre), undefined);
  });
});

describe('fully signed transaction through verifyScript', () => {
  const raw = fromHex(K.auxiliary.fullySignedTx);
  const signed = decodeTx(raw);
  const prevouts = spent.map((s) => ({ scriptPubKey: s.scriptPubKey, amount: s.value }));
  const taprootFlags = SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS | SCRIPT_VERIFY.TAPROOT;
  for (let i = 0; i < signed.inputs.length; i++) {
    test(`input ${i} verifies with P2SH,WITNESS,TAPROOT and with ALL_FLAGS`, () => {
      for (const flags of [taprootFlags, ALL_FLAGS]) {
        const r = verifyScript({ tx: raw, index: i, prevouts, flags });
        assert.deepEqual(r, { ok: true }, `input ${i} flags ${flags}: ${JSON.stringify(r)}`);
      }
    });
  }
  test('a changed amount breaks every taproot key-path signature (SCHNORR_SIG)', () => {
    const bumped = prevouts.map((p) => ({ ...p, amount: p.amount + 1n }));
    for (const c of K.inputSpending) {
      const r = verifyScript({ tx: raw, index: c.given.txinIndex, prevouts: bumped, flags: taprootFlags });
      assert.deepEqual(r, { ok: false, error: 'SCHNORR_SIG' }, `input ${c.given.txinIndex}`);
    }
  });
});

/**
 * The annex (BIP341) and the code separator position (BIP342) in the signature message.
 * The digests come from @scure/btc-signer's BIP341 SigMsg (Transaction.preimageWitnessV1,
 * which takes the annex and the codeseparator position), not from src/script/sighash.ts.
 */
describe('annex and OP_CODESEPARATOR position in the signed message (digests from @scure/btc-signer)', () => {
  const SK = secretKey(0x11);
  const LEAF_SK = secretKey(0x22);
  const AMOUNT = 50_000n;
  const ANNEX = Uint8Array.of(0x50, 0xa1, 0xb2, 0xc3);
  const taprootFlags = SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS | SCRIPT_VERIFY.TAPROOT;

  function secretKey(n: number): Uint8Array {
    const k = new Uint8Array(32);
    k[31] = n;
    return k;
  }

  interface Signing { annex?: Uint8Array; leafScript?: Uint8Array; codesepPos?: number }

  /** Signs input 0 of a spend of `spk` with `sk` over scure's BIP341 digest and verifies the witness built from the signature. */
  function spend(spk: Uint8Array, sk: Uint8Array, signing: Signing, witnessOf: (sig: Uint8Array) => Uint8Array[]) {
    const credit = buildCreditingTx(spk, AMOUNT);
    const unsigned = buildSpendingTx(new Uint8Array(0), [], credit);
    const scureTx = ScureTransaction.fromRaw(encodeTx(unsigned, false), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
    const digest = scureTx.preimageWitnessV1(0, [spk], 0, [AMOUNT], signing.codesepPos ?? -1, signing.leafScript, 0xc0, signing.annex);
    const sig = schnorr.sign(digest, sk, new Uint8Array(32));
    const signed = { ...unsigned, inputs: [{ ...unsigned.inputs[0]!, witness: witnessOf(sig) }] };
    return verifyScript({ tx: encodeTx(signed), index: 0, prevouts: [{ scriptPubKey: spk, amount: AMOUNT }], flags: taprootFlags });
  }

  test('key path: a signature over the annex verifies; one not committing to it, or to another annex, fails', () => {
    const out = taprootOutput(xOnly(SK), null);
    const sk = tweakSecretKey(SK, null);
    const changed = ANNEX.slice();
    changed[3]! ^= 1;
    assert.deepEqual(spend(out.scriptPubKey, sk, { annex: ANNEX }, (s) => [s, ANNEX]), { ok: true });
    assert.deepEqual(spend(out.scriptPubKey, sk, {}, (s) => [s, ANNEX]), { ok: false, error: 'SCHNORR_SIG' });
    assert.deepEqual(spend(out.scriptPubKey, sk, { annex: changed }, (s) => [s, ANNEX]), { ok: false, error: 'SCHNORR_SIG' });
    assert.deepEqual(spend(out.scriptPubKey, sk, {}, (s) => [s]), { ok: true });
    assert.deepEqual(spend(out.scriptPubKey, sk, { annex: ANNEX }, (s) => [s]), { ok: false, error: 'SCHNORR_SIG' });
  });

  test('script path: a signature over the annex verifies; one not committing to it fails', () => {
    const script = concatBytes(Uint8Array.of(0x20), xOnly(LEAF_SK), Uint8Array.of(0xac)); // <key> OP_CHECKSIG
    const out = taprootOutput(xOnly(SK), { leafVersion: 0xc0, script });
    const control = out.controlBlocks[0]!.controlBlock;
    const w = (annex?: Uint8Array) => (s: Uint8Array) => (annex ? [s, script, control, annex] : [s, script, control]);
    assert.deepEqual(spend(out.scriptPubKey, LEAF_SK, { annex: ANNEX, leafScript: script }, w(ANNEX)), { ok: true });
    assert.deepEqual(spend(out.scriptPubKey, LEAF_SK, { leafScript: script }, w(ANNEX)), { ok: false, error: 'SCHNORR_SIG' });
    assert.deepEqual(spend(out.scriptPubKey, LEAF_SK, { leafScript: script }, w()), { ok: true });
    assert.deepEqual(spend(out.scriptPubKey, LEAF_SK, { annex: ANNEX, leafScript: script }, w()), { ok: false, error: 'SCHNORR_SIG' });
  });

  /** A tapscript leaf signed with the given codeseparator position. */
  function leafSpend(script: Uint8Array, codesepPos: number) {
    const out = taprootOutput(xOnly(SK), { leafVersion: 0xc0, script });
    const control = out.controlBlocks[0]!.controlBlock;
    return spend(out.scriptPubKey, LEAF_SK, { leafScript: script, codesepPos }, (s) => [s, script, control]);
  }
  const PUSH2_DROP = Uint8Array.of(0x02, 0xab, 0xcd, 0x75); // <abcd> OP_DROP: 2 opcodes, 4 bytes
  const CHECK = concatBytes(Uint8Array.of(0x20), xOnly(LEAF_SK), Uint8Array.of(0xac));

  test('codesep_pos is the opcode index of the last executed OP_CODESEPARATOR, not its byte offset', () => {
    // <abcd> OP_DROP OP_CODESEPARATOR <key> OP_CHECKSIG: the separator is opcode 2, byte 4.
    const script = concatBytes(PUSH2_DROP, Uint8Array.of(0xab), CHECK);
    assert.deepEqual(leafSpend(script, 2), { ok: true });
    // A failed signature (non-empty) in tapscript is an error, not a false result.
    assert.deepEqual(leafSpend(script, 4), { ok: false, error: 'SCHNORR_SIG' });
    assert.deepEqual(leafSpend(script, 3), { ok: false, error: 'SCHNORR_SIG' });
    assert.deepEqual(leafSpend(script, -1), { ok: false, error: 'SCHNORR_SIG' });
  });

  test('an OP_CODESEPARATOR in an unexecuted branch does not move codesep_pos', () => {
    // <abcd> OP_DROP OP_CODESEPARATOR OP_0 OP_IF OP_CODESEPARATOR OP_ENDIF <key> OP_CHECKSIG
    // opcodes:  0      1         2          3    4         5            6      7       8
    const script = concatBytes(PUSH2_DROP, Uint8Array.of(0xab, 0x00, 0x63, 0xab, 0x68), CHECK);
    assert.deepEqual(leafSpend(script, 2), { ok: true });
    assert.deepEqual(leafSpend(script, 5), { ok: false, error: 'SCHNORR_SIG' });
    // With no separator executed at all the position is 0xffffffff.
    const none = concatBytes(Uint8Array.of(0x00, 0x63, 0xab, 0x68), CHECK);
    assert.deepEqual(leafSpend(none, -1), { ok: true });
    assert.deepEqual(leafSpend(none, 2), { ok: false, error: 'SCHNORR_SIG' });
  });
});

describe('CheckTapTweak (XOnlyPubKey::CheckTapTweak) on the script-tree cases', () => {
  const cases = V.scriptPubKey.filter((c) => c.intermediary.merkleRoot !== null && c.expected.scriptPathControlBlocks?.length);
  test('the output key matches with the control block\'s parity only', () => {
    assert.ok(cases.length > 0);
    for (const c of cases) {
      const q = fromHex(c.intermediary.tweakedPubkey), p = fromHex(c.given.internalPubkey), root = fromHex(c.intermediary.merkleRoot!);
      const parity = fromHex(c.expected.scriptPathControlBlocks![0]!)[0]! & 1;
      assert.equal(checkTapTweak(q, p, root, parity), true);
      assert.equal(checkTapTweak(q, p, root, parity ^ 1), false);
    }
  });
  test('an internal key with leading zero bytes (a small x) is lifted like any other', () => {
    let x = 1;
    for (;; x++) {
      try {
        schnorr.utils.lift_x(BigInt(x));
        break;
      } catch {
        // not on the curve; try the next x
      }
    }
    const p = fromHex(x.toString(16).padStart(64, '0'));
    const root = new Uint8Array(32).fill(3);
    const { key, parity } = tweakPublicKey(p, root);
    assert.equal(checkTapTweak(key, p, root, parity), true);
  });

  test('an internal key that is no curve x coordinate fails', () => {
    const c = cases[0]!;
    const q = fromHex(c.intermediary.tweakedPubkey), root = fromHex(c.intermediary.merkleRoot!);
    const fieldP = fromHex('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f');
    let x = 1;
    const key = (n: number) => fromHex(n.toString(16).padStart(64, '0'));
    for (;; x++) {
      try {
        schnorr.utils.lift_x(BigInt(x));
      } catch {
        break;
      }
    }
    for (const bad of [key(x), fieldP, new Uint8Array(32).fill(0xff)]) {
      assert.equal(checkTapTweak(q, bad, root, 0), false);
      assert.equal(checkTapTweak(q, bad, root, 1), false);
    }
  });
});
