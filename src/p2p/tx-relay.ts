/**
 * Transaction relay (net_processing.cpp): transactions peers announce (inv) are fetched
 * (getdata) and go through the node's one acceptance path (TxgateNode.submitTx, as POST /tx),
 * orphans included; what the mempool accepts is announced to every other peer, by wtxid to
 * BIP339 peers and by txid to others, and served on getdata. Rejected transactions are
 * remembered in a bounded rolling set and not fetched again (m_lazy_recent_rejects);
 * transactions submitted to this node are announced again every `reannounceInterval` until
 * they leave the mempool (as the wallet's ResendWalletTransactions).
 */
import { hashToHex } from '../primitives/bytes.ts';
import { encodeTx, type Transaction } from '../primitives/tx.ts';
import type { MempoolEntry } from '../mempool/types.ts';
import type { InvItem } from './messages.ts';
import type { P2PNode } from './node-deps.ts';
import type { Peer } from './peer.ts';
import { MSG_TX, MSG_WITNESS_FLAG, MSG_WITNESS_TX, MSG_WTX } from './protocol.ts';
import { RollingSet } from './rolling-set.ts';

/** MAX_PEER_TX_REQUEST_IN_FLIGHT. */
export const MAX_TX_IN_FLIGHT_PER_PEER = 100;
/** Transactions submitted here and re-announced until they confirm (the oldest are dropped). */
export const MAX_REANNOUNCED = 1000;
/** Peer transactions waiting for the acceptance path, over all peers. */
export const MAX_TX_QUEUE = 1000;

export interface RelayPeer {
  peer: Peer;
  /** Announced to us or by us: not announced to this peer again (m_tx_inventory_known_filter). */
  known: RollingSet;
  /** Asked of this peer and not yet delivered (hash hex as requested). */
  asked: Set<string>;
}

export interface TxRelayOptions {
  /** ms between re-announcements of our own unconfirmed transactions. */
  reannounceInterval: number;
  log(line: string): void;
  /** Runs timer work with its failures logged. */
  guard(what: string, f: () => void): void;
}

export class TxRelay {
  readonly recentRejects = new RollingSet(120_000);
  private readonly ours = new Map<string, true>();
  private queued = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly node: P2PNode, private readonly peers: () => Iterable<RelayPeer>, private readonly opts: TxRelayOptions) {
    this.timer = setInterval(() => opts.guard('re-announcement', () => this.reannounce()), opts.reannounceInterval);
  }

  /** The hash a peer announces and requests a transaction by. */
  private hashFor(rp: RelayPeer, tx: Transaction): string {
    return hashToHex(rp.peer.wtxidRelay ? tx.wtxid : tx.txid);
  }

  private known(hex: string): boolean {
    const m = this.node.mempool;
    return this.recentRejects.has(hex) || m.has(hex) || m.getByWtxid(hex) !== undefined || (this.node.hasOrphan?.(hex) ?? false);
  }

  /** inv of transactions: fetch those not known (by wtxid from BIP339 peers, txid from others). */
  onInv(rp: RelayPeer, items: InvItem[]): void {
    const want: InvItem[] = [];
    const type = rp.peer.wtxidRelay ? MSG_WTX : MSG_TX;
    for (const it of items) {
      if (it.type !== type) continue;
      const hex = hashToHex(it.hash);
      rp.known.add(hex);
      if (this.known(hex) || rp.asked.has(hex) || rp.asked.size >= MAX_TX_IN_FLIGHT_PER_PEER) continue;
      rp.asked.add(hex);
      want.push({ type: rp.peer.wtxidRelay ? MSG_WTX : MSG_WITNESS_TX, hash: it.hash });
    }
    if (want.length) rp.peer.send({ command: 'getdata', items: want });
  }

  onNotFound(rp: RelayPeer, items: InvItem[]): void {
    for (const it of items) rp.asked.delete(hashToHex(it.hash));
  }

  /** A tx message: through the acceptance path, then relayed on when the mempool took it. */
  async onTx(rp: RelayPeer, tx: Transaction): Promise<void> {
    const hex = this.hashFor(rp, tx);
    const asked = rp.asked.delete(hex) || rp.asked.delete(hashToHex(tx.txid));
    rp.known.add(hex);
    // Unrequested transactions are taken while the queue has room (Core processes them too).
    if (!asked && this.queued >= MAX_TX_QUEUE) return;
    const wtxid = hashToHex(tx.wtxid);
    if (this.recentRejects.has(wtxid)) return;
    this.queued++;
    let out;
    try {
      out = await this.node.submitTx(tx);
    } finally {
      this.queued--;
    }
    if (out.busy) return;
    if (out.allowed) {
      if (!out.alreadyInMempool) this.announce(this.withDescendants([tx]));
      return;
    }
    if (out.orphan) {
      this.fetchParents(rp, tx);
      return;
    }
    if (out.kind === 'missing-inputs') return;
    this.recentRejects.add(wtxid);
    // Without a witness the txid names the same bytes: never fetched again by either.
    if (wtxid === hashToHex(tx.txid)) this.recentRejects.add(hashToHex(tx.txid));
  }

  /** An orphan's missing parents are asked of the peer that sent it (by txid, MSG_WITNESS_TX). */
  private fetchParents(rp: RelayPeer, tx: Transaction): void {
    const want: InvItem[] = [];
    for (const inp of tx.inputs) {
      const hex = hashToHex(inp.prevout.txid);
      if (this.known(hex) || rp.asked.has(hex) || rp.asked.size >= MAX_TX_IN_FLIGHT_PER_PEER) continue;
      rp.asked.add(hex);
      want.push({ type: MSG_WITNESS_TX, hash: inp.prevout.txid });
    }
    if (want.length) rp.peer.send({ command: 'getdata', items: want });
  }

  /** getdata for transactions: served from the mempool (witness unless MSG_TX); the rest are notfound. */
  serve(rp: RelayPeer, items: InvItem[]): InvItem[] {
    const missing: InvItem[] = [];
    for (const it of items) {
      const hex = hashToHex(it.hash);
      const base = it.type & ~MSG_WITNESS_FLAG;
      let e: MempoolEntry | undefined;
      if (it.type === MSG_WTX) e = this.node.mempool.getByWtxid(hex);
      else if (base === MSG_TX) e = this.node.mempool.get(hex);
      if (!e) {
        missing.push(it);
        continue;
      }
      rp.peer.sendRaw('tx', it.type === MSG_TX ? encodeTx(e.tx, false) : e.tx.raw);
    }
    return missing;
  }

  /**
   * Announces transactions (in the order given: parents first) to every peer that wants
   * transactions, does not know them (the peer that sent one knows it) and whose BIP133 fee
   * filter they pass. Returns how many peers were sent an announcement.
   */
  announce(txs: Transaction[]): number {
    let count = 0;
    for (const rp of this.peers()) {
      if (!rp.peer.ready || rp.peer.closed || rp.peer.version?.relay === false) continue;
      const items: InvItem[] = [];
      for (const tx of txs) {
        const hex = this.hashFor(rp, tx);
        if (rp.known.has(hex)) continue;
        const e = this.node.mempool.get(hashToHex(tx.txid));
        // feefilter is in sat/kvB; the entry's modified fee rate is compared, as Core.
        if (e && rp.peer.feeFilter > 0n && BigInt(Math.floor((e.modFee * 1000) / e.vsize)) < rp.peer.feeFilter) continue;
        rp.known.add(hex);
        items.push({ type: rp.peer.wtxidRelay ? MSG_WTX : MSG_TX, hash: rp.peer.wtxidRelay ? tx.wtxid : tx.txid });
      }
      if (!items.length) continue;
      rp.peer.send({ command: 'inv', items });
      count++;
    }
    return count;
  }

  /**
   * The transactions and their in-mempool descendants, parents first: orphans an accepted
   * transaction let in are announced with it.
   */
  withDescendants(txs: Transaction[]): Transaction[] {
    const out: Transaction[] = [];
    const seen = new Set<string>();
    const queue: MempoolEntry[] = [];
    for (const tx of txs) {
      const e = this.node.mempool.get(hashToHex(tx.txid));
      if (e) queue.push(e);
      else out.push(tx);
    }
    // Breadth first from the given transactions; a child after every parent in the queue.
    while (queue.length) {
      const e = queue.shift()!;
      if (seen.has(e.txid)) continue;
      seen.add(e.txid);
      out.push(e.tx);
      if (seen.size >= MAX_TX_QUEUE) break;
      for (const c of e.children) if (!seen.has(c.txid)) queue.push(c);
    }
    return out;
  }

  /** Our own submissions: announced now and again until they leave the mempool. */
  announceOwn(txs: Transaction[]): number {
    for (const tx of txs) {
      const w = hashToHex(tx.wtxid);
      this.ours.delete(w);
      this.ours.set(w, true);
      if (this.ours.size > MAX_REANNOUNCED) this.ours.delete(this.ours.keys().next().value!);
    }
    return this.announce(this.withDescendants(txs));
  }

  /** Announces our unconfirmed submissions again to every peer (forgetting that peers knew them). */
  reannounce(): void {
    const txs: Transaction[] = [];
    for (const w of [...this.ours.keys()]) {
      const e = this.node.mempool.getByWtxid(w);
      if (!e) {
        this.ours.delete(w);
        continue;
      }
      txs.push(e.tx);
    }
    if (!txs.length) return;
    // Parents before children: fewer in-mempool ancestors first.
    txs.sort((a, b) => (this.node.mempool.get(hashToHex(a.txid))?.ancCount ?? 0) - (this.node.mempool.get(hashToHex(b.txid))?.ancCount ?? 0));
    for (const rp of this.peers()) rp.known.clear();
    const n = this.announce(txs);
    this.opts.log(`p2p: re-announced ${txs.length} unconfirmed transaction${txs.length === 1 ? '' : 's'} to ${n} peer${n === 1 ? '' : 's'}`);
  }

  /** Hashes (display hex) of our submissions still waiting to confirm. */
  get pendingOwn(): number {
    return this.ours.size;
  }

  close(): void {
    clearInterval(this.timer);
  }
}


