/**
 * The header tree of headers-first sync: headers received from peers, each checked on its
 * parent before it is kept (src/chain/header-check.ts: proof of work, the retarget rules,
 * timestamps, version), above the chain state's own index of stored blocks. Blocks are
 * asked for only along the most-work chain of headers this tree holds.
 */
import { BlockIndex } from '../chain/block-index.ts';
import type { ChainState } from '../chain/chainstate.ts';
import { checkHeaderOnParent } from '../chain/header-check.ts';
import type { BlockHeader } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';

/** The most headers kept without their blocks (mainnet has under a million). */
export const MAX_HEADERS_KEPT = 2_500_000;

export type AcceptHeaders =
  | { ok: true; last: BlockIndex | undefined; added: number }
  | { ok: false; reason: string; unconnecting?: true };

export class HeaderTree {
  /** Headers whose blocks the chain state does not store (yet). */
  private readonly headers = new Map<string, BlockIndex>();
  /** Headers (and, through their ancestry, descendants) known to be invalid. */
  private readonly failed = new Set<string>();
  private bestHeader: BlockIndex;
  private sequence = 0;

  constructor(private readonly chain: ChainState, private readonly now?: () => number) {
    this.bestHeader = chain.tip;
  }

  /** A known header: stored by the chain state, or kept here. */
  get(hashHex: string): BlockIndex | undefined {
    return this.chain.index.get(hashHex) ?? this.headers.get(hashHex);
  }

  get size(): number {
    return this.headers.size;
  }

  /** The most-work header known (the chain tip when it has at least as much work). */
  get best(): BlockIndex {
    const tip = this.chain.tip;
    return tip.chainWork >= this.bestHeader.chainWork ? tip : this.bestHeader;
  }

  /** Invalid, or a descendant of an invalid block (markFailed marks the descendants). */
  isFailed(idx: BlockIndex): boolean {
    return idx.status === 'failed' || this.failed.has(idx.hashHex);
  }

  /**
   * Headers in order, each the child of the one before (the first of a known header).
   * Stops at the first invalid one; those before it are kept.
   */
  accept(headers: BlockHeader[]): AcceptHeaders {
    let last: BlockIndex | undefined;
    let added = 0;
    const now = this.now?.();
    for (const h of headers) {
      const hex = hashToHex(h.hash);
      const known = this.get(hex);
      if (known) {
        if (this.isFailed(known)) return { ok: false, reason: `header ${hex} is known invalid` };
        last = known;
        continue;
      }
      const prevHex = hashToHex(h.prevHash);
      if (last && last.hashHex !== prevHex) return { ok: false, reason: 'non-continuous headers sequence' };
      const prev = last ?? this.get(prevHex);
      if (!prev) return { ok: false, reason: `header ${hex} does not connect (parent ${prevHex} unknown)`, unconnecting: true };
      if (this.isFailed(prev)) return { ok: false, reason: `header ${hex} extends an invalid block (bad-prevblk)` };
      const r = checkHeaderOnParent(h, prev, this.chain.params, now);
      if (!r.ok) {
        this.failed.add(hex);
        return { ok: false, reason: `invalid header ${hex} at height ${prev.height + 1}: ${r.reason}` };
      }
      if (this.headers.size >= MAX_HEADERS_KEPT) return { ok: false, reason: `more than ${MAX_HEADERS_KEPT} headers without blocks` };
      const idx = new BlockIndex(h, prev, this.sequence++);
      this.headers.set(hex, idx);
      added++;
      if (idx.chainWork > this.bestHeader.chainWork) this.bestHeader = idx;
      last = idx;
    }
    return { ok: true, last, added };
  }

  /** Marks a header and its descendants invalid (its block failed) and finds the best header again. */
  markFailed(hashHex: string): void {
    const bad = this.get(hashHex);
    this.failed.add(hashHex);
    let best: BlockIndex = this.chain.tip;
    for (const idx of this.headers.values()) {
      if (bad && idx.height > bad.height && idx.ancestor(bad.height)?.hashHex === hashHex) this.failed.add(idx.hashHex);
      if (idx.chainWork > best.chainWork && !this.isFailed(idx)) best = idx;
    }
    this.bestHeader = best;
  }

  /** Drops headers whose blocks the chain state now stores, and those far behind the tip on other branches. */
  prune(): void {
    const tip = this.chain.tip.height;
    for (const [hex, idx] of this.headers) {
      if (this.chain.index.has(hex) || (idx.height + 2016 < tip && this.chain.chain[idx.height]?.hashHex !== hex)) this.headers.delete(hex);
    }
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
