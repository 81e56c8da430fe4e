/**
 * The write side of a UTXO set, as the chain state needs it, and an in-memory implementation
 * for tests and tools. The shared-memory set in src/utxo implements the same shape.
 */
import { coinKey, type CoinBatch } from '../consensus/coins-cache.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';

export type { CoinAdd, CoinBatch, CoinSpend } from '../consensus/coins-cache.ts';

export interface CoinStore extends CoinView {
  /**
   * Removes every `spend` outpoint and adds every `add` (an add overwrites); each outpoint at
   * most once per batch (CoinBatch). Atomic from the reader's side.
   */
  applyBatch(batch: CoinBatch): unknown;
}

export class MemoryCoinStore implements CoinStore {
  private readonly map = new Map<string, { txid: Uint8Array; vout: number; coin: Coin }>();

  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    return this.map.get(coinKey(txid, vout))?.coin;
  }
  applyBatch(batch: CoinBatch): number {
    for (const s of batch.spend) this.map.delete(coinKey(s.txid, s.vout));
    for (const a of batch.add) {
      // Copy: block views would otherwise keep whole blocks alive.
      const coin: Coin = { value: a.coin.value, scriptPubKey: a.coin.scriptPubKey.slice(), height: a.coin.height, coinbase: a.coin.coinbase };
      this.map.set(coinKey(a.txid, a.vout), { txid: a.txid.slice(), vout: a.vout, coin });
    }
    return this.map.size;
  }
  get size(): number {
    return this.map.size;
  }
  *entries(): IterableIterator<{ txid: Uint8Array; vout: number; coin: Coin }> {
    yield* this.map.values();
  }
  /** A canonical listing (sorted keys) for comparing two sets. */
  snapshot(): string[] {
    const out: string[] = [];
    for (const [k, { coin }] of this.map) {
      let spk = '';
      for (const b of coin.scriptPubKey) spk += b.toString(16).padStart(2, '0');
      out.push(`${k} ${coin.value} ${coin.height} ${coin.coinbase ? 1 : 0} ${spk}`);
    }
    return out.sort();
  }
}
