/**
 * A misbehaving peer next to a good one: invalid headers, a block that fails validation, a
 * block nobody asked for, garbage on the wire, a peer that never answers pings or the
 * handshake. Each time txgate disconnects the bad peer with a logged reason, keeps syncing
 * from the good one, and never asks the bad peer again for a block that failed from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { FakePeer, waitFor, type FakePeerOptions } from '../util/fake-peer.ts';
import { startP2PNode, type P2PTestNode } from '../util/p2p-node.ts';
import { encodeFrame } from '../../src/p2p/framing.ts';
import { MAINNET, REGTEST } from '../../src/chain/params.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { decodeHeader } from '../../src/primitives/block.ts';
import { getBlockSubsidy } from '../../src/consensus/subsidy.ts';

const good = new RegtestChainBuilder();
for (let i = 0; i < 20; i++) good.next();

/** Runs `body` with txgate connected to a good peer and a bad one. */
async function withPeers(
  bad: FakePeerOptions, body: (t: P2PTestNode, badPeer: FakePeer, goodPeer: FakePeer) => Promise<void>,
  opts: Parameters<typeof startP2PNode>[1] = {}, extraPorts: number[] = [],
) {
  const goodPeer = await FakePeer.start({ blocks: good.blocks });
  const badPeer = await FakePeer.start(bad);
  const t = await startP2PNode([badPeer.port, goodPeer.port, ...extraPorts], opts);
  try {
    await body(t, badPeer, goodPeer);
  } finally {
    await t.close();
    await badPeer.close();
    await goodPeer.close();
  }
}

const disconnected = (t: P2PTestNode, port: number, re: RegExp) =>
  waitFor(() => t.log.find((l) => l.startsWith(`p2p: disconnected 127.0.0.1:${port} `) && re.test(l)), `disconnect matching ${re}`)
    .catch((e: Error) => assert.fail(`${e.message}; the log:\n${t.log.join('\n')}`));

const toGoodTip = (t: P2PTestNode) => waitFor(() => t.node.chain.height === 20 && t.node.chain.tip.hashHex === hashToHex(good.tipHash), 'the good tip');

test('a peer sending a header with the wrong difficulty bits is disconnected; sync goes on from the good peer', async () => {
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 3; i++) b.next({ tag: 1 });
  b.next({ tag: 1, bits: 0x207ffffe }); // regtest never retargets: bad-diffbits
  for (let i = 0; i < 25; i++) b.next({ tag: 1 });
  await withPeers({ blocks: b.blocks }, async (t, badPeer, goodPeer) => {
    await disconnected(t, badPeer.port, /invalid header .* at height 4: bad-diffbits/);
    await toGoodTip(t);
    assert.equal(goodPeer.conns.filter((c) => !c.closed).length, 1);
    // No block at or above the invalid header was ever asked for.
    assert.ok(badPeer.blockRequests.size <= 3);
  });
});

test('a peer serving a block that fails validation is disconnected, that block is never asked of it again, and the good chain wins', async () => {
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 9; i++) b.next({ tag: 2 });
  // Block 10 overpays its coinbase: a valid header, an invalid block (bad-cb-amount).
  const badBlock = b.next({ tag: 2, coinbaseValue: getBlockSubsidy(10, REGTEST) + 1n });
  for (let i = 0; i < 20; i++) b.next({ tag: 2 });
  const badHash = hashToHex(badBlock.block.header.hash);
  await withPeers({ blocks: b.blocks }, async (t, badPeer) => {
    await disconnected(t, badPeer.port, new RegExp(`invalid block ${badHash} at height 10: bad-cb-amount`));
    await toGoodTip(t);
    // txgate dials the bad peer again (--connect), and does not ask it for the failed block.
    await waitFor(() => badPeer.conns.length >= 2 && badPeer.conns.at(-1)!.ready, 'the redial');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(badPeer.blockRequests.get(badHash), 1);
    assert.equal(t.node.chain.index.get(badHash)?.status, 'failed');
    await waitFor(() => t.p2p.status().synced, 'synced');
  });
});

test('a peer pushing a block nobody asked for is disconnected', async () => {
  const stray = new RegtestChainBuilder();
  stray.next({ tag: 3 });
  await withPeers({
    blocks: [],
    hooks: { verack: (c) => void setTimeout(() => c.sendRaw('block', stray.blocks[0]!), 50) },
  }, async (t, badPeer) => {
    await disconnected(t, badPeer.port, new RegExp(`unrequested block ${hashToHex(stray.tipHash)}`));
    await toGoodTip(t);
    assert.equal(t.node.chain.index.has(hashToHex(stray.tipHash)), false);
  });
});

for (const [name, bytes, reason] of [
  ['random bytes', Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff), /bad message: wrong network magic/],
  ['a frame with another network\'s magic', encodeFrame(MAINNET.magic, 'ping', new Uint8Array(8)), /bad message: wrong network magic/],
  ['a frame with a bad checksum', (() => { const f = encodeFrame(REGTEST.magic, 'ping', new Uint8Array(8)); f[20]! ^= 0xff; return f; })(), /bad message: ping checksum mismatch/],
  ['a frame declaring a 5 MB payload', (() => { const f = encodeFrame(REGTEST.magic, 'block', new Uint8Array(0)); new DataView(f.buffer).setUint32(16, 5_000_000, true); return f; })(), /bad message: block payload of 5000000 bytes is over 4000000/],
  ['a truncated inv payload', encodeFrame(REGTEST.magic, 'inv', Uint8Array.of(2, 1, 0, 0, 0)), /bad inv message: 2 inventory items declared, 4 bytes left/],
] as const) {
  test(`a peer sending ${name} is disconnected; the good peer is not affected`, async () => {
    await withPeers({ blocks: [], hooks: { verack: (c) => void setTimeout(() => c.sendBytes(bytes), 50) } }, async (t, badPeer, goodPeer) => {
      await disconnected(t, badPeer.port, reason);
      await toGoodTip(t);
      assert.equal(goodPeer.conns.filter((c) => !c.closed).length, 1);
    });
  });
}

test('a peer that stops answering pings, and one that never completes the handshake, are disconnected on their timeouts', async () => {
  const silent = await FakePeer.start({ blocks: [], hooks: { version: () => true } });
  await withPeers({ blocks: [], pong: false }, async (t, badPeer) => {
    await disconnected(t, badPeer.port, /ping timeout/);
    await disconnected(t, silent.port, /handshake timeout/);
    await toGoodTip(t);
  }, { timeouts: { handshake: 500, pingInterval: 100, pingTimeout: 400 } }, [silent.port]);
  await silent.close();
});

test('a peer that does not deliver the blocks asked of it is disconnected after the stall timeout; the blocks come from the other peer', async () => {
  // Only the bad peer has the chain at first, and it leaves getdata for blocks unanswered.
  const goodPeer = await FakePeer.start({ blocks: [] });
  const badPeer = await FakePeer.start({ blocks: good.blocks, hooks: { getdata: () => true } });
  const t = await startP2PNode([badPeer.port, goodPeer.port], { download: { stallTimeout: 1000 } });
  try {
    await waitFor(() => badPeer.messages('getdata').length >= 1, 'blocks asked of the bad peer');
    await waitFor(() => goodPeer.conns.some((c) => c.ready), 'the good peer');
    goodPeer.setChain(good.blocks);
    goodPeer.announce('headers', 20);
    await disconnected(t, badPeer.port, /block [0-9a-f]{64} at height \d+ not delivered in 1 s/);
    await toGoodTip(t);
  } finally {
    await t.close();
    await badPeer.close();
    await goodPeer.close();
  }
});

test('a peer whose headers never connect is disconnected after ten such messages', async () => {
  const other = new RegtestChainBuilder();
  for (let i = 0; i < 5; i++) other.next({ tag: 9 });
  const stray = other.blocks.slice(2).map((raw) => decodeHeader(raw.subarray(0, 80)));
  await withPeers({
    blocks: [],
    // Every getheaders is answered with headers whose parent txgate cannot know.
    hooks: { getheaders: (c) => (c.send({ command: 'headers', headers: stray }), true) },
  }, async (t, badPeer) => {
    await disconnected(t, badPeer.port, /does not connect \(parent [0-9a-f]{64} unknown\)/);
    await toGoodTip(t);
    // On that connection: the first getheaders and ten more before giving up.
    assert.equal(badPeer.conns[0]!.received.filter((m) => m.command === 'getheaders').length, 11);
  });
});
