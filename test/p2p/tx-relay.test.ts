/**
 * Transaction relay with fake peers over TCP. Inbound: an announced transaction is fetched
 * (by wtxid from a BIP339 peer, by txid from another) and goes through the acceptance path
 * into the mempool; a rejected one is never fetched again; an orphan's parent is asked of
 * the peer that sent it; what is accepted goes on to the other peers, not back; a peer
 * offering NODE_BLOOM is sent `mempool`. Outbound: POST /tx and JSON-RPC submitpackage
 * announce to every peer (parent before child) and say to how many, getdata is served, and
 * POST /validate relays nothing; our own unconfirmed transactions are announced again until
 * they confirm; sendrawtransaction of one already in the mempool announces it again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputScript, RegtestChainBuilder, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { FakePeer, waitFor, type FakeConn } from '../util/fake-peer.ts';
import { startP2PNode } from '../util/p2p-node.ts';
import { postRaw, startTestServer } from '../util/server.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { MSG_TX, MSG_WITNESS_TX, MSG_WTX } from '../../src/p2p/protocol.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import type { Message } from '../../src/p2p/messages.ts';

const chain = new RegtestChainBuilder();
const coinbases: Spendable[] = [];
for (let i = 0; i < 105; i++) coinbases.push(chain.next().coinbase);
const HEIGHT = 105;

/** A spend of `from` paying `value` to key `key` (P2WPKH, so txid ≠ wtxid). */
const pay = (from: Spendable, key: number, fee = 10_000n): Transaction => signSpend([from], [{ value: from.value - fee, scriptPubKey: outputScript('p2wpkh', key) }]);
const out0 = (tx: Transaction, key: number): Spendable => ({ txid: tx.txid, vout: 0, value: tx.outputs[0]!.value, kind: 'p2wpkh', key });

const invs = (peer: FakePeer) => peer.messages('inv').flatMap((m) => m.items);
const getdatas = (peer: FakePeer) => peer.messages('getdata').flatMap((m) => m.items);
const has = (items: { type: number; hash: Uint8Array }[], type: number, hash: Uint8Array) => items.filter((it) => it.type === type && hashToHex(it.hash) === hashToHex(hash)).length;

test('announced transactions are fetched by wtxid or txid as negotiated, accepted into the mempool and relayed to the other peer only', async () => {
  const wpeer = await FakePeer.start({ blocks: chain.blocks });
  const tpeer = await FakePeer.start({ blocks: chain.blocks, wtxidRelay: false });
  const t = await startP2PNode([wpeer.port, tpeer.port]);
  try {
    await waitFor(() => t.node.chain.height === HEIGHT && t.p2p.status().peers === 2, 'sync');
    const a = pay(coinbases[0]!, 1);
    wpeer.offerTx(a);
    await waitFor(() => t.node.mempool.has(hashToHex(a.txid)), 'a in the mempool');
    assert.equal(has(getdatas(wpeer), MSG_WTX, a.wtxid), 1);
    // Relayed to the txid-relay peer by txid, and not back to its sender.
    await waitFor(() => has(invs(tpeer), MSG_TX, a.txid) === 1, 'a announced to the other peer');
    assert.equal(has(invs(wpeer), MSG_WTX, a.wtxid), 0);
    const b = pay(coinbases[1]!, 2);
    tpeer.offerTx(b);
    await waitFor(() => t.node.mempool.has(hashToHex(b.txid)), 'b in the mempool');
    assert.equal(has(getdatas(tpeer), MSG_WITNESS_TX, b.txid), 1);
    await waitFor(() => has(invs(wpeer), MSG_WTX, b.wtxid) === 1, 'b announced by wtxid');
  } finally {
    await t.close();
    await wpeer.close();
    await tpeer.close();
  }
});

test('a rejected transaction is remembered and not fetched again; an orphan\'s parent is asked of its sender, and both go on to the other peer', async () => {
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const other = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port, other.port]);
  try {
    await waitFor(() => t.node.chain.height === HEIGHT && t.p2p.status().peers === 2, 'sync');
    // A dust output: rejected by policy ("dust").
    const bad = signSpend([coinbases[2]!], [
      { value: coinbases[2]!.value - 10_100n, scriptPubKey: outputScript('p2wpkh', 1) }, { value: 100n, scriptPubKey: outputScript('p2wpkh', 1) },
    ]);
    peer.offerTx(bad);
    await waitFor(() => t.p2p.relay.recentRejects.has(hashToHex(bad.wtxid)), 'the rejection');
    assert.equal((await t.node.testAccept([bad]) as { results: { reason?: string }[] }).results[0]!.reason, 'dust');
    peer.offerTx(bad);
    const good = pay(coinbases[3]!, 1);
    peer.offerTx(good);
    await waitFor(() => t.node.mempool.has(hashToHex(good.txid)), 'the next transaction');
    assert.equal(has(getdatas(peer), MSG_WTX, bad.wtxid), 1);
    // A child whose parent txgate has not seen: kept as an orphan, the parent fetched by txid.
    const parent = pay(coinbases[4]!, 3);
    const child = pay(out0(parent, 3), 4);
    peer.txs.set(hashToHex(parent.txid), parent);
    peer.offerTx(child);
    await waitFor(() => t.node.mempool.has(hashToHex(child.txid)), 'the child, after its parent');
    assert.ok(t.node.mempool.has(hashToHex(parent.txid)));
    assert.equal(has(getdatas(peer), MSG_WITNESS_TX, parent.txid), 1);
    // The child entered with its parent (from the orphan pool): announced too, after it.
    await waitFor(() => has(invs(other), MSG_WTX, child.wtxid) === 1, 'the child announced to the other peer');
    const order = invs(other).map((it) => hashToHex(it.hash));
    assert.ok(order.indexOf(hashToHex(parent.wtxid)) < order.indexOf(hashToHex(child.wtxid)));
    assert.ok(order.indexOf(hashToHex(parent.wtxid)) >= 0);
  } finally {
    await t.close();
    await peer.close();
    await other.close();
  }
});

test('a peer offering NODE_BLOOM is sent mempool at connect; others are not', async () => {
  const bloom = await FakePeer.start({ blocks: chain.blocks.slice(0, 2), services: 1n | 4n | 8n });
  const plain = await FakePeer.start({ blocks: chain.blocks.slice(0, 2) });
  const t = await startP2PNode([bloom.port, plain.port]);
  try {
    await waitFor(() => bloom.messages('mempool').length === 1, 'mempool to the bloom peer');
    await waitFor(() => t.p2p.status().peers === 2, 'both peers');
    assert.equal(plain.messages('mempool').length, 0);
  } finally {
    await t.close();
    await bloom.close();
    await plain.close();
  }
});

test('our own transactions are announced again until a block confirms them', async () => {
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const t = await startP2PNode([peer.port], { reannounceInterval: 150 });
  try {
    await waitFor(() => t.node.chain.height === HEIGHT && t.p2p.status().peers === 1, 'sync');
    const tx = pay(coinbases[5]!, 1);
    const r = await t.node.submitTx(tx);
    assert.ok(!r.busy && r.allowed);
    assert.equal(t.p2p.announceOwn([tx]), 1);
    await waitFor(() => has(invs(peer), MSG_WTX, tx.wtxid) >= 3, 're-announcements');
    // A block confirming it: no more announcements.
    chain.next({ txs: [tx], fees: 10_000n });
    peer.setChain(chain.blocks);
    peer.announce();
    await waitFor(() => !t.node.mempool.has(hashToHex(tx.txid)), 'the confirmation');
    await new Promise((r) => setTimeout(r, 200));
    const n = has(invs(peer), MSG_WTX, tx.wtxid);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(has(invs(peer), MSG_WTX, tx.wtxid), n);
    assert.equal(t.p2p.relay.pendingOwn, 0);
  } finally {
    await t.close();
    await peer.close();
  }
});

test('POST /tx, submitpackage, sendrawtransaction and Esplora POST /api/tx announce to every peer (the first two say how many); getdata serves them; POST /validate relays nothing', async () => {
  // This test's chain: its own blocks, so the earlier tests' spends do not matter.
  const c = new RegtestChainBuilder();
  const cbs: Spendable[] = [];
  for (let i = 0; i < 105; i++) cbs.push(c.next().coinbase);
  const wpeer = await FakePeer.start({ blocks: c.blocks });
  const tpeer = await FakePeer.start({ blocks: c.blocks, wtxidRelay: false });
  const srv = await startTestServer(['--connect', `127.0.0.1:${wpeer.port}`, '--connect', `127.0.0.1:${tpeer.port}`, '--workers', '0', '--rpcuser', 'u', '--rpcpassword', 'p']);
  try {
    await waitFor(async () => {
      const j = await (await fetch(`${srv.url}/info`)).json() as { tip: { height: number }; sync: { synced: boolean; peers: number } };
      return j.tip.height === 105 && j.sync.synced && j.sync.peers === 2;
    }, 'sync');
    const tx = pay(cbs[0]!, 1);
    const r = await postRaw<{ accepted: boolean; relayed: number }>(`${srv.url}/tx`, toHex(tx.raw), 'text/plain');
    assert.equal(r.status, 200);
    assert.equal(r.body.relayed, 2);
    await waitFor(() => has(invs(wpeer), MSG_WTX, tx.wtxid) === 1 && has(invs(tpeer), MSG_TX, tx.txid) === 1, 'the announcements');
    // Served on getdata: with witness by wtxid, without by MSG_TX.
    const got = (conn: FakeConn) => conn.received.filter((m): m is Extract<Message, { command: 'tx' }> => m.command === 'tx');
    wpeer.conns[0]!.send({ command: 'getdata', items: [{ type: MSG_WTX, hash: tx.wtxid }] });
    tpeer.conns[0]!.send({ command: 'getdata', items: [{ type: MSG_TX, hash: tx.txid }] });
    await waitFor(() => got(wpeer.conns[0]!).length === 1 && got(tpeer.conns[0]!).length === 1, 'the served transactions');
    assert.equal(toHex(got(wpeer.conns[0]!)[0]!.tx.raw), toHex(tx.raw));
    const stripped = got(tpeer.conns[0]!)[0]!.tx;
    assert.equal(hashToHex(stripped.txid), hashToHex(tx.txid));
    assert.equal(stripped.inputs[0]!.witness.length, 0);
    // /validate: a verdict, no announcement.
    const v = pay(cbs[1]!, 2);
    const vr = await postRaw<{ allowed: boolean }>(`${srv.url}/validate`, toHex(v.raw), 'text/plain');
    assert.equal(vr.body.allowed, true);
    // submitpackage: parent then child, in one inv.
    const parent = pay(cbs[2]!, 3);
    const child = pay(out0(parent, 3), 4);
    const rpc = await fetch(`${srv.url}/rpc`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('u:p')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'submitpackage', params: [[toHex(parent.raw), toHex(child.raw)]] }),
    });
    const pr = await rpc.json() as { result: { package_msg: string; relayed: number } };
    assert.equal(pr.result.package_msg, 'success');
    assert.equal(pr.result.relayed, 2);
    await waitFor(() => has(invs(wpeer), MSG_WTX, child.wtxid) === 1, 'the package announcement');
    const inv = wpeer.messages('inv').find((m) => m.items.some((it) => hashToHex(it.hash) === hashToHex(child.wtxid)))!;
    assert.deepEqual(inv.items.map((it) => hashToHex(it.hash)), [hashToHex(parent.wtxid), hashToHex(child.wtxid)]);
    // sendrawtransaction and Esplora POST /api/tx: announced the same way.
    const viaRpc = pay(cbs[3]!, 5);
    const viaEsplora = pay(cbs[4]!, 6);
    const sr = await fetch(`${srv.url}/rpc`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('u:p')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'sendrawtransaction', params: [toHex(viaRpc.raw)] }),
    });
    assert.equal((await sr.json() as { result: string }).result, hashToHex(viaRpc.txid));
    const er = await postRaw(`${srv.url}/api/tx`, toHex(viaEsplora.raw), 'text/plain');
    assert.equal(er.status, 200);
    await waitFor(() => has(invs(wpeer), MSG_WTX, viaRpc.wtxid) === 1 && has(invs(tpeer), MSG_TX, viaEsplora.txid) === 1, 'RPC and Esplora announcements');
    assert.equal(has(invs(wpeer), MSG_WTX, v.wtxid) + has(invs(tpeer), MSG_TX, v.txid), 0);
  } finally {
    await srv.close();
    await wpeer.close();
    await tpeer.close();
  }
});

test('sendrawtransaction of a transaction already in the mempool announces it again to the peers that lack it (BroadcastTransaction)', async () => {
  const c = new RegtestChainBuilder();
  const cbs: Spendable[] = [];
  for (let i = 0; i < 105; i++) cbs.push(c.next().coinbase);
  const peer = await FakePeer.start({ blocks: c.blocks });
  const srv = await startTestServer(['--connect', `127.0.0.1:${peer.port}`, '--workers', '0', '--rpcuser', 'u', '--rpcpassword', 'p']);
  const send = async (tx: Transaction) => {
    const r = await fetch(`${srv.url}/rpc`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('u:p')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendrawtransaction', params: [toHex(tx.raw)] }),
    });
    return (await r.json() as { result: string }).result;
  };
  try {
    await waitFor(async () => {
      const j = await (await fetch(`${srv.url}/info`)).json() as { tip: { height: number }; sync: { synced: boolean } };
      return j.tip.height === 105 && j.sync.synced;
    }, 'sync');
    // BIP133: the peer wants nothing below 1 BTC/kvB, so the first submission is not announced to it.
    peer.conns[0]!.send({ command: 'feefilter', feeRate: 100_000_000n });
    await new Promise((r) => setTimeout(r, 300));
    const tx = pay(cbs[0]!, 1);
    assert.equal(await send(tx), hashToHex(tx.txid));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(has(invs(peer), MSG_WTX, tx.wtxid), 0);
    peer.conns[0]!.send({ command: 'feefilter', feeRate: 0n });
    await new Promise((r) => setTimeout(r, 300));
    // The same transaction again: already in the mempool, the answer is its txid, and it is announced.
    assert.equal(await send(tx), hashToHex(tx.txid));
    await waitFor(() => has(invs(peer), MSG_WTX, tx.wtxid) === 1, 'the re-announcement');
  } finally {
    await srv.close();
    await peer.close();
  }
});
