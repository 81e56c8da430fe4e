/**
 * A chain state: the header tree with cumulative work, the active chain, block and undo
 * storage (in memory), and the UTXO set it keeps in step with the tip. Blocks are connected
 * with undo data, disconnected with it, and a branch with more work triggers a reorg
 * (Core's ActivateBestChain). A block that fails leaves the UTXO set exactly as it was.
 */
import { checkBlock } from '../consensus/block-check.ts';
import { contextualCheckBlock } from '../consensus/block-contextual.ts';
import { connectBlock } from '../consensus/connect-block.ts';
import { decodeBlock, decodeHeader, type Block } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { Coin } from '../utxo/coin.ts';
import { AcceptedIndex, BlockIndex, type BlockStatus } from './block-index.ts';
import type { CoinStore } from './coin-store.ts';
import { disconnectBlock } from './disconnect.ts';
import { ActiveChain } from './active-chain.ts';
import { ACCEPTED, CONNECTED, FAILED, HEADER_FAILED, HeaderStore, NONE } from './header-store.ts';
import type { ChainParams } from './params.ts';
import { checkHeaderOnParent } from './header-check.ts';
import type { SnapshotBase } from './snapshot-base.ts';
import type { ChainStateOptions, SubmitResult } from './chainstate-types.ts';

export type { ChainStateOptions, SubmitResult } from './chainstate-types.ts';

export class ChainState {
  /** Every header known: this chain state's blocks and the P2P header tree's headers. */
  readonly headers: HeaderStore;
  /** The blocks this chain state accepted, by display hash. */
  readonly index: AcceptedIndex;
  /** The active chain by height. */
  private readonly active: ActiveChain;
  private readonly blocks = new Map<string, Block>();
  private readonly undos = new Map<string, Coin[][]>();
  /**
   * setBlockIndexCandidates: the stored blocks that may become the tip — each had at least
   * the tip's work when it arrived; those left with less than the tip's work are dropped
   * once a chain activation settles (never the tip itself, which a failed reorganisation
   * returns to). FindMostWorkChain looks at these only, not at the whole tree.
   */
  private readonly candidates = new Set<number>();
  /** The highest non-failed block in the tree (getblockchaininfo "headers"); NONE after a failure, until recomputed. */
  private bestHeader = NONE;
  private sequence = 0;
  private awaiting: SnapshotBase | undefined;
  readonly genesis: BlockIndex;

  constructor(readonly params: ChainParams, readonly coins: CoinStore, readonly options: ChainStateOptions = {}) {
    const g = decodeBlock(params.genesisBlock);
    const store = (this.headers = options.headers ?? new HeaderStore());
    this.index = new AcceptedIndex(store);
    this.active = new ActiveChain(store);
    if (store.count === 0) store.add(g.header.raw, g.header.hash, NONE);
    else if (store.find(g.header.hash) !== 0) throw new Error('ChainState: the header store is of another chain');
    // A store taken over: the old chain's blocks are headers only now; its failures stay failed.
    for (let i = 1; i < store.count; i++) store.setStatus(i, store.status(i) & (FAILED | HEADER_FAILED) ? HEADER_FAILED : 0);
    store.setStatus(0, ACCEPTED | CONNECTED);
    store.setSequence(0, this.sequence++);
    this.genesis = new BlockIndex(store, 0);
    const hex = this.genesis.hashHex;
    this.blocks.set(hex, g);
    // The genesis coinbase is not spendable and never enters the UTXO set.
    this.undos.set(hex, []);
    this.active.push(0);
    this.candidates.add(0);
    this.bestHeader = 0;
  }

  private at(id: number): BlockIndex {
    return new BlockIndex(this.headers, id);
  }
  /** The active chain's block at a height, if it reaches that high. */
  atHeight(height: number): BlockIndex | undefined {
    const id = this.active.at(height);
    return id === NONE ? undefined : this.at(id);
  }
  /** Whether the block is on the active chain. */
  isActive(idx: BlockIndex): boolean {
    return idx.store === this.headers && this.active.contains(idx.id);
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
    const store = this.headers;
    const saved = { count: store.count, length: this.active.length, sequence: this.sequence, candidates: [...this.candidates], best: this.bestHeader };
    const reused: { id: number; status: number; sequence: number }[] = [];
    try {
      this.pushHeaders(headers, true, reused);
    } catch (e) {
      for (const r of reused) {
        store.setStatus(r.id, r.status);
        store.setSequence(r.id, r.sequence);
      }
      store.truncate(saved.count);
      this.active.length = saved.length;
      this.sequence = saved.sequence;
      this.candidates.clear();
      for (const c of saved.candidates) this.candidates.add(c);
      this.bestHeader = saved.best;
      throw e;
    }
    this.awaiting = undefined;
  }

  /**
   * Appends headers to the active chain as connected (their blocks' effects are in the set).
   * A header the store already holds (the P2P header tree's) is taken as it is, not copied.
   */
  private pushHeaders(headers: Uint8Array[], check: boolean, reused?: { id: number; status: number; sequence: number }[]): void {
    const store = this.headers;
    let prev = this.active.tip;
    for (const raw of headers) {
      const h = decodeHeader(raw);
      if (store.find(h.prevHash) !== prev) throw new Error(`header ${hashToHex(h.hash)} does not extend ${store.hashHex(prev)}`);
      if (check) {
        const c = checkHeaderOnParent(h, this.at(prev), this.params);
        if (!c.ok) throw new Error(`header ${hashToHex(h.hash)} at height ${store.height(prev) + 1}: ${c.reason}`);
      }
      let id = store.find(h.hash);
      if (id === NONE) id = store.add(raw, h.hash, prev);
      else reused?.push({ id, status: store.status(id), sequence: store.sequence(id) });
      store.setStatus(id, (store.status(id) & HEADER_FAILED) | ACCEPTED | CONNECTED);
      store.setSequence(id, this.sequence++);
      this.active.push(id);
      prev = id;
    }
    // The whole active chain is connected: its tip is the one candidate.
    this.candidates.clear();
    this.candidates.add(prev);
    this.noteHeader(prev);
  }

  /** Keeps bestHeader the highest non-failed block. */
  private noteHeader(id: number): void {
    const s = this.headers;
    if (this.bestHeader !== NONE && s.height(id) > s.height(this.bestHeader) && !(s.status(id) & FAILED)) this.bestHeader = id;
  }

  /** The height of the highest block in the tree that is not known to be invalid. */
  get headerHeight(): number {
    const s = this.headers;
    if (this.bestHeader === NONE) {
      let best = 0;
      for (let i = 0; i < s.count; i++) if ((s.status(i) & (ACCEPTED | FAILED)) === ACCEPTED && s.height(i) > s.height(best)) best = i;
      this.bestHeader = best;
    }
    return s.height(this.bestHeader);
  }

  /** The active chain's headers above genesis, 80 bytes each (what restore() takes). */
  activeHeaders(): Uint8Array[] {
    const all = this.active.headerBytes();
    return Array.from({ length: all.length / 80 }, (_, i) => all.subarray(80 * i, 80 * i + 80));
  }
  /** The same headers in one buffer (headers.dat's contents). */
  activeHeaderBytes(): Uint8Array {
    return this.active.headerBytes();
  }

  get tip(): BlockIndex {
    return this.at(this.active.tip);
  }
  get height(): number {
    return this.active.length - 1;
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
    const store = this.headers;
    const known = this.index.get(hex);
    if (known) {
      if (known.status === 'failed') return { ok: false, reason: 'duplicate-invalid' };
      // ProcessNewBlock activates the best chain for a block it already has too: a block
      // stored while its connection did not complete (a worker lost, the pool refused its
      // checks) is connected now, and only then answered as a duplicate.
      if (!this.active.contains(known.id) && this.blocks.has(hex)) {
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

    // The header may be there already, as a header only (the P2P header tree's): it is taken.
    let id = store.find(block.header.hash);
    if (id === NONE) id = store.add(block.header.raw, block.header.hash, prev.id);
    store.setStatus(id, (store.status(id) & HEADER_FAILED) | ACCEPTED);
    store.setSequence(id, this.sequence++);
    this.blocks.set(hex, block);
    this.noteHeader(id);
    if (store.compareWork(id, this.active.tip) >= 0) this.candidates.add(id);
    const failure = await this.activateBestChain();
    // The submitted block itself failed, or its branch did (a failed ancestor taints it).
    if (failure && (failure.idx.id === id || store.status(id) & FAILED)) return failure.result;
    return { ok: true, tip: this.tip.hashHex };
  }

  /** FindMostWorkChain: the block with most work whose whole branch is stored and not failed (ties: first received, as Core's nSequenceId). */
  private findMostWork(): number {
    const s = this.headers;
    let best = this.active.tip;
    for (const id of this.candidates) {
      // CBlockIndexWorkComparator: more work, then received earlier.
      const c = s.compareWork(id, best);
      if (c < 0 || (c === 0 && s.sequence(id) >= s.sequence(best))) continue;
      let ok = true;
      for (let x = id; x !== NONE && !this.active.contains(x); x = s.parent(x)) {
        if (s.status(x) & FAILED) { ok = false; break; }
      }
      if (ok) best = id;
    }
    return best;
  }

  /** ActivateBestChain: reorganise onto the most-work valid branch. Returns the first connect failure, if any. */
  async activateBestChain(): Promise<{ idx: BlockIndex; result: Extract<SubmitResult, { ok: false }> } | undefined> {
    let firstFailure: { idx: BlockIndex; result: Extract<SubmitResult, { ok: false }> } | undefined;
    const s = this.headers;
    for (;;) {
      const best = this.findMostWork();
      if (best === this.active.tip) {
        this.pruneCandidates();
        return firstFailure;
      }
      const fork = s.fork(this.active.tip, best);
      if (fork === NONE) throw new Error('activateBestChain: the best block does not share the genesis');
      for (let x = this.active.tip; x !== fork; x = s.parent(x)) {
        if (!this.undos.has(s.hashHex(x))) {
          // The blocks to undo were pruned: refuse the branch rather than half-reorganise.
          const first = s.ancestor(best, s.height(fork) + 1);
          this.markFailed(first);
          firstFailure ??= { idx: this.at(first), result: { ok: false, reason: 'bad-fork-prior-to-pruned' } };
          break;
        }
      }
      if (s.status(best) & FAILED) continue;
      while (this.active.tip !== fork) {
        const d = this.disconnectTip();
        if (!d.ok) throw new Error(`disconnect failed: ${d.reason}`);
      }
      const path: number[] = [];
      for (let x = best; x !== NONE && x !== fork; x = s.parent(x)) path.push(x);
      path.reverse();
      for (const id of path) {
        const idx = this.at(id);
        const r = await this.connectTip(idx);
        if (!r.ok) {
          this.markFailed(id);
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
    const cutoff = this.height - keep;
    if (cutoff <= 0) return;
    const old = this.headers.hashHex(this.active.at(cutoff));
    this.blocks.delete(old);
    this.undos.delete(old);
    if (this.height % 64 === 0) {
      for (const [hex] of this.blocks) {
        const id = this.headers.findHex(hex);
        if (id !== NONE && this.headers.height(id) <= cutoff && !this.active.contains(id)) this.blocks.delete(hex);
      }
    }
  }

  /** PruneBlockIndexCandidates: drop the failed and those with less work than the tip (never the tip). */
  private pruneCandidates(): void {
    const s = this.headers, tip = this.active.tip;
    for (const c of this.candidates) if (s.status(c) & FAILED || s.compareWork(c, tip) < 0) this.candidates.delete(c);
  }

  private markFailed(id: number): void {
    const s = this.headers;
    s.markBranch(id, FAILED, ACCEPTED);
    if (this.bestHeader !== NONE && s.status(this.bestHeader) & FAILED) this.bestHeader = NONE;
  }

  /** ConnectTip: connect the block on top of the current tip and apply its changes to the set. */
  async connectTip(idx: BlockIndex): Promise<{ ok: true } | Extract<SubmitResult, { ok: false }>> {
    const prev = idx.prev;
    if (!prev || !this.tip.is(prev)) throw new Error('connectTip: not a child of the tip');
    const hex = idx.hashHex;
    const block = this.blocks.get(hex);
    if (!block) throw new Error('connectTip: block data missing');
    const p = this.params;
    const bip34 = idx.height > p.bip34Height ? prev.ancestor(p.bip34Height) : undefined;
    const r = await connectBlock(block, this.coins, p, {
      height: idx.height,
      prevMtp: prev.medianTimePast(),
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
    this.undos.set(hex, r.undo);
    idx.status = 'connected-once';
    this.active.push(idx.id);
    this.prune();
    this.options.onConnected?.(block, idx);
    return { ok: true };
  }

  /** DisconnectTip: undo the tip block. */
  disconnectTip(): { ok: true; clean: boolean } | { ok: false; reason: string } {
    const idx = this.tip;
    if (idx.id === 0) return { ok: false, reason: 'cannot disconnect genesis' };
    const hex = idx.hashHex;
    const block = this.blocks.get(hex)!;
    const undo = this.undos.get(hex);
    if (!undo) return { ok: false, reason: 'no undo data' };
    const r = disconnectBlock(block, undo, idx.height, this.coins, this.params);
    if (!r.ok) return r;
    this.coins.applyBatch(r.batch);
    this.active.pop();
    this.options.onDisconnected?.(block, idx);
    return { ok: true, clean: r.clean };
  }

  /** InvalidateBlock-lite: disconnect back to below `hashHex` (test helper for reorg checks). */
  async rewindTo(hashHex: string): Promise<void> {
    const target = this.index.get(hashHex);
    if (!target || !this.active.contains(target.id)) throw new Error('rewindTo: not on the active chain');
    while (this.active.tip !== target.id) {
      const d = this.disconnectTip();
      if (!d.ok) throw new Error(d.reason);
    }
    // As InvalidateBlock: every stored block with at least the new tip's work is a candidate again.
    const s = this.headers;
    for (const [hex] of this.blocks) {
      const id = s.findHex(hex);
      if (id !== NONE && s.status(id) & ACCEPTED && !(s.status(id) & FAILED) && s.compareWork(id, target.id) >= 0) this.candidates.add(id);
    }
  }
}
