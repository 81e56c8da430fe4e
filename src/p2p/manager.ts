/**
 * The P2P side of txgate: outbound connections to the peers named by --connect (redialled
 * after they drop), headers-first sync from all of them (headers.ts, download.ts),
 * transaction relay both ways (tx-relay.ts), and the sync state the API reports (/info,
 * /health, /ready, /metrics) and the log's progress lines. A peer's misbehaviour
 * disconnects that peer only.
 */
import type { ChainParams } from '../chain/params.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { BlockDownload, DEFAULT_DOWNLOAD, type DownloadOptions, type SyncPeer } from './download.ts';
import { HeaderTree } from './headers.ts';
import type { InvItem, Message } from './messages.ts';
import type { P2PNode } from './node-deps.ts';
import { Peer, type PeerTimeouts } from './peer.ts';
import { MAX_HEADERS_RESULTS, MSG_BLOCK, MSG_WITNESS_BLOCK, MSG_WITNESS_FLAG, PROTOCOL_VERSION } from './protocol.ts';
import { headersAfter, strippedBlock } from './serve.ts';
import type { Connect } from './socket.ts';
import { RollingSet } from './rolling-set.ts';
import { TxRelay, type RelayPeer } from './tx-relay.ts';

/** MAX_NUM_UNCONNECTING_HEADERS_MSGS. */
const MAX_UNCONNECTING = 10;
/** NODE_BLOOM: the peer answers a mempool message. */
const NODE_BLOOM = 1n << 2n;
/** Blocks behind the best header a synced node may fall while new blocks download. */
const SYNCED_SLACK = 6;

export interface P2PTarget {
  host: string;
  port: number;
}

export interface P2POptions {
  node: P2PNode;
  params: ChainParams;
  connect: Connect;
  targets: P2PTarget[];
  log: (line: string) => void;
  timeouts?: Partial<PeerTimeouts>;
  download?: Partial<DownloadOptions>;
  /** ms before a dropped or refused peer is dialled again (default 10 s). */
  reconnectDelay?: number;
  /** ms between progress lines while syncing (default 10 s). */
  progressInterval?: number;
  /** ms between re-announcements of our own unconfirmed transactions (default 5 min). */
  reannounceInterval?: number;
  /** Our BIP133 feefilter, sat/kvB (default: none sent). */
  feeFilter?: bigint;
  /** Node clock in seconds for the header time-too-new check. */
  now?: () => number;
}

/** The sync state: what /info, /health, /ready and /metrics report. */
export interface SyncStatus {
  synced: boolean;
  /** Active chain height. */
  height: number;
  /** Height of the most-work valid header known. */
  headers: number;
  /** Peers past the handshake. */
  peers: number;
  blocksPerSecond: number;
  /** Seconds to the best header at the current rate; null when unknown or synced. */
  eta: number | null;
  /** Blocks asked for and not yet connected. */
  inFlight: number;
}

type Conn = SyncPeer & RelayPeer & { target: P2PTarget };

/** SanitizeString: the peer's user agent with only printable ASCII kept (it goes into logs and JSON). */
const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, '');

const fmtAddr = (t: P2PTarget) => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);

export class P2PManager {
  readonly tree: HeaderTree;
  readonly download: BlockDownload;
  readonly relay: TxRelay;
  private readonly conns = new Map<number, Conn>();
  private nextId = 1;
  private stopped = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private tick: ReturnType<typeof setInterval> | undefined;
  private latched = false;
  private rate = { at: Date.now(), accepted: 0, perSecond: 0 };
  private lastProgress = 0;

  constructor(private readonly o: P2POptions) {
    this.tree = new HeaderTree(o.node, o.now);
    this.download = new BlockDownload(this.tree, o.node, { ...DEFAULT_DOWNLOAD, ...o.download }, {
      disconnect: (sp, reason) => sp.peer.disconnect(reason),
      log: o.log,
      connected: () => this.afterBlock(),
    });
    this.relay = new TxRelay(o.node, () => this.readyConns(), {
      reannounceInterval: o.reannounceInterval ?? 300_000, log: o.log, guard: (what, f) => this.guard(what, f),
    });
  }

  start(): void {
    for (const t of this.o.targets) this.dial(t);
    const stall = this.o.download?.stallTimeout ?? DEFAULT_DOWNLOAD.stallTimeout;
    this.tick = setInterval(() => this.guard('tick', () => this.onTick()), Math.max(50, Math.min(1000, stall / 4)));
  }

  /** Runs a timer's work; a failure is logged, never thrown into the event loop. */
  private guard(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.o.log(`p2p: ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private *readyConns(): Iterable<Conn> {
    for (const c of this.conns.values()) if (c.peer.ready && !c.peer.closed) yield c;
  }

  private later(f: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private dial(target: P2PTarget): void {
    if (this.stopped) return;
    const address = fmtAddr(target);
    this.o.connect(target.host, target.port).then((socket) => {
      if (this.stopped) return socket.close();
      const id = this.nextId++;
      const conn = { target, bestKnown: undefined, headersDone: false, inFlight: 0, unconnecting: 0, known: new RollingSet(50_000), asked: new Set<string>() } as unknown as Conn;
      conn.peer = new Peer(socket, {
        id, address, magic: this.o.params.magic, startHeight: () => this.o.node.chain.height, relay: true,
        ...(this.o.timeouts ? { timeouts: this.o.timeouts } : {}),
      }, {
        ready: () => this.onReady(conn),
        message: (_p, m) => this.onMessage(conn, m),
        closed: (_p, reason) => this.onClosed(conn, reason),
      });
      if (!conn.peer.closed) this.conns.set(id, conn);
    }, (e: unknown) => {
      if (this.stopped) return;
      this.o.log(`p2p: cannot connect to ${address}: ${e instanceof Error ? e.message : String(e)}`);
      this.later(() => this.dial(target), this.o.reconnectDelay ?? 10_000);
    });
  }

  private onReady(c: Conn): void {
    const v = c.peer.version!;
    this.o.log(`p2p: connected to ${c.peer.address} (${clean(v.userAgent)}, protocol ${v.version}, height ${v.startHeight}, ${c.peer.wtxidRelay ? 'wtxid' : 'txid'} relay)`);
    this.getHeaders(c);
    if (this.o.feeFilter !== undefined) c.peer.send({ command: 'feefilter', feeRate: this.o.feeFilter });
    // BIP35: a peer offering NODE_BLOOM answers `mempool` with an inv of its mempool.
    if ((v.services & NODE_BLOOM) !== 0n && v.relay) c.peer.send({ command: 'mempool' });
  }

  private onClosed(c: Conn, reason: string): void {
    this.conns.delete(c.peer.id);
    this.download.peerGone(c);
    this.o.log(`p2p: disconnected ${c.peer.address} (peer ${c.peer.id}): ${reason}`);
    if (this.stopped) return;
    this.later(() => this.dial(c.target), this.o.reconnectDelay ?? 10_000);
    this.download.schedule(this.readyConns());
  }

  private getHeaders(c: Conn, from = this.tree.best): void {
    c.peer.send({ command: 'getheaders', version: PROTOCOL_VERSION, locator: this.tree.locator(from), stop: new Uint8Array(32) });
  }

  private onMessage(c: Conn, m: Message): void {
    switch (m.command) {
      case 'headers': return this.onHeaders(c, m.headers);
      case 'cmpctblock':
        // BIP152: a new block announced by its compact form. Its header goes the headers
        // way and the block is fetched whole (getdata) like any other; a header that does
        // not connect asks for headers (Core's CMPCTBLOCK handling: MaybeSendGetHeaders).
        if (!this.tree.get(hashToHex(m.header.prevHash))) return this.getHeaders(c);
        return this.onHeaders(c, [m.header]);
      case 'inv': {
        const blocks = m.items.filter((it) => (it.type & ~MSG_WITNESS_FLAG) === MSG_BLOCK);
        // A block announced by inv: its headers first (Core sends getheaders).
        if (blocks.some((it) => !this.tree.get(hashToHex(it.hash)))) this.getHeaders(c);
        return this.relay.onInv(c, m.items);
      }
      case 'getdata': return this.onGetData(c, m.items);
      case 'notfound':
        this.download.onNotFound(c, m.items.filter((it) => (it.type & ~MSG_WITNESS_FLAG) === MSG_BLOCK).map((it) => hashToHex(it.hash)));
        this.relay.onNotFound(c, m.items);
        return this.download.schedule(this.readyConns());
      case 'getheaders':
        return c.peer.send({ command: 'headers', headers: headersAfter(this.o.node.chain, m.locator, m.stop) });
      case 'block':
        if (!this.download.onBlock(c, m.block)) c.peer.disconnect(`unrequested block ${hashToHex(m.block.header.hash)}`);
        return;
      case 'tx':
        this.relay.onTx(c, m.tx).catch((e: unknown) => this.o.log(`p2p: transaction from ${c.peer.address} failed: ${e instanceof Error ? e.message : String(e)}`));
        return;
      default:
        return;
    }
  }

  private onHeaders(c: Conn, headers: import('../primitives/block.ts').BlockHeader[]): void {
    if (!headers.length) {
      c.headersDone = true;
      return;
    }
    const r = this.tree.accept(headers);
    if (!r.ok) {
      if (r.unconnecting && ++c.unconnecting <= MAX_UNCONNECTING) return this.getHeaders(c);
      return c.peer.disconnect(r.reason);
    }
    c.unconnecting = 0;
    this.attachSnapshotBase();
    const last = r.last;
    if (last && (!c.bestKnown || last.chainWork > c.bestKnown.chainWork)) c.bestKnown = last;
    if (headers.length === MAX_HEADERS_RESULTS && last) {
      c.headersDone = false;
      this.getHeaders(c, last);
    } else c.headersDone = true;
    this.download.schedule(this.readyConns());
  }

  /**
   * A node started from a UTXO snapshot waits at the snapshot's base block for its header
   * chain (assumeutxo, as Core's ActivateSnapshot): once the header tree holds the base, its
   * headers 1..base go to the node, and blocks are fetched from the base on.
   */
  private attachSnapshotBase(): void {
    const base = this.o.node.chain.awaitingBase;
    const idx = base && this.tree.get(base.blockHash);
    if (!idx || !this.o.node.attachSnapshotHeaders) return;
    const headers = idx.store.branchHeaders(idx.id);
    try {
      this.o.node.attachSnapshotHeaders(headers);
      this.o.log(`p2p: snapshot base ${base.blockHash} at height ${base.height} has its headers; blocks from there on`);
    } catch (e) {
      this.o.log(`p2p: the snapshot base's headers do not attach: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private onGetData(c: Conn, items: InvItem[]): void {
    const rest: InvItem[] = [];
    const notFound: InvItem[] = [];
    for (const it of items) {
      if ((it.type & ~MSG_WITNESS_FLAG) !== MSG_BLOCK) {
        rest.push(it);
        continue;
      }
      const block = this.o.node.chain.getBlock(hashToHex(it.hash));
      if (!block) notFound.push(it);
      else c.peer.sendRaw('block', it.type === MSG_WITNESS_BLOCK ? block.raw : strippedBlock(block));
    }
    notFound.push(...this.relay.serve(c, rest));
    if (notFound.length) c.peer.send({ command: 'notfound', items: notFound });
  }

  private afterBlock(): void {
    this.download.schedule(this.readyConns());
  }

  private onTick(): void {
    this.download.checkStalls();
    this.download.schedule(this.readyConns());
    const now = Date.now();
    const dt = (now - this.rate.at) / 1000;
    if (dt >= 2) {
      const n = this.download.accepted - this.rate.accepted;
      this.rate = { at: now, accepted: this.download.accepted, perSecond: this.rate.perSecond ? 0.5 * this.rate.perSecond + 0.5 * (n / dt) : n / dt };
    }
    const s = this.status();
    const interval = this.o.progressInterval ?? 10_000;
    if (!s.synced && s.headers > s.height && now - this.lastProgress >= interval) {
      this.lastProgress = now;
      const pct = s.headers ? ((100 * s.height) / s.headers).toFixed(1) : '0.0';
      this.o.log(`p2p: sync height ${s.height}/${s.headers} headers (${pct}%), ${s.blocksPerSecond.toFixed(1)} blocks/s, ETA ${s.eta === null ? '?' : `${s.eta} s`}, ${s.peers} peer${s.peers === 1 ? '' : 's'}`);
    }
  }

  status(): SyncStatus {
    const chain = this.o.node.chain;
    const best = this.tree.best;
    let peers = 0, headersDone = false;
    for (const c of this.readyConns()) {
      peers++;
      if (c.headersDone) headersDone = true;
    }
    const behind = best.height - chain.height;
    const caughtUp = best.chainWork <= chain.tip.chainWork && this.download.pending === 0;
    if (headersDone && caughtUp && !this.latched) {
      this.latched = true;
      this.o.log(`p2p: synced at height ${chain.height} (${chain.tip.hashHex})`);
    }
    const synced = peers > 0 && headersDone && (caughtUp || (this.latched && behind <= SYNCED_SLACK));
    const perSecond = Math.round(this.rate.perSecond * 10) / 10;
    const eta = synced || perSecond <= 0 ? null : Math.ceil(Math.max(0, behind) / perSecond);
    return { synced, height: chain.height, headers: best.height, peers, blocksPerSecond: perSecond, eta, inFlight: this.download.pending };
  }

  /** Peers and what was negotiated with each, for /info. */
  peerInfo(): { id: number; address: string; userAgent: string; version: number; height: number; relay: 'wtxid' | 'txid'; bytesIn: number; bytesOut: number }[] {
    return [...this.readyConns()].map((c) => ({
      id: c.peer.id, address: c.peer.address, userAgent: clean(c.peer.version!.userAgent), version: c.peer.version!.version,
      height: c.bestKnown?.height ?? c.peer.version!.startHeight, relay: c.peer.wtxidRelay ? 'wtxid' : 'txid',
      bytesIn: c.peer.bytesIn, bytesOut: c.peer.bytesOut,
    }));
  }

  /** Announces transactions this node accepted from its API (parents first); returns the peers told. */
  announceOwn(txs: Transaction[]): number {
    return this.relay.announceOwn(txs);
  }

  /** Announces transactions to the peers not known to have them (Core's RelayTransaction); returns how many were told. */
  announce(txs: Transaction[]): number {
    return this.relay.announce(txs);
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.tick);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.relay.close();
    this.download.close();
    for (const c of [...this.conns.values()]) c.peer.disconnect('shutting down');
  }
}
