/**
 * One peer connection (Core's CNode with its net_processing state): the framing on the
 * socket, the version/verack handshake, ping/pong, and the negotiated features (BIP339
 * wtxid relay, BIP130 sendheaders, BIP133 feefilter, BIP152 sendcmpct understood and not
 * used; a cmpctblock announcement goes on to the manager, which fetches the whole block).
 * Anything wrong — a frame or payload that does not decode, wrong magic, a handshake out
 * of order, a timeout, a send buffer the peer does not drain — disconnects this peer with
 * a reason; no error leaves the peer.
 */
import { DecodeError } from '../primitives/decode-error.ts';
import { encodeFrame, FrameReader } from './framing.ts';
import { commandOf, decodeMessage, encodeMessage, type Message, type VersionPayload } from './messages.ts';
import {
  MIN_PEER_PROTO_VERSION, NODE_NETWORK_LIMITED, NODE_WITNESS, PROTOCOL_VERSION, SENDHEADERS_VERSION, USER_AGENT, WTXID_RELAY_VERSION,
} from './protocol.ts';
import type { P2PSocket } from './socket.ts';

export interface PeerTimeouts {
  /** Version and verack must both arrive within this (ms). */
  handshake: number;
  /** A ping is sent this often (ms). */
  pingInterval: number;
  /** A ping unanswered this long disconnects (ms). */
  pingTimeout: number;
}

export const DEFAULT_TIMEOUTS: PeerTimeouts = { handshake: 60_000, pingInterval: 120_000, pingTimeout: 1_200_000 };

/** Bytes queued towards a peer past which it is disconnected (Core's -maxsendbuffer is 5 MB; a block is up to 4). */
export const MAX_SEND_BUFFER = 12_000_000;

export interface PeerEvents {
  /** The handshake completed. */
  ready(peer: Peer): void;
  /** A message after the handshake (ping, pong and handshake messages are handled here). */
  message(peer: Peer, m: Message): void;
  /** The connection ended; `reason` is why. */
  closed(peer: Peer, reason: string): void;
}

export interface PeerOptions {
  id: number;
  /** host:port, for the log. */
  address: string;
  magic: Uint8Array;
  /** Our services (NODE_WITNESS | NODE_NETWORK_LIMITED: we keep the last 288 blocks). */
  services?: bigint;
  startHeight: () => number;
  /** BIP37 fRelay: whether we want transaction announcements. */
  relay: boolean;
  timeouts?: Partial<PeerTimeouts>;
  now?: () => number;
}

let nonceSeed = 0;
function randomNonce(): bigint {
  const a = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(a[0]!) << 32n) | BigInt(a[1]! ^ ++nonceSeed);
}

export class Peer {
  readonly id: number;
  readonly address: string;
  /** The peer's version message, once received. */
  version: VersionPayload | undefined;
  ready = false;
  /** BIP339: announce and request transactions by wtxid. */
  wtxidRelay = false;
  /** BIP130: announce new blocks with headers. */
  sendHeaders = false;
  /** BIP133: the peer's minimum fee rate for announcements (sat/kvB). */
  feeFilter = 0n;
  /** Bytes received and sent (for the log and tests). */
  bytesIn = 0;
  bytesOut = 0;
  closedReason: string | undefined;
  private readonly reader: FrameReader;
  private readonly timeouts: PeerTimeouts;
  private verackReceived = false;
  private pingNonce: bigint | undefined;
  private pingSent = 0;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly socket: P2PSocket, private readonly opts: PeerOptions, private readonly events: PeerEvents) {
    this.id = opts.id;
    this.address = opts.address;
    this.reader = new FrameReader(opts.magic);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    socket.onData((chunk) => this.receive(chunk));
    socket.onClose((e) => this.finish(this.closedReason ?? (e ? `connection error: ${e.message}` : 'connection closed by peer')));
    this.handshakeTimer = setTimeout(() => this.disconnect('handshake timeout'), this.timeouts.handshake);
    this.sendVersion();
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** The peer's protocol version (0 before its version message). */
  get protocolVersion(): number {
    return this.version?.version ?? 0;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  private sendVersion(): void {
    const zero = { services: 0n, ip: new Uint8Array(16), port: 0 };
    this.send({
      command: 'version',
      version: {
        version: PROTOCOL_VERSION, services: this.opts.services ?? (NODE_WITNESS | NODE_NETWORK_LIMITED),
        timestamp: BigInt(Math.floor(this.now() / 1000)), recv: zero, from: zero, nonce: randomNonce(),
        userAgent: USER_AGENT, startHeight: this.opts.startHeight(), relay: this.opts.relay,
      },
    });
  }

  send(m: Message): void {
    this.sendRaw(commandOf(m), encodeMessage(m));
  }

  /** Sends an already encoded payload under `command`. */
  sendRaw(command: string, payload: Uint8Array): void {
    if (this.closed) return;
    if (this.socket.pending > MAX_SEND_BUFFER) {
      this.disconnect(`send buffer over ${MAX_SEND_BUFFER} bytes (peer not reading)`);
      return;
    }
    const frame = encodeFrame(this.opts.magic, command, payload);
    this.bytesOut += frame.length;
    this.socket.write(frame);
  }

  /** Closes the connection, logging `reason` (once). */
  disconnect(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
    this.socket.close();
    this.finish(reason);
  }

  private finished = false;
  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.closedReason ??= reason;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.pingTimer);
    this.events.closed(this, this.closedReason);
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.bytesIn += chunk.length;
    let frames;
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.disconnect(`bad message: ${e.message}`);
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      let m: Message;
      try {
        m = decodeMessage(f.command, f.payload);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.disconnect(`bad ${f.command} message: ${e.message}`);
        return;
      }
      try {
        this.handle(m);
      } catch (e) {
        // A failure while handling one peer's message ends that connection, never the process.
        this.disconnect(`error handling ${f.command}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
  }

  private handle(m: Message): void {
    if (!this.version && m.command !== 'version') {
      this.disconnect(`${commandOf(m)} before version`);
      return;
    }
    switch (m.command) {
      case 'version': return this.onVersion(m.version);
      case 'wtxidrelay':
        // BIP339: only between version and verack.
        if (this.verackReceived) return this.disconnect('wtxidrelay received after verack');
        if (this.protocolVersion >= WTXID_RELAY_VERSION) this.wtxidRelay = true;
        return;
      case 'sendaddrv2':
        if (this.verackReceived) return this.disconnect('sendaddrv2 received after verack');
        return;
      case 'verack': return this.onVerack();
      case 'ping': return this.send({ command: 'pong', nonce: m.nonce });
      case 'pong':
        if (this.pingNonce !== undefined && m.nonce === this.pingNonce) this.pingNonce = undefined;
        return;
      case 'sendheaders': this.sendHeaders = true; return;
      case 'feefilter': if (m.feeRate >= 0n && m.feeRate <= 21_000_000n * 100_000_000n) this.feeFilter = m.feeRate; return;
      case 'sendcmpct': case 'getaddr': case 'addr': case 'reject': case 'unknown': return;
      default:
        // Messages before verack are ignored, as Core ("Unsupported message prior to verack").
        if (this.ready) this.events.message(this, m);
    }
  }

  private onVersion(v: VersionPayload): void {
    if (this.version) return this.disconnect('duplicate version message');
    if (v.version < MIN_PEER_PROTO_VERSION) return this.disconnect(`peer protocol version ${v.version} is below ${MIN_PEER_PROTO_VERSION}`);
    this.version = v;
    // BIP339: announce wtxidrelay before our verack to peers that understand it.
    if (v.version >= WTXID_RELAY_VERSION) this.send({ command: 'wtxidrelay' });
    this.send({ command: 'verack' });
  }

  private onVerack(): void {
    if (this.verackReceived) return;
    this.verackReceived = true;
    this.ready = true;
    clearTimeout(this.handshakeTimer);
    // BIP130: ask for new blocks as headers.
    if (this.protocolVersion >= SENDHEADERS_VERSION) this.send({ command: 'sendheaders' });
    this.schedulePing();
    this.events.ready(this);
  }

  private schedulePing(): void {
    const tick = (): void => {
      if (this.closed) return;
      if (this.pingNonce !== undefined && this.now() - this.pingSent > this.timeouts.pingTimeout) {
        this.disconnect(`ping timeout (${Math.round((this.now() - this.pingSent) / 1000)} s)`);
        return;
      }
      if (this.pingNonce === undefined) {
        this.pingNonce = randomNonce();
        this.pingSent = this.now();
        this.send({ command: 'ping', nonce: this.pingNonce });
      }
      this.pingTimer = setTimeout(tick, Math.min(this.timeouts.pingInterval, this.timeouts.pingTimeout));
    };
    this.pingTimer = setTimeout(tick, 0);
  }
}
