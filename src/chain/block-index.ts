/** The header tree (Core's CBlockIndex): height, cumulative work, ancestors, median time past. */
import { blockProof, type BlockHeader } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { PowIndex } from './pow.ts';

/** Number of blocks in the median-time-past window (CBlockIndex::nMedianTimeSpan). */
const MEDIAN_TIME_SPAN = 11;

export type BlockStatus = 'data' | 'connected-once' | 'failed';

export class BlockIndex implements PowIndex {
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly height: number;
  readonly chainWork: bigint;
  status: BlockStatus = 'data';
  private mtpCache: number | undefined;
  private skip: BlockIndex[] = [];

  constructor(readonly header: BlockHeader, readonly prev: BlockIndex | undefined, readonly sequence: number) {
    this.hash = header.hash;
    this.hashHex = hashToHex(header.hash);
    this.height = prev ? prev.height + 1 : 0;
    this.chainWork = (prev ? prev.chainWork : 0n) + blockProof(header.bits);
    // Power-of-two skip pointers for O(log n) ancestor lookups.
    if (prev) {
      this.skip.push(prev);
      for (let k = 0; ; k++) {
        const s = this.skip[k]!.skip[k];
        if (!s) break;
        this.skip.push(s);
      }
    }
  }
  get bits(): number {
    return this.header.bits;
  }
  get time(): number {
    return this.header.time;
  }
  /** GetAncestor. */
  ancestor(height: number): BlockIndex | undefined {
    if (height > this.height || height < 0) return undefined;
    let idx: BlockIndex = this;
    while (idx.height > height) {
      const diff = idx.height - height;
      let k = 31 - Math.clz32(diff);
      while (k >= idx.skip.length) k--;
      idx = idx.skip[k]!;
    }
    return idx;
  }
  /** GetMedianTimePast: the median of this block's and its 10 predecessors' timestamps. */
  medianTimePast(): number {
    if (this.mtpCache !== undefined) return this.mtpCache;
    const times: number[] = [];
    let idx: BlockIndex | undefined = this;
    for (let i = 0; i < MEDIAN_TIME_SPAN && idx; i++, idx = idx.prev) times.push(idx.time);
    times.sort((a, b) => a - b);
    this.mtpCache = times[Math.floor(times.length / 2)]!;
    return this.mtpCache;
  }
}

/** LastCommonAncestor. */
export function findFork(a: BlockIndex, b: BlockIndex): BlockIndex {
  let x: BlockIndex | undefined = a.height > b.height ? a.ancestor(b.height) : a;
  let y: BlockIndex | undefined = b.height > a.height ? b.ancestor(a.height) : b;
  while (x && y && x !== y) {
    x = x.prev;
    y = y.prev;
  }
  if (!x || x !== y) throw new Error('findFork: blocks do not share a genesis');
  return x;
}
