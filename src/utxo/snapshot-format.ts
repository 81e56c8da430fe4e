/**
 * Bitcoin Core's `dumptxoutset` snapshot format, version 2 (node/utxo_snapshot.h
 * SnapshotMetadata, rpc/blockchain.cpp WriteUTXOSnapshot):
 *
 *   "utxo\xff" | u16 version=2 | 4-byte network magic | 32-byte base block hash | u64 coins
 *   then per txid (ascending, as LevelDB orders the coins): txid | CompactSize(n) |
 *   n x ( CompactSize(vout) | Coin )
 *   Coin = VARINT(height*2+coinbase) | VARINT(CompressAmount(value)) | ScriptCompression
 *
 * The constants and metadata shared by the loader (snapshot.ts) and the writer
 * (snapshot-write.ts).
 */
export const SNAPSHOT_MAGIC = new Uint8Array([0x75, 0x74, 0x78, 0x6f, 0xff]);
export const SNAPSHOT_VERSION = 2;

/** pchMessageStart of the networks Core knows (kernel/chainparams.cpp), for messages. */
export const NETWORK_MAGIC: Readonly<Record<string, string>> = {
  f9beb4d9: 'main',
  '0b110907': 'test',
  '1c163f28': 'testnet4',
  '0a03cf40': 'signet',
  fabfb5da: 'regtest',
};

export interface SnapshotMeta {
  /** 4 bytes (pchMessageStart). */
  networkMagic: Uint8Array;
  /** Internal byte order. */
  baseBlockHash: Uint8Array;
}
export interface SnapshotHeader extends SnapshotMeta {
  coinsCount: number;
}
