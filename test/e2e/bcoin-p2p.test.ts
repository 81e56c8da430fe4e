/**
 * bcoin 1.0.2's P2P side, spoken to over a raw TCP socket (test/util/raw-p2p.ts): what the
 * interoperability suite can count on when txgate connects to it.
 *
 *  - Magic fa bf b5 da (Core's regtest bytes); default port 48444 (Core: 18444; the harness
 *    picks a free one).
 *  - `version`: protocol 70015, services 9 (NODE_NETWORK | NODE_WITNESS; no BLOOM, no
 *    NETWORK_LIMITED, no P2P_V2), user agent `/bcoin:v1.0.2/`, relay 1. An inbound bcoin sends
 *    its `version` only after the peer's. An outbound bcoin refuses a peer whose services lack
 *    NODE_NETWORK or NODE_WITNESS.
 *  - After `verack` it sends `sendcmpct` (low-bandwidth, version 2) and `getaddr`, and nothing
 *    else: no `sendheaders`, no `feefilter`, no `wtxidrelay` or `sendaddrv2` (BIP339 and BIP155
 *    are unknown to it: received before `verack`, each is logged as an unknown packet and the
 *    handshake goes on).
 *  - It honours `sendheaders` (announces new blocks as `headers`, else `inv` MSG_BLOCK).
 *  - Transactions: announced as `inv` MSG_TX by txid, batched every 5 s; fetched with `getdata` MSG_WITNESS_TX. A
 *    `tx` it did not request gets the peer disconnected (Core takes unsolicited transactions).
 *    A refused transaction is answered with a BIP61 `reject` (Core dropped BIP61 in 0.20).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter } from '../../src/primitives/codec.ts';
import { hashToHex, hexToHash } from '../../src/primitives/bytes.ts';
import { hash256 } from '../../src/primitives/hash.ts';
import { BCOIN_REGTEST, BCOIN_SKIP, startBcoin, type BcoinNode } from '../util/bcoin-node.ts';
import { decodeVersion, encodeVersion, RawPeer } from '../util/raw-p2p.ts';
import { outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';

// Every assert.ok carries a message (see bcoin-harness.test.ts).
const skip = BCOIN_SKIP;
const MSG_TX = 1;
const MSG_BLOCK = 2;
const MSG_WITNESS_TX = 0x40000001;
const NODE_NETWORK_WITNESS = 9n;

function encodeInv(items: [number, Uint8Array][]): Uint8Array {
  const w = new ByteWriter().compactSize(items.length);
  for (const [type, hash] of items) w.u32(type).bytes(hash);
  return w.finish();
}
function decodeInv(payload: Uint8Array): [number, string][] {
  const r = new ByteReader(payload);
  return Array.from({ length: r.compactSize() }, () => [r.u32(), hashToHex(r.bytes(32))] as [number, string]);
}
/** Block hashes of a `headers` message. */
function decodeHeaders(payload: Uint8Array): string[] {
  const r = new ByteReader(payload);
  return Array.from({ length: r.compactSize() }, () => {
    const h = hashToHex(hash256(r.bytes(80)));
    assert.equal(r.compactSize(), 0, 'no transactions in headers');
    return h;
  });
}

/** A completed handshake; `extra` messages go between our `version` and our `verack`. */
async function handshake(node: BcoinNode, extra: string[] = []): Promise<{ peer: RawPeer; theirs: ReturnType<typeof decodeVersion> }> {
  const peer = await RawPeer.open(node.p2pPort);
  peer.send('version', encodeVersion({ version: 70016, services: NODE_NETWORK_WITNESS, timestamp: BigInt(Math.floor(Date.now() / 1000)), nonce: 0x5eed_0000_0001n, userAgent: '/txgate-probe/', startHeight: 0, relay: true }, node.p2pPort));
  for (const cmd of extra) peer.send(cmd);
  const theirs = decodeVersion((await peer.next('version')).payload);
  await peer.next('verack');
  peer.send('verack');
  return { peer, theirs };
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!await cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bcoin P2P, from a raw socket', () => {
  let node: BcoinNode;
  let hashes: string[] = [];
  let next = 1;
  const spendable = (): Promise<Spendable> => node.coinbase(hashes[next++ - 1]!);
  const peers: RawPeer[] = [];
  const connect = async (extra: string[] = []) => {
    const h = await handshake(node, extra);
    peers.push(h.peer);
    return h;
  };

  before(async () => {
    if (skip) return;
    node = await startBcoin();
    hashes = await node.mine(BCOIN_REGTEST.segwitHeight);
  });
  after(async () => {
    for (const p of peers) await p.close();
    if (node) await node.stop();
  });

  test('the handshake: what bcoin announces and sends; BIP339/BIP155 messages before verack are ignored', { skip, timeout: 30_000 }, async () => {
    const { peer, theirs } = await connect(['wtxidrelay', 'sendaddrv2']);
    assert.deepEqual({ ...theirs, timestamp: 0n, nonce: 0n }, {
      version: 70015, services: NODE_NETWORK_WITNESS, timestamp: 0n, nonce: 0n,
      userAgent: '/bcoin:v1.0.2/', startHeight: BCOIN_REGTEST.segwitHeight, relay: true,
    });
    const cmpct = new ByteReader((await peer.next('sendcmpct')).payload);
    assert.deepEqual([cmpct.u8(), cmpct.u64()], [0, 2n]);
    await peer.next('getaddr');
    // The ping answers only after everything bcoin sent on verack.
    peer.send('ping', new ByteWriter().i64(0x0123_4567_89ab_cdefn).finish());
    assert.equal(new ByteReader((await peer.next('pong')).payload).u64(), 0x0123_4567_89ab_cdefn);
    assert.deepEqual(peer.commands(), ['version', 'verack', 'sendcmpct', 'getaddr', 'pong']);
    assert.equal(peer.closed, false, 'still connected');
    assert.match(node.output(), /Unknown packet: wtxidrelay/);
  });

  test('getheaders from genesis returns the whole chain; new blocks come as inv, then as headers after sendheaders', { skip, timeout: 30_000 }, async () => {
    const { peer } = await connect();
    const genesis = hexToHash(await node.rpc<string>('getblockhash', 0));
    peer.send('getheaders', new ByteWriter().u32(70015).compactSize(1).bytes(genesis).bytes(new Uint8Array(32)).finish());
    assert.deepEqual(decodeHeaders((await peer.next('headers')).payload), hashes);
    const [a] = await node.mine(1);
    assert.deepEqual(decodeInv((await peer.next('inv')).payload), [[MSG_BLOCK, a]]);
    peer.send('sendheaders');
    const [b] = await node.mine(1);
    assert.deepEqual(decodeHeaders((await peer.next('headers')).payload), [b]);
    hashes.push(a!, b!);
  });

  test('a transaction into bcoin: inv by txid, getdata MSG_WITNESS_TX, then in its mempool; an unrequested tx drops the peer', { skip, timeout: 30_000 }, async () => {
    const coin = await spendable();
    const tx = signSpend([coin], [{ value: coin.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 1) }]);
    const rude = (await connect()).peer;
    rude.send('tx', tx.raw);
    await waitFor('the disconnect', async () => rude.closed);
    assert.deepEqual(await node.mempool(), []);

    const { peer } = await connect();
    peer.send('inv', encodeInv([[MSG_TX, tx.txid]]));
    assert.deepEqual(decodeInv((await peer.next('getdata')).payload), [[MSG_WITNESS_TX, hashToHex(tx.txid)]]);
    peer.send('tx', tx.raw);
    await waitFor('the mempool', async () => (await node.mempool()).includes(hashToHex(tx.txid)));
  });

  test('a transaction bcoin refuses is answered with a BIP61 reject', { skip, timeout: 30_000 }, async () => {
    const coin = await spendable();
    const dust = signSpend([coin], [{ value: 100n, scriptPubKey: outputScript('p2wpkh', 1) }, { value: coin.value - 20_000n, scriptPubKey: outputScript('p2wpkh', 1) }]);
    const { peer } = await connect();
    peer.send('inv', encodeInv([[MSG_TX, dust.txid]]));
    await peer.next('getdata');
    peer.send('tx', dust.raw);
    const r = new ByteReader((await peer.next('reject')).payload);
    const text = () => new TextDecoder().decode(r.varBytes());
    assert.deepEqual([text(), r.u8(), text(), hashToHex(r.bytes(32))], ['tx', 0x40, 'dust', hashToHex(dust.txid)]);
    assert.equal(peer.closed, false, 'a policy reject keeps the peer');
  });

  test('a transaction out of bcoin: inv MSG_TX by txid; getdata MSG_WITNESS_TX returns it with its witness', { skip, timeout: 30_000 }, async () => {
    const { peer } = await connect();
    const coin = await spendable();
    const tx = signSpend([coin], [{ value: coin.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
    await node.sendTx(tx.raw);
    assert.deepEqual(decodeInv((await peer.next('inv')).payload), [[MSG_TX, hashToHex(tx.txid)]]);
    peer.send('getdata', encodeInv([[MSG_WITNESS_TX, tx.txid]]));
    assert.deepEqual((await peer.next('tx')).payload, tx.raw);
  });
});
