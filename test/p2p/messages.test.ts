/**
 * The P2P message parser under fast-check: every message type round-trips through its
 * codec and the framing; truncated payloads, counts over their protocol limits, trailing
 * bytes, bad checksums, wrong magic and oversized frames are a DecodeError, never another
 * exception or a hang; any byte stream fed in any chunking gives DecodeError or messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { encodeFrame, FrameReader } from '../../src/p2p/framing.ts';
import { decodeMessage, encodeMessage, type Message } from '../../src/p2p/messages.ts';
import { MAX_HEADERS_RESULTS, MAX_INV_SZ, MAX_LOCATOR_SZ, MAX_PROTOCOL_MESSAGE_LENGTH } from '../../src/p2p/protocol.ts';
import { REGTEST, MAINNET } from '../../src/chain/params.ts';
import { RegtestChainBuilder, signSpend } from '../util/regtest-builder.ts';
import { ByteWriter } from '../../src/primitives/codec.ts';

const MAGIC = REGTEST.magic;
const chain = new RegtestChainBuilder();
const mined = [chain.next(), chain.next(), chain.next()];
const spend = signSpend([mined[0]!.coinbase], [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51) }]);

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u64 = fc.bigInt(0n, 2n ** 64n - 1n);
const i64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
const addr = fc.record({ services: u64, ip: bytes(16), port: fc.integer({ min: 0, max: 65535 }) });
const inv = fc.array(fc.record({ type: fc.integer({ min: 0, max: 0xffffffff }), hash: bytes(32) }), { maxLength: 20 });

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    command: fc.constant('version' as const),
    version: fc.record({
      version: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), services: u64, timestamp: i64, recv: addr, from: addr, nonce: u64,
      userAgent: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')), startHeight: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      relay: fc.boolean(),
    }),
  }),
  fc.constantFrom('verack', 'sendheaders', 'wtxidrelay', 'getaddr', 'mempool', 'sendaddrv2').map((c) => ({ command: c }) as Message),
  fc.record({ command: fc.constantFrom('ping' as const, 'pong' as const), nonce: u64 }),
  fc.record({ command: fc.constant('feefilter' as const), feeRate: i64 }),
  fc.record({ command: fc.constant('sendcmpct' as const), announce: fc.boolean(), cmpctVersion: u64 }),
  fc.record({ command: fc.constant('addr' as const), count: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ command: fc.constantFrom('inv' as const, 'getdata' as const, 'notfound' as const), items: inv }),
  fc.record({
    command: fc.constant('getheaders' as const), version: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    locator: fc.array(bytes(32), { maxLength: MAX_LOCATOR_SZ }), stop: bytes(32),
  }),
  fc.subarray(mined.map((m) => m.block.header)).map((headers) => ({ command: 'headers' as const, headers })),
  fc.record({
    command: fc.constant('cmpctblock' as const), header: fc.constantFrom(...mined.map((m) => m.block.header)), nonce: u64,
    shortIds: fc.integer({ min: 0, max: 40 }).chain((n) => bytes(6 * n)), prefilled: fc.constantFrom(Uint8Array.of(0), Uint8Array.of(1, 0, ...spend.raw)),
  }),
  fc.constantFrom(...mined.map((m) => ({ command: 'block' as const, block: m.block }))),
  fc.constant({ command: 'tx' as const, tx: spend }),
);

/** The message as comparable data (decoded blocks and txs by their bytes). */
function plain(m: Message): unknown {
  if (m.command === 'block') return { command: 'block', raw: [...m.block.raw] };
  if (m.command === 'tx') return { command: 'tx', raw: [...m.tx.raw] };
  if (m.command === 'headers') return { command: 'headers', raw: m.headers.map((h) => [...h.raw]) };
  if (m.command === 'cmpctblock') return { command: 'cmpctblock', header: [...m.header.raw], nonce: m.nonce, shortIds: [...m.shortIds], prefilled: [...m.prefilled] };
  return JSON.parse(JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)));
}

const decodes = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch (e) {
    assert.ok(e instanceof DecodeError, `not a DecodeError: ${String(e)}`);
    return false;
  }
};

test('every message type round-trips through its codec and a frame, delivered in any chunking', () => {
  fc.assert(fc.property(messageArb, fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 8 }), (m, cuts) => {
    const command = m.command === 'unknown' ? m.name : m.command;
    const payload = encodeMessage(m);
    assert.deepEqual(plain(decodeMessage(command, payload)), plain(m));
    const frame = encodeFrame(MAGIC, command, payload);
    const reader = new FrameReader(MAGIC);
    const got = [];
    let pos = 0;
    for (const c of cuts) {
      got.push(...reader.push(frame.subarray(pos, Math.min(frame.length, pos + c))));
      pos = Math.min(frame.length, pos + c);
    }
    got.push(...reader.push(frame.subarray(pos)));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.command, command);
    assert.deepEqual(plain(decodeMessage(command, got[0]!.payload)), plain(m));
    assert.equal(reader.size, 0);
  }), { numRuns: 300 });
});

test('a truncated payload or one with trailing bytes is a DecodeError (messages with a body)', () => {
  fc.assert(fc.property(messageArb, fc.nat(), (m, k) => {
    const command = m.command === 'unknown' ? m.name : m.command;
    const payload = encodeMessage(m);
    if (payload.length === 0) {
      // Empty-bodied messages take no trailing bytes either.
      assert.equal(decodes(() => decodeMessage(command, Uint8Array.of(0))), false);
      return;
    }
    const cut = k % payload.length;
    // version's relay byte is optional (BIP37): a payload one byte short is still a version.
    if (!(command === 'version' && cut === payload.length - 1)) assert.equal(decodes(() => decodeMessage(command, payload.subarray(0, cut))), false);
    const longer = new Uint8Array(payload.length + 1);
    longer.set(payload);
    assert.equal(decodes(() => decodeMessage(command, longer)), false);
  }), { numRuns: 300 });
});

test('counts over the protocol limits are refused before anything is read', () => {
  const over = (n: number) => new ByteWriter().compactSize(n).finish();
  for (const [cmd, limit] of [['inv', MAX_INV_SZ], ['getdata', MAX_INV_SZ], ['notfound', MAX_INV_SZ], ['headers', MAX_HEADERS_RESULTS], ['addr', 1000]] as const) {
    assert.throws(() => decodeMessage(cmd, over(limit + 1)), (e: unknown) => e instanceof DecodeError && e.code === 'oversize', cmd);
  }
  const gh = new ByteWriter().u32(70016).compactSize(MAX_LOCATOR_SZ + 1).finish();
  assert.throws(() => decodeMessage('getheaders', gh), (e: unknown) => e instanceof DecodeError && e.code === 'oversize');
  // A header with a non-zero transaction count.
  const h = new ByteWriter().compactSize(1).bytes(mined[0]!.block.header.raw).u8(1).finish();
  assert.throws(() => decodeMessage('headers', h), (e: unknown) => e instanceof DecodeError && e.code === 'invalid');
  // A user agent over 256 bytes.
  const v = encodeMessage({ command: 'version', version: { version: 70016, services: 0n, timestamp: 0n, recv: { services: 0n, ip: new Uint8Array(16), port: 0 }, from: { services: 0n, ip: new Uint8Array(16), port: 0 }, nonce: 0n, userAgent: 'x'.repeat(257), startHeight: 0, relay: true } });
  assert.throws(() => decodeMessage('version', v), (e: unknown) => e instanceof DecodeError && e.code === 'oversize');
  // Unknown commands are not errors.
  assert.deepEqual(decodeMessage('cfilter', Uint8Array.of(1, 2, 3)), { command: 'unknown', name: 'cfilter' });
});

test('frames: wrong magic, a bad checksum, an oversized length and a bad command are DecodeErrors, found from the header alone', () => {
  const good = encodeFrame(MAGIC, 'ping', encodeMessage({ command: 'ping', nonce: 7n }));
  assert.throws(() => new FrameReader(MAINNET.magic).push(good), (e: unknown) => e instanceof DecodeError && /magic/.test(e.message));
  const badSum = good.slice();
  badSum[20]! ^= 1;
  assert.throws(() => new FrameReader(MAGIC).push(badSum), (e: unknown) => e instanceof DecodeError && /checksum/.test(e.message));
  // The length field alone (24 header bytes, no payload sent) is enough to refuse.
  const big = good.slice(0, 24);
  new DataView(big.buffer).setUint32(16, MAX_PROTOCOL_MESSAGE_LENGTH + 1, true);
  assert.throws(() => new FrameReader(MAGIC).push(big), (e: unknown) => e instanceof DecodeError && e.code === 'oversize');
  const okLen = good.slice(0, 24);
  new DataView(okLen.buffer).setUint32(16, MAX_PROTOCOL_MESSAGE_LENGTH, true);
  assert.deepEqual(new FrameReader(MAGIC).push(okLen), []);
  const badCmd = good.slice();
  badCmd[4 + 5] = 0x41; // a byte after the NUL padding
  assert.throws(() => new FrameReader(MAGIC).push(badCmd), (e: unknown) => e instanceof DecodeError && /padding/.test(e.message));
});

test('random bytes, whole or framed with a valid header, give messages or a DecodeError, never another exception', () => {
  const commands = ['version', 'verack', 'ping', 'pong', 'feefilter', 'sendcmpct', 'addr', 'inv', 'getdata', 'notfound', 'getheaders', 'headers', 'cmpctblock', 'block', 'tx', 'reject', 'wtxidrelay', 'xyz'];
  fc.assert(fc.property(fc.constantFrom(...commands), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (cmd, payload, noise) => {
    decodes(() => decodeMessage(cmd, payload));
    const reader = new FrameReader(MAGIC);
    const frames = reader.push(encodeFrame(MAGIC, cmd, payload));
    assert.equal(frames.length, 1);
    decodes(() => reader.push(noise));
    assert.ok(reader.size <= noise.length);
  }), { numRuns: 500 });
});
