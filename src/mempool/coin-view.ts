/**
 * Coin views over the mempool. MempoolCoinView is Core's CCoinsViewMemPool: mempool outputs
 * appear as coins at MEMPOOL_HEIGHT over the chain view, and outputs already spent by
 * mempool transactions stay visible (a replacement must be able to spend them again;
 * conflicts are found through the spender index). Package transactions can be layered on
 * top (PackageAddTransaction). SpendableCoinView is gettxout's include_mempool view: chain
 * plus mempool outputs, minus every outpoint a mempool transaction spends.
 */
import type { Transaction } from '../primitives/tx.ts';
import { MEMPOOL_HEIGHT, type Coin, type CoinView } from '../utxo/coin.ts';
import { hash32Hex, txKeys } from './keys.ts';
import type { Mempool } from './mempool.ts';

function outputCoin(tx: Transaction, vout: number): Coin | undefined {
  const o = tx.outputs[vout];
  return o ? { value: o.value, scriptPubKey: o.scriptPubKey, height: MEMPOOL_HEIGHT, coinbase: false } : undefined;
}

export class MempoolCoinView implements CoinView {
  private readonly pkg = new Map<string, Transaction>();
  constructor(private readonly pool: Mempool, private readonly chain: CoinView) {}

  /** Makes a package transaction's outputs spendable by later package transactions. */
  addPackageTx(tx: Transaction): void {
    this.pkg.set(txKeys(tx).txid, tx);
  }

  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    const h = hash32Hex(txid);
    const ptx = this.pkg.get(h) ?? this.pool.get(h)?.tx;
    if (ptx) return outputCoin(ptx, vout);
    return this.chain.getCoin(txid, vout);
  }
}

export class SpendableCoinView implements CoinView {
  constructor(private readonly pool: Mempool, private readonly chain: CoinView) {}

  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    const h = hash32Hex(txid);
    if (this.pool.spender(h, vout)) return undefined;
    const e = this.pool.get(h);
    if (e) return outputCoin(e.tx, vout);
    return this.chain.getCoin(txid, vout);
  }
}

/** Coins a caller supplies for a transaction's inputs (stateless validation): nothing else exists. */
export class SuppliedCoins implements CoinView {
  private readonly byOutpoint = new Map<string, Coin>();
  constructor(tx: Transaction, coins: readonly (Coin | undefined)[]) {
    const prev = txKeys(tx).prev;
    for (let i = 0; i < tx.inputs.length; i++) {
      const c = coins[i];
      if (c) this.byOutpoint.set(prev[i] + ':' + tx.inputs[i]!.prevout.vout, c);
    }
  }

  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    return this.byOutpoint.get(hash32Hex(txid) + ':' + vout);
  }
}
