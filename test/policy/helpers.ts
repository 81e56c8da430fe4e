/**
 * Builders for policy tests: keys, standard scripts, transactions and real signatures
 * (P2WPKH, P2PKH, P2TR key path), so acceptance tests run the real script checks.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { concatBytes, fromHex, toHex } from '../../src/primitives/bytes.ts';
import { hash160, taggedHash } from '../../src/primitives/hash.ts';
import { makeTx, type Transaction, type TxFields, type TxIn, type TxOut } from '../../src/primitives/tx.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import { legacySighash, precomputeTxData, segwitV0Sighash, taprootSighash } from '../../src/script/sighash.ts';
import type { Coin } from '../../src/utxo/coin.ts';

export const b = (...parts: (number | Uint8Array | number[])[]): Uint8Array =>
  concatBytes(...parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : p instanceof Uint8Array ? p : Uint8Array.from(p))));

export function privKey(n: number): Uint8Array {
  const k = new Uint8Array(32);
  k[31] = n & 0xff;
  k[30] = (n >> 8) & 0xff;
  return k;
}
export const pubKey = (priv: Uint8Array): Uint8Array => secp256k1.getPublicKey(priv, true);
export const pubKeyUncompressed = (priv: Uint8Array): Uint8Array => secp256k1.getPublicKey(priv, false);

export const p2pkh = (pub: Uint8Array): Uint8Array => b(OP.OP_DUP, OP.OP_HASH160, 20, hash160(pub), OP.OP_EQUALVERIFY, OP.OP_CHECKSIG);
export const p2wpkh = (pub: Uint8Array): Uint8Array => b(0, 20, hash160(pub));
export const p2sh = (redeem: Uint8Array): Uint8Array => b(OP.OP_HASH160, 20, hash160(redeem), OP.OP_EQUAL);
export const p2pk = (pub: Uint8Array): Uint8Array => b(pushData(pub), OP.OP_CHECKSIG);
export const p2wsh = (hash32: Uint8Array): Uint8Array => b(0, 32, hash32);
export const p2tr = (xonly: Uint8Array): Uint8Array => b(OP.OP_1, 32, xonly);
export const P2A = b(OP.OP_1, 2, 0x4e, 0x73);
export function multisig(m: number, pubs: Uint8Array[]): Uint8Array {
  return b(OP.OP_1 + m - 1, ...pubs.map(pushData), OP.OP_1 + pubs.length - 1, OP.OP_CHECKMULTISIG);
}
export const opReturn = (data: Uint8Array): Uint8Array => b(OP.OP_RETURN, pushData(data));

/** A distinct fake funding txid per index (internal byte order). */
export function fundingTxid(i: number): Uint8Array {
  const t = new Uint8Array(32).fill(0xab);
  t[0] = i & 0xff;
  t[1] = (i >> 8) & 0xff;
  return t;
}

export function input(i: number, vout = 0, sequence = 0xfffffffd): TxIn {
  return { prevout: { txid: fundingTxid(i), vout }, scriptSig: new Uint8Array(0), sequence, witness: [] };
}

export function tx(fields: Partial<TxFields> & Pick<TxFields, 'inputs' | 'outputs'>): Transaction {
  return makeTx({ version: 2, locktime: 0, ...fields });
}

export function coin(value: bigint, scriptPubKey: Uint8Array, height = 100, coinbase = false): Coin {
  return { value, scriptPubKey, height, coinbase };
}

const der = (sig: Uint8Array, hashType: number): Uint8Array => b(sig, hashType);

/** Signs every input (in place on the fields) given each input's key and spent output, then builds the tx. */
export function signAll(fields: TxFields, keys: Uint8Array[], spent: TxOut[], hashType = 1): Transaction {
  const pre = precomputeTxData(fields, spent);
  fields.inputs.forEach((inp, i) => {
    const priv = keys[i]!;
    const pub = pubKey(priv);
    const spk = spent[i]!.scriptPubKey;
    if (spk.length === 22 && spk[0] === 0) {
      const h = segwitV0Sighash(fields, i, p2pkh(pub), spent[i]!.value, hashType, pre);
      inp.witness = [der(secp256k1.sign(h, priv, { prehash: false, format: 'der' }), hashType), pub];
    } else if (spk.length === 34 && spk[0] === OP.OP_1) {
      const h = taprootSighash(fields, i, 0, pre)!;
      inp.witness = [schnorr.sign(h, tweakedPriv(priv))];
    } else {
      const h = legacySighash(fields, i, spk, hashType);
      inp.scriptSig = b(pushData(der(secp256k1.sign(h, priv, { prehash: false, format: 'der' }), hashType)), pushData(pub));
    }
  });
  return makeTx(fields);
}

const N = secp256k1.Point.CURVE().n;
function mod(a: bigint): bigint {
  const r = a % N;
  return r < 0n ? r + N : r;
}
const toBig = (u: Uint8Array): bigint => BigInt('0x' + toHex(u));
const fromBig = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, '0'));

/** BIP341 key-path output key for an internal key with no script tree. */
export function taprootOutputKey(priv: Uint8Array): Uint8Array {
  return schnorr.getPublicKey(tweakedPriv(priv));
}
function tweakedPriv(priv: Uint8Array): Uint8Array {
  const P = secp256k1.Point.BASE.multiply(toBig(priv));
  const d = P.y % 2n === 0n ? toBig(priv) : N - toBig(priv);
  const xonly = schnorr.getPublicKey(priv);
  const t = toBig(taggedHash('TapTweak', xonly));
  return fromBig(mod(d + t));
}

/** DER-encodes (r, s) as Core's signatures are (no hashtype byte). */
export function derSig(r: bigint, s: bigint): Uint8Array {
  const int = (x: bigint) => {
    let h = x.toString(16);
    if (h.length % 2) h = '0' + h;
    let v = fromHex(h);
    if (v[0]! & 0x80) v = b(0, v);
    return b(2, v.length, v);
  };
  const body = b(int(r), int(s));
  return b(0x30, body.length, body);
}

/** The same signature with S replaced by n − S (valid by consensus, non-standard: LOW_S). */
export function highS(derLowS: Uint8Array): Uint8Array {
  const sig = secp256k1.Signature.fromBytes(derLowS, 'der');
  return derSig(sig.r, N - sig.s);
}
