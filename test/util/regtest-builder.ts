/**
 * Regtest chain builder for tests, benches and the demo: mines real regtest blocks (PoW for
 * the block's bits, BIP34 height, witness commitment) and builds signed spends of every
 * standard output type. Signing uses @scure/btc-signer; its raw bytes are decoded with our
 * decodeTx, so every transaction here is exactly what a wallet would broadcast.
 * Private keys are deterministic: testKey(i) = SHA256("txgate test key " + i).
 */
import * as btc from '@scure/btc-signer';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bitsToTarget, blockWitnessMerkleRoot, decodeBlock, hashToBigInt, merkleRoot, type Block } from '../../src/primitives/block.ts';
import { ByteWriter } from '../../src/primitives/codec.ts';
import { concatBytes, hashToHex } from '../../src/primitives/bytes.ts';
import { hash256 } from '../../src/primitives/hash.ts';
import { decodeTx, encodeTx, type Transaction, type TxIn, type TxOut } from '../../src/primitives/tx.ts';
import { scriptNumPush, witnessCommitmentHash } from '../../src/consensus/block-contextual.ts';
import { getBlockSubsidy } from '../../src/consensus/subsidy.ts';
import { pushData } from '../../src/script/script.ts';
import { OP } from '../../src/script/opcodes.ts';
import { REGTEST, type ChainParams } from '../../src/chain/params.ts';

export type OutputKind = 'p2pkh' | 'p2sh-multisig' | 'p2wpkh' | 'p2sh-p2wpkh' | 'p2wsh' | 'p2tr' | 'p2tr-script';
export const OUTPUT_KINDS: readonly OutputKind[] = ['p2pkh', 'p2sh-multisig', 'p2wpkh', 'p2sh-p2wpkh', 'p2wsh', 'p2tr', 'p2tr-script'];

const keyCache = new Map<number, Uint8Array>();
/** The i-th deterministic test private key. */
export function testKey(i: number): Uint8Array {
  let k = keyCache.get(i);
  if (!k) {
    k = nobleSha256(new TextEncoder().encode(`txgate test key ${i}`));
    keyCache.set(i, k);
  }
  return k;
}
export function testPubkey(i: number): Uint8Array {
  return secp256k1.getPublicKey(testKey(i), true);
}

/** The scure payment for an output kind owned by key `k` (multisig: keys k, k+1, k+2, 2-of-3). */
function payment(kind: OutputKind, k: number) {
  const pk = testPubkey(k);
  const ms = () => btc.p2ms(2, [testPubkey(k), testPubkey(k + 1), testPubkey(k + 2)]);
  switch (kind) {
    case 'p2pkh': return btc.p2pkh(pk);
    case 'p2sh-multisig': return btc.p2sh(ms());
    case 'p2wpkh': return btc.p2wpkh(pk);
    case 'p2sh-p2wpkh': return btc.p2sh(btc.p2wpkh(pk));
    case 'p2wsh': return btc.p2wsh(ms());
    case 'p2tr': return btc.p2tr(schnorr.getPublicKey(testKey(k)));
    // Script path only: the internal key is the BIP341 NUMS point.
    case 'p2tr-script': return btc.p2tr(undefined, { script: btc.p2tr_pk(schnorr.getPublicKey(testKey(k))).script }, btc.NETWORK, true);
  }
}

/** The scriptPubKey of an output of `kind` owned by test key `key`. */
export function outputScript(kind: OutputKind, key = 0): Uint8Array {
  return Uint8Array.from(payment(kind, key).script);
}

/** An output the builder can spend. */
export interface Spendable {
  /** Internal byte order. */
  txid: Uint8Array;
  vout: number;
  value: bigint;
  kind: OutputKind;
  key: number;
}

export interface SpendOptions {
  version?: number;
  locktime?: number;
  /** Per input (default 0xfffffffd) or one for all. */
  sequence?: number | number[];
}

/** Signs a transaction spending `inputs` to `outputs`; every input signed with its owner key(s). */
export function signSpend(inputs: Spendable[], outputs: TxOut[], opts: SpendOptions = {}): Transaction {
  const tx = new btc.Transaction({
    version: opts.version ?? 2,
    lockTime: opts.locktime ?? 0,
    allowLegacyWitnessUtxo: true,
    allowUnknownOutputs: true,
    allowUnknownInputs: true,
  });
  inputs.forEach((s, i) => {
    const pay = payment(s.kind, s.key);
    const seq = Array.isArray(opts.sequence) ? opts.sequence[i] : opts.sequence;
    tx.addInput({
      ...pay,
      txid: hashToHex(s.txid),
      index: s.vout,
      witnessUtxo: { script: pay.script, amount: s.value },
      sequence: seq ?? 0xfffffffd,
    });
  });
  for (const o of outputs) tx.addOutput({ script: o.scriptPubKey, amount: o.value });
  const keys = new Set<number>();
  for (const s of inputs) {
    keys.add(s.key);
    if (s.kind === 'p2sh-multisig' || s.kind === 'p2wsh') keys.add(s.key + 1);
  }
  for (const k of keys) tx.sign(testKey(k));
  tx.finalize();
  return decodeTx(Uint8Array.from(tx.extract()));
}

export interface MineOptions {
  prevHash: Uint8Array;
  height: number;
  time: number;
  txs?: Transaction[];
  /** Coinbase payout script (default: P2WPKH of key 0). */
  payTo?: Uint8Array;
  /** Total fees of `txs` (added to the subsidy); default 0. */
  fees?: bigint;
  /** Coinbase value override (e.g. to overpay). */
  coinbaseValue?: bigint;
  /** Distinguishes otherwise identical coinbases (branches at the same height). */
  tag?: number;
  bits?: number;
  version?: number;
  params?: ChainParams;
  /** Add the BIP141 commitment (default true). */
  witnessCommitment?: boolean;
}

/** A coinbase: BIP34 height push then the tag, one payout, and the witness commitment output. */
export function makeCoinbase(height: number, value: bigint, payTo: Uint8Array, tag = 0, commitment?: Uint8Array): Transaction {
  const scriptSig = concatBytes(scriptNumPush(height), pushData(Uint8Array.of(tag & 0xff, (tag >>> 8) & 0xff, 0x74, 0x67)));
  const input: TxIn = { prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig, sequence: 0xffffffff, witness: [] };
  const outputs: TxOut[] = [{ value, scriptPubKey: payTo }];
  if (commitment) {
    input.witness = [new Uint8Array(32)];
    outputs.push({ value: 0n, scriptPubKey: concatBytes(Uint8Array.of(OP.OP_RETURN, 0x24, 0xaa, 0x21, 0xa9, 0xed), commitment) });
  }
  return decodeTx(encodeTx({ version: 2, inputs: [input], outputs, locktime: 0 }));
}

/** Serializes header + transactions and grinds the nonce until the hash meets `bits`. */
export function assembleBlock(header: { version: number; prevHash: Uint8Array; time: number; bits: number }, txs: Transaction[]): { raw: Uint8Array; block: Block } {
  const root = merkleRoot(txs.map((t) => t.txid)).root;
  const target = bitsToTarget(header.bits).target;
  const w = new ByteWriter(80 + 9 + txs.reduce((n, t) => n + t.raw.length, 0));
  w.u32(header.version).bytes(header.prevHash).bytes(root).u32(header.time).u32(header.bits).u32(0);
  w.compactSize(txs.length);
  for (const t of txs) w.bytes(t.raw);
  const raw = w.finish();
  const hdr = raw.subarray(0, 80);
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    hdr[76] = nonce & 0xff; hdr[77] = (nonce >>> 8) & 0xff; hdr[78] = (nonce >>> 16) & 0xff; hdr[79] = nonce >>> 24;
    if (hashToBigInt(hash256(hdr)) <= target) return { raw, block: decodeBlock(raw) };
  }
  throw new Error('assembleBlock: nonce space exhausted');
}

/** Mines a regtest block on top of prevHash at `height`. */
export function mineBlock(o: MineOptions): { raw: Uint8Array; block: Block } {
  const params = o.params ?? REGTEST;
  const txs = o.txs ?? [];
  const value = o.coinbaseValue ?? getBlockSubsidy(o.height, params) + (o.fees ?? 0n);
  const payTo = o.payTo ?? outputScript('p2wpkh', 0);
  let coinbase = makeCoinbase(o.height, value, payTo, o.tag ?? 0, (o.witnessCommitment ?? true) ? new Uint8Array(32) : undefined);
  if (o.witnessCommitment ?? true) {
    // The commitment covers wtxids with the coinbase as zero, so it can be computed with a placeholder coinbase.
    const draft = { txs: [coinbase, ...txs] } as Block;
    const c = witnessCommitmentHash(blockWitnessMerkleRoot(draft), new Uint8Array(32));
    coinbase = makeCoinbase(o.height, value, payTo, o.tag ?? 0, c);
  }
  return assembleBlock({ version: o.version ?? 0x20000000, prevHash: o.prevHash, time: o.time, bits: o.bits ?? 0x207fffff }, [coinbase, ...txs]);
}

/** Sum of outputs a transaction spends minus what it creates, given the spent values. */
export function feeOf(tx: Transaction, spentValues: bigint[]): bigint {
  let v = 0n;
  for (const x of spentValues) v += x;
  for (const o of tx.outputs) v -= o.value;
  return v;
}

/**
 * A linear regtest chain under construction: remembers the tip (hash, height, time) so
 * successive blocks link up, with 10-minute spacing from the genesis time.
 */
export class RegtestChainBuilder {
  tipHash: Uint8Array;
  height = 0;
  time: number;
  readonly blocks: Uint8Array[] = [];

  constructor(readonly params: ChainParams = REGTEST, from?: { hash: Uint8Array; height: number; time: number }) {
    const g = decodeBlock(params.genesisBlock);
    this.tipHash = from?.hash ?? g.header.hash;
    this.height = from?.height ?? 0;
    this.time = from?.time ?? g.header.time;
  }
  /** Mines the next block; returns it and the spendable coinbase payout. */
  next(o: Omit<MineOptions, 'prevHash' | 'height' | 'time'> & { time?: number; payKind?: OutputKind; payKey?: number } = {}): { raw: Uint8Array; block: Block; coinbase: Spendable } {
    const height = this.height + 1;
    const time = o.time ?? this.time + 600;
    const payKind = o.payKind ?? 'p2wpkh';
    const payKey = o.payKey ?? 0;
    const r = mineBlock({ ...o, prevHash: this.tipHash, height, time, params: this.params, payTo: o.payTo ?? outputScript(payKind, payKey) });
    this.tipHash = r.block.header.hash;
    this.height = height;
    this.time = time;
    this.blocks.push(r.raw);
    const cb = r.block.txs[0]!;
    return { ...r, coinbase: { txid: cb.txid, vout: 0, value: cb.outputs[0]!.value, kind: payKind, key: payKey } };
  }
  /** A builder continuing from this one's current tip (for a competing branch). */
  fork(): RegtestChainBuilder {
    return new RegtestChainBuilder(this.params, { hash: this.tipHash, height: this.height, time: this.time });
  }
}
