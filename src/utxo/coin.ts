/**
 * A coin (unspent output) and the read interface every UTXO source implements: the
 * shared-memory set, an in-memory map, caller-supplied prevouts (Core's Coin, CCoinsView).
 */
export interface Coin {
  value: bigint;
  scriptPubKey: Uint8Array;
  /** Height of the block that created it (MEMPOOL_HEIGHT = 0x7fffffff for mempool outputs). */
  height: number;
  coinbase: boolean;
}

export const MEMPOOL_HEIGHT = 0x7fffffff;

export interface CoinView {
  /** txid in internal byte order. */
  getCoin(txid: Uint8Array, vout: number): Coin | undefined;
}
