/**
 * Fixtures of the shared-memory UTXO table tests (utxo-groups.test.ts,
 * utxo-compaction.test.ts): every script kind and amount edge the table encodes, txids with
 * many outputs, a Map model of the set, and helpers reading the heap chunks a version uses.
 */
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { UtxoSet, type CoinAdd, type OutPointRef } from '../../src/utxo/set.ts';
import type { Coin, CoinView } from '../../src/utxo/coin.ts';
import { loadSnapshot, writeSnapshot } from '../../src/utxo/snapshot.ts';
import { CHUNK_BYTES, CHUNK_UNITS_SHIFT, GROUP_MAX_RECORDS, recordEnd, TAG_DEAD } from '../../src/utxo/layout.ts';
import { compareBytes, concatBytes } from '../../src/primitives/bytes.ts';
import { sameCoin } from './model.ts';
import { encodeSnapshot, Rng, type SynthGroup } from './synthetic.ts';

export const SMALL = { indexSegments: 1, heapSegments: 1 };
export const MAX_MONEY = 2_100_000_000_000_000n;
export const MAX_SCRIPT_SIZE = 10_000;
export const REGTEST = new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]);
export const BASE = new Uint8Array(32).map((_, i) => 0xa0 + i);
export const META = { networkMagic: REGTEST, baseBlockHash: BASE };
/** Model keys: t * VOUT_SPAN + vout. */
export const VOUT_SPAN = 1 << 20;

// ---------------------------------------------------------------------------------------
// scripts

export function cat(...parts: (number[] | Uint8Array)[]): Uint8Array {
  return concatBytes(...parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p))));
}
export function rnd(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  r.bytes(b, 0, n);
  return b;
}
/** Random bytes that do not start with OP_RETURN (stay spendable). */
export function rawScript(r: Rng, n: number): Uint8Array {
  const b = rnd(r, n);
  if (n > 0 && b[0] === 0x6a) b[0] = 0x51;
  return b;
}

/** Valid uncompressed keys (65 bytes, 0x04 x y) with an even and an odd y: Core's script types 4 and 5. */
export const FULL_KEYS: { even: Uint8Array[]; odd: Uint8Array[] } = { even: [], odd: [] };
for (let i = 1; FULL_KEYS.even.length < 3 || FULL_KEYS.odd.length < 3; i++) {
  const priv = new Uint8Array(32);
  priv[0] = 0x42;
  priv[31] = i;
  const pub = secp256k1.getPublicKey(priv, false);
  (pub[64]! & 1 ? FULL_KEYS.odd : FULL_KEYS.even).push(pub);
}

export type ScriptMaker = (r: Rng) => Uint8Array;
/** Every kind the table stores (compress.ts) and near misses of each, which must stay raw. */
export const SCRIPTS: readonly [string, ScriptMaker][] = [
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
export const UNSPENDABLE: readonly ScriptMaker[] = [(r) => cat([0x6a], rnd(r, r.below(80))), (r) => rawScript(r, MAX_SCRIPT_SIZE + 1)];
export function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === 0x6a) || s.length > MAX_SCRIPT_SIZE;
}
/** A script of any kind; ballast: a large raw script, to fill heap chunks quickly. */
export function script(r: Rng, ballastPct = 0): Uint8Array {
  if (r.below(100) < ballastPct) return rawScript(r, 2000 + r.below(MAX_SCRIPT_SIZE - 1999));
  return SCRIPTS[r.below(SCRIPTS.length)]![1](r);
}

// ---------------------------------------------------------------------------------------
// amounts

export const P32 = 4_294_967_296n;
/** 0..MAX_MONEY: round and odd values, and the edges of the table's amount encodings. */
export function amount(r: Rng): bigint {
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
export function beyondAmount(r: Rng): bigint {
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

export function makeTxids(r: Rng, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let t = 0; t < n; t++) {
    const x = rnd(r, 32);
    // every third txid shares its first 30 bytes with the previous one (snapshot order ties)
    if (t % 3 === 2) x.set(out[t - 1]!.subarray(0, 30));
    out.push(x);
  }
  return out;
}

export interface Out {
  t: number;
  vout: number;
  coin: Coin;
}

export class Model {
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
        errs.push(`${t}:${vout} got ${describeCoin(got)} want ${describeCoin(want)}`);
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
    return concatBytes(...encodeSnapshot(groups, this.coins.size, REGTEST, BASE));
  }
}

export function describeCoin(c: Coin | undefined): string {
  return c ? `{${c.value} h${c.height}${c.coinbase ? ' cb' : ''} ${c.scriptPubKey.length}B}` : 'none';
}


export function shuffle<T>(r: Rng, a: T[]): T[] {
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
export function txOutputs(r: Rng, t: number, n: number, o: { first?: number; gaps?: boolean; dupEvery?: number; ballastPct?: number; beyondPct?: number } = {}): Out[] {
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
export function chunksInUse(set: UtxoSet, v: number): Map<number, number> {
  const m = new Map<number, number>();
  for (const h of set.handlesAt(v)) {
    const c = Math.floor(h / 64) >>> CHUNK_UNITS_SHIFT;
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  return m;
}
/** DEAD placeholder records inside groups that version v still refers to (left by evacuation only). */
export function deadRecords(set: UtxoSet, v: number): number {
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
export function chunkBytes(set: UtxoSet, c: number): Uint8Array {
  return new Uint8Array(set.shared().heap[0]!, c * CHUNK_BYTES, CHUNK_BYTES).slice();
}

export async function roundTrip(set: UtxoSet, model: Model, label: string): Promise<UtxoSet> {
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
