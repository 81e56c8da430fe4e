/**
 * A block in the header tree (Core's CBlockIndex), as a handle on a HeaderStore entry: height,
 * cumulative work, ancestors, median time past, status. Handles are made on demand, so two
 * handles on one block are different objects: compare them with is().
 */
import type { BlockHeader } from '../primitives/block.ts';
import { ACCEPTED, CONNECTED, FAILED, NONE, type HeaderStore } from './header-store.ts';
import type { PowIndex } from './pow.ts';

export type BlockStatus = 'data' | 'connected-once' | 'failed';

export class BlockIndex implements PowIndex {
  constructor(readonly store: HeaderStore, readonly id: number) {}

  /** Internal byte order (a copy). */
  get hash(): Uint8Array {
    return this.store.hash(this.id);
  }
  /** Display order. */
  get hashHex(): string {
    return this.store.hashHex(this.id);
  }
  get height(): number {
    return this.store.height(this.id);
  }
  get chainWork(): bigint {
    return this.store.workOf(this.id);
  }
  /** nSequenceId: the order in which the chain state accepted the blocks. */
  get sequence(): number {
    return this.store.sequence(this.id);
  }
  /** The chain state's view: failed, connected to the active chain once, or stored. */
  get status(): BlockStatus {
    const s = this.store.status(this.id);
    return s & FAILED ? 'failed' : s & CONNECTED ? 'connected-once' : 'data';
  }
  set status(v: BlockStatus) {
    const s = this.store.status(this.id) & ~(FAILED | CONNECTED);
    this.store.setStatus(this.id, s | (v === 'failed' ? FAILED : v === 'connected-once' ? CONNECTED : 0));
  }
  /** In the chain state's block index (not only a header the P2P header tree holds). */
  get accepted(): boolean {
    return (this.store.status(this.id) & ACCEPTED) !== 0;
  }
  get header(): BlockHeader {
    return this.store.header(this.id);
  }
  get bits(): number {
    return this.store.bits(this.id);
  }
  get time(): number {
    return this.store.time(this.id);
  }
  get prev(): BlockIndex | undefined {
    return handle(this.store, this.store.parent(this.id));
  }
  /** The same block (of the same store). */
  is(other: BlockIndex | undefined): boolean {
    return other !== undefined && other.id === this.id && other.store === this.store;
  }
  /** GetAncestor. */
  ancestor(height: number): BlockIndex | undefined {
    return handle(this.store, this.store.ancestor(this.id, height));
  }
  /** GetMedianTimePast: the median of this block's and its 10 predecessors' timestamps. */
  medianTimePast(): number {
    return this.store.medianTimePast(this.id);
  }
}

/** A handle on header `id` of the store, undefined for NONE. */
export function handle(store: HeaderStore, id: number): BlockIndex | undefined {
  return id === NONE ? undefined : new BlockIndex(store, id);
}

/** The chain state's block index by display hash: the headers with the ACCEPTED bit. */
export class AcceptedIndex {
  constructor(private readonly store: HeaderStore) {}
  get size(): number {
    return this.store.accepted;
  }
  get(hashHex: string): BlockIndex | undefined {
    const i = this.store.findHex(hashHex);
    return i !== NONE && this.store.status(i) & ACCEPTED ? new BlockIndex(this.store, i) : undefined;
  }
  has(hashHex: string): boolean {
    return this.get(hashHex) !== undefined;
  }
  *values(): IterableIterator<BlockIndex> {
    for (let i = 0; i < this.store.count; i++) if (this.store.status(i) & ACCEPTED) yield new BlockIndex(this.store, i);
  }
}
