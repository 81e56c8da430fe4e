/**
 * The one shared data generator for the benchmarks (and the tests that check it):
 *   - makeTxs(kind, count): deterministic signed transactions of each standard type with
 *     their spent outputs. Fixed keys and seeds; ECDSA is RFC 6979 and Schnorr uses a zero
 *     aux_rand, so every run produces the same bytes. Signed with @scure/btc-signer
 *     (signing only: we take the raw bytes and decode them with our own decodeTx).
 *   - loadRealBlock(name): real mainnet blocks with the outputs every input spends, from
 *     the undo/utxo files in test/vectors.
 *   - loadServerBenchData(spec): a regtest chain (raw blocks) and thousands of distinct
 *     signed 1-in/2-out spends of its coins, for the server benchmarks; cached in bench/out/.
 *   - loadTestnetBlock(name): the ~2 MB bcoin testnet3 blocks with their spent outputs.
 * Reads files with node:fs, which Node, Bun and Deno all provide.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import * as btc from '@scure/btc-signer';
import { concatBytes, fromHex, toHex } from '../src/primitives/bytes.ts';
import { outputScript, RegtestChainBuilder, signSpend, type OutputKind, type Spendable } from '../test/util/regtest-builder.ts';
import { ByteReader } from '../src/primitives/codec.ts';
import { decodeBlock, type Block } from '../src/primitives/block.ts';
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
function prng(seed: number): () => number {
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

// ---------------------------------------------------------------------------------------
// Real blocks with their spent outputs.

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

// ---------------------------------------------------------------------------------------
// A regtest chain and distinct signed spends of its coins, for the server benchmarks
// (bench/validate.bench.ts): POST the blocks to a fresh server, then POST /validate each
// spend once. Signing thousands of transactions with noble takes tens of seconds on Node,
// so `loadServerBenchData` caches the result under bench/out/ (git-ignored), keyed by the
// parameters.

/** How many spends of each set (every spend has 1 input and 2 outputs). */
export interface ServerBenchSpec {
  /** Realistic blend: 55% P2WPKH, 20% P2TR key path, 15% P2PKH, 10% 2-of-3 P2WSH. */
  mix: number;
  /** P2WPKH only (one signature per tx): the single-kind throughput figure. */
  one: number;
  /** Mix spends for warming a server up (JIT, connections) before anything is timed. */
  warm: number;
  /** Mix spends for the sequential (idle server) latency and the re-submission figure. */
  idle: number;
  /** Signature-scheme seed (which kind each mix tx is; output amounts). */
  seed?: number;
}
export type ServerSetName = 'mix' | 'one' | 'warm' | 'idle';
export const SERVER_SETS: readonly ServerSetName[] = ['warm', 'idle', 'mix', 'one'];

export interface ServerSpend {
  /** Raw signed transaction. */
  tx: Uint8Array;
  kind: SingleKind;
  /** The one output it spends. */
  prevout: Prevout;
}

export interface ServerBenchData {
  /** Cache key (parameters and generator version). */
  key: string;
  /** Raw regtest blocks, heights 1..n, to POST /blocks in order. */
  blocks: Uint8Array[];
  sets: Record<ServerSetName, ServerSpend[]>;
}

/** Bumped whenever the generated bytes would change. */
const SERVER_DATA_VERSION = 1;
const SERVER_KIND: Record<SingleKind, OutputKind> = { 'p2pkh': 'p2pkh', 'p2wpkh': 'p2wpkh', 'p2tr': 'p2tr', 'p2wsh-multisig': 'p2wsh' };
/** Outputs per fan-out tx (one fan-out spends one mature coinbase), fan-outs per block. */
const FAN_OUTPUTS = 1000;
const FANS_PER_BLOCK = 6;
const COIN_VALUE = 1_000_000n;

export function serverDataKey(spec: ServerBenchSpec): string {
  return `v${SERVER_DATA_VERSION}-mix${spec.mix}-one${spec.one}-warm${spec.warm}-idle${spec.idle}-seed${spec.seed ?? 1}`;
}

/**
 * Builds the chain and the spends (slow with noble: ~2 ms per signature on Node).
 * Chain: one P2WPKH coinbase per fan-out at heights 1..F, empty blocks until the first
 * coinbase is mature, then blocks of fan-out txs (1,000 outputs of 0.01 BTC each, every
 * output its own key), then one more empty block. Every spend pays two fixed outputs with a
 * fee of 1,500–3,499 sats; each spend's kind is drawn with the seeded PRNG.
 */
export function makeServerBenchData(spec: ServerBenchSpec): ServerBenchData {
  const seed = spec.seed ?? 1;
  const rand = prng(0x5e7e + seed);
  const pick = (): SingleKind => {
    const r = rand();
    return r < 0.55 ? 'p2wpkh' : r < 0.75 ? 'p2tr' : r < 0.9 ? 'p2pkh' : 'p2wsh-multisig';
  };
  const plan: { set: ServerSetName; kind: SingleKind }[] = [];
  for (const set of SERVER_SETS) {
    for (let i = 0; i < spec[set]; i++) plan.push({ set, kind: set === 'one' ? 'p2wpkh' : pick() });
  }
  const fans = Math.ceil(plan.length / FAN_OUTPUTS);
  const b = new RegtestChainBuilder();
  const coinbases: Spendable[] = [];
  for (let i = 0; i < fans; i++) coinbases.push(b.next().coinbase);
  while (b.height < fans + 99) b.next();
  // Keys: spend j owns test keys KEY_BASE + 3j (.. + 2 for 2-of-3 multisig).
  const KEY_BASE = 1_000_000 * seed;
  const coins: Spendable[] = [];
  const fanTxs: Transaction[] = [];
  const fanFee = 100_000n;
  for (let f = 0; f < fans; f++) {
    const outs: TxOut[] = [];
    const first = f * FAN_OUTPUTS;
    for (let j = first; j < Math.min(plan.length, first + FAN_OUTPUTS); j++) {
      const kind = SERVER_KIND[plan[j]!.kind];
      outs.push({ value: COIN_VALUE, scriptPubKey: outputScript(kind, KEY_BASE + 3 * j) });
    }
    const cb = coinbases[f]!;
    const change = cb.value - COIN_VALUE * BigInt(outs.length) - fanFee;
    outs.push({ value: change, scriptPubKey: outputScript('p2wpkh', 0) });
    const tx = signSpend([cb], outs);
    fanTxs.push(tx);
    for (let k = 0; k < outs.length - 1; k++) {
      const j = first + k;
      coins.push({ txid: tx.txid, vout: k, value: COIN_VALUE, kind: SERVER_KIND[plan[j]!.kind], key: KEY_BASE + 3 * j });
    }
  }
  for (let f = 0; f < fans; f += FANS_PER_BLOCK) {
    const txs = fanTxs.slice(f, f + FANS_PER_BLOCK);
    b.next({ txs, fees: fanFee * BigInt(txs.length) });
  }
  b.next();
  const payA = outputScript('p2wpkh', 7);
  const payB = outputScript('p2tr', 8);
  const sets = { warm: [], idle: [], mix: [], one: [] } as Record<ServerSetName, ServerSpend[]>;
  plan.forEach((p, j) => {
    const coin = coins[j]!;
    const fee = 1_500n + BigInt(Math.floor(rand() * 2_000));
    const a = 100_000n + BigInt(Math.floor(rand() * 400_000));
    const tx = signSpend([coin], [{ value: a, scriptPubKey: payA }, { value: COIN_VALUE - a - fee, scriptPubKey: payB }]);
    sets[p.set].push({ tx: tx.raw, kind: p.kind, prevout: { scriptPubKey: outputScript(coin.kind, coin.key), amount: coin.value } });
  });
  return { key: serverDataKey(spec), blocks: b.blocks, sets };
}

interface ServerDataFile {
  key: string;
  blocks: string[];
  sets: Record<ServerSetName, { tx: string; kind: SingleKind; spk: string; amount: string }[]>;
}

/** The file the data for `spec` is cached in (bench/out/, git-ignored). */
export function serverDataPath(spec: ServerBenchSpec): string {
  return fileURLToPath(new URL(`out/server-data-${serverDataKey(spec)}.json`, import.meta.url));
}

/** makeServerBenchData, cached in serverDataPath(spec); `log` hears about a (slow) rebuild. */
export function loadServerBenchData(spec: ServerBenchSpec, log: (s: string) => void = () => {}): ServerBenchData {
  const path = serverDataPath(spec);
  const key = serverDataKey(spec);
  if (existsSync(path)) {
    const f = JSON.parse(readFileSync(path, 'utf8')) as ServerDataFile;
    if (f.key === key) {
      const sets = {} as Record<ServerSetName, ServerSpend[]>;
      for (const s of SERVER_SETS) {
        sets[s] = f.sets[s].map((x) => ({ tx: fromHex(x.tx), kind: x.kind, prevout: { scriptPubKey: fromHex(x.spk), amount: BigInt(x.amount) } }));
      }
      return { key, blocks: f.blocks.map(fromHex), sets };
    }
  }
  log(`generating ${key} (signing with noble; cached in ${path})...`);
  const t0 = performance.now();
  const d = makeServerBenchData(spec);
  const file: ServerDataFile = { key, blocks: d.blocks.map(toHex), sets: {} as ServerDataFile['sets'] };
  for (const s of SERVER_SETS) {
    file.sets[s] = d.sets[s].map((x) => ({ tx: toHex(x.tx), kind: x.kind, spk: toHex(x.prevout.scriptPubKey), amount: String(x.prevout.amount) }));
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path + '.tmp', JSON.stringify(file));
  renameSync(path + '.tmp', path);
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return d;
}

// ---------------------------------------------------------------------------------------
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
