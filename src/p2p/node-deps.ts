/**
 * What the P2P code needs from the node (src/node/node.ts's TxgateNode has all of it): the
 * chain state to read, block and transaction submission through the node's one path each
 * (the same ones POST /blocks and POST /tx use), and the mempool to look transactions up.
 */
import type { ChainState } from '../chain/chainstate.ts';
import type { AcceptResult } from '../mempool/accept.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { Transaction } from '../primitives/tx.ts';
import type { Block } from '../primitives/block.ts';

export type Busy = { busy: true; retryAfter: number };

/** A block submission's outcome (src/api/deps.ts BlockOutcome has this shape). */
export type BlockSubmission = Busy | { busy: false; accepted: boolean; reason?: string; details?: string };

/** A transaction submission's outcome (src/api/deps.ts SubmitTxOutcome). */
export type TxSubmission = Busy | ({ busy: false } & AcceptResult);

export interface P2PNode {
  readonly chain: ChainState;
  readonly mempool: Mempool;
  /** The block as decoded from its message (not decoded again). */
  submitBlock(block: Block): Promise<BlockSubmission>;
  submitTx(tx: Transaction): Promise<TxSubmission>;
  /** Whether a transaction (by wtxid, display hex) waits in the orphan pool. */
  hasOrphan?(wtxid: string): boolean;
  /**
   * A set loaded from a UTXO snapshot waits at its base (chain.awaitingBase) for the base's
   * header chain, heights 1..base (TxgateNode.attachSnapshotHeaders); throws when they do
   * not lead there.
   */
  attachSnapshotHeaders?(headers: Uint8Array[]): void;
}
