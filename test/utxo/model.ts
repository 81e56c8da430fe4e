/**
 * A UTXO history whose contents at every version follow from the version number alone,
 * so a worker can check a pinned snapshot without messages (concurrency test, bench).
 *
 * Churning coins i < CHURN: coin i is dead at versions v with (v + i) % P(i) === 0 and
 * alive otherwise (v >= 1); each life starts at b(i, v) and the coin's content is a
 * function of (i, b). Permanent coins: version v adds PERM_PER_VERSION coins (v, j).
 */
import type { Coin } from '../../src/utxo/coin.ts';
import type { CoinAdd, OutPointRef } from '../../src/utxo/set.ts';

export const CHURN = 1500;
export const PERM_PER_VERSION = 150;

function period(i: number): number {
  return 3 + (i % 5);
}
export function alive(i: number, v: number): boolean {
  return v >= 1 && (v + i) % period(i) !== 0;
}
/** Start of the life of coin i that contains version v (v alive). */
export function birth(i: number, v: number): number {
  const p = period(i);
  // most recent b <= v with (b + i) % p === 1, else 1
  const b = v - ((((v + i - 1) % p) + p) % p);
  return b >= 1 ? b : 1;
}

function fill(out: Uint8Array, off: number, n: number, seed: number): void {
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let k = 0; k < n; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[off + k] = x & 0xff;
  }
}

export function churnTxid(i: number): Uint8Array {
  const t = new Uint8Array(32);
  fill(t, 0, 32, i + 1);
  t[0] = 0xc0;
  return t;
}
export function churnVout(i: number): number {
  return i % 4;
}
export function churnCoin(i: number, b: number): Coin {
  const s = new Uint8Array(i % 3 === 0 ? 34 : 22);
  if (s.length === 34) s[0] = 0x51;
  s[1] = s.length - 2;
  fill(s, 2, s.length - 2, i * 7919 + b);
  return { value: BigInt(i) * 1_000_003n + BigInt(b), scriptPubKey: s, height: b, coinbase: (b + i) % 2 === 0 };
}

export function permTxid(v: number, j: number): Uint8Array {
  const t = new Uint8Array(32);
  fill(t, 0, 32, v * 65537 + j + 12345);
  t[0] = 0x9e;
  t[1] = j & 0xff;
  return t;
}
export function permCoin(v: number, j: number): Coin {
  const s = new Uint8Array(25);
  s.set([0x76, 0xa9, 20], 0);
  fill(s, 3, 20, v * 31 + j);
  s[23] = 0x88;
  s[24] = 0xac;
  return { value: BigInt(v * 1000 + j), scriptPubKey: s, height: v, coinbase: false };
}

/** The batch that turns version v-1 into version v. */
export function batchFor(v: number): { add: CoinAdd[]; spend: OutPointRef[] } {
  const add: CoinAdd[] = [];
  const spend: OutPointRef[] = [];
  for (let i = 0; i < CHURN; i++) {
    const before = alive(i, v - 1);
    const now = alive(i, v);
    if (before && !now) spend.push({ txid: churnTxid(i), vout: churnVout(i) });
    if (!before && now) add.push({ txid: churnTxid(i), vout: churnVout(i), coin: churnCoin(i, v) });
  }
  for (let j = 0; j < PERM_PER_VERSION; j++) add.push({ txid: permTxid(v, j), vout: j % 3, coin: permCoin(v, j) });
  return { add, spend };
}

export function sameCoin(a: Coin | undefined, b: Coin | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.value !== b.value || a.height !== b.height || a.coinbase !== b.coinbase) return false;
  if (a.scriptPubKey.length !== b.scriptPubKey.length) return false;
  for (let k = 0; k < a.scriptPubKey.length; k++) if (a.scriptPubKey[k] !== b.scriptPubKey[k]) return false;
  return true;
}

/** Checks every churning coin and a sample of permanent ones at version v; returns mismatches. */
export function checkVersion(view: { getCoin(t: Uint8Array, n: number): Coin | undefined }, v: number, sampleSeed: number): string[] {
  const errors: string[] = [];
  for (let i = 0; i < CHURN; i++) {
    const got = view.getCoin(churnTxid(i), churnVout(i));
    const want = alive(i, v) ? churnCoin(i, birth(i, v)) : undefined;
    if (!sameCoin(got, want)) errors.push(`v${v} churn ${i}: got ${got ? got.value : 'none'} want ${want ? want.value : 'none'}`);
  }
  let x = sampleSeed >>> 0 || 1;
  for (let k = 0; k < 200; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const pv = 1 + (x % (v + 5));
    const j = (x >>> 16) % PERM_PER_VERSION;
    const got = view.getCoin(permTxid(pv, j), j % 3);
    const want = pv <= v ? permCoin(pv, j) : undefined;
    if (!sameCoin(got, want)) errors.push(`v${v} perm ${pv}/${j}: got ${got ? got.value : 'none'} want ${want ? want.value : 'none'}`);
  }
  return errors;
}
