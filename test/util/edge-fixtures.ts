/**
 * Requests for the edge tests and bench: signed standard spends with their prevouts as
 * POST /validate JSON bodies (bench/data.ts's P2WPKH, P2TR key-path and 2-of-3 P2WSH, and a
 * P2TR script-path spend of a one-key tapscript), and Core's tx_valid/tx_invalid vectors
 * as stateless requests.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { makeTxs, type GeneratedTx, type SingleKind } from '../../bench/data.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { makeTx, type TxFields } from '../../src/primitives/tx.ts';
import { OP } from '../../src/script/opcodes.ts';
import { precomputeTxData, taprootSighash } from '../../src/script/sighash.ts';
import { input, p2wpkh, privKey, pubKey } from '../policy/helpers.ts';
import { taprootOutput, xOnly } from './taproot.ts';
import { readVectorJson } from './vectors.ts';
import { txVectors, type TxVector } from './tx-vectors.ts';

export interface ValidateBody {
  tx: string;
  prevouts: { scriptPubKey: string; amount: number; height?: number }[];
  at: { height: number; mtp: number };
}

export const AT = { height: 900_000, mtp: 1_750_000_000 };

export function bodyOf(g: { tx: Uint8Array; prevouts: { scriptPubKey: Uint8Array; amount: bigint }[] }): ValidateBody {
  return {
    tx: toHex(g.tx),
    prevouts: g.prevouts.map((p) => ({ scriptPubKey: toHex(p.scriptPubKey), amount: Number(p.amount), height: 100 })),
    at: AT,
  };
}

/** `count` distinct signed spends of one kind (bench/data.ts), as request bodies. */
export function spends(kind: SingleKind, count: number, seed = 7): ValidateBody[] {
  return makeTxs(kind, count, seed).map((g: GeneratedTx) => bodyOf(g));
}

/** A P2TR script-path spend: the leaf `<key> OP_CHECKSIG` of a two-leaf tree, signed with that key. */
export function taprootScriptPathSpend(): ValidateBody {
  const leafKey = privKey(41);
  const leafA = { leafVersion: 0xc0, script: Uint8Array.of(32, ...xOnly(leafKey), OP.OP_CHECKSIG) };
  const leafB = { leafVersion: 0xc0, script: Uint8Array.of(32, ...xOnly(privKey(42)), OP.OP_CHECKSIG) };
  const out = taprootOutput(xOnly(privKey(40)), [leafA, leafB]);
  const spent = [{ value: 50_000n, scriptPubKey: out.scriptPubKey }];
  const fields: TxFields = { version: 2, locktime: 0, inputs: [input(40)], outputs: [{ value: 49_000n, scriptPubKey: p2wpkh(pubKey(privKey(43))) }] };
  const cb = out.controlBlocks[0]!;
  const sighash = taprootSighash(fields, 0, 0, precomputeTxData(fields, spent), { leafHash: cb.leafHash, codesepPos: 0xffffffff })!;
  fields.inputs[0]!.witness = [schnorr.sign(sighash, leafKey, new Uint8Array(32)), cb.leaf.script, cb.controlBlock];
  return bodyOf({ tx: makeTx(fields).raw, prevouts: spent.map((s) => ({ scriptPubKey: s.scriptPubKey, amount: s.value })) });
}

/** A P2WSH spend whose witness script holds `n` CHECKSIGs: `n` signature checks by count. */
export function manyCheckSigSpend(n: number): ValidateBody {
  const script = new Uint8Array(n).fill(OP.OP_CHECKSIG);
  const fields: TxFields = { version: 2, locktime: 0, inputs: [input(44)], outputs: [{ value: 1_000n, scriptPubKey: p2wpkh(pubKey(privKey(45))) }] };
  fields.inputs[0]!.witness = [script];
  const wsh = Uint8Array.of(0, 32, ...new Uint8Array(32));
  return bodyOf({ tx: makeTx(fields).raw, prevouts: [{ scriptPubKey: wsh, amount: 2_000n }] });
}

/** Core's tx_valid and tx_invalid rows with every prevout given, as stateless requests. */
export function coreVectorBodies(): { file: string; vector: TxVector; body: ValidateBody }[] {
  const out: { file: string; vector: TxVector; body: ValidateBody }[] = [];
  for (const file of ['tx_valid', 'tx_invalid']) {
    for (const vector of txVectors(readVectorJson<unknown[][]>(`bitcoin-core/${file}.json`))) {
      if (vector.missing) continue;
      out.push({ file, vector, body: bodyOf({ tx: vector.raw, prevouts: vector.prevouts }) });
    }
  }
  return out;
}
