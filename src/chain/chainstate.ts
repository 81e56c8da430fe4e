/**
 * A chain state: the header tree with cumulative work, the active chain, block and undo
 * storage (in memory), and the UTXO set it keeps in step with the tip. Blocks are connected
 * with undo data, disconnected with it, and a branch with more work triggers a reorg
 * (Core's ActivateBestChain). A block that fails leaves the UTXO set exactly as it was.
 */
import { checkBlock } from '../consensus/block-check.ts';
import { contextualCheckBlock } from '../consensus/block-contextual.ts';
import { connectBlock } from '../consensus/connect-block.ts';
import type { CheckInputs } from '../consensus/script-check.ts';
import { decodeBlock, decodeHeader, type Block } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { Coin } from '../utxo/coin.ts';
import { BlockIndex, findFork, type BlockStatus } from './block-index.ts';
import type { CoinStore } from './coin-store.ts';
import { disconnectBlock } from './disconnect.ts';
import type { ChainParams } from './params.ts';
import { checkHeaderOnParent } from './header-check.ts';
import type { SnapshotBase } from './snapshot-base.ts';

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
}

export class ChainState {
  readonly index = new Map<string, BlockIndex>();
  /** The active chain by height. */
  readonly chain: BlockIndex[] = [];
  private readonly blocks = new Map<string, Block>();
  private readonly undos = new Map<string, Coin[][]>();
  /**
   * setBlockIndexCandidates: the stored blocks that may become the tip — each had at least
   * the tip's work when it arrived; those left with less than the tip's work are dropped
   * once a chain activation settles (never the tip itself, which a failed reorganisation
   * returns to). FindMostWorkChain looks at these only, not at the whole tree.
   */
  private readonly candidates = new Set<BlockIndex>();
  /** The highest non-failed block in the tree (getblockchaininfo "headers"); undefined after a failure, until recomputed. */
  private bestHeader: BlockIndex | undefined;
  private sequence = 0;
  private awaiting: SnapshotBase | undefined;
  readonly genesis: BlockIndex;

  constructor(readonly params: ChainParams, readonly coins: CoinStore, readonly options: ChainStateOptions = {}) {
    const g = decodeBlock(params.genesisBlock);
    this.genesis = new BlockIndex(g.header, undefined, this.sequence++);
    this.genesis.status = 'connected-once';
    this.index.set(this.genesis.hashHex, this.genesis);
    this.blocks.set(this.genesis.hashHex, g);
    // The genesis coinbase is not spendable and never enters the UTXO set.
    this.undos.set(this.genesis.hashHex, []);
    this.chain.push(this.genesis);
    this.candidates.add(this.genesis);
    this.bestHeader = this.genesis;
  }

  /**
   * A chain state resumed from persisted headers (heights 1..n of the active chain, 80 bytes
   * each) over a UTXO set already at that tip. Block data and undo of those blocks are not
   * kept, so they cannot be disconnected (as after a restart of a pruned Core node).
   */
  static restore(params: ChainParams, coins: CoinStore, headers: Uint8Array[], options: ChainStateOptions = {}): ChainState {
    const cs = new ChainState(params, coins, options);
    cs.pushHeaders(headers, false);
    return cs;
  }

  /**
   * A chain state over a UTXO set loaded from a snapshot whose base block's header chain is
   * not known yet (snapshot-base.ts): the active chain stays at genesis, no block connects,
   * until attachBaseHeaders() brings heights 1..base.height.
   */
  static atSnapshotBase(params: ChainParams, coins: CoinStore, base: SnapshotBase, options: ChainStateOptions = {}): ChainState {
    const cs = new ChainState(params, coins, options);
    cs.awaiting = base;
    return cs;
  }

  /** The snapshot base whose header chain is still missing, if any. */
  get awaitingBase(): SnapshotBase | undefined {
    return this.awaiting;
  }

  /**
   * Headers of heights 1..base.height ending at the awaited snapshot base, each checked as
   * AcceptBlockHeader checks it (proof of work, difficulty, timestamps); the tip becomes the
   * base. Throws, changing nothing, when they do not lead there.
   */
  attachBaseHeaders(headers: Uint8Array[]): void {
    const base = this.awaiting;
    if (!base) throw new Error('attachBaseHeaders: no snapshot base is awaiting its headers');
    if (headers.length !== base.height) throw new Error(`attachBaseHeaders: ${headers.length} headers given, the snapshot base is at height ${base.height}`);
    const last = decodeHeader(headers[headers.length - 1]!);
    if (hashToHex(last.hash) !== base.blockHash) throw new Error(`attachBaseHeaders: the headers end at ${hashToHex(last.hash)}, not at the snapshot base ${base.blockHash}`);
    const saved = { index: new Map(this.index), length: this.chain.length, sequence: this.sequence, candidates: [...this.candidates], best: this.bestHeader };
    try {
      this.pushHeaders(headers, true);
    } catch (e) {
      this.index.clear();
      for (const [k, v] of saved.index) this.index.set(k, v);
      this.chain.length = saved.length;
      this.sequence = saved.sequence;
      this.candidates.clear();
      for (const c of saved.candidates) this.candidates.add(c);
      this.bestHeader = saved.best;
      throw e;
    }
    this.awaiting = undefined;
  }

  /** Appends headers to the active chain as connected (their blocks' effects are in the set). */
  private pushHeaders(headers: Uint8Array[], check: boolean): void {
    let prev = this.tip;
    for (const raw of headers) {
      const h = decodeHeader(raw);
      if (hashToHex(h.prevHash) !== prev.hashHex) throw new Error(`header ${hashToHex(h.hash)} does not extend ${prev.hashHex}`);
      if (check) {
        const c = checkHeaderOnParent(h, prev, this.params);
        if (!c.ok) throw new Error(`header ${hashToHex(h.hash)} at height ${prev.height + 1}: ${c.reason}`);
      }
      const idx = new BlockIndex(h, prev, this.sequence++);
      idx.status = 'connected-once';
      this.index.set(idx.hashHex, idx);
      this.chain.push(idx);
      prev = idx;
    }
    // The whole active chain is connected: its tip is the one candidate.
    this.candidates.clear();
    this.candidates.add(this.tip);
    this.noteHeader(this.tip);
  }

  /** Keeps bestHeader the highest non-failed block. */
  private noteHeader(idx: BlockIndex): void {
    if (this.bestHeader && idx.height > this.bestHeader.height && idx.status !== 'failed') this.bestHeader = idx;
  }

  /** The height of the highest block in the tree that is not known to be invalid. */
  get headerHeight(): number {
    if (!this.bestHeader) {
      let best = this.genesis;
      for (const idx of this.index.values()) if (idx.height > best.height && idx.status !== 'failed') best = idx;
      this.bestHeader = best;
    }
    return this.bestHeader.height;
  }

  /** The active chain's headers above genesis (what restore() takes). */
  activeHeaders(): Uint8Array[] {
    return this.chain.slice(1).map((idx) => idx.header.raw);
  }

  get tip(): BlockIndex {
    return this.chain[this.chain.length - 1]!;
  }
  get height(): number {
    return this.tip.height;
  }
  getBlock(hashHex: string): Block | undefined {
    return this.blocks.get(hashHex);
  }
  getUndo(hashHex: string): Coin[][] | undefined {
    return this.undos.get(hashHex);
  }

  /**
   * ProcessNewBlock: header and block checks in context of the parent, store, then activate the
   * best chain. Answers with the reason the submitted block was rejected, or ok and the new tip.
   */
  async submitBlock(data: Uint8Array | Block): Promise<SubmitResult> {
    // the set is at a snapshot base this chain cannot see yet: nothing connects on genesis
    if (this.awaiting) return { ok: false, reason: 'snapshot-base-headers-missing' };
    const block = data instanceof Uint8Array ? decodeBlock(data) : data;
    const hex = hashToHex(block.header.hash);
    const known = this.index.get(hex);
    if (known) {
      if (known.status === 'failed') return { ok: false, reason: 'duplicate-invalid' };
      // ProcessNewBlock activates the best chain for a block it already has too: a block
      // stored while its connection did not complete (a worker lost, the pool refused its
      // checks) is connected now, and only then answered as a duplicate.
      if (this.chain[known.height] !== known && this.blocks.has(hex)) {
        const failure = await this.activateBestChain();
        if (failure && (known.status as BlockStatus) === 'failed') return failure.result;
      }
      return { ok: true, tip: this.tip.hashHex, duplicate: true };
    }
    const prev = this.index.get(hashToHex(block.header.prevHash));
    if (!prev) return { ok: false, reason: 'prev-blk-not-found' };
    if (prev.status === 'failed') return { ok: false, reason: 'bad-prevblk' };
    const p = this.params;
    const height = prev.height + 1;
    // AcceptBlockHeader: CheckBlockHeader, ContextualCheckBlockHeader
    const ch = checkHeaderOnParent(block.header, prev, p, this.options.now?.());
    if (!ch.ok) return ch;
    // AcceptBlock: CheckBlock, ContextualCheckBlock
    const cb = checkBlock(block, p);
    if (!cb.ok) return cb;
    const cc = contextualCheckBlock(block, height, p, prev.medianTimePast());
    if (!cc.ok) return cc;

    const idx = new BlockIndex(block.header, prev, this.sequence++);
    this.index.set(hex, idx);
    this.blocks.set(hex, block);
    this.noteHeader(idx);
    if (idx.chainWork >= this.tip.chainWork) this.candidates.add(idx);
    const failure = await this.activateBestChain();
    // The submitted block itself failed, or its branch did (a failed ancestor taints it).
    if (failure && (failure.idx === idx || idx.status === 'failed')) return failure.result;
    return { ok: true, tip: this.tip.hashHex };
  }

  /** FindMostWorkChain: the block with most work whose whole branch is stored and not failed (ties: first received, as Core's nSequenceId). */
  private findMostWork(): BlockIndex {
    let best = this.tip;
    for (const idx of this.candidates) {
      // CBlockIndexWorkComparator: more work, then received earlier.
      if (idx.chainWork < best.chainWork) continue;
      if (idx.chainWork === best.chainWork && idx.sequence >= best.sequence) continue;
      let ok = true;
      for (let x: BlockIndex | undefined = idx; x && x !== this.chain[x.height]; x = x.prev) {
        if (x.status === 'failed') { ok = false; break; }
      }
      if (ok) best = idx;
    }
    return best;
  }

  /** ActivateBestChain: reorganise onto the most-work valid branch. Returns the first connect failure, if any. */
  async activateBestChain(): Promise<{ idx: BlockIndex; result: Extract<SubmitResult, { ok: false }> } | undefined> {
    let firstFailure: { idx: BlockIndex; result: Extract<SubmitResult, { ok: false }> } | undefined;
    for (;;) {
      const best = this.findMostWork();
      if (best === this.tip) {
        this.pruneCandidates();
        return firstFailure;
      }
      const fork = findFork(this.tip, best);
      for (let x = this.tip; x !== fork; x = x.prev!) {
        if (!this.undos.has(x.hashHex)) {
          // The blocks to undo were pruned: refuse the branch rather than half-reorganise.
          const first = best.ancestor(fork.height + 1)!;
          this.markFailed(first);
          firstFailure ??= { idx: first, result: { ok: false, reason: 'bad-fork-prior-to-pruned' } };
          break;
        }
      }
      if (best.status === 'failed') continue;
      while (this.tip !== fork) {
        const d = this.disconnectTip();
        if (!d.ok) throw new Error(`disconnect failed: ${d.reason}`);
      }
      const path: BlockIndex[] = [];
      for (let x: BlockIndex | undefined = best; x && x !== fork; x = x.prev) path.push(x);
      path.reverse();
      for (const idx of path) {
        const r = await this.connectTip(idx);
        if (!r.ok) {
          this.markFailed(idx);
          firstFailure ??= { idx, result: r };
          break;
        }
      }
    }
  }

  /**
   * Drops block data and undo more than keepBlocks below the tip: the active-chain block at
   * that depth each time, and (every 64 blocks) side-branch blocks as deep.
   */
  private prune(): void {
    const keep = this.options.keepBlocks ?? 288;
    const cutoff = this.tip.height - keep;
    if (cutoff <= 0) return;
    const old = this.chain[cutoff]!;
    this.blocks.delete(old.hashHex);
    this.undos.delete(old.hashHex);
    if (this.tip.height % 64 === 0) {
      for (const [hex] of this.blocks) {
        const idx = this.index.get(hex);
        if (idx && idx.height <= cutoff && this.chain[idx.height] !== idx) this.blocks.delete(hex);
      }
    }
  }

  /** PruneBlockIndexCandidates: drop the failed and those with less work than the tip (never the tip). */
  private pruneCandidates(): void {
    const tip = this.tip;
    for (const c of this.candidates) if (c.status === 'failed' || c.chainWork < tip.chainWork) this.candidates.delete(c);
  }

  private markFailed(idx: BlockIndex): void {
    idx.status = 'failed';
    // Descendants are found by ancestry (the tree has no child links).
    for (const x of this.index.values()) if (x.height > idx.height && x.ancestor(idx.height) === idx) x.status = 'failed';
    if (this.bestHeader && this.bestHeader.status === 'failed') this.bestHeader = undefined;
  }

  /** ConnectTip: connect the block on top of the current tip and apply its changes to the set. */
  async connectTip(idx: BlockIndex): Promise<{ ok: true } | Extract<SubmitResult, { ok: false }>> {
    if (idx.prev !== this.tip) throw new Error('connectTip: not a child of the tip');
    const block = this.blocks.get(idx.hashHex);
    if (!block) throw new Error('connectTip: block data missing');
    const p = this.params;
    const bip34 = idx.height > p.bip34Height ? idx.prev.ancestor(p.bip34Height) : undefined;
    const r = await connectBlock(block, this.coins, p, {
      height: idx.height,
      prevMtp: idx.prev.medianTimePast(),
      ancestorMtp: (h) => idx.ancestor(h)?.medianTimePast(),
      ...(bip34 ? { bip34AncestorHash: bip34.hash } : {}),
      ...(this.options.checkInputs ? { checkInputs: this.options.checkInputs } : {}),
    });
    if (!r.ok) {
      const out: Extract<SubmitResult, { ok: false }> = { ok: false, reason: r.reason };
      if (r.txid !== undefined) out.txid = r.txid;
      if (r.input !== undefined) out.input = r.input;
      return out;
    }
    this.coins.applyBatch(r.batch);
    this.undos.set(idx.hashHex, r.undo);
    idx.status = 'connected-once';
    this.chain.push(idx);
    this.prune();
    this.options.onConnected?.(block, idx);
    return { ok: true };
  }

  /** DisconnectTip: undo the tip block. */
  disconnectTip(): { ok: true; clean: boolean } | { ok: false; reason: string } {
    const idx = this.tip;
    if (idx === this.genesis) return { ok: false, reason: 'cannot disconnect genesis' };
    const block = this.blocks.get(idx.hashHex)!;
    const undo = this.undos.get(idx.hashHex);
    if (!undo) return { ok: false, reason: 'no undo data' };
    const r = disconnectBlock(block, undo, idx.height, this.coins, this.params);
    if (!r.ok) return r;
    this.coins.applyBatch(r.batch);
    this.chain.pop();
    this.options.onDisconnected?.(block, idx);
    return { ok: true, clean: r.clean };
  }

  /** InvalidateBlock-lite: disconnect back to below `hashHex` (test helper for reorg checks). */
  async rewindTo(hashHex: string): Promise<void> {
    const target = this.index.get(hashHex);
    if (!target || this.chain[target.height] !== target) throw new Error('rewindTo: not on the active chain');
    while (this.tip !== target) {
      const d = this.disconnectTip();
      if (!d.ok) throw new Error(d.reason);
    }
    // As InvalidateBlock: every stored block with at least the new tip's work is a candidate again.
    for (const [hex, idx] of this.index) if (this.blocks.has(hex) && idx.status !== 'failed' && idx.chainWork >= target.chainWork) this.candidates.add(idx);
  }
}
