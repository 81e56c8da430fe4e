/**
 * Real blocks with the outputs every input spends, from the files in test/vectors:
 * loadRealBlock(name) for three mainnet blocks (bcoin, btcd and Floresta vectors),
 * loadTestnetBlock(name) for bcoin's ~2 MB testnet3 blocks. Reads files with node:fs, which
 * Node, Bun and Deno all provide.
 */
import { readFileSync } from 'node:fs';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { concatBytes } from '../src/primitives/bytes.ts';
import { ByteReader } from '../src/primitives/codec.ts';
import { decodeBlock, type Block } from '../src/primitives/block.ts';
import type { TxOut } from '../src/primitives/tx.ts';
import { SCRIPT_VERIFY } from '../src/script/flags.ts';

export type RealBlockName = '300025' | '277647' | '367891';
export const REAL_BLOCKS: readonly RealBlockName[] = ['300025', '277647', '367891'];

export interface RealBlock {
  name: RealBlockName;
  /** Where the block and its prevouts come from. */
  source: string;
  block: Block;
  /** spent[i] = the outputs tx i spends, in input order (spent[0] = [] for the coinbase). */
  spent: TxOut[][];
  /** The block's script verification flags (Core's GetBlockScriptFlags at that height). */
  flags: number;
  inputs: number;
}

const VECTORS = new URL('../test/vectors/', import.meta.url);
const readVector = (rel: string) => new Uint8Array(readFileSync(new URL(rel, VECTORS)));

function byTx(block: Block, flat: TxOut[]): TxOut[][] {
  const spent: TxOut[][] = [[]];
  let k = 0;
  for (let t = 1; t < block.txs.length; t++) {
    const n = block.txs[t]!.inputs.length;
    spent.push(flat.slice(k, k + n));
    k += n;
  }
  if (k !== flat.length) throw new Error(`prevout count ${flat.length} != inputs ${k}`);
  return spent;
}

/** bcoin test undo: concatenated TxOuts (i64 value ‖ varBytes script), in input order. */
function bcoinUndo(bytes: Uint8Array): TxOut[] {
  const r = new ByteReader(bytes, 'undo');
  const out: TxOut[] = [];
  while (r.remaining > 0) out.push({ value: r.i64(), scriptPubKey: r.varBytes() });
  return out;
}

/** Core's VARINT (MSB-first base 128, +1 per continuation), as btcd's VLQ. */
function readVlq(b: Uint8Array, p: { o: number }): number {
  let n = 0;
  for (;;) {
    const c = b[p.o++]!;
    n = n * 128 + (c & 0x7f);
    if (c & 0x80) n++;
    else return n;
  }
}
/** Core's DecompressAmount. */
function decompressAmount(x0: number): bigint {
  if (x0 === 0) return 0n;
  let x = BigInt(x0) - 1n;
  const e = Number(x % 10n);
  x /= 10n;
  let n: bigint;
  if (e < 9) {
    const d = (x % 9n) + 1n;
    x /= 9n;
    n = x * 10n + d;
  } else n = x + 1n;
  return n * 10n ** BigInt(e);
}
/** Core's DecompressScript (btcd compressed script). */
function decompressScript(b: Uint8Array, p: { o: number }): Uint8Array {
  const t = readVlq(b, p);
  const take = (n: number) => b.subarray(p.o, (p.o += n));
  switch (t) {
    case 0: return concatBytes(Uint8Array.of(0x76, 0xa9, 20), take(20), Uint8Array.of(0x88, 0xac));
    case 1: return concatBytes(Uint8Array.of(0xa9, 20), take(20), Uint8Array.of(0x87));
    case 2: case 3: return concatBytes(Uint8Array.of(33, t), take(32), Uint8Array.of(0xac));
    case 4: case 5: {
      const full = secp256k1.Point.fromBytes(concatBytes(Uint8Array.of(t - 2), take(32))).toBytes(false);
      return concatBytes(Uint8Array.of(65), full, Uint8Array.of(0xac));
    }
    default: return take(t - 6).slice();
  }
}
/** btcd utxostore: txid ‖ u32 index ‖ u32 n ‖ (VLQ header ‖ VLQ amount ‖ compressed script). */
function btcdUtxos(bytes: Uint8Array): Map<string, TxOut> {
  const m = new Map<string, TxOut>();
  const r = new ByteReader(bytes, 'utxostore');
  while (r.remaining > 0) {
    const txid = r.bytes(32);
    const index = r.u32();
    const entry = r.bytes(r.u32());
    const p = { o: 0 };
    readVlq(entry, p); // height << 1 | coinbase
    const value = decompressAmount(readVlq(entry, p));
    m.set(`${toKey(txid)}:${index}`, { value, scriptPubKey: decompressScript(entry, p) });
  }
  return m;
}
function toKey(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

const cache = new Map<RealBlockName, RealBlock>();

/** Loads a real block and what its inputs spend (cached per process). */
export function loadRealBlock(name: RealBlockName): RealBlock {
  const hit = cache.get(name);
  if (hit) return hit;
  let rb: Omit<RealBlock, 'inputs'>;
  const F = SCRIPT_VERIFY;
  if (name === '300025') {
    const block = decodeBlock(readVector('bcoin/block300025.raw'));
    rb = { name, source: 'bcoin block300025.raw + block300025-undo.raw', block, spent: byTx(block, bcoinUndo(readVector('bcoin/block300025-undo.raw'))), flags: F.P2SH };
  } else if (name === '277647') {
    const block = decodeBlock(readVector('btcd/277647.block.raw'));
    const utxos = btcdUtxos(readVector('btcd/277647.utxostore'));
    const flat: TxOut[] = [];
    for (const tx of block.txs.slice(1)) {
      for (const i of tx.inputs) {
        const o = utxos.get(`${toKey(i.prevout.txid)}:${i.prevout.vout}`);
        if (!o) throw new Error('277647: missing prevout');
        flat.push(o);
      }
    }
    rb = { name, source: 'btcd 277647.block.raw + 277647.utxostore', block, spent: byTx(block, flat), flags: F.P2SH };
  } else {
    const block = decodeBlock(readVector('floresta/block_367891.raw'));
    const json = JSON.parse(new TextDecoder().decode(readVector('floresta/block_367891.spent_utxos.json'))) as { txout: { value: number; script_pubkey: string } }[];
    const flat = json.map((j) => ({ value: BigInt(j.txout.value), scriptPubKey: hexBytes(j.txout.script_pubkey) }));
    rb = { name, source: 'Floresta block_367891.raw + spent_utxos.json', block, spent: byTx(block, flat), flags: F.P2SH | F.DERSIG };
  }
  const full: RealBlock = { ...rb, inputs: rb.spent.reduce((s, x) => s + x.length, 0) };
  cache.set(name, full);
  return full;
}
function hexBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}


// The ~2 MB testnet3 blocks of bcoin's vectors (heavy P2WPKH spending, Sept 2016).

export type TestnetBlockName = '928816' | '928828' | '928831' | '928848' | '928849' | '928927';
export const TESTNET_BIG_BLOCKS: readonly TestnetBlockName[] = ['928848', '928831', '928927', '928849', '928816', '928828'];

export interface TestnetBlock {
  height: number;
  raw: Uint8Array;
  block: Block;
  /** The outputs every non-coinbase input spends, flat in block order (bcoin -undo.raw). */
  spentFlat: TxOut[];
  /** spent[i] = the outputs tx i spends (spent[0] = [] for the coinbase). */
  spent: TxOut[][];
  inputs: number;
}

/** A bcoin testnet3 block with its undo data (no heights or coinbase flags in that format). */
export function loadTestnetBlock(name: TestnetBlockName): TestnetBlock {
  const raw = readVector(`bcoin/block${name}.raw`);
  const block = decodeBlock(raw);
  const spentFlat = bcoinUndo(readVector(`bcoin/block${name}-undo.raw`));
  const spent = byTx(block, spentFlat);
  return { height: Number(name), raw, block, spentFlat, spent, inputs: spentFlat.length };
}
