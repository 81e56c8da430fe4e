/**
 * The shared-memory UTXO table (src/utxo/set.ts, reader.ts, snapshot.ts) against a Map
 * model, on what the other UTXO tests leave out:
 *  - txids with 1..150 outputs: several group headers per txid (layout.ts: at most
 *    GROUP_MAX_RECORDS records, GROUP_MAX_BYTES bytes per group), outputs spent in random
 *    orders across batches, spent outpoints added again (a block disconnect);
 *  - duplicate adds of one outpoint in one batch: the later wins (Core's
 *    CCoinsViewCache::AddCoin with possible_overwrite), an unspendable later add is a
 *    no-op, add + add + spend leaves nothing;
 *  - every script kind (Core's CompressScript special cases, the witness kinds, P2PK with
 *    a valid uncompressed key of either y parity) and near misses that must stay raw, raw
 *    scripts up to MAX_SCRIPT_SIZE, unspendable ones that never enter the set;
 *  - amounts from 0 to MAX_MONEY (round, odd, boundaries of the amount encodings) and
 *    beyond (kept exactly in memory, spent before a dump: snapshots reject them);
 *  - pinned snapshots keep their exact view while later batches spend and add;
 *  - write -> load -> write gives identical bytes, equal to an independent encoding of
 *    the model (synthetic.ts encodeSnapshot), also for a loaded set churned further;
 *  - heap compaction (UtxoSet.evacuate). The chunk size is a constant (layout.ts
 *    CHUNK_UNITS_SHIFT, 1 MiB) and UtxoSetOptions has no knob for it, so the tests make
 *    chunks fill quickly with large raw scripts (up to 10 000 bytes) and then spend most
 *    of them. They check that chunks really are evacuated (no live coin refers to them
 *    any more, moved groups carry DEAD placeholders), that every coin is still right
 *    afterwards, that a reader pinned across the move sees its version and that the old
 *    chunk's bytes stay untouched until that reader releases, and that freed chunks are
 *    reused (the heap stops growing under churn).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { UtxoSet, type CoinAdd, type OutPointRef } from '../../src/utxo/set.ts';
import type { Snapshot } from '../../src/utxo/reader.ts';
import type { Coin, CoinView } from '../../src/utxo/coin.ts';
import { loadSnapshot, snapshotChunks, writeSnapshot } from '../../src/utxo/snapshot.ts';
import { CHUNK_BYTES, CHUNK_UNITS_SHIFT, GROUP_MAX_RECORDS, recordEnd, TAG_DEAD } from '../../src/utxo/layout.ts';
import { compareBytes } from '../../src/primitives/bytes.ts';
import { sameCoin } from './model.ts';
import { encodeSnapshot, Rng, type SynthGroup } from './synthetic.ts';

const SMALL = { indexSegments: 1, heapSegments: 1 };
const MAX_MONEY = 2_100_000_000_000_000n;
const MAX_SCRIPT_SIZE = 10_000;
const REGTEST = new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]);
const BASE = new Uint8Array(32).map((_, i) => 0xa0 + i);
const META = { networkMagic: REGTEST, baseBlockHash: BASE };
/** Model keys: t * VOUT_SPAN + vout. */
const VOUT_SPAN = 1 << 20;

// ---------------------------------------------------------------------------------------
// scripts

function cat(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function rnd(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  r.bytes(b, 0, n);
  return b;
}
/** Random bytes that do not start with OP_RETURN (stay spendable). */
function rawScript(r: Rng, n: number): Uint8Array {
  const b = rnd(r, n);
  if (n > 0 && b[0] === 0x6a) b[0] = 0x51;
  return b;
}

/** Valid uncompressed keys (65 bytes, 0x04 x y) with an even and an odd y: Core's script types 4 and 5. */
const FULL_KEYS: { even: Uint8Array[]; odd: Uint8Array[] } = { even: [], odd: [] };
for (let i = 1; FULL_KEYS.even.length < 3 || FULL_KEYS.odd.length < 3; i++) {
  const priv = new Uint8Array(32);
  priv[0] = 0x42;
  priv[31] = i;
  const pub = secp256k1.getPublicKey(priv, false);
  (pub[64]! & 1 ? FULL_KEYS.odd : FULL_KEYS.even).push(pub);
}

type ScriptMaker = (r: Rng) => Uint8Array;
/** Every kind the table stores (compress.ts) and near misses of each, which must stay raw. */
const SCRIPTS: readonly [string, ScriptMaker][] = [
  ['p2pkh', (r) => cat([0x76, 0xa9, 20], rnd(r, 20), [0x88, 0xac])],
  ['p2sh', (r) => cat([0xa9, 20], rnd(r, 20), [0x87])],
  ['p2pk-02', (r) => cat([33, 2], rnd(r, 32), [0xac])],
  ['p2pk-03', (r) => cat([33, 3], rnd(r, 32), [0xac])],
  ['p2pk-04-even-y', (r) => cat([65], FULL_KEYS.even[r.below(3)]!, [0xac])],
  ['p2pk-04-odd-y', (r) => cat([65], FULL_KEYS.odd[r.below(3)]!, [0xac])],
  ['p2wpkh', (r) => cat([0, 20], rnd(r, 20))],
  ['p2wsh', (r) => cat([0, 32], rnd(r, 32))],
  ['p2tr', (r) => cat([0x51, 32], rnd(r, 32))],
  // near misses
  ['p2pk-04-off-curve', (r) => cat([65, 4], rnd(r, 64), [0xac])],
  ['p2pk-hybrid-06/07', (r) => {
    const k = FULL_KEYS.odd[r.below(3)]!;
    return cat([65, 7], k.subarray(1), [0xac]);
  }],
  ['p2pk-33-prefix-04', (r) => cat([33, 4], rnd(r, 32), [0xac])],
  ['p2pk-65-prefix-02', (r) => cat([65, 2], rnd(r, 64), [0xac])],
  ['p2pk-no-checksig', (r) => cat([33, 2], rnd(r, 32), [0xad])],
  ['p2pkh-bad-tail', (r) => cat([0x76, 0xa9, 20], rnd(r, 20), [0x88, 0xad])],
  ['p2sh-21', (r) => cat([0xa9, 21], rnd(r, 21), [0x87])],
  ['witness-v0-21', (r) => cat([0, 21], rnd(r, 21))],
  ['witness-v0-32-plus-1', (r) => cat([0, 32], rnd(r, 33))],
  ['witness-v1-20', (r) => cat([0x51, 20], rnd(r, 20))],
  ['witness-v2-32', (r) => cat([0x52, 32], rnd(r, 32))],
  ['empty', () => new Uint8Array(0)],
  ['short', (r) => rawScript(r, 1 + r.below(5))],
  ['multisig-1-of-2', (r) => cat([0x51, 33, 2], rnd(r, 32), [33, 3], rnd(r, 32), [0x52, 0xae])],
  ['raw-127..129', (r) => rawScript(r, 127 + r.below(3))],
  ['long', (r) => rawScript(r, 200 + r.below(800))],
  ['max-size', (r) => rawScript(r, MAX_SCRIPT_SIZE)],
];
/** CScript::IsUnspendable: never enter the set (CCoinsViewCache::AddCoin). */
const UNSPENDABLE: readonly ScriptMaker[] = [(r) => cat([0x6a], rnd(r, r.below(80))), (r) => rawScript(r, MAX_SCRIPT_SIZE + 1)];
function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === 0x6a) || s.length > MAX_SCRIPT_SIZE;
}
/** A script of any kind; ballast: a large raw script, to fill heap chunks quickly. */
function script(r: Rng, ballastPct = 0): Uint8Array {
  if (r.below(100) < ballastPct) return rawScript(r, 2000 + r.below(MAX_SCRIPT_SIZE - 1999));
  return SCRIPTS[r.below(SCRIPTS.length)]![1](r);
}

// ---------------------------------------------------------------------------------------
// amounts

const P32 = 4_294_967_296n;
/** 0..MAX_MONEY: round and odd values, and the edges of the table's amount encodings. */
function amount(r: Rng): bigint {
  switch (r.below(12)) {
    case 0:
      return BigInt(r.below(3));
    case 1:
      return BigInt(1 + r.below(255)) + (r.below(2) ? 0n : 256n * BigInt(r.below(256)));
    case 2:
      return MAX_MONEY - BigInt(r.below(3));
    case 3:
      return MAX_MONEY - BigInt(r.below(1_000_000_000)) * 7n - 1n;
    case 4: {
      // round amounts: (1..21) * 10^e, e up to 14
      const e = r.below(15);
      return BigInt(1 + r.below(21)) * 10n ** BigInt(e);
    }
    case 5:
      return P32 + BigInt(r.below(3)) - 1n;
    case 6:
      // around 9e14, where compressAmountNum hands over to the bigint path
      return 900_000_000_000_000n + BigInt(r.below(21)) - 10n;
    case 7:
      return BigInt(r.below(2 ** 31)) * 10n;
    case 8:
      return BigInt(546 + r.below(10_000));
    default:
      return (BigInt(r.u32()) * P32 + BigInt(r.u32())) % (MAX_MONEY + 1n);
  }
}
/** Above MAX_MONEY but exact through the table's encoding (raw up to 7 bytes, CompressAmount below ~2e18). */
function beyondAmount(r: Rng): bigint {
  switch (r.below(4)) {
    case 0:
      return MAX_MONEY + 1n + BigInt(r.below(1000));
    case 1:
      return 2n ** 53n + BigInt(r.below(3)) - 1n;
    case 2:
      return 2n ** 56n - 1n - BigInt(r.below(1000));
    default:
      return 2n ** 60n + BigInt(r.below(1000)) * 1_000_000n;
  }
}

// ---------------------------------------------------------------------------------------
// the model

function makeTxids(r: Rng, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let t = 0; t < n; t++) {
    const x = rnd(r, 32);
    // every third txid shares its first 30 bytes with the previous one (snapshot order ties)
    if (t % 3 === 2) x.set(out[t - 1]!.subarray(0, 30));
    out.push(x);
  }
  return out;
}

interface Out {
  t: number;
  vout: number;
  coin: Coin;
}

class Model {
  readonly coins = new Map<number, Coin>();
  /** Every outpoint ever added: checked for absence too. */
  readonly seen = new Set<number>();
  constructor(readonly txids: Uint8Array[]) {}

  add(o: Out): CoinAdd {
    return { txid: this.txids[o.t]!, vout: o.vout, coin: o.coin };
  }
  ref(k: number): OutPointRef {
    return { txid: this.txids[Math.floor(k / VOUT_SPAN)]!, vout: k % VOUT_SPAN };
  }
  /** Applies a batch to the set and to the model: adds in order (later wins, unspendable ones skipped), then spends. */
  apply(set: UtxoSet, adds: Out[], spends: number[]): number {
    const v = set.applyBatch({ add: adds.map((o) => this.add(o)), spend: spends.map((k) => this.ref(k)) });
    for (const o of adds) {
      const k = o.t * VOUT_SPAN + o.vout;
      this.seen.add(k);
      if (!isUnspendable(o.coin.scriptPubKey)) this.coins.set(k, o.coin);
    }
    for (const k of spends) {
      assert.ok(this.coins.delete(k), 'test bug: spend of a coin the model does not have');
    }
    return v;
  }
  /** Mismatches between a view and a state (default: the model's latest). */
  diff(view: CoinView, state: Map<number, Coin> = this.coins, limit = 5): string[] {
    const errs: string[] = [];
    for (const k of this.seen) {
      const t = Math.floor(k / VOUT_SPAN);
      const vout = k % VOUT_SPAN;
      const got = view.getCoin(this.txids[t]!, vout);
      const want = state.get(k);
      if (!sameCoin(got, want)) {
        errs.push(`${t}:${vout} got ${describe(got)} want ${describe(want)}`);
        if (errs.length >= limit) break;
      }
    }
    return errs;
  }
  /** Core's dumptxoutset bytes for the model's coins, from the independent encoder. */
  snapshot(): Uint8Array {
    const byT = new Map<number, { vout: number; coin: Coin }[]>();
    for (const [k, coin] of this.coins) {
      const t = Math.floor(k / VOUT_SPAN);
      let l = byT.get(t);
      if (!l) byT.set(t, (l = []));
      l.push({ vout: k % VOUT_SPAN, coin });
    }
    const groups: SynthGroup[] = [...byT.keys()]
      .sort((a, b) => compareBytes(this.txids[a]!, this.txids[b]!))
      .map((t) => ({ txid: this.txids[t]!, coins: byT.get(t)!.sort((a, b) => a.vout - b.vout) }));
    return concat([...encodeSnapshot(groups, this.coins.size, REGTEST, BASE)]);
  }
}

function describe(c: Coin | undefined): string {
  return c ? `{${c.value} h${c.height}${c.coinbase ? ' cb' : ''} ${c.scriptPubKey.length}B}` : 'none';
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const n = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function shuffle<T>(r: Rng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.below(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The outputs of one transaction: n outputs of txid t from vout `first` (gaps between
 * vouts when asked), one height and coinbase flag; every `dupEvery`-th output is added a
 * second time right after (same batch), sometimes with another height or unspendable.
 */
function txOutputs(r: Rng, t: number, n: number, o: { first?: number; gaps?: boolean; dupEvery?: number; ballastPct?: number; beyondPct?: number } = {}): Out[] {
  const height = r.below(900_000);
  const coinbase = r.below(8) === 0;
  const outs: Out[] = [];
  let vout = o.first ?? 0;
  const coin = (h: number, cb: boolean): Coin => {
    const s = r.below(40) === 0 ? UNSPENDABLE[r.below(UNSPENDABLE.length)]!(r) : script(r, o.ballastPct ?? 0);
    const value = r.below(100) < (o.beyondPct ?? 0) ? beyondAmount(r) : amount(r);
    return { value, scriptPubKey: s, height: h, coinbase: cb };
  };
  for (let j = 0; j < n; j++) {
    outs.push({ t, vout, coin: coin(height, coinbase) });
    if (o.dupEvery && j % o.dupEvery === o.dupEvery - 1) {
      const other = r.below(3) === 0;
      outs.push({ t, vout, coin: coin(other ? height + 1 : height, other ? !coinbase : coinbase) });
    }
    vout += 1 + (o.gaps && r.below(4) === 0 ? r.below(40) : 0);
  }
  return outs;
}

// ---------------------------------------------------------------------------------------
// heap inspection (layout.ts)

/** Live handles (ref * 64 + k) of version v per heap chunk. */
function chunksInUse(set: UtxoSet, v: number): Map<number, number> {
  const m = new Map<number, number>();
  for (const h of set.handlesAt(v)) {
    const c = Math.floor(h / 64) >>> CHUNK_UNITS_SHIFT;
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  return m;
}
/** DEAD placeholder records inside groups that version v still refers to (left by evacuation only). */
function deadRecords(set: UtxoSet, v: number): number {
  let dead = 0;
  let last = -1;
  for (const h of set.handlesAt(v)) {
    const ref = Math.floor(h / 64);
    if (ref === last) continue;
    last = ref;
    const g = set.groupAt(ref);
    assert.ok(g.n >= 1 && g.n <= GROUP_MAX_RECORDS);
    let p = g.rec;
    for (let k = 0; k < g.n; k++) {
      if (g.b[p] === TAG_DEAD) dead++;
      p = recordEnd(g.b, p);
    }
  }
  return dead;
}
function chunkBytes(set: UtxoSet, c: number): Uint8Array {
  return new Uint8Array(set.shared().heap[0]!, c * CHUNK_BYTES, CHUNK_BYTES).slice();
}

async function roundTrip(set: UtxoSet, model: Model, label: string): Promise<UtxoSet> {
  const a = writeSnapshot(set, META);
  const want = model.snapshot();
  assert.equal(a.length, want.length, `${label}: snapshot length`);
  assert.ok(compareBytes(a, want) === 0, `${label}: snapshot equals the independent encoding of the model`);
  const { set: loaded, meta } = await loadSnapshot(a, { networkMagic: REGTEST });
  assert.equal(meta.coinsCount, model.coins.size);
  assert.equal(loaded.size, model.coins.size);
  assert.deepEqual(model.diff(loaded), [], `${label}: loaded set`);
  const b = writeSnapshot(loaded, META);
  assert.ok(compareBytes(a, b) === 0, `${label}: write -> load -> write gives identical bytes`);
  return loaded;
}

// ---------------------------------------------------------------------------------------

test('every script kind and amount edge, in groups of 1..150 outputs: exact reads and snapshot bytes', async () => {
  const r = new Rng(0x5c1);
  const txids = makeTxids(r, 60);
  const m = new Model(txids);
  const set = UtxoSet.create(SMALL);
  const adds: Out[] = [];
  // one txid per script kind, 150 outputs each (3 group headers), every amount case
  for (let i = 0; i < SCRIPTS.length; i++) {
    const [, make] = SCRIPTS[i]!;
    for (let vout = 0; vout < 150; vout++) adds.push({ t: i, vout, coin: { value: amount(r), scriptPubKey: make(r), height: 1000 + i, coinbase: i % 2 === 0 } });
  }
  // unspendable adds never enter the set
  for (let vout = 0; vout < 20; vout++) adds.push({ t: 50, vout, coin: { value: 1n, scriptPubKey: UNSPENDABLE[vout % 2]!(r), height: 5, coinbase: false } });
  // fixed amounts on P2WPKH (the most common kind)
  const fixed = [0n, 1n, 9n, 10n, 255n, 256n, 65535n, 65536n, P32 - 1n, P32, P32 + 1n, 899_999_999_999_999n, 900_000_000_000_000n,
    900_000_000_000_001n, 2_099_999_999_999_999n, MAX_MONEY, 1_000_000_000_000_000n, 123_456_789_012_345n, 100_000_000n, 5_000_000_000n];
  fixed.forEach((value, vout) => adds.push({ t: 51, vout, coin: { value, scriptPubKey: cat([0, 20], rnd(r, 20)), height: 0, coinbase: true } }));
  // heights at the VARINT and 2^31 edges
  const heights = [0, 63, 64, 127, 128, 8_256, 16_511, 2 ** 24, 0x7fffffff];
  heights.forEach((height, vout) => adds.push({ t: 52, vout, coin: { value: 50n, scriptPubKey: cat([0x51, 32], rnd(r, 32)), height, coinbase: vout % 2 === 1 } }));
  m.apply(set, adds, []);
  assert.equal(set.size, m.coins.size);
  assert.equal(m.coins.size, SCRIPTS.length * 150 + fixed.length + heights.length);
  assert.deepEqual(m.diff(set), []);
  // exact bytes of the kinds whose payload is rebuilt on reads
  for (const kind of ['p2pk-04-even-y', 'p2pk-04-odd-y', 'p2pk-hybrid-06/07', 'p2pk-04-off-curve']) {
    const i = SCRIPTS.findIndex(([n]) => n === kind);
    assert.ok(sameCoin(set.getCoin(txids[i]!, 149), m.coins.get(i * VOUT_SPAN + 149)), kind);
  }
  // spend every other output of every txid, from the top down, then dump and reload
  const spends: number[] = [];
  for (const k of m.coins.keys()) if (k % 2 === 1) spends.push(k);
  m.apply(set, [], spends.reverse());
  assert.deepEqual(m.diff(set), []);
  const loaded = await roundTrip(set, m, 'kinds');
  assert.deepEqual(m.diff(loaded), []);
  // Core's ScriptCompression in the dump, spelled out for one coin (value 0, height 1):
  // header | txid | 1 coin | vout 0 | VARINT(2) | VARINT(0) | script
  const one = (spk: Uint8Array): Uint8Array => {
    const s1 = UtxoSet.create(SMALL);
    s1.applyBatch({ add: [{ txid: txids[0]!, vout: 0, coin: { value: 0n, scriptPubKey: spk, height: 1, coinbase: false } }] });
    const d = writeSnapshot(s1, META);
    assert.deepEqual([...d.subarray(83, 87)], [1, 0, 2, 0]);
    return d.subarray(87);
  };
  for (const k of [...FULL_KEYS.even, ...FULL_KEYS.odd]) {
    // a valid uncompressed key: type 4 | (y & 1), then x (CompressScript IsToPubKey)
    assert.deepEqual([...one(cat([65], k, [0xac]))], [4 | (k[64]! & 1), ...k.subarray(1, 33)]);
  }
  const hybrid = cat([65, 7], FULL_KEYS.odd[0]!.subarray(1), [0xac]);
  assert.deepEqual([...one(hybrid)], [67 + 6, ...hybrid], 'a hybrid key stays raw: nSize = 67 + 6');
  const wpkh = cat([0, 20], rnd(r, 20));
  assert.deepEqual([...one(wpkh)], [22 + 6, ...wpkh], 'witness programs are raw in the dump format');
  const pkh = cat([0x76, 0xa9, 20], rnd(r, 20), [0x88, 0xac]);
  assert.deepEqual([...one(pkh)], [0, ...pkh.subarray(3, 23)]);
  const p2pk = cat([33, 3], rnd(r, 32), [0xac]);
  assert.deepEqual([...one(p2pk)], [3, ...p2pk.subarray(2, 34)]);
});

test('duplicate adds of one outpoint in one batch: the later wins (possible_overwrite)', () => {
  const r = new Rng(0xd0b);
  const txids = makeTxids(r, 8);
  const m = new Model(txids);
  const set = UtxoSet.create(SMALL);
  const reader = set.reader();
  const c = (value: bigint, height = 7, s: Uint8Array = cat([0, 20], rnd(r, 20))): Coin => ({ value, scriptPubKey: s, height, coinbase: false });
  // a 150-output tx whose outputs 3, 70 and 140 appear twice (the first copy may already
  // sit in a placed group header: groups hold 64 records)
  const outs: Out[] = [];
  for (let vout = 0; vout < 150; vout++) {
    outs.push({ t: 0, vout, coin: c(BigInt(vout)) });
    if (vout === 3 || vout === 70 || vout === 140) outs.push({ t: 0, vout, coin: c(BigInt(vout) + 1_000_000n) });
  }
  // the same outpoint three times in a row, the last one unspendable: the second stays
  outs.push({ t: 1, vout: 0, coin: c(1n) }, { t: 1, vout: 0, coin: c(2n, 8) }, { t: 1, vout: 0, coin: c(3n, 9, cat([0x6a, 1, 1])) });
  // the first one unspendable, the second one real
  outs.push({ t: 1, vout: 1, coin: c(4n, 9, cat([0x6a])) }, { t: 1, vout: 1, coin: c(5n) });
  // far apart in the batch, with other txids in between
  outs.push({ t: 2, vout: 9, coin: c(6n) }, { t: 3, vout: 0, coin: c(7n) }, { t: 2, vout: 9, coin: c(8n, 11) });
  m.apply(set, outs, []);
  assert.equal(set.getCoin(txids[0]!, 70)!.value, 1_000_070n);
  assert.equal(set.getCoin(txids[1]!, 0)!.value, 2n);
  assert.equal(set.getCoin(txids[1]!, 1)!.value, 5n);
  assert.equal(set.getCoin(txids[2]!, 9)!.value, 8n);
  assert.equal(set.size, m.coins.size);
  assert.deepEqual(m.diff(set), []);
  const s1 = reader.pin();
  const state1 = new Map(m.coins);
  // over unspent coins: add, add again, and add + add + spend in one batch
  const o2: Out[] = [
    { t: 0, vout: 3, coin: c(30n) }, { t: 0, vout: 3, coin: c(31n) },
    { t: 0, vout: 4, coin: c(40n) }, { t: 0, vout: 4, coin: c(41n) },
    { t: 4, vout: 0, coin: c(50n) }, { t: 4, vout: 0, coin: c(51n) },
  ];
  set.applyBatch({ add: o2.map((o) => m.add(o)), spend: [m.ref(4), m.ref(4 * VOUT_SPAN), m.ref(5)] });
  for (const o of o2) {
    m.seen.add(o.t * VOUT_SPAN + o.vout);
    m.coins.set(o.t * VOUT_SPAN + o.vout, o.coin);
  }
  for (const k of [4, 4 * VOUT_SPAN, 5]) m.coins.delete(k);
  assert.equal(set.getCoin(txids[0]!, 3)!.value, 31n);
  assert.equal(set.getCoin(txids[0]!, 4), undefined);
  assert.equal(set.getCoin(txids[4]!, 0), undefined);
  assert.equal(set.size, m.coins.size);
  assert.deepEqual(m.diff(set), []);
  assert.deepEqual(m.diff(s1, state1), [], 'the pinned version still sees the coins the duplicates replaced');
  // the replaced copies are reclaimed once nothing pins them; the survivors stay right
  s1.release();
  set.applyBatch({});
  set.applyBatch({});
  assert.equal(set.stats().pendingSpends, 0);
  assert.deepEqual(m.diff(set), []);
  assert.equal([...set.coins()].length, m.coins.size);
});

test('property: multi-output groups, duplicates, re-adds and pins agree with a Map model (fast-check)', async () => {
  const T = 10;
  const txArb = fc.record({
    t: fc.nat(T - 1),
    n: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 150 }), fc.constantFrom(63, 64, 65, 128, 129, 150)),
    first: fc.oneof(fc.constant(0), fc.nat(300)),
    gaps: fc.boolean(),
    dupEvery: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })),
    ballastPct: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 60 })),
    beyondPct: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(5)),
  });
  const batchArb = fc.record({
    txs: fc.array(txArb, { maxLength: 3 }),
    spendPct: fc.nat(100),
    cancel: fc.nat(3),
    pin: fc.boolean(),
    release: fc.nat(3),
    seed: fc.nat(),
  });
  let runs = 0;
  let compacted = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 18 }), async (batches) => {
      runs++;
      const r0 = new Rng(batches.length * 7919 + 1);
      const m = new Model(makeTxids(r0, T));
      const set = UtxoSet.create(SMALL);
      const reader = set.reader();
      const pins: { snap: Snapshot; state: Map<number, Coin> }[] = [];
      for (const b of batches) {
        const r = new Rng(b.seed + 1);
        const adds: Out[] = [];
        for (const tx of b.txs) adds.push(...txOutputs(r, tx.t, tx.n, tx));
        // outputs of this batch spent in it too (they cancel out), only where the last
        // add of the outpoint is spendable
        const last = new Map<number, Coin>();
        for (const o of adds) last.set(o.t * VOUT_SPAN + o.vout, o.coin);
        const fresh = [...last].filter(([, c]) => !isUnspendable(c.scriptPubKey)).map(([k]) => k);
        const spends = shuffle(r, fresh).slice(0, b.cancel);
        // and a random share of what was live before, in random order
        const live = [...m.coins.keys()].filter((k) => !last.has(k));
        spends.push(...shuffle(r, live).slice(0, Math.floor((live.length * b.spendPct) / 100)));
        shuffle(r, spends);
        m.apply(set, adds, spends);
        if (set.size !== m.coins.size) return false;
        if (b.pin) pins.push({ snap: reader.pin(), state: new Map(m.coins) });
        if (pins.length > b.release) {
          const p = pins.splice(b.release, 1)[0]!;
          assert.deepEqual(m.diff(p.snap, p.state), [], `pin at version ${p.snap.version}`);
          p.snap.release();
        }
        assert.deepEqual(m.diff(set), [], `latest, version ${set.version}`);
      }
      for (const p of pins) {
        assert.deepEqual(m.diff(p.snap, p.state), [], `pin at version ${p.snap.version}, at the end`);
        p.snap.release();
      }
      set.applyBatch({});
      if (set.stats().freeChunks > 0 || deadRecords(set, set.version) > 0) compacted++;
      // snapshots reject amounts above MAX_MONEY: spend those, then write -> load -> write
      const over = [...m.coins].filter(([, c]) => c.value > MAX_MONEY).map(([k]) => k);
      m.apply(set, [], over);
      assert.deepEqual(m.diff(set), []);
      await roundTrip(set, m, 'property');
      return true;
    }),
    { seed: 0x75_7830, numRuns: 40 },
  );
  // not every history fills a chunk; enough of them must reach compaction
  assert.ok(compacted >= 3, `compaction ran in ${compacted} of ${runs} histories`);
});

test('heap compaction: sparse chunks are evacuated, pinned readers keep their version, freed chunks are reused', async () => {
  const r = new Rng(0xc0ffee);
  const txids = makeTxids(r, 3000);
  const m = new Model(txids);
  const set = UtxoSet.create(SMALL);
  const reader = set.reader();
  let t = 0;
  const someTxs = (count: number, ballastPct: number): Out[] => {
    const outs: Out[] = [];
    for (let i = 0; i < count; i++) {
      const x = r.below(10);
      const n = x < 4 ? 1 + r.below(4) : x < 8 ? 1 + r.below(150) : [64, 65, 128, 150][r.below(4)]!;
      outs.push(...txOutputs(r, t++, n, { gaps: r.below(2) === 0, dupEvery: r.below(4) === 0 ? 5 : 0, ballastPct, beyondPct: 2 }));
    }
    return outs;
  };
  // 1. fill six 1 MiB chunks
  for (let i = 0; set.stats().chunks < 7; i++) {
    assert.ok(i < 100, 'the heap does not grow');
    m.apply(set, someTxs(6, 12), []);
  }
  const filled = set.stats().chunks;
  assert.deepEqual(m.diff(set), []);
  // 2. spend 70% (random order, four batches, with a few adds each), pinning before and
  //    in between; then 15% more
  const s0 = reader.pin();
  const state0 = new Map(m.coins);
  const order = shuffle(r, [...m.coins.keys()]);
  const n70 = Math.floor(order.length * 0.7);
  const n85 = Math.floor(order.length * 0.85);
  for (let i = 0; i < 4; i++) m.apply(set, someTxs(2, 0), order.slice((i * n70) >> 2, ((i + 1) * n70) >> 2));
  const s1 = reader.pin();
  const state1 = new Map(m.coins);
  m.apply(set, someTxs(2, 0), order.slice(n70, n85));
  assert.equal(set.stats().freeChunks, 0);
  const before = chunksInUse(set, s1.version);
  assert.equal(deadRecords(set, set.version), 0, 'nothing moved yet');
  // nothing spent after version s0 may be reclaimed while s0 is pinned: no compaction
  m.apply(set, [], []);
  assert.deepEqual(chunksInUse(set, s1.version), before, 'no group moved while version s0 is pinned');
  assert.deepEqual(m.diff(s0, state0), [], 's0 before the move');
  const saved = new Map<number, Uint8Array>();
  for (const c of before.keys()) saved.set(c, chunkBytes(set, c));

  // 3. release s0: the spends up to s1 become reclaimable, chunks fall below half live
  s0.release();
  m.apply(set, [], []);
  m.apply(set, [], []);
  const after = chunksInUse(set, s1.version);
  const evacuated = [...before.keys()].filter((c) => !after.has(c));
  assert.ok(evacuated.length >= 3, `chunks evacuated: ${evacuated.length} (in use before: ${before.size})`);
  assert.ok(deadRecords(set, set.version) > 0, 'moved groups keep record indexes with DEAD placeholders');
  assert.ok(deadRecords(set, s1.version) > 0);
  assert.deepEqual(m.diff(set), [], 'latest after compaction');
  assert.deepEqual(m.diff(s1, state1), [], 's1, pinned across the move (coins spent after s1 were moved too)');
  // the evacuated chunks are retired, not reused, while s1 (older than the move) is pinned:
  // churn that needs several new chunks
  for (let i = 0; i < 4; i++) {
    const adds = someTxs(3, 60);
    m.apply(set, adds, []);
    const mine = [...new Set(adds.map((o) => o.t * VOUT_SPAN + o.vout))].filter((k) => m.coins.has(k));
    m.apply(set, [], mine);
  }
  for (const c of evacuated) assert.ok(compareBytes(chunkBytes(set, c), saved.get(c)!) === 0, `retired chunk ${c} untouched while s1 is pinned`);
  assert.deepEqual(m.diff(s1, state1), [], 's1 after more churn');
  assert.deepEqual(m.diff(set), []);

  // 4. release s1: retired chunks are freed and reused; under heavy churn the heap stops growing
  s1.release();
  m.apply(set, [], []);
  m.apply(set, [], []);
  assert.equal(set.stats().pendingSpends, 0);
  const grown = set.stats().chunks;
  let written = 0;
  for (let i = 0; i < 12; i++) {
    const adds = someTxs(3, 80);
    for (const o of adds) written += o.coin.scriptPubKey.length;
    m.apply(set, adds, []);
    const mine = [...new Set(adds.map((o) => o.t * VOUT_SPAN + o.vout))].filter((k) => m.coins.has(k));
    m.apply(set, [], shuffle(r, mine).slice(0, Math.floor(mine.length * 0.9)));
  }
  assert.ok(written > 4 * CHUNK_BYTES, `churn wrote ${written} bytes`);
  assert.ok(set.stats().chunks - grown <= 2, `heap grew from ${grown} to ${set.stats().chunks} chunks (filled ${filled}) while ${written} bytes were written`);
  assert.ok(evacuated.some((c) => compareBytes(chunkBytes(set, c), saved.get(c)!) !== 0), 'a freed chunk was reused');
  assert.deepEqual(m.diff(set), []);
  assert.equal(set.size, m.coins.size);

  // 5. a dump streamed from its pinned version while later batches compact the heap under
  //    it and churn through new chunks (snapshotChunks reads the old copies)
  m.apply(set, someTxs(12, 80), []);
  m.apply(set, [], [...m.coins].filter(([, c]) => c.value > MAX_MONEY).map(([k]) => k));
  const hold = reader.pin();
  m.apply(set, someTxs(1, 0), shuffle(r, [...m.coins.keys()]).slice(0, Math.floor(m.coins.size * 0.65)));
  const wantDump = m.snapshot();
  const dumpVersion = set.version;
  const dump = snapshotChunks(set, META);
  const parts = [dump.next().value!];
  const dumpBefore = chunksInUse(set, dumpVersion);
  hold.release();
  for (let i = 0; i < 4; i++) {
    const adds = someTxs(3, 60);
    m.apply(set, adds, []);
    const mine = [...new Set(adds.map((o) => o.t * VOUT_SPAN + o.vout))].filter((k) => m.coins.has(k));
    m.apply(set, [], mine);
  }
  const dumpAfter = chunksInUse(set, dumpVersion);
  assert.ok([...dumpBefore.keys()].filter((c) => !dumpAfter.has(c)).length >= 2, 'chunks evacuated while the dump was half written');
  parts.push(...dump);
  assert.ok(parts.length >= 2, `the dump came in ${parts.length} parts`);
  assert.ok(compareBytes(concat(parts), wantDump) === 0, 'the dump shows its pinned version exactly');

  // 6. dump, load, churn the loaded set into compaction, dump again
  const loaded = await roundTrip(set, m, 'after compaction');
  const lreader = loaded.reader();
  for (let i = 0; loaded.stats().chunks < filled + 3; i++) {
    assert.ok(i < 100, 'the heap of the loaded set does not grow');
    m.apply(loaded, someTxs(6, 12), []);
  }
  const pinned = lreader.pin();
  const pinnedState = new Map(m.coins);
  const lorder = shuffle(r, [...m.coins.keys()]);
  m.apply(loaded, someTxs(1, 0), lorder.slice(0, Math.floor(lorder.length * 0.8)));
  const lbefore = chunksInUse(loaded, loaded.version);
  m.apply(loaded, [], []);
  assert.deepEqual(chunksInUse(loaded, loaded.version), lbefore, 'no move while the older version is pinned');
  assert.deepEqual(m.diff(pinned, pinnedState), []);
  pinned.release();
  for (let i = 0; i < 3; i++) m.apply(loaded, [], []);
  const lafter = chunksInUse(loaded, loaded.version);
  assert.ok([...lbefore.keys()].filter((c) => !lafter.has(c)).length >= 3, 'the loaded set compacts too');
  assert.deepEqual(m.diff(loaded), []);
  m.apply(loaded, [], [...m.coins].filter(([, c]) => c.value > MAX_MONEY).map(([k]) => k));
  await roundTrip(loaded, m, 'loaded set after compaction');
});
