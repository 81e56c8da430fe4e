/** What a ChainState is given (ChainStateOptions) and what submitBlock answers (SubmitResult). */
import type { CheckInputs } from '../consensus/script-check.ts';
import type { Block } from '../primitives/block.ts';
import type { BlockIndex } from './block-index.ts';
import type { HeaderStore } from './header-store.ts';

export type SubmitResult =
  | { ok: true; tip: string; duplicate?: boolean }
  | { ok: false; reason: string; txid?: string; input?: number };

export interface ChainStateOptions {
  checkInputs?: CheckInputs;
  /**
   * Block data and undo kept for this many blocks below the tip (Core's prune target of
   * MIN_BLOCKS_TO_KEEP = 288); older ones are dropped so memory stays bounded. A reorg
   * deeper than this is refused.
   */
  keepBlocks?: number;
  /** Called after a block is connected to the active chain (mempool updates). */
  onConnected?: (block: Block, idx: BlockIndex) => void;
  /** Called after the tip block is disconnected (its transactions may return to the mempool). */
  onDisconnected?: (block: Block, idx: BlockIndex) => void;
  /** The node's clock in seconds (time-too-new); omitted: not checked. */
  now?: () => number;
  /**
   * The header store of the chain state this one replaces (a UTXO snapshot loaded): the
   * headers the P2P header tree holds stay, the old chain's blocks become headers only.
   */
  headers?: HeaderStore;
}
