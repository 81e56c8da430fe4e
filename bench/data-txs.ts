/**
 * Generated transactions for the benchmarks: makeTxs(kind, count) gives deterministic signed
 * transactions of each standard type with their spent outputs. Fixed keys and seeds; ECDSA
 * is RFC 6979 and Schnorr uses a zero aux_rand, so every run produces the same bytes. Signed
 * with @scure/btc-signer (signing only: we take the raw bytes and decode them with our own
 * decodeTx).
 */
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as btc from '@scure/btc-signer';
import { decodeTx, type Transaction, type TxOut } from '../src/primitives/tx.ts';
import { SCRIPT_VERIFY } from '../src/script/flags.ts';

export type SingleKind = 'p2pkh' | 'p2wpkh' | 'p2tr' | 'p2wsh-multisig';
export type TxKind = SingleKind | 'mix';
export const SINGLE_KINDS: readonly SingleKind[] = ['p2pkh', 'p2wpkh', 'p2tr', 'p2wsh-multisig'];

export interface Prevout {
  scriptPubKey: Uint8Array;
  amount: bigint;
}
export interface GeneratedTx {
  /** Raw signed transaction bytes. */
  tx: Uint8Array;
  /** The outputs the inputs spend, in input order. */
  prevouts: Prevout[];
  /** The kind of each input, in input order. */
  inputKinds: SingleKind[];
}

const enc = (s: string) => new TextEncoder().encode(s);
/** Deterministic 32-byte values: SHA256("txgate-bench/" + label + "/" + i). */
function det32(label: string, i: number): Uint8Array {
  return nobleSha256(enc(`txgate-bench/${label}/${i}`));
}
/** A valid private key (retry the rare out-of-range value). */
function privKey(label: string, i: number): Uint8Array {
  for (let k = 0; ; k++) {
    const d = det32(`${label}#${k}`, i);
    if (secp256k1.utils.isValidSecretKey(d)) return d;
  }
}
/** A small deterministic PRNG (mulberry32) for amounts and choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Spender {
  kind: SingleKind;
  script: Uint8Array;
  /** scure input fields besides txid/index/witnessUtxo. */
  extra: Record<string, unknown>;
  keys: Uint8Array[];
}

function spender(kind: SingleKind, i: number): Spender {
  const k0 = privKey(`${kind}-key0`, i);
  switch (kind) {
    case 'p2pkh': {
      const p = btc.p2pkh(secp256k1.getPublicKey(k0, true));
      return { kind, script: p.script, extra: {}, keys: [k0] };
    }
    case 'p2wpkh': {
      const p = btc.p2wpkh(secp256k1.getPublicKey(k0, true));
      return { kind, script: p.script, extra: {}, keys: [k0] };
    }
    case 'p2tr': {
      const p = btc.p2tr(schnorr.getPublicKey(k0));
      return { kind, script: p.script, extra: { tapInternalKey: p.tapInternalKey }, keys: [k0] };
    }
    case 'p2wsh-multisig': {
      const ks = [k0, privKey(`${kind}-key1`, i), privKey(`${kind}-key2`, i)];
      const ms = btc.p2ms(2, ks.map((k) => secp256k1.getPublicKey(k, true)));
      const p = btc.p2wsh(ms);
      // Two of the three keys sign (which two varies with i).
      const signers = [ks[i % 3]!, ks[(i + 1) % 3]!];
      return { kind, script: p.script, extra: { witnessScript: p.witnessScript }, keys: signers };
    }
  }
}

const ZERO_AUX = new Uint8Array(32);
const OUTPUT_SCRIPTS = (rand: () => number, n: number, i: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const pub = secp256k1.getPublicKey(privKey('out', i * 7 + k), true);
    const r = rand();
    out.push(r < 0.5 ? btc.p2wpkh(pub).script : r < 0.75 ? btc.p2tr(pub.subarray(1)).script : r < 0.9 ? btc.p2pkh(pub).script : btc.p2sh(btc.p2wpkh(pub)).script);
  }
  return out;
};

function buildTx(kinds: SingleKind[], nOut: number, i: number, rand: () => number): GeneratedTx {
  const tx = new btc.Transaction({ allowLegacyWitnessUtxo: true, version: 2 });
  const prevouts: Prevout[] = [];
  const spenders: Spender[] = [];
  let total = 0n;
  kinds.forEach((kind, k) => {
    const s = spender(kind, i * 8 + k);
    const amount = 10_000n + BigInt(Math.floor(rand() * 50_000_000));
    tx.addInput({
      txid: det32('prevout', i * 8 + k),
      index: Math.floor(rand() * 4),
      sequence: 0xfffffffd,
      witnessUtxo: { script: s.script, amount },
      ...s.extra,
    });
    prevouts.push({ scriptPubKey: s.script, amount });
    spenders.push(s);
    total += amount;
  });
  const fee = 1_000n + BigInt(Math.floor(rand() * 5_000));
  let left = total - fee;
  const scripts = OUTPUT_SCRIPTS(rand, nOut, i);
  scripts.forEach((script, k) => {
    const amount = k === scripts.length - 1 ? left : left / 2n;
    left -= amount;
    tx.addOutput({ script, amount });
  });
  spenders.forEach((s, k) => {
    for (const key of s.keys) tx.signIdx(key, k, undefined, ZERO_AUX);
  });
  tx.finalize();
  return { tx: tx.extract(), prevouts, inputKinds: kinds };
}

/**
 * `count` deterministic signed transactions. Single kinds: 1 input of that kind, 2 outputs.
 * 'mix' (a rough mainnet-like blend): 45% P2WPKH 1-2 inputs, 20% P2TR key path, 15% P2PKH,
 * 10% 2-of-3 P2WSH, 10% three inputs of mixed kinds; 1-3 outputs.
 * The same (kind, count, seed) always gives the same bytes; tx i does not depend on count.
 */
export function makeTxs(kind: TxKind, count: number, seed = 1): GeneratedTx[] {
  const out: GeneratedTx[] = [];
  for (let i = 0; i < count; i++) {
    const idx = seed * 1_000_003 + i;
    const rand = prng(idx ^ (kind.length << 24) ^ kind.charCodeAt(2));
    if (kind !== 'mix') {
      out.push(buildTx([kind], 2, idx, rand));
      continue;
    }
    const r = rand();
    const nOut = 1 + Math.floor(rand() * 3);
    let kinds: SingleKind[];
    if (r < 0.45) kinds = rand() < 0.6 ? ['p2wpkh'] : ['p2wpkh', 'p2wpkh'];
    else if (r < 0.65) kinds = ['p2tr'];
    else if (r < 0.8) kinds = ['p2pkh'];
    else if (r < 0.9) kinds = ['p2wsh-multisig'];
    else kinds = [SINGLE_KINDS[Math.floor(rand() * 4)]!, 'p2wpkh', SINGLE_KINDS[Math.floor(rand() * 4)]!];
    out.push(buildTx(kinds, nOut, idx, rand));
  }
  return out;
}

/** A generated tx decoded with our decoder, with the spent outputs as TxOut[]. */
export function decodeGenerated(g: GeneratedTx): { tx: Transaction; spent: TxOut[] } {
  return { tx: decodeTx(g.tx), spent: g.prevouts.map((p) => ({ value: p.amount, scriptPubKey: p.scriptPubKey })) };
}

/** Script flags Core enforces for mempool acceptance of these txs (STANDARD_SCRIPT_VERIFY_FLAGS). */
export const STANDARD_FLAGS = (() => {
  const F = SCRIPT_VERIFY;
  return F.P2SH | F.DERSIG | F.NULLDUMMY | F.CHECKLOCKTIMEVERIFY | F.CHECKSEQUENCEVERIFY | F.WITNESS | F.TAPROOT |
    F.STRICTENC | F.MINIMALDATA | F.DISCOURAGE_UPGRADABLE_NOPS | F.CLEANSTACK | F.MINIMALIF | F.NULLFAIL |
    F.LOW_S | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | F.WITNESS_PUBKEYTYPE | F.CONST_SCRIPTCODE |
    F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION | F.DISCOURAGE_OP_SUCCESS | F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE;
})();
