/**
 * The header tree of headers-first sync: headers received from peers, each checked on its
 * parent before it is kept (src/chain/header-check.ts: proof of work, the retarget rules,
 * timestamps, version). They are kept in the chain state's own header store, beside its
 * blocks, so a header is held once: when its block is accepted the chain state takes the
 * same entry. Blocks are asked for only along the most-work chain of headers known.
 */
import { BlockIndex } from '../chain/block-index.ts';
import type { ChainState } from '../chain/chainstate.ts';
import { checkHeaderOnParent } from '../chain/header-check.ts';
import { ACCEPTED, FAILED, HEADER_FAILED, NONE, type HeaderStore } from '../chain/header-store.ts';
import type { BlockHeader } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';

/**
 * The most headers kept without their blocks (mainnet has under a million). Headers are not
 * dropped once kept (Core's block index keeps every header too): a stale branch's headers
 * stay in the count.
 */
export const MAX_HEADERS_KEPT = 2_500_000;

export type AcceptHeaders =
  | { ok: true; last: BlockIndex | undefined; added: number }
  | { ok: false; reason: string; unconnecting?: true };

export class HeaderTree {
  private bestHeader: BlockIndex;

  /**
   * `source.chain` is read at every use: the node replaces its chain state when it loads a
   * UTXO snapshot (a ChainState that takes over the old one's header store).
   */
  constructor(private readonly source: { readonly chain: ChainState }, private readonly now?: () => number) {
    this.bestHeader = source.chain.tip;
  }

  private get chain(): ChainState {
    return this.source.chain;
  }
  private get store(): HeaderStore {
    return this.source.chain.headers;
  }

  /** A known header: a block the chain state stores, or a header only. */
  get(hashHex: string): BlockIndex | undefined {
    const id = this.store.findHex(hashHex);
    return id === NONE ? undefined : new BlockIndex(this.store, id);
  }

  /** Headers known without their blocks. */
  get size(): number {
    return this.store.count - this.store.accepted;
  }

  /** The most-work header known (the chain tip when it has at least as much work). */
  get best(): BlockIndex {
    const tip = this.chain.tip;
    if (this.bestHeader.store !== tip.store) this.bestHeader = this.findBest();
    return tip.chainWork >= this.bestHeader.chainWork ? tip : this.bestHeader;
  }

  /** Invalid, or a descendant of an invalid block (markFailed marks the descendants). */
  isFailed(idx: BlockIndex): boolean {
    return (idx.store.status(idx.id) & (FAILED | HEADER_FAILED)) !== 0;
  }

  /**
   * Headers in order, each the child of the one before (the first of a known header).
   * Stops at the first invalid one; those before it are kept.
   */
  accept(headers: BlockHeader[]): AcceptHeaders {
    let last: BlockIndex | undefined;
    let added = 0;
    const now = this.now?.();
    const store = this.store;
    for (const h of headers) {
      const id = store.find(h.hash);
      if (id !== NONE) {
        last = new BlockIndex(store, id);
        if (this.isFailed(last)) return { ok: false, reason: `header ${last.hashHex} is known invalid` };
        continue;
      }
      const hex = hashToHex(h.hash);
      const prevId = store.find(h.prevHash);
      if (last && last.id !== prevId) return { ok: false, reason: 'non-continuous headers sequence' };
      if (prevId === NONE) return { ok: false, reason: `header ${hex} does not connect (parent ${hashToHex(h.prevHash)} unknown)`, unconnecting: true };
      const prev = new BlockIndex(store, prevId);
      if (this.isFailed(prev)) return { ok: false, reason: `header ${hex} extends an invalid block (bad-prevblk)` };
      const r = checkHeaderOnParent(h, prev, this.chain.params, now);
      if (!r.ok) return { ok: false, reason: `invalid header ${hex} at height ${prev.height + 1}: ${r.reason}` };
      if (this.size >= MAX_HEADERS_KEPT) return { ok: false, reason: `more than ${MAX_HEADERS_KEPT} headers without blocks` };
      const idx = new BlockIndex(store, store.add(h.raw, h.hash, prevId));
      added++;
      if (this.bestHeader.store !== store || store.compareWork(idx.id, this.bestHeader.id) > 0) this.bestHeader = idx;
      last = idx;
    }
    return { ok: true, last, added };
  }

  /**
   * Marks a header and its descendants invalid (its block failed) and finds the best header
   * again. A header that failed its own checks is not kept, so it is checked again if sent.
   */
  markFailed(hashHex: string): void {
    const s = this.store;
    const bad = s.findHex(hashHex);
    if (bad !== NONE) s.markBranch(bad, HEADER_FAILED, 0);
    this.bestHeader = this.findBest();
  }

  /** The most-work header not known invalid, from the chain tip up. */
  private findBest(): BlockIndex {
    const s = this.store;
    let best = this.chain.tip.id;
    for (let i = 0; i < s.count; i++) {
      if (!(s.status(i) & ACCEPTED) && !(s.status(i) & HEADER_FAILED) && s.compareWork(i, best) > 0) best = i;
    }
    return new BlockIndex(s, best);
  }

  /** GetLocator: the last 10 hashes, then exponentially further back, then genesis. */
  locator(from: BlockIndex = this.best): Uint8Array[] {
    const out: Uint8Array[] = [];
    let step = 1;
    let idx: BlockIndex | undefined = from;
    while (idx) {
      out.push(idx.hash);
      if (idx.height === 0) break;
      const h = Math.max(idx.height - step, 0);
      idx = idx.ancestor(h);
      if (out.length > 10) step *= 2;
    }
    return out;
  }
}
