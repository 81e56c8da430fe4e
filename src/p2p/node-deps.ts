/**
 * What the P2P code needs from the node (src/node/node.ts's TxgateNode has all of it): the
 * chain state to read, block and transaction submission through the node's one path each
 * (the same ones POST /blocks and POST /tx use), and the mempool to look transactions up.
 */
import type { ChainState } from '../chain/chainstate.ts';
import type { AcceptResult } from '../mempool/accept.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { Transaction } from '../primitives/tx.ts';

export type Busy = { busy: true; retryAfter: number };

/** A block submission's outcome (src/api/deps.ts BlockOutcome has this shape). */
export type BlockSubmission = Busy | { busy: false; accepted: boolean; reason?: string; details?: string };

/** A transaction submission's outcome (src/api/deps.ts SubmitTxOutcome). */
export type TxSubmission = Busy | ({ busy: false } & AcceptResult);

export interface P2PNode {
  readonly chain: ChainState;
  readonly mempool: Mempool;
  submitBlock(raw: Uint8Array): Promise<BlockSubmission>;
  submitTx(tx: Transaction): Promise<TxSubmission>;
  /** Whether a transaction (by wtxid, display hex) waits in the orphan pool. */
  hasOrphan?(wtxid: string): boolean;
}
