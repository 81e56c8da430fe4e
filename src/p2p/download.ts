/**
 * Block download of headers-first sync (net_processing.cpp FindNextBlocksToDownload and
 * its bookkeeping): blocks along the most-work header chain, at most `window` past the
 * point where it leaves the active chain, asked with getdata from every peer known to have
 * them, at most `perPeer` in flight each and `maxInFlight` in all. Blocks arrive in any
 * order; each is handed to the node's one block submission path (TxgateNode.submitBlock,
 * the same as POST /blocks) once its parent is stored, lowest first. A block that was not
 * asked of its sender, that fails validation, or that takes longer than `stallTimeout`
 * disconnects its peer, and a block that failed from a peer is never asked of it again.
 */
import type { BlockIndex } from '../chain/block-index.ts';
import type { Block } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { HeaderTree } from './headers.ts';
import type { P2PNode } from './node-deps.ts';
import type { Peer } from './peer.ts';
import { MSG_WITNESS_BLOCK } from './protocol.ts';

export interface DownloadOptions {
  /** MAX_BLOCKS_IN_TRANSIT_PER_PEER. */
  perPeer: number;
  /** BLOCK_DOWNLOAD_WINDOW: how far past the fork point blocks are asked for. */
  window: number;
  /** Blocks in flight and received-but-not-submitted, over all peers (bounds memory). */
  maxInFlight: number;
  /** A block not delivered within this (ms) disconnects its peer. */
  stallTimeout: number;
}

export const DEFAULT_DOWNLOAD: DownloadOptions = { perPeer: 16, window: 1024, maxInFlight: 128, stallTimeout: 120_000 };

/** What download needs to know of a peer besides its connection. */
export interface SyncPeer {
  peer: Peer;
  /** The most-work header this peer is known to have (from its headers messages). */
  bestKnown: BlockIndex | undefined;
  /** Its last headers message was not full: it has nothing more for our locator. */
  headersDone: boolean;
  inFlight: number;
  /** Headers messages in a row that did not connect (MAX_NUM_UNCONNECTING_HEADERS_MSGS). */
  unconnecting: number;
}

interface Hooks {
  disconnect(sp: SyncPeer, reason: string): void;
  log(line: string): void;
  /** After each block the node accepted (the tip may have moved). */
  connected(): void;
}

/** Submitted blocks whose sender is remembered. */
const MAX_SENT_BY = 4096;
/** Most (address, block) pairs remembered as "failed from this peer". */
const MAX_BAD_FROM = 10_000;

export class BlockDownload {
  private readonly inFlight = new Map<string, { sp: SyncPeer; idx: BlockIndex; since: number }>();
  private readonly received = new Map<string, { block: Block; sp: SyncPeer; idx: BlockIndex }>();
  private readonly badFrom = new Set<string>();
  /** Who sent each recently submitted block (a failure found later names its sender). */
  private readonly sentBy = new Map<string, SyncPeer>();
  private processing = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Blocks the node accepted from peers. */
  accepted = 0;

  constructor(
    private readonly tree: HeaderTree,
    private readonly node: P2PNode,
    private readonly opts: DownloadOptions,
    private readonly hooks: Hooks,
    private readonly now: () => number = Date.now,
  ) {}

  /** Blocks asked for and not yet submitted. */
  get pending(): number {
    return this.inFlight.size + this.received.size;
  }

  private onActiveChain(idx: BlockIndex): boolean {
    return this.node.chain.atHeight(idx.height)?.hashHex === idx.hashHex;
  }

  /** The blocks to fetch next, lowest first, along the most-work header chain. */
  private wanted(limit: number): BlockIndex[] {
    const best = this.tree.best;
    const chain = this.node.chain;
    // A snapshot base waiting for its header chain takes no block before it has it.
    if (chain.awaitingBase || best.chainWork <= chain.tip.chainWork || limit <= 0) return [];
    let fork: BlockIndex | undefined = best.ancestor(Math.min(best.height, chain.tip.height));
    while (fork && !this.onActiveChain(fork)) fork = fork.prev;
    if (!fork) return [];
    const out: BlockIndex[] = [];
    const top = Math.min(best.height, fork.height + this.opts.window);
    for (let h = fork.height + 1; h <= top && out.length < limit; h++) {
      const idx = best.ancestor(h)!;
      const hex = idx.hashHex;
      if (this.inFlight.has(hex) || this.received.has(hex)) continue;
      const stored = chain.index.get(hex);
      if (stored) {
        if (stored.status === 'failed') break;
        continue;
      }
      out.push(idx);
    }
    return out;
  }

  private has(sp: SyncPeer, idx: BlockIndex): boolean {
    const known = sp.bestKnown;
    return !!known && known.height >= idx.height && known.ancestor(idx.height)?.hashHex === idx.hashHex;
  }

  /** Asks peers for the next blocks (getdata), as their free slots allow. */
  schedule(peers: Iterable<SyncPeer>): void {
    const free = this.opts.maxInFlight - this.pending;
    const wanted = this.wanted(free);
    if (!wanted.length) return;
    const asks = new Map<SyncPeer, BlockIndex[]>();
    const ready = [...peers].filter((sp) => sp.peer.ready && !sp.peer.closed);
    for (const idx of wanted) {
      const sp = ready.find((p) => p.inFlight < this.opts.perPeer && this.has(p, idx) && !this.badFrom.has(`${p.peer.address}|${idx.hashHex}`));
      if (!sp) continue;
      sp.inFlight++;
      this.inFlight.set(idx.hashHex, { sp, idx, since: this.now() });
      let list = asks.get(sp);
      if (!list) asks.set(sp, (list = []));
      list.push(idx);
    }
    for (const [sp, list] of asks) {
      sp.peer.send({ command: 'getdata', items: list.map((idx) => ({ type: MSG_WITNESS_BLOCK, hash: idx.hash })) });
    }
  }

  /** A block message. False: it was not asked of this peer (the caller disconnects it). */
  onBlock(sp: SyncPeer, block: Block): boolean {
    const hex = hashToHex(block.header.hash);
    const f = this.inFlight.get(hex);
    if (!f || f.sp !== sp) return false;
    this.inFlight.delete(hex);
    sp.inFlight--;
    this.received.set(hex, { block, sp, idx: f.idx });
    this.kick();
    return true;
  }

  /** A notfound for blocks: they can be asked of another peer. */
  onNotFound(sp: SyncPeer, hashes: string[]): void {
    for (const hex of hashes) {
      const f = this.inFlight.get(hex);
      if (!f || f.sp !== sp) continue;
      this.inFlight.delete(hex);
      sp.inFlight--;
      this.remember(sp, hex);
    }
  }

  /** A peer left: what it was asked for goes to others. */
  peerGone(sp: SyncPeer): void {
    for (const [hex, f] of this.inFlight) {
      if (f.sp === sp) this.inFlight.delete(hex);
    }
    sp.inFlight = 0;
  }

  /** Disconnects peers whose blocks are overdue. */
  checkStalls(): void {
    const now = this.now();
    for (const [hex, f] of this.inFlight) {
      if (now - f.since > this.opts.stallTimeout) {
        this.remember(f.sp, hex);
        this.hooks.disconnect(f.sp, `block ${hex} at height ${f.idx.height} not delivered in ${Math.round(this.opts.stallTimeout / 1000)} s`);
      }
    }
  }

  private remember(sp: SyncPeer, hex: string): void {
    if (this.badFrom.size >= MAX_BAD_FROM) this.badFrom.delete(this.badFrom.values().next().value!);
    this.badFrom.add(`${sp.peer.address}|${hex}`);
  }

  /** The received block to submit next: the lowest whose parent the chain state stores. */
  private next(): { hex: string; block: Block; sp: SyncPeer; idx: BlockIndex } | undefined {
    let best: { hex: string; block: Block; sp: SyncPeer; idx: BlockIndex } | undefined;
    for (const [hex, r] of this.received) {
      if (this.tree.isFailed(r.idx)) {
        this.received.delete(hex);
        continue;
      }
      const parent = this.node.chain.index.get(r.idx.prev!.hashHex);
      if (!parent || parent.status === 'failed') continue;
      if (!best || r.idx.height < best.idx.height) best = { hex, ...r };
    }
    return best;
  }

  /**
   * Starts submitting. A failure of the node itself is logged, not thrown into the event
   * loop, and the submission is tried again a second later.
   */
  private kick(): void {
    this.process().catch((e: unknown) => {
      this.hooks.log(`p2p: block submission failed: ${e instanceof Error ? e.message : String(e)}`);
      this.retryLater(1000);
    });
  }

  private retryLater(ms: number): void {
    if (this.closed) return;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, ms);
  }

  /** Submits received blocks in order, one at a time. */
  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let r = this.next(); r; r = this.next()) {
        const out = await this.node.submitBlock(r.block);
        if (out.busy) {
          this.retryLater(Math.max(100, out.retryAfter * 1000));
          return;
        }
        this.received.delete(r.hex);
        this.sentBy.set(r.hex, r.sp);
        if (this.sentBy.size > MAX_SENT_BY) this.sentBy.delete(this.sentBy.keys().next().value!);
        if (out.accepted) {
          if (out.reason !== 'duplicate') this.accepted++;
          this.hooks.connected();
          continue;
        }
        this.failed(r, out.reason ?? 'rejected', out.details);
      }
    } finally {
      this.processing = false;
    }
    this.hooks.connected();
  }

  /**
   * A submission failed. When connecting it failed an ancestor stored earlier (a branch
   * activated only once it had the most work), the culprit is the lowest failed block of the
   * branch and the peer that sent it. The culprit's header and descendants are invalid for
   * every peer; a block whose data did not match its header (e.g. bad-txnmrklroot, never
   * stored) may still come right from another peer.
   */
  private failed(r: { hex: string; sp: SyncPeer; idx: BlockIndex }, reason: string, details?: string): void {
    let culprit = r.idx;
    let sp = r.sp;
    const stored = this.node.chain.index.get(r.hex);
    if (stored?.status === 'failed') {
      culprit = stored;
      while (culprit.prev && culprit.prev.status === 'failed') culprit = culprit.prev;
      sp = this.sentBy.get(culprit.hashHex) ?? sp;
      this.tree.markFailed(culprit.hashHex);
    } else if (/^(bad-prevblk|duplicate-invalid|bad-diffbits|time-|high-hash|bad-version)/.test(reason)) {
      this.tree.markFailed(r.hex);
    }
    this.remember(sp, culprit.hashHex);
    const also = culprit.hashHex === r.hex ? '' : ` (found connecting ${r.hex} at height ${r.idx.height})`;
    this.hooks.disconnect(sp, `invalid block ${culprit.hashHex} at height ${culprit.height}: ${reason}${details ? ` (${details})` : ''}${also}`);
    if (sp !== r.sp) this.hooks.disconnect(r.sp, `block ${r.hex} extends the invalid block ${culprit.hashHex}`);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.inFlight.clear();
    this.received.clear();
  }
}
