/**
 * Headers-first sync from fake peers over real TCP: txgate follows a regtest chain to its
 * tip (over more than one headers message), reorganises onto a longer branch announced by
 * headers or inv, fetches a block announced by cmpctblock, and says when it is synced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { FakePeer, waitFor } from '../util/fake-peer.ts';
import { startP2PNode } from '../util/p2p-node.ts';
import { MAX_HEADERS_RESULTS } from '../../src/p2p/protocol.ts';

function chainOf(n: number, b = new RegtestChainBuilder()): RegtestChainBuilder {
  for (let i = 0; i < n; i++) b.next();
  return b;
}

test('syncs a chain longer than one headers message to the peer\'s tip, then reports synced', async () => {
  const chain = chainOf(MAX_HEADERS_RESULTS + 30);
  // Blocks are held back until txgate has logged a progress line (one a second here), so the
  // line is seen however fast the machine syncs.
  const held: (() => void)[] = [];
  let hold = true;
  let peer: FakePeer | undefined;
  peer = await FakePeer.start({
    blocks: chain.blocks,
    hooks: { getdata: (c, m) => (hold ? (held.push(() => peer!.respond(c, m)), true) : false) },
  });
  const t = await startP2PNode([peer.port]);
  const release = setInterval(() => {
    if (!hold || !t.log.some((l) => l.startsWith('p2p: sync height'))) return;
    hold = false;
    for (const f of held.splice(0)) f();
  }, 20);
  try {
    assert.equal(t.p2p.status().synced, false);
    await waitFor(() => t.node.chain.height === peer.height, 'the tip', 120_000);
    assert.equal(t.node.chain.tip.hashHex, peer.tipHash);
    await waitFor(() => t.p2p.status().synced, 'synced');
    const s = t.p2p.status();
    assert.equal(s.height, MAX_HEADERS_RESULTS + 30);
    assert.equal(s.headers, MAX_HEADERS_RESULTS + 30);
    assert.equal(s.peers, 1);
    // Two getheaders at least: the first answer was full (2000 headers).
    assert.ok(peer.messages('getheaders').length >= 2);
    // Every block was asked for once, never twice.
    assert.equal(peer.blockRequests.size, MAX_HEADERS_RESULTS + 30);
    assert.ok([...peer.blockRequests.values()].every((n) => n === 1));
    assert.ok(t.log.some((l) => l.startsWith(`p2p: synced at height ${peer.height}`)), t.log.join('\n'));
    // Progress lines while it synced (one a second here): height, headers, rate, ETA, peers.
    assert.ok(t.log.some((l) => /^p2p: sync height \d+\/2030 headers \(\d+\.\d%\), \d+\.\d blocks\/s, ETA (\?|\d+ s), 1 peer$/.test(l)), t.log.join('\n'));
    assert.ok(t.log.some((l) => /^p2p: connected to 127\.0\.0\.1:\d+ \(\/fake-peer:1\.0\/, protocol 70016, height \d+, wtxid relay\)/.test(l)));
  } finally {
    clearInterval(release);
    await t.close();
    await peer.close();
  }
});

test('a new block announced by headers (BIP130) and one announced by inv are fetched and connected', async () => {
  const chain = chainOf(5);
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port]);
  try {
    await waitFor(() => t.p2p.status().synced && t.node.chain.height === 5, 'initial sync');
    // txgate asked for headers announcements.
    await waitFor(() => peer.messages('sendheaders').length === 1, 'sendheaders');
    chain.next();
    peer.setChain(chain.blocks);
    peer.announce('headers');
    await waitFor(() => t.node.chain.height === 6, 'the block announced by headers');
    chain.next();
    peer.setChain(chain.blocks);
    peer.announce('inv');
    await waitFor(() => t.node.chain.height === 7, 'the block announced by inv');
    assert.equal(t.node.chain.tip.hashHex, peer.tipHash);
  } finally {
    await t.close();
    await peer.close();
  }
});

test('a new block announced only by cmpctblock (BIP152) is fetched whole and connected; one whose parent is unknown asks for headers first', async () => {
  const chain = chainOf(5);
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port]);
  try {
    await waitFor(() => t.p2p.status().synced && t.node.chain.height === 5, 'initial sync');
    const getheaders = peer.messages('getheaders').length;
    chain.next();
    peer.setChain(chain.blocks);
    peer.announce('cmpctblock');
    await waitFor(() => t.node.chain.height === 6, 'the block announced by cmpctblock');
    assert.equal(t.node.chain.tip.hashHex, peer.tipHash);
    assert.equal(peer.blockRequests.get(peer.tipHash), 1, 'the block itself was asked for');
    assert.equal(peer.messages('getheaders').length, getheaders, 'its header connected: no getheaders');
    // two blocks on: the announced block's parent is unknown
    chain.next();
    chain.next();
    peer.setChain(chain.blocks);
    peer.announce('cmpctblock');
    await waitFor(() => t.node.chain.height === 8, 'the block after an unknown parent');
    assert.ok(peer.messages('getheaders').length > getheaders);
    assert.equal(t.node.chain.tip.hashHex, peer.tipHash);
    assert.equal(t.p2p.status().peers, 1);
  } finally {
    await t.close();
    await peer.close();
  }
});

test('a longer branch announced by the peer reorganises the chain through the chain state\'s reorg', async () => {
  const chain = chainOf(10);
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port]);
  try {
    await waitFor(() => t.node.chain.height === 10, 'initial sync');
    const oldAt7 = t.node.chain.atHeight(7)!.hashHex;
    // A branch forking after height 6, three blocks longer than the chain txgate has.
    const at6 = t.node.chain.atHeight(6)!;
    const branch = new RegtestChainBuilder(undefined, { hash: at6.hash, height: 6, time: at6.time });
    for (let i = 0; i < 7; i++) branch.next({ tag: 7 });
    peer.setChain([...chain.blocks.slice(0, 6), ...branch.blocks]);
    assert.equal(peer.height, 13);
    peer.announce('headers', 7);
    await waitFor(() => t.node.chain.height === 13, 'the reorg');
    assert.equal(t.node.chain.tip.hashHex, peer.tipHash);
    assert.equal(t.node.chain.atHeight(6)!.hashHex, at6.hashHex);
    assert.notEqual(t.node.chain.atHeight(7)!.hashHex, oldAt7);
    await waitFor(() => t.p2p.status().synced, 'synced after the reorg');
  } finally {
    await t.close();
    await peer.close();
  }
});

test('a block submission that throws is logged and tried again; sync completes', async () => {
  const chain = chainOf(3);
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port]);
  const submit = t.node.submitBlock.bind(t.node);
  let failures = 0;
  t.node.submitBlock = async (raw) => {
    if (failures++ === 0) throw new Error('disk on fire');
    return submit(raw);
  };
  try {
    await waitFor(() => t.node.chain.height === 3, 'the tip after the retry');
    assert.ok(t.log.includes('p2p: block submission failed: disk on fire'), t.log.join('\n'));
    assert.equal(t.p2p.status().peers, 1);
  } finally {
    await t.close();
    await peer.close();
  }
});

test('a failure in the periodic work is logged, and the work goes on', async () => {
  const chain = chainOf(2);
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port]);
  const check = t.p2p.download.checkStalls.bind(t.p2p.download);
  let calls = 0;
  t.p2p.download.checkStalls = () => {
    if (calls++ === 0) throw new Error('tick broke');
    check();
  };
  try {
    await waitFor(() => calls >= 2, 'the next tick');
    assert.ok(t.log.includes('p2p: tick failed: tick broke'), t.log.join('\n'));
    await waitFor(() => t.node.chain.height === 2, 'the tip');
  } finally {
    await t.close();
    await peer.close();
  }
});
