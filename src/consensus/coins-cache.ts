/**
 * A staging layer over a CoinView (Core's CCoinsViewCache): reads fall through to the base,
 * writes stay here until the caller takes the diff and applies it. A failed block simply drops
 * its cache, leaving the base untouched.
 */
import { bytes32Key } from '../primitives/bytes.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import { isUnspendable } from '../script/script.ts';
import { OutpointMap } from './outpoint-map.ts';

export interface CoinAdd { txid: Uint8Array; vout: number; coin: Coin }
export interface CoinSpend { txid: Uint8Array; vout: number }
/**
 * A set of changes to a UTXO set: outputs to remove (`spend`) and outputs to add (`add`,
 * overwriting). An outpoint appears at most once across both lists (a block's net change:
 * an output created and spent in the same block is in neither); stores may reject a batch
 * that breaks this before changing anything.
 */
export interface CoinBatch { add: CoinAdd[]; spend: CoinSpend[] }

interface Entry {
  txid: Uint8Array;
  vout: number;
  coin: Coin | undefined;
  /** The base held a coin here when first touched. */
  inBase: boolean;
  /** A coin was added here (a new output, or an overwrite). */
  added: boolean;
}

/**
 * An outpoint as an opaque Map key: the txid's 32 bytes as 16 UTF-16 code units
 * (bytes32Key), then the output index as 2. Never displayed.
 */
export function coinKey(txid: Uint8Array, vout: number): string {
  if (txid.length !== 32) throw new RangeError(`coinKey: txid of ${txid.length} bytes`);
  return bytes32Key(txid) + String.fromCharCode(vout & 0xffff, vout >>> 16);
}

export class CoinsCache implements CoinView {
  private readonly entries: OutpointMap<Entry>;
  /** `expected`: about how many outpoints will be touched (a block's inputs + outputs). */
  constructor(readonly base: CoinView, expected?: number) {
    this.entries = new OutpointMap<Entry>(expected);
  }

  private entry(txid: Uint8Array, vout: number): Entry {
    let e = this.entries.get(txid, vout);
    if (!e) {
      const coin = this.base.getCoin(txid, vout);
      e = { txid, vout, coin, inBase: coin !== undefined, added: false };
      this.entries.set(txid, vout, e);
    }
    return e;
  }
  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    return this.entry(txid, vout).coin;
  }
  haveCoin(txid: Uint8Array, vout: number): boolean {
    return this.entry(txid, vout).coin !== undefined;
  }
  /** SpendCoin: removes the coin and returns it (undefined when there was none). */
  spendCoin(txid: Uint8Array, vout: number): Coin | undefined {
    const e = this.entry(txid, vout);
    const c = e.coin;
    e.coin = undefined;
    e.added = false;
    return c;
  }
  /** AddCoin: unspendable outputs (OP_RETURN, oversized) are never stored, as Core. */
  addCoin(txid: Uint8Array, vout: number, coin: Coin): void {
    if (isUnspendable(coin.scriptPubKey)) return;
    const e = this.entry(txid, vout);
    e.coin = coin;
    e.added = true;
  }
  /** The net change against the base. */
  diff(): CoinBatch {
    const add: CoinAdd[] = [];
    const spend: CoinSpend[] = [];
    for (const e of this.entries.valuesInOrder()) {
      if (e.coin) {
        if (e.added) add.push({ txid: e.txid, vout: e.vout, coin: e.coin });
      } else if (e.inBase) spend.push({ txid: e.txid, vout: e.vout });
    }
    return { add, spend };
  }
}
