/**
 * The node's chain coins behind one object that the chain state and the mempool keep, so a
 * snapshot load (loadtxoutset) can switch the whole set at once: the new set is loaded on
 * the side and switched to only when it is complete and checked.
 */
import type { CoinBatch, CoinStore } from '../chain/coin-store.ts';
import type { Coin } from '../utxo/coin.ts';

export class ActiveCoins implements CoinStore {
  constructor(private inner: CoinStore) {}

  /** The set in use now. */
  get current(): CoinStore {
    return this.inner;
  }
  switchTo(next: CoinStore): void {
    this.inner = next;
  }
  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    return this.inner.getCoin(txid, vout);
  }
  applyBatch(batch: CoinBatch): unknown {
    return this.inner.applyBatch(batch);
  }
  get size(): number | undefined {
    const s = (this.inner as { size?: unknown }).size;
    return typeof s === 'number' ? s : undefined;
  }
}
