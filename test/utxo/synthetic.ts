/**
 * Deterministic synthetic coins with a realistic script mix, for the UTXO tests and the
 * benchmark. Mix (share of coins): P2WPKH 45%, P2PKH 18%, P2TR 15%, P2SH 12%, P2WSH 6.7%,
 * P2PK compressed 0.2%, P2PK uncompressed 0.1% (valid keys), odd scripts 3% (bare multisig,
 * near-miss P2PK with a bad prefix or an off-curve key, empty, long). Outputs per txid:
 * 1 (60%), 2 (25%), 3 (10%), 4..12 (5%): about 1.8 on average.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Coin } from '../../src/utxo/coin.ts';
import { writeCoreCoin } from '../../src/utxo/compress.ts';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.s = x >>> 0);
  }
  below(n: number): number {
    return this.u32() % n;
  }
  bytes(out: Uint8Array, off: number, n: number): void {
    for (let i = 0; i < n; i++) out[off + i] = this.u32() & 0xff;
  }
}

const UNCOMPRESSED_KEYS: Uint8Array[] = Array.from({ length: 8 }, (_, i) => {
  const priv = new Uint8Array(32);
  priv[31] = i + 1;
  priv[0] = 0x11 * (i + 1);
  return secp256k1.getPublicKey(priv, false);
});

export function makeScript(r: Rng): Uint8Array {
  const x = r.below(1000);
  let s: Uint8Array;
  if (x < 450) {
    s = new Uint8Array(22);
    s[1] = 20;
    r.bytes(s, 2, 20);
  } else if (x < 630) {
    s = new Uint8Array(25);
    s.set([0x76, 0xa9, 20], 0);
    r.bytes(s, 3, 20);
    s[23] = 0x88;
    s[24] = 0xac;
  } else if (x < 780) {
    s = new Uint8Array(34);
    s[0] = 0x51;
    s[1] = 32;
    r.bytes(s, 2, 32);
  } else if (x < 900) {
    s = new Uint8Array(23);
    s[0] = 0xa9;
    s[1] = 20;
    r.bytes(s, 2, 20);
    s[22] = 0x87;
  } else if (x < 967) {
    s = new Uint8Array(34);
    s[1] = 32;
    r.bytes(s, 2, 32);
  } else if (x < 969) {
    s = new Uint8Array(35);
    s[0] = 33;
    s[1] = 2 + r.below(2);
    r.bytes(s, 2, 32);
    s[34] = 0xac;
  } else if (x === 969) {
    s = new Uint8Array(67);
    s[0] = 65;
    s.set(UNCOMPRESSED_KEYS[r.below(UNCOMPRESSED_KEYS.length)]!, 1);
    s[66] = 0xac;
  } else {
    const y = r.below(6);
    if (y === 0) {
      // 1-of-2 bare multisig
      s = new Uint8Array(71);
      s[0] = 0x51;
      s[1] = 33;
      s[2] = 2;
      r.bytes(s, 3, 32);
      s[35] = 33;
      s[36] = 3;
      r.bytes(s, 37, 32);
      s[69] = 0x52;
      s[70] = 0xae;
    } else if (y === 1) {
      // P2PK shape with a 0x06 prefix: not compressible
      s = new Uint8Array(35);
      s[0] = 33;
      s[1] = 6;
      r.bytes(s, 2, 32);
      s[34] = 0xac;
    } else if (y === 2) {
      // uncompressed P2PK shape, x and y random: off the curve, stays raw
      s = new Uint8Array(67);
      s[0] = 65;
      s[1] = 4;
      r.bytes(s, 2, 64);
      s[66] = 0xac;
    } else if (y === 3) {
      s = new Uint8Array(0);
    } else if (y === 4) {
      s = new Uint8Array(200 + r.below(400));
      r.bytes(s, 0, s.length);
      if (s[0] === 0x6a) s[0] = 0x51;
    } else {
      s = new Uint8Array(1 + r.below(5));
      r.bytes(s, 0, s.length);
      if (s[0] === 0x6a) s[0] = 0x51;
    }
  }
  return s;
}

export function makeAmount(r: Rng): bigint {
  const x = r.below(10);
  if (x < 3) return BigInt((1 + r.below(1000)) * 10 ** (3 + r.below(5)));
  if (x < 4) return BigInt(546 + r.below(10000));
  return BigInt(r.below(2_000_000_000)) + (x === 9 ? BigInt(r.below(100)) * 4_294_967_296n : 0n);
}

export function outputsPerTx(r: Rng): number {
  const x = r.below(100);
  if (x < 60) return 1;
  if (x < 85) return 2;
  if (x < 95) return 3;
  return 4 + r.below(9);
}

export interface SynthGroup {
  txid: Uint8Array;
  coins: { vout: number; coin: Coin }[];
}

/**
 * About `n` coins in txid groups; txids ascend (bytes 0..3 spread a counter, the rest is
 * random), vouts ascend within a group: the order of Core's snapshot.
 */
export function* synthGroups(n: number, seed: number): Generator<SynthGroup> {
  const r = new Rng(seed);
  const groups = Math.ceil(n / 1.8);
  let made = 0;
  for (let i = 0; made < n; i++) {
    const txid = new Uint8Array(32);
    const prefix = Math.floor((Math.min(i, groups * 2 - 1) / (groups * 2)) * 2 ** 32);
    txid[0] = prefix >>> 24;
    txid[1] = (prefix >>> 16) & 0xff;
    txid[2] = (prefix >>> 8) & 0xff;
    txid[3] = prefix & 0xff;
    r.bytes(txid, 4, 28);
    const k = Math.min(outputsPerTx(r), n - made);
    const height = r.below(900_000);
    const coinbase = r.below(50) === 0;
    const coins: SynthGroup['coins'] = [];
    let vout = r.below(3);
    for (let j = 0; j < k; j++) {
      coins.push({ vout, coin: { value: makeAmount(r), scriptPubKey: makeScript(r), height, coinbase } });
      vout += 1 + (r.below(4) === 0 ? r.below(300) : 0);
    }
    made += k;
    yield { txid, coins };
  }
}

/** An independent encoder of a Core snapshot (version 2) for the groups, in chunks. */
export function* encodeSnapshot(groups: Iterable<SynthGroup>, count: number, networkMagic: Uint8Array, base: Uint8Array): Generator<Uint8Array> {
  let out = new Uint8Array(1 << 20);
  out.set([0x75, 0x74, 0x78, 0x6f, 0xff, 2, 0], 0);
  out.set(networkMagic, 7);
  out.set(base, 11);
  new DataView(out.buffer).setBigUint64(43, BigInt(count), true);
  let p = 51;
  const cs = (n: number) => {
    if (n < 0xfd) out[p++] = n;
    else if (n <= 0xffff) {
      out[p++] = 0xfd;
      out[p++] = n & 0xff;
      out[p++] = n >>> 8;
    } else {
      out[p++] = 0xfe;
      new DataView(out.buffer).setUint32(p, n, true);
      p += 4;
    }
  };
  for (const g of groups) {
    if (out.length - p < 20000 * (g.coins.length + 1)) {
      yield out.slice(0, p);
      out = new Uint8Array(Math.max(1 << 20, 20000 * (g.coins.length + 2)));
      p = 0;
    }
    out.set(g.txid, p);
    p += 32;
    cs(g.coins.length);
    for (const c of g.coins) {
      cs(c.vout);
      p = writeCoreCoin(out, p, c.coin.height, c.coin.coinbase, c.coin.value, c.coin.scriptPubKey);
    }
  }
  yield out.slice(0, p);
}

/** Every k-th coin's outpoint (at most `max` of about `coins`), taken while groups stream past: the benches' lookup keys. */
export class KeySample {
  readonly txids: Uint8Array;
  readonly vouts: Uint32Array;
  n = 0;
  private k = 0;
  private readonly every: number;
  constructor(coins: number, readonly max: number) {
    this.txids = new Uint8Array(max * 32);
    this.vouts = new Uint32Array(max);
    this.every = Math.max(1, Math.floor(coins / max));
  }
  *tee(gs: Iterable<SynthGroup>): Generator<SynthGroup> {
    for (const g of gs) {
      for (const c of g.coins) {
        if (this.k++ % this.every === 0 && this.n < this.max) {
          this.txids.set(g.txid, this.n * 32);
          this.vouts[this.n++] = c.vout;
        }
      }
      yield g;
    }
  }
}
