/**
 * Orphan pool (Core's TxOrphanage as of v28/v29, txorphanage.cpp): transactions whose
 * parents are unknown, bounded to 100 entries (random eviction) and expiring after 20
 * minutes (swept every 5 minutes); resolved when a parent arrives.
 */
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { MAX_STANDARD_TX_WEIGHT } from '../policy/constants.ts';
import { outKey } from './keys.ts';

const DEFAULT_MAX_ORPHAN_TRANSACTIONS = 100;
const ORPHAN_TX_EXPIRE_TIME = 20 * 60;
const ORPHAN_TX_EXPIRE_INTERVAL = 5 * 60;

interface Orphan {
  tx: Transaction;
  wtxid: string;
  peer: number;
  expire: number;
}

export interface OrphanageOptions {
  maxOrphans: number;
  /** Clock in milliseconds. */
  now: () => number;
  /** Uniform random integer in [0, n). */
  random: (n: number) => number;
}

export class Orphanage {
  private readonly orphans = new Map<string, Orphan>();
  /** Spent outpoint → wtxids of orphans spending it. */
  private readonly byPrevout = new Map<string, Set<string>>();
  private nextSweep = 0;
  readonly opts: OrphanageOptions;

  constructor(o: Partial<OrphanageOptions> = {}) {
    this.opts = {
      maxOrphans: o.maxOrphans ?? DEFAULT_MAX_ORPHAN_TRANSACTIONS,
      now: o.now ?? (() => Date.now()),
      random: o.random ?? ((n) => Math.floor(Math.random() * n)),
    };
  }

  private nowS(): number {
    return Math.floor(this.opts.now() / 1000);
  }

  get size(): number {
    return this.orphans.size;
  }

  /** Every orphan: its transaction and when it expires (unix seconds). */
  *entries(): IterableIterator<{ tx: Transaction; wtxid: string; expire: number }> {
    for (const o of this.orphans.values()) yield { tx: o.tx, wtxid: o.wtxid, expire: o.expire };
  }

  has(wtxid: string): boolean {
    return this.orphans.has(wtxid);
  }

  /** AddTx + LimitOrphans. False when known or too large to keep. */
  add(tx: Transaction, peer = 0): boolean {
    const wtxid = hashToHex(tx.wtxid);
    if (this.orphans.has(wtxid)) return false;
    // Larger orphans could be used to exhaust memory.
    if (tx.weight > MAX_STANDARD_TX_WEIGHT) return false;
    this.orphans.set(wtxid, { tx, wtxid, peer, expire: this.nowS() + ORPHAN_TX_EXPIRE_TIME });
    for (const i of tx.inputs) {
      const k = outKey(hashToHex(i.prevout.txid), i.prevout.vout);
      let s = this.byPrevout.get(k);
      if (!s) this.byPrevout.set(k, (s = new Set()));
      s.add(wtxid);
    }
    this.limit();
    return this.orphans.has(wtxid);
  }

  erase(wtxid: string): boolean {
    const o = this.orphans.get(wtxid);
    if (!o) return false;
    this.orphans.delete(wtxid);
    for (const i of o.tx.inputs) {
      const k = outKey(hashToHex(i.prevout.txid), i.prevout.vout);
      const s = this.byPrevout.get(k);
      if (s) {
        s.delete(wtxid);
        if (s.size === 0) this.byPrevout.delete(k);
      }
    }
    return true;
  }

  eraseForPeer(peer: number): number {
    let n = 0;
    for (const o of [...this.orphans.values()]) if (o.peer === peer && this.erase(o.wtxid)) n++;
    return n;
  }

  /** LimitOrphans: sweep expired entries (at most every 5 min), then evict at random. */
  limit(): { expired: number; evicted: number } {
    let expired = 0;
    let evicted = 0;
    const now = this.nowS();
    if (this.nextSweep <= now) {
      let minExpire = now + ORPHAN_TX_EXPIRE_TIME - ORPHAN_TX_EXPIRE_INTERVAL;
      for (const o of [...this.orphans.values()]) {
        if (o.expire <= now) {
          this.erase(o.wtxid);
          expired++;
        } else if (o.expire < minExpire) {
          minExpire = o.expire;
        }
      }
      // Sweep again 5 minutes after the next entry that expires, to batch the linear scans.
      this.nextSweep = minExpire + ORPHAN_TX_EXPIRE_INTERVAL;
    }
    while (this.orphans.size > this.opts.maxOrphans) {
      const keys = [...this.orphans.keys()];
      this.erase(keys[this.opts.random(keys.length)]!);
      evicted++;
    }
    return { expired, evicted };
  }

  /** Orphans spending any output of `tx` (AddChildrenToWorkSet), oldest first. */
  childrenOf(tx: Transaction): Transaction[] {
    const txid = hashToHex(tx.txid);
    const seen = new Set<string>();
    for (let n = 0; n < tx.outputs.length; n++) {
      const s = this.byPrevout.get(outKey(txid, n));
      if (s) for (const w of s) seen.add(w);
    }
    return [...this.orphans.values()].filter((o) => seen.has(o.wtxid)).map((o) => o.tx);
  }

  /** EraseForBlock: orphans included in or conflicting with a block. */
  eraseForBlock(txs: readonly Transaction[]): number {
    const drop = new Set<string>();
    for (const tx of txs) {
      for (const i of tx.inputs) {
        const s = this.byPrevout.get(outKey(hashToHex(i.prevout.txid), i.prevout.vout));
        if (s) for (const w of s) drop.add(w);
      }
    }
    for (const w of drop) this.erase(w);
    return drop.size;
  }

  /**
   * Resolution when a transaction enters the mempool: offer its orphan children to
   * `submit`; accepted ones and definite rejections leave the orphanage, accepted ones
   * resolve their own orphan children in turn (Core's orphan work set).
   */
  async resolve(
    parent: Transaction, submit: (tx: Transaction) => Promise<'accepted' | 'missing-inputs' | 'rejected'>,
  ): Promise<Transaction[]> {
    const accepted: Transaction[] = [];
    const work = [parent];
    while (work.length) {
      const p = work.shift()!;
      for (const child of this.childrenOf(p)) {
        const w = hashToHex(child.wtxid);
        if (!this.orphans.has(w)) continue;
        const r = await submit(child);
        if (r === 'missing-inputs') continue;
        this.erase(w);
        if (r === 'accepted') {
          accepted.push(child);
          work.push(child);
        }
      }
    }
    return accepted;
  }
}
