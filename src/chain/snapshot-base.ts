/**
 * The one fact a UTXO snapshot load hands to the chain state: "the UTXO set is the set at
 * block X". Core's equivalent is the snapshot chainstate's m_from_snapshot_blockhash with the
 * base's CBlockIndex (validation.cpp ActivateSnapshot).
 *
 * With the base's header chain known (its header in the node's index), the chain state is
 * rebuilt on those headers and the tip is the base (ChainState.restore). Without it, the
 * chain state waits (ChainState.atSnapshotBase): the active chain stays at genesis, blocks
 * are refused with `snapshot-base-headers-missing`, and a header sync (peer to peer) calls
 * ChainState.attachBaseHeaders(headers 1..height) once it has them; blocks then connect
 * from the base on. History below the base is never validated here (Core's background
 * validation of the snapshot is not done).
 */
export interface SnapshotBase {
  /** The base block hash, display order. */
  blockHash: string;
  height: number;
  /** Core's hash_serialized_3 of the loaded set, display order. */
  hashSerialized: string;
  coins: number;
}
