/**
 * Loaders for the real blocks in test/vectors that come with the outputs they spend
 * (formats in test/vectors/README.md). Test helper, not a test file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { decodeBlock, type Block } from '../../src/primitives/block.ts';
import { ByteReader } from '../../src/primitives/codec.ts';
import { concatBytes, fromHex, toHex } from '../../src/primitives/bytes.ts';
import { isCoinBase } from '../../src/primitives/tx.ts';
import type { NetworkName } from '../../src/consensus/params.ts';
import type { SpentOutput } from '../../src/chain/validate-block.ts';

const dir = fileURLToPath(new URL('../vectors/', import.meta.url));
export const readVector = (p: string): Uint8Array => new Uint8Array(readFileSync(dir + p));

export interface RealBlock {
  name: string;
  network: NetworkName;
  height: number;
  raw: Uint8Array;
  block: Block;
  spent: SpentOutput[];
  /** Expected fees: coinbase output value minus subsidy (every one of these blocks claims exactly subsidy + fees). */
  inputs: number;
}

function nonCoinbaseInputs(block: Block): { txid: Uint8Array; vout: number }[] {
  const out: { txid: Uint8Array; vout: number }[] = [];
  for (const tx of block.txs) if (!isCoinBase(tx)) for (const i of tx.inputs) out.push(i.prevout);
  return out;
}

/** bcoin `*-undo.raw`: concatenated TxOuts, no heights or coinbase flags (treated as height 0, not coinbase). */
export function loadBcoin(name: string, network: NetworkName, height: number): RealBlock {
  const raw = readVector(`bcoin/${name}.raw`);
  const block = decodeBlock(raw);
  const r = new ByteReader(readVector(`bcoin/${name}-undo.raw`), 'undo');
  const spent: SpentOutput[] = [];
  while (r.remaining > 0) {
    const amount = r.i64();
    const scriptPubKey = r.varBytes().slice();
    spent.push({ amount, scriptPubKey, height: 0, coinbase: false });
  }
  return { name, network, height, raw, block, spent, inputs: nonCoinbaseInputs(block).length };
}

/** Core's VARINT (btcd VLQ). */
function vlq(r: ByteReader): number {
  let n = 0;
  for (;;) {
    const b = r.u8();
    n = n * 128 + (b & 0x7f);
    if (b & 0x80) n += 1;
    else return n;
  }
}

/** DecompressAmount (compressor.cpp). */
function decompressAmount(x: number): bigint {
  if (x === 0) return 0n;
  let v = BigInt(x) - 1n;
  const e = v % 10n;
  v /= 10n;
  let n: bigint;
  if (e < 9n) {
    const d = (v % 9n) + 1n;
    v /= 9n;
    n = v * 10n + d;
  } else n = v + 1n;
  return n * 10n ** e;
}

function decompressScript(r: ByteReader): Uint8Array {
  const t = vlq(r);
  if (t === 0) return concatBytes(fromHex('76a914'), r.bytes(20), fromHex('88ac'));
  if (t === 1) return concatBytes(fromHex('a914'), r.bytes(20), fromHex('87'));
  if (t === 2 || t === 3) return concatBytes(Uint8Array.of(0x21, t), r.bytes(32), Uint8Array.of(0xac));
  if (t === 4 || t === 5) {
    const compressed = concatBytes(Uint8Array.of(t - 2), r.bytes(32));
    const full = secp256k1.Point.fromBytes(compressed).toBytes(false);
    return concatBytes(Uint8Array.of(0x41), full, Uint8Array.of(0xac));
  }
  return r.bytes(t - 6).slice();
}

/** btcd 277647 with its utxostore (mainnet). */
export function loadBtcd277647(): RealBlock {
  const raw = readVector('btcd/277647.block.raw');
  const block = decodeBlock(raw);
  const r = new ByteReader(readVector('btcd/277647.utxostore'), 'utxostore');
  const map = new Map<string, SpentOutput>();
  while (r.remaining > 0) {
    const txid = r.bytes(32);
    const vout = r.u32();
    const n = r.u32();
    const e = new ByteReader(r.bytes(n), 'entry');
    const code = vlq(e);
    const amount = decompressAmount(vlq(e));
    const scriptPubKey = decompressScript(e);
    map.set(toHex(txid) + ':' + vout, { amount, scriptPubKey, height: Math.floor(code / 2), coinbase: (code & 1) === 1 });
  }
  const spent = nonCoinbaseInputs(block).map((p) => {
    const s = map.get(toHex(p.txid) + ':' + p.vout);
    if (!s) throw new Error('utxostore lacks an input');
    return s;
  });
  return { name: 'btcd-277647', network: 'mainnet', height: 277647, raw, block, spent, inputs: spent.length };
}

/** Floresta 367891 with spent_utxos.json (mainnet). */
export function loadFloresta367891(): RealBlock {
  const raw = readVector('floresta/block_367891.raw');
  const block = decodeBlock(raw);
  const json = JSON.parse(new TextDecoder().decode(readVector('floresta/block_367891.spent_utxos.json'))) as {
    txout: { value: number; script_pubkey: string }; is_coinbase: boolean; creation_height: number; creation_time: number;
  }[];
  const spent = json.map((j) => ({
    amount: BigInt(j.txout.value), scriptPubKey: fromHex(j.txout.script_pubkey),
    height: j.creation_height, coinbase: j.is_coinbase, mtp: j.creation_time,
  }));
  return { name: 'floresta-367891', network: 'mainnet', height: 367891, raw, block, spent, inputs: nonCoinbaseInputs(block).length };
}

/** Coinbase output total minus the subsidy: every vector block claims exactly subsidy + fees. */
export function claimedFees(b: RealBlock, subsidy: bigint): bigint {
  let v = 0n;
  for (const o of b.block.txs[0]!.outputs) v += o.value;
  return v - subsidy;
}
