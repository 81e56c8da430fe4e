/**
 * Real signed spends of the six script types a trace tells apart, each in a valid form and
 * a form that fails in a known way: P2PKH, P2SH 2-of-3 multisig, P2WPKH, P2WSH (an
 * IF/ELSE key choice), taproot key path and a tapscript leaf with OP_CHECKSIGADD.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { makeTx, type Transaction, type TxFields, type TxOut } from '../../src/primitives/tx.ts';
import { sha256 } from '../../src/primitives/hash.ts';
import type { ScriptError } from '../../src/script/script-error.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import { legacySighash, precomputeTxData, segwitV0Sighash, taprootSighash } from '../../src/script/sighash.ts';
import { b, input, multisig, p2pkh, p2sh, p2tr, p2wpkh, p2wsh, privKey, pubKey, signAll, taprootOutputKey } from '../policy/helpers.ts';
import { taprootOutput } from './taproot.ts';

export interface Spend {
  name: string;
  tx: Transaction;
  spent: TxOut[];
  /** undefined: valid; else the ScriptError the standard flags give. */
  error?: ScriptError;
}

const AMOUNT = 100_000n;
const der = (h: Uint8Array, k: Uint8Array, hashType = 1) => b(secp256k1.sign(h, k, { prehash: false, format: 'der', lowS: true }), hashType);

function fields(spk: Uint8Array): TxFields {
  return { version: 2, locktime: 0, inputs: [input(7)], outputs: [{ value: AMOUNT - 10_000n, scriptPubKey: p2wpkh(pubKey(privKey(99))) }] };
}

/** A signature over a message that is not the sighash (the check fails; NULLFAIL under policy). */
const WRONG_MSG = sha256(Uint8Array.of(1, 2, 3));

export const K1 = privKey(1), K2 = privKey(2), K3 = privKey(3);

export function p2pkhSpend(bad: boolean): Spend {
  const spk = p2pkh(pubKey(K1));
  const spent = [{ value: AMOUNT, scriptPubKey: spk }];
  const f = fields(spk);
  if (!bad) return { name: 'P2PKH', tx: signAll(f, [K1], spent), spent };
  f.inputs[0]!.scriptSig = b(pushData(der(WRONG_MSG, K1)), pushData(pubKey(K1)));
  return { name: 'P2PKH, signature over another message', tx: makeTx(f), spent, error: 'NULLFAIL' };
}

export const MULTISIG = multisig(2, [pubKey(K1), pubKey(K2), pubKey(K3)]);

export function p2shMultisigSpend(bad: boolean): Spend {
  const spent = [{ value: AMOUNT, scriptPubKey: p2sh(MULTISIG) }];
  const f = fields(spent[0]!.scriptPubKey);
  const h = legacySighash(f, 0, MULTISIG, 1);
  // CHECKMULTISIG matches signatures to keys in order: K2 before K1 fails.
  const sigs = bad ? [der(h, K2), der(h, K1)] : [der(h, K1), der(h, K2)];
  f.inputs[0]!.scriptSig = b(OP.OP_0, ...sigs.map(pushData), pushData(MULTISIG));
  return bad ? { name: 'P2SH 2-of-3, signatures out of order', tx: makeTx(f), spent, error: 'NULLFAIL' } : { name: 'P2SH 2-of-3', tx: makeTx(f), spent };
}

export function p2wpkhSpend(bad: boolean): Spend {
  const spk = p2wpkh(pubKey(K1));
  const spent = [{ value: AMOUNT, scriptPubKey: spk }];
  const t = signAll(fields(spk), [K1], spent);
  if (!bad) return { name: 'P2WPKH', tx: t, spent };
  // The witness names another key: its hash does not match the program.
  const f: TxFields = { ...t, inputs: [{ ...t.inputs[0]!, witness: [t.inputs[0]!.witness[0]!, pubKey(K2)] }] };
  return { name: 'P2WPKH, another public key', tx: makeTx(f), spent, error: 'EQUALVERIFY' };
}

/** IF <K1> ELSE <K2> ENDIF CHECKSIG */
export const WSH_SCRIPT = b(OP.OP_IF, pushData(pubKey(K1)), OP.OP_ELSE, pushData(pubKey(K2)), OP.OP_ENDIF, OP.OP_CHECKSIG);

export function p2wshSpend(bad: boolean): Spend {
  const spent = [{ value: AMOUNT, scriptPubKey: p2wsh(sha256(WSH_SCRIPT)) }];
  const f = fields(spent[0]!.scriptPubKey);
  const h = segwitV0Sighash(f, 0, WSH_SCRIPT, AMOUNT, 1, precomputeTxData(f, spent));
  // A selector of 0x02 is true but not minimal (MINIMALIF, policy in witness v0).
  f.inputs[0]!.witness = [der(h, K1), Uint8Array.of(bad ? 2 : 1), WSH_SCRIPT];
  return bad ? { name: 'P2WSH, non-minimal IF argument', tx: makeTx(f), spent, error: 'MINIMALIF' } : { name: 'P2WSH IF/ELSE', tx: makeTx(f), spent };
}

export function keyPathSpend(bad: boolean): Spend {
  const spk = p2tr(taprootOutputKey(K1));
  const spent = [{ value: AMOUNT, scriptPubKey: spk }];
  const t = signAll(fields(spk), [K1], spent);
  if (!bad) return { name: 'taproot key path', tx: t, spent };
  const sig = t.inputs[0]!.witness[0]!.slice();
  sig[10]! ^= 1;
  return { name: 'taproot key path, corrupted signature', tx: makeTx({ ...t, inputs: [{ ...t.inputs[0]!, witness: [sig] }] }), spent, error: 'SCHNORR_SIG' };
}

const xonly = (k: Uint8Array) => schnorr.getPublicKey(k);
/** <K1> CHECKSIG <K2> CHECKSIGADD 2 NUMEQUAL */
export const LEAF = b(32, xonly(K1), OP.OP_CHECKSIG, 32, xonly(K2), OP.OP_CHECKSIGADD, OP.OP_2, OP.OP_NUMEQUAL);
export const TAP = taprootOutput(xonly(K3), [{ leafVersion: 0xc0, script: LEAF }, { leafVersion: 0xc0, script: b(OP.OP_RETURN) }]);

export function tapscriptSpend(bad: 'sig' | 'control' | false): Spend {
  const spent = [{ value: AMOUNT, scriptPubKey: TAP.scriptPubKey }];
  const f = fields(spent[0]!.scriptPubKey);
  const { leafHash, controlBlock } = TAP.controlBlocks[0]!;
  const h = taprootSighash(f, 0, 0, precomputeTxData(f, spent), { leafHash, codesepPos: 0xffffffff })!;
  const control = bad === 'control' ? controlBlock.slice() : controlBlock;
  if (bad === 'control') control[40]! ^= 1; // another internal key
  // Stack bottom first: K2's signature is consumed by CHECKSIGADD, K1's by CHECKSIG. An empty one adds 0.
  const sig2 = bad === 'sig' ? new Uint8Array(0) : schnorr.sign(h, K2);
  f.inputs[0]!.witness = [sig2, schnorr.sign(h, K1), LEAF, control];
  if (bad === 'sig') return { name: 'tapscript CHECKSIGADD, one signature missing', tx: makeTx(f), spent, error: 'EVAL_FALSE' };
  if (bad === 'control') return { name: 'tapscript, control block of another key', tx: makeTx(f), spent, error: 'WITNESS_PROGRAM_MISMATCH' };
  return { name: 'tapscript CHECKSIGADD 2-of-2', tx: makeTx(f), spent };
}


export function allSpends(): Spend[] {
  return [
    p2pkhSpend(false), p2pkhSpend(true), p2shMultisigSpend(false), p2shMultisigSpend(true), p2wpkhSpend(false), p2wpkhSpend(true),
    p2wshSpend(false), p2wshSpend(true), keyPathSpend(false), keyPathSpend(true), tapscriptSpend(false), tapscriptSpend('sig'), tapscriptSpend('control'),
  ];
}
