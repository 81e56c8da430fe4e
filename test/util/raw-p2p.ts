/**
 * The Bitcoin P2P wire at its rawest, for probing a real node from a test: message framing
 * (magic, 12-byte command, length, double-SHA256 checksum — Core's CMessageHeader), a
 * `version` payload (Core's PushNodeVersion fields) and a TCP peer that buffers every
 * message it receives. node:net sockets, so it runs on Node, Bun and Deno.
 */
import { connect, type Socket } from 'node:net';
import { ByteReader, ByteWriter } from '../../src/primitives/codec.ts';
import { concatBytes, equalBytes } from '../../src/primitives/bytes.ts';
import { hash256 } from '../../src/primitives/hash.ts';

/** Regtest's message start (Core: pchMessageStart for regtest). */
export const REGTEST_MAGIC = Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda);
const HEADER_SIZE = 24;

export interface WireMessage {
  command: string;
  payload: Uint8Array;
}

export function encodeMessage(command: string, payload: Uint8Array = new Uint8Array(0), magic = REGTEST_MAGIC): Uint8Array {
  const cmd = new Uint8Array(12);
  cmd.set(new TextEncoder().encode(command));
  const w = new ByteWriter(HEADER_SIZE + payload.length).bytes(magic).bytes(cmd).u32(payload.length).bytes(hash256(payload).subarray(0, 4));
  return concatBytes(w.finish(), payload);
}

/** Splits complete messages off `buf`; throws on a wrong magic or checksum. */
export function decodeMessages(buf: Uint8Array, magic = REGTEST_MAGIC): { messages: WireMessage[]; rest: Uint8Array } {
  const messages: WireMessage[] = [];
  let off = 0;
  while (buf.length - off >= HEADER_SIZE) {
    const r = new ByteReader(buf.subarray(off, off + HEADER_SIZE), 'message header');
    if (!equalBytes(r.bytes(4), magic)) throw new Error('wrong network magic');
    const raw = r.bytes(12);
    const len = r.u32();
    const sum = r.bytes(4);
    if (buf.length - off - HEADER_SIZE < len) break;
    const payload = buf.slice(off + HEADER_SIZE, off + HEADER_SIZE + len);
    if (!equalBytes(hash256(payload).subarray(0, 4), sum)) throw new Error('bad checksum');
    messages.push({ command: new TextDecoder().decode(raw.subarray(0, raw.indexOf(0) < 0 ? 12 : raw.indexOf(0))), payload });
    off += HEADER_SIZE + len;
  }
  return { messages, rest: buf.slice(off) };
}

export interface VersionFields {
  version: number;
  services: bigint;
  timestamp: bigint;
  nonce: bigint;
  userAgent: string;
  startHeight: number;
  relay: boolean;
}

const NET_ADDR_SIZE = 26; // services, IPv6-mapped address, port (no time in `version`)

function netAddr(w: ByteWriter, services: bigint, port: number): void {
  w.i64(services).bytes(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1)).u8(port >> 8).u8(port & 0xff);
}

export function encodeVersion(v: VersionFields, recvPort = 0): Uint8Array {
  const w = new ByteWriter(128).u32(v.version).i64(v.services).i64(v.timestamp);
  netAddr(w, 0n, recvPort);
  netAddr(w, v.services, 0);
  w.i64(v.nonce).varBytes(new TextEncoder().encode(v.userAgent)).u32(v.startHeight).u8(v.relay ? 1 : 0);
  return w.finish();
}

export function decodeVersion(payload: Uint8Array): VersionFields {
  const r = new ByteReader(payload, 'version');
  const version = r.u32();
  const services = r.u64();
  const timestamp = r.i64();
  r.bytes(2 * NET_ADDR_SIZE, 'addresses');
  const nonce = r.u64();
  const userAgent = new TextDecoder().decode(r.varBytes('user agent'));
  const startHeight = r.u32() | 0;
  const relay = r.remaining > 0 ? r.u8() !== 0 : true;
  return { version, services, timestamp, nonce, userAgent, startHeight, relay };
}

/** A TCP connection that records every message; `next` waits for the next one of a command. */
export class RawPeer {
  readonly received: WireMessage[] = [];
  private readonly taken = new Set<number>();
  private buf: Uint8Array = new Uint8Array(0);
  private waiters: (() => void)[] = [];
  closed = false;
  /** Set when the peer sent bytes that are not a message (wrong magic, bad checksum); the socket is then closed. */
  error: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Uint8Array) => {
      try {
        const { messages, rest } = decodeMessages(concatBytes(this.buf, d));
        this.buf = rest;
        this.received.push(...messages);
      } catch (e) {
        this.error = e as Error;
        socket.destroy();
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => {
        s.off('error', reject);
        s.on('error', () => {});
        resolve(new RawPeer(s));
      });
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(command: string, payload?: Uint8Array): void {
    this.socket.write(encodeMessage(command, payload));
  }

  /** The first message of `command` not returned before, waiting for it if none is here yet. */
  async next(command: string, timeoutMs = 10_000): Promise<WireMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex((m, j) => m.command === command && !this.taken.has(j));
      if (i >= 0) {
        this.taken.add(i);
        return this.received[i]!;
      }
      if (this.closed) throw new Error(`connection closed before ${command}${this.error ? ` (${this.error.message})` : ''}; got ${this.commands().join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${command} within ${timeoutMs} ms; got ${this.commands().join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Every command received so far, in order. */
  commands(): string[] {
    return this.received.map((m) => m.command);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2_000).unref?.();
    });
  }
}
