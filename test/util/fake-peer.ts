/**
 * A small Bitcoin peer for tests and benches, speaking the real protocol (src/p2p's framing
 * and codecs) over a real TCP socket (node:net, on every runtime): it listens on 127.0.0.1,
 * answers the handshake, ping, getheaders and getdata from a chain of raw blocks (a
 * RegtestChainBuilder's), serves the transactions it is given, and records every message
 * it receives. `hooks` let a test replace the answer to any command (to misbehave), and
 * `send`/`sendBytes` push anything down a connection.
 */
import net from 'node:net';
import { decodeBlock, decodeHeader, type BlockHeader } from '../../src/primitives/block.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { encodeFrame, FrameReader } from '../../src/p2p/framing.ts';
import { decodeMessage, encodeMessage, type InvItem, type Message } from '../../src/p2p/messages.ts';
import { MSG_BLOCK, MSG_TX, MSG_WITNESS_FLAG, MSG_WTX, NODE_NETWORK, NODE_WITNESS } from '../../src/p2p/protocol.ts';
import { REGTEST, type ChainParams } from '../../src/chain/params.ts';
import { encodeTx, type Transaction } from '../../src/primitives/tx.ts';

/** The message type whose command is C (several commands share one shape: inv, getdata, notfound). */
export type MessageOf<C extends Message['command']> = Message extends infer M ? (M extends { command: infer K } ? (C extends K ? M : never) : never) : never;

export interface FakePeerOptions {
  params?: ChainParams;
  /** Raw blocks at heights 1..n on top of genesis. */
  blocks?: Uint8Array[];
  /** Send wtxidrelay (BIP339) in the handshake (default true). */
  wtxidRelay?: boolean;
  version?: number;
  services?: bigint;
  /** Answer this command instead of the default; return true when handled. */
  hooks?: Partial<Record<string, (conn: FakeConn, m: Message) => boolean | void>>;
  /** Answer pings (default true). */
  pong?: boolean;
}

export class FakeConn {
  readonly received: Message[] = [];
  closed = false;
  ready = false;
  /** The other side's wtxidrelay. */
  theirWtxidRelay = false;
  private readonly reader: FrameReader;
  constructor(readonly socket: net.Socket, private readonly magic: Uint8Array) {
    this.reader = new FrameReader(magic);
  }
  send(m: Message): void {
    this.sendRaw(m.command === 'unknown' ? m.name : m.command, encodeMessage(m));
  }
  sendRaw(command: string, payload: Uint8Array): void {
    this.sendBytes(encodeFrame(this.magic, command, payload));
  }
  sendBytes(b: Uint8Array): void {
    if (!this.closed) this.socket.write(b);
  }
  /** Frames in the received bytes (throws on garbage: the fake peer trusts txgate). */
  frames(chunk: Uint8Array) {
    return this.reader.push(chunk);
  }
}

export class FakePeer {
  readonly conns: FakeConn[] = [];
  /** Active chain: hashes by height (0 = genesis). */
  private active: string[] = [];
  private readonly blocks = new Map<string, { raw: Uint8Array; header: BlockHeader }>();
  readonly txs = new Map<string, Transaction>();
  readonly params: ChainParams;
  /** getdata requests for blocks, by hash hex (how often each was asked). */
  readonly blockRequests = new Map<string, number>();

  private constructor(private readonly server: net.Server, readonly port: number, readonly opts: FakePeerOptions) {
    this.params = opts.params ?? REGTEST;
    const g = decodeBlock(this.params.genesisBlock);
    this.blocks.set(hashToHex(g.header.hash), { raw: this.params.genesisBlock, header: g.header });
    this.active = [hashToHex(g.header.hash)];
    this.setChain(opts.blocks ?? []);
  }

  static start(opts: FakePeerOptions = {}): Promise<FakePeer> {
    return new Promise((resolve, reject) => {
      let peer: FakePeer | undefined;
      const server = net.createServer((s) => peer!.accept(s));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        peer = new FakePeer(server, (server.address() as net.AddressInfo).port, opts);
        resolve(peer);
      });
    });
  }

  get height(): number {
    return this.active.length - 1;
  }
  get tipHash(): string {
    return this.active[this.active.length - 1]!;
  }

  /** Replaces the active chain with these blocks (heights 1..n); older blocks stay servable. */
  setChain(raws: Uint8Array[]): void {
    this.active = this.active.slice(0, 1);
    for (const raw of raws) {
      const header = decodeHeader(raw.subarray(0, 80));
      const hex = hashToHex(header.hash);
      this.blocks.set(hex, { raw, header });
      this.active.push(hex);
    }
  }

  /**
   * Tells every connection about the tip: a headers message of the last `n` headers, an inv,
   * or (BIP152) the tip's compact block: header, a short id per transaction but the
   * coinbase (zeros: txgate does not reconstruct), the coinbase prefilled.
   */
  announce(how: 'headers' | 'inv' | 'cmpctblock' = 'headers', n = 1): void {
    const hashes = this.active.slice(Math.max(1, this.active.length - n));
    for (const c of this.conns) {
      if (!c.ready || c.closed) continue;
      if (how === 'cmpctblock') {
        const { raw, header } = this.blocks.get(this.active.at(-1)!)!;
        const txs = decodeBlock(raw).txs;
        const coinbase = encodeTx(txs[0]!, true);
        c.send({ command: 'cmpctblock', header, nonce: 7n, shortIds: new Uint8Array(6 * (txs.length - 1)), prefilled: Uint8Array.of(1, 0, ...coinbase) });
      } else if (how === 'inv') c.send({ command: 'inv', items: hashes.map((h) => ({ type: MSG_BLOCK, hash: this.blocks.get(h)!.header.hash })) });
      else c.send({ command: 'headers', headers: hashes.map((h) => this.blocks.get(h)!.header) });
    }
  }

  /** Offers a transaction: announced to every connection and served on getdata. */
  offerTx(tx: Transaction): void {
    this.txs.set(hashToHex(tx.txid), tx);
    this.txs.set(hashToHex(tx.wtxid), tx);
    for (const c of this.conns) {
      if (!c.ready || c.closed) continue;
      c.send({ command: 'inv', items: [c.theirWtxidRelay ? { type: MSG_WTX, hash: tx.wtxid } : { type: MSG_TX, hash: tx.txid }] });
    }
  }

  /** Every message of `command` received over all connections. */
  messages<C extends Message['command']>(command: C): MessageOf<C>[] {
    return this.conns.flatMap((c) => c.received.filter((m) => m.command === command)) as MessageOf<C>[];
  }

  private accept(socket: net.Socket): void {
    const conn = new FakeConn(socket, this.params.magic);
    this.conns.push(conn);
    socket.setNoDelay(true);
    socket.on('data', (b: Uint8Array) => {
      for (const f of conn.frames(new Uint8Array(b))) {
        const m = decodeMessage(f.command, f.payload);
        conn.received.push(m);
        const hook = this.opts.hooks?.[f.command];
        if (hook && hook(conn, m)) continue;
        this.respond(conn, m);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => (conn.closed = true));
  }

  /** The default answer to a message (a hook may defer it and call this later). */
  respond(c: FakeConn, m: Message): void {
    switch (m.command) {
      case 'version':
        c.send({
          command: 'version',
          version: {
            version: this.opts.version ?? 70016, services: this.opts.services ?? (NODE_NETWORK | NODE_WITNESS), timestamp: BigInt(Math.floor(Date.now() / 1000)),
            recv: { services: 0n, ip: new Uint8Array(16), port: 0 }, from: { services: 0n, ip: new Uint8Array(16), port: 0 },
            nonce: 42n, userAgent: '/fake-peer:1.0/', startHeight: this.height, relay: true,
          },
        });
        if (this.opts.wtxidRelay ?? true) c.send({ command: 'wtxidrelay' });
        c.send({ command: 'verack' });
        return;
      case 'wtxidrelay': c.theirWtxidRelay = this.opts.wtxidRelay ?? true; return;
      case 'verack': c.ready = true; return;
      case 'ping': if (this.opts.pong ?? true) c.send({ command: 'pong', nonce: m.nonce }); return;
      case 'getheaders': {
        let start = 0;
        for (const h of m.locator) {
          const i = this.active.indexOf(hashToHex(h));
          if (i >= 0) { start = i; break; }
        }
        const headers = this.active.slice(start + 1, start + 1 + 2000).map((h) => this.blocks.get(h)!.header);
        c.send({ command: 'headers', headers });
        return;
      }
      case 'getdata': {
        const missing: InvItem[] = [];
        for (const it of m.items) {
          const hex = hashToHex(it.hash);
          const base = it.type & ~MSG_WITNESS_FLAG;
          if (base === MSG_BLOCK && this.blocks.has(hex)) {
            this.blockRequests.set(hex, (this.blockRequests.get(hex) ?? 0) + 1);
            c.sendRaw('block', this.blocks.get(hex)!.raw);
          } else if ((base === MSG_TX || it.type === MSG_WTX) && this.txs.has(hex)) {
            const tx = this.txs.get(hex)!;
            c.sendRaw('tx', it.type === MSG_TX ? encodeTx(tx, false) : tx.raw);
          } else missing.push(it);
        }
        if (missing.length) c.send({ command: 'notfound', items: missing });
        return;
      }
      default:
        return;
    }
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Polls `f` every 20 ms until it is truthy (returns it) or `ms` pass (throws with `what`). */
export async function waitFor<T>(f: () => T | Promise<T>, what: string, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
