/**
 * One peer over an in-memory socket: the handshake's order (our version first; wtxidrelay
 * only to 70016 peers and before our verack; sendheaders after), BIP339 negotiated only when
 * both sides can, ping answered with its nonce, and each protocol violation a disconnect with
 * its reason: a message before version, a duplicate version, an old protocol version,
 * wtxidrelay after verack, a send buffer the peer does not drain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Peer, MAX_SEND_BUFFER, type PeerEvents } from '../../src/p2p/peer.ts';
import { encodeFrame, FrameReader } from '../../src/p2p/framing.ts';
import { decodeMessage, encodeMessage, type Message } from '../../src/p2p/messages.ts';
import type { P2PSocket } from '../../src/p2p/socket.ts';
import { REGTEST } from '../../src/chain/params.ts';

const MAGIC = REGTEST.magic;

class MemorySocket implements P2PSocket {
  pending = 0;
  closed = false;
  readonly sent: Message[] = [];
  private reader = new FrameReader(MAGIC);
  private data: ((c: Uint8Array) => void) | undefined;
  private closeCb: ((e?: Error) => void) | undefined;
  write(bytes: Uint8Array): void {
    for (const f of this.reader.push(bytes)) this.sent.push(decodeMessage(f.command, f.payload));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCb?.();
  }
  onData(cb: (c: Uint8Array) => void): void {
    this.data = cb;
  }
  onClose(cb: (e?: Error) => void): void {
    this.closeCb = cb;
  }
  /** The remote side sends a message. */
  deliver(m: Message): void {
    this.data!(encodeFrame(MAGIC, m.command === 'unknown' ? m.name : m.command, encodeMessage(m)));
  }
  commands(): string[] {
    return this.sent.map((m) => m.command);
  }
}

const version = (v = 70016): Message => ({
  command: 'version',
  version: {
    version: v, services: 9n, timestamp: 0n, recv: { services: 0n, ip: new Uint8Array(16), port: 0 }, from: { services: 0n, ip: new Uint8Array(16), port: 0 },
    nonce: 1n, userAgent: '/remote/', startHeight: 5, relay: true,
  },
});

function open(): { s: MemorySocket; peer: Peer; events: { ready: number; closed: string[]; messages: Message[] } } {
  const s = new MemorySocket();
  const events = { ready: 0, closed: [] as string[], messages: [] as Message[] };
  const handlers: PeerEvents = {
    ready: () => events.ready++,
    message: (_p, m) => events.messages.push(m),
    closed: (_p, r) => events.closed.push(r),
  };
  const peer = new Peer(s, { id: 1, address: 'mem', magic: MAGIC, startHeight: () => 7, relay: true, timeouts: { handshake: 60_000, pingInterval: 60_000, pingTimeout: 60_000 } }, handlers);
  return { s, peer, events };
}

test('the handshake with a 70016 peer: our version first, wtxidrelay before our verack, sendheaders after theirs; wtxid relay on', () => {
  const { s, peer, events } = open();
  assert.deepEqual(s.commands(), ['version']);
  const v = (s.sent[0] as Extract<Message, { command: 'version' }>).version;
  assert.equal(v.version, 70016);
  assert.equal(v.startHeight, 7);
  assert.equal(v.relay, true);
  assert.equal(v.services, 8n | 1024n);
  s.deliver(version());
  s.deliver({ command: 'wtxidrelay' });
  assert.deepEqual(s.commands(), ['version', 'wtxidrelay', 'verack']);
  assert.equal(events.ready, 0);
  // Messages before verack are ignored.
  s.deliver({ command: 'inv', items: [] });
  assert.equal(events.messages.length, 0);
  s.deliver({ command: 'verack' });
  assert.equal(events.ready, 1);
  assert.equal(peer.wtxidRelay, true);
  assert.deepEqual(s.commands().slice(0, 4), ['version', 'wtxidrelay', 'verack', 'sendheaders']);
  s.deliver({ command: 'ping', nonce: 77n });
  assert.deepEqual(s.sent.filter((m) => m.command === 'pong'), [{ command: 'pong', nonce: 77n }]);
  s.deliver({ command: 'inv', items: [] });
  assert.equal(events.messages.length, 1);
  s.deliver({ command: 'feefilter', feeRate: 1234n });
  assert.equal(peer.feeFilter, 1234n);
  peer.disconnect('done');
  assert.deepEqual(events.closed, ['done']);
});

test('a 70015 peer gets no wtxidrelay and txid relay, even if it sends wtxidrelay', () => {
  const { s, peer } = open();
  s.deliver(version(70015));
  s.deliver({ command: 'wtxidrelay' });
  s.deliver({ command: 'verack' });
  assert.equal(s.commands().includes('wtxidrelay'), false);
  assert.equal(peer.wtxidRelay, false);
  assert.equal(peer.ready, true);
  peer.disconnect('done');
});

for (const [name, steps, reason] of [
  ['a message before version', [{ command: 'inv', items: [] }], /^inv before version$/],
  ['a duplicate version', [version(), version()], /^duplicate version message$/],
  ['an old protocol version', [version(31799)], /^peer protocol version 31799 is below 31800$/],
  ['wtxidrelay after verack', [version(), { command: 'verack' }, { command: 'wtxidrelay' }], /^wtxidrelay received after verack$/],
] as [string, Message[], RegExp][]) {
  test(`${name} disconnects with its reason`, () => {
    const { s, peer, events } = open();
    for (const m of steps) s.deliver(m);
    assert.equal(events.closed.length, 1);
    assert.match(events.closed[0]!, reason);
    assert.equal(s.closed, true);
    assert.equal(peer.closed, true);
  });
}

test('a peer that does not drain its send buffer is disconnected instead of buffering more', () => {
  const { s, peer, events } = open();
  s.pending = MAX_SEND_BUFFER;
  peer.send({ command: 'ping', nonce: 1n });
  assert.deepEqual(events.closed, []);
  s.pending = MAX_SEND_BUFFER + 1;
  const before = s.sent.length;
  peer.send({ command: 'ping', nonce: 2n });
  assert.equal(s.sent.length, before);
  assert.match(events.closed[0]!, /send buffer over/);
});

test('an exception while handling a message disconnects that peer instead of escaping', () => {
  const s = new MemorySocket();
  const closed: string[] = [];
  new Peer(s, { id: 2, address: 'mem', magic: MAGIC, startHeight: () => 0, relay: true }, {
    ready: () => {},
    message: () => {
      throw new Error('boom');
    },
    closed: (_p, r) => closed.push(r),
  });
  s.deliver(version());
  s.deliver({ command: 'verack' });
  assert.doesNotThrow(() => s.deliver({ command: 'inv', items: [] }));
  assert.deepEqual(closed, ['error handling inv: boom']);
  assert.equal(s.closed, true);
});
