/**
 * Loading a Core dumptxoutset file into the node (src/node/snapshot-load.ts,
 * TxgateNode.loadTxOutSet, JSON-RPC loadtxoutset, --load-snapshot). The snapshot is the UTXO
 * set of Core's CreateBlockChain(200) (test/util/core-chain.ts), whose base block and
 * hash_serialized_3 are Core's regtest assumeutxo entry at height 200: it loads without
 * --trust-snapshot; changed copies are refused (or, where Core's check is the assumeutxo
 * one, accepted with --trust-snapshot), and a refused load leaves the node as it was.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.ts';
import { mountMempool } from '../../src/api/mempool-routes.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { concatBytes, hashToHex, hexToHash } from '../../src/primitives/bytes.ts';
import { coreCreateBlockChain } from '../util/core-chain.ts';
import { encodeSnapshot, type SynthGroup } from '../utxo/synthetic.ts';
import { AUTH } from '../api/mempool-deps.ts';

const chain = coreCreateBlockChain(201);
const BASE = chain.hashes[199]!; // block 200: Core's regtest assumeutxo base
const coins200 = coreCreateBlockChain(200).groups;
const MAIN = Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9);

function file(groups: SynthGroup[], o: { base?: Uint8Array; magic?: Uint8Array; count?: number } = {}): Uint8Array {
  const n = o.count ?? groups.reduce((a, g) => a + g.coins.length, 0);
  return concatBytes(...encodeSnapshot(groups, n, o.magic ?? REGTEST.magic, o.base ?? BASE));
}

describe('loadtxoutset', () => {
  let dir: string;
  const path = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'txgate-snapshot-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("Core's height-200 snapshot loads without trust; the tip waits for the base's headers, which then attach; block 201 connects on top", async () => {
    const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
    try {
      const r = await node.loadTxOutSet(path('good.dat', file(coins200)));
      assert.deepEqual(r, { coins_loaded: 200, tip_hash: hashToHex(BASE), base_height: 200, path: join(dir, 'good.dat') });
      assert.deepEqual([node.tip().height, node.tip().hash], [200, hashToHex(BASE)]);
      assert.equal(node.coinCount(), 200);
      const g = coins200[7]!;
      assert.equal(node.getUtxo(g.txid, 0)?.value, g.coins[0]!.coin.value);
      // no header chain yet: no block connects, validation has no chain context
      const early = await node.submitBlock(chain.blocks[200]!);
      assert.equal(!early.busy && !early.accepted && early.reason, 'snapshot-base-headers-missing');
      assert.throws(() => node.chain.attachBaseHeaders(chain.blocks.slice(0, 199).map((b) => b.subarray(0, 80))), /199 headers given/);
      const bad = chain.blocks.slice(0, 200).map((b) => b.slice(0, 80));
      bad[50]![79]! ^= 1; // nonce changed: the chain no longer links (or fails PoW)
      assert.throws(() => node.chain.attachBaseHeaders(bad));
      assert.equal(node.chain.awaitingBase?.height, 200, 'a failed attach changes nothing');
      node.attachSnapshotHeaders(chain.blocks.slice(0, 200).map((b) => b.subarray(0, 80)));
      assert.equal(node.chain.awaitingBase, undefined);
      assert.equal(node.chain.tip.hashHex, hashToHex(BASE));
      const next = await node.submitBlock(chain.blocks[200]!);
      assert.ok(!next.busy && next.accepted && next.tip, JSON.stringify(next));
      assert.equal(node.coinCount(), 201);
    } finally {
      await node.close();
    }
  });

  test('a node that knows the base block switches to it at once; refusals leave the set, tip and coins untouched', async () => {
    const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
    try {
      for (const b of chain.blocks) assert.ok(((r) => !r.busy && r.accepted)(await node.submitBlock(b)));
      // at 201 the base has less work than the tip (ActivateSnapshot refuses it); back at 150 it has more
      await assert.rejects(node.loadTxOutSet(path('good.dat', file(coins200))), { message: /^work does not exceed active chainstate$/ });
      await node.chain.rewindTo(hashToHex(chain.hashes[149]!));
      const before = { set: node.coins.current, tip: node.tip().hash, size: node.coinCount() };
      const g = coreCreateBlockChain(150).groups[3]!;
      const untouched = () => {
        assert.equal(node.coins.current, before.set);
        assert.equal(node.tip().hash, before.tip);
        assert.equal(node.coinCount(), before.size);
        assert.equal(node.getUtxo(g.txid, 0)?.value, g.coins[0]!.coin.value);
      };
      const good = file(coins200);
      const refusals: [string, Uint8Array, RegExp][] = [
        ['mainnet magic', file(coins200, { magic: MAIN }), /^Unable to parse metadata: The network of the snapshot \(main\) does not match the network of this node \(regtest\)/],
        ['bad magic', Uint8Array.from(good, (x, i) => (i === 0 ? 0x55 : x)), /Invalid UTXO set snapshot magic bytes/],
        ['truncated', good.subarray(0, good.length - 20), /^Bad snapshot format or truncated snapshot after deserializing 199 coins/],
        ['count too high', file(coins200, { count: 201 }), /^Bad snapshot format or truncated snapshot after deserializing 200 coins/],
        ['count too low', file(coins200, { count: 199 }), /^Bad snapshot - coins left over after deserializing 199 coins/],
        ['another amount', file(coins200.map((x, i) => (i === 5 ? { txid: x.txid, coins: [{ vout: 0, coin: { ...x.coins[0]!.coin, value: 1n } }] } : x))),
          /^Bad snapshot content hash: expected 17dcc016d188d16068907cdeb38b75691a118d43053b8cd6a25969419381d13a, got [0-9a-f]{64}\.$/],
        ['not an assumeutxo base', file(coins200, { base: new Uint8Array(32).fill(0x77) }), /^assumeutxo block hash in snapshot metadata not recognized \(hash: [0-9a-f]{64}\)\. The following snapshot heights are available: 110, 200, 299\./],
        ['a coin above the base', file([...coins200, { txid: new Uint8Array(32).fill(0xff), coins: [{ vout: 0, coin: { value: 1n, scriptPubKey: Uint8Array.of(0x51), height: 201, coinbase: false } }] }]),
          /^Bad snapshot data after deserializing 200 coins/],
      ];
      for (const [name, bytes, re] of refusals) {
        await assert.rejects(node.loadTxOutSet(path(`${name}.dat`, bytes)), { message: re }, name);
        untouched();
      }
      await assert.rejects(node.loadTxOutSet(join(dir, 'missing.dat')), { message: /^Couldn't open file .*missing\.dat for reading\.$/ });
      untouched();
      // a valid snapshot at a base the node knows: the tip goes back to it, on its headers
      const r = await node.loadTxOutSet(path('good.dat', good));
      assert.equal(r.base_height, 200);
      assert.equal(node.chain.awaitingBase, undefined);
      assert.equal(node.chain.tip.hashHex, hashToHex(BASE));
      assert.notEqual(node.coins.current, before.set);
      assert.equal(node.coinCount(), 200);
    } finally {
      await node.close();
    }
  });

  test('--trust-snapshot: a changed set at an assumeutxo base and a base Core has no hash for are loaded', async () => {
    const node = await TxgateNode.start({ network: 'regtest', workers: 0, trustSnapshot: true });
    try {
      const changed = file(coins200.map((x, i) => (i === 5 ? { txid: x.txid, coins: [{ vout: 0, coin: { ...x.coins[0]!.coin, value: 1n } }] } : x)));
      assert.equal((await node.loadTxOutSet(path('changed.dat', changed))).base_height, 200);
      assert.equal(node.getUtxo(coins200[5]!.txid, 0)?.value, 1n);
      // block 201 is unknown to this node: its height is that of the highest coin (its coinbase)
      const r = await node.loadTxOutSet(path('201.dat', file(chain.groups, { base: chain.hashes[200]! })));
      assert.deepEqual([r.base_height, r.tip_hash, r.coins_loaded], [201, hashToHex(chain.hashes[200]!), 201]);
    } finally {
      await node.close();
    }
  });

  test('JSON-RPC loadtxoutset: a path relative to the data directory, Core result and error codes; the mempool must be empty; a restart keeps the loaded set', async () => {
    const datadir = join(dir, 'node');
    let node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir });
    writeFileSync(join(datadir, 'utxo200.dat'), file(coins200));
    const app = createApp(node);
    const mount = mountMempool(app, node, { rpcUser: 'alice', rpcPassword: 's3cret' });
    const rpc = async (method: string, params: unknown[]) => {
      const res = await app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method, params }) });
      return await res.json() as { result: any; error: { code: number; message: string } | null };
    };
    try {
      assert.deepEqual((await rpc('loadtxoutset', [join(dir, 'nope.dat')])).error?.code, -8);
      assert.deepEqual((await rpc('loadtxoutset', [path('main.dat', file(coins200, { magic: MAIN }))])).error?.code, -22);
      const bad = (await rpc('loadtxoutset', [path('201.dat', file(chain.groups, { base: chain.hashes[200]! }))])).error;
      assert.equal(bad?.code, -32603);
      assert.match(bad!.message, /^Unable to load UTXO snapshot: assumeutxo block hash in snapshot metadata not recognized .* \(.*201\.dat\)$/);
      const ok = await rpc('loadtxoutset', ['utxo200.dat']);
      assert.deepEqual(ok.result, { coins_loaded: 200, tip_hash: hashToHex(BASE), base_height: 200, path: join(datadir, 'utxo200.dat') });
      assert.equal((await rpc('getblockcount', [])).result, 0, 'getblockcount: the validated chain, genesis until the headers come');
    } finally {
      mount.close();
      await node.close();
    }
    // restart: the set and the awaited base come back from the data directory
    node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir });
    try {
      assert.deepEqual([node.tip().height, node.tip().hash, node.coinCount()], [200, hashToHex(BASE), 200]);
      assert.equal(node.chain.awaitingBase?.hashSerialized, '17dcc016d188d16068907cdeb38b75691a118d43053b8cd6a25969419381d13a');
      node.attachSnapshotHeaders(chain.blocks.slice(0, 200).map((b) => b.subarray(0, 80)));
    } finally {
      await node.close();
    }
    // the attached headers are saved: the next start is an ordinary one at the base
    node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir });
    try {
      assert.equal(node.chain.awaitingBase, undefined);
      assert.deepEqual([node.chain.height, node.chain.tip.hashHex, node.coinCount()], [200, hashToHex(BASE), 200]);
    } finally {
      await node.close();
    }
  });

  test('--load-snapshot at start (once: a data directory holding a chain keeps it); a load is refused while the mempool holds transactions', async () => {
    const p = path('start.dat', file(coins200));
    const datadir = join(dir, 'start-node');
    const lines: string[] = [];
    const first = await TxgateNode.start({ network: 'regtest', workers: 0, loadSnapshot: p, datadir });
    await first.close();
    const node = await TxgateNode.start({ network: 'regtest', workers: 0, loadSnapshot: p, datadir }, (l) => lines.push(l));
    try {
      assert.ok(lines.some((l) => l.startsWith('txgate: --load-snapshot ignored')), lines.join('\n'));
      assert.deepEqual([node.tip().height, node.coinCount()], [200, 200]);
      node.chain.attachBaseHeaders(chain.blocks.slice(0, 200).map((b) => b.subarray(0, 80)));
      // fill the mempool with one transaction spending a mature coinbase (P2WSH OP_TRUE)
      const g = coins200.find((x) => x.coins[0]!.coin.height === 1)!;
      const { decodeTx, encodeTx } = await import('../../src/primitives/tx.ts');
      const tx = decodeTx(encodeTx({
        version: 2, locktime: 0,
        inputs: [{ prevout: { txid: g.txid, vout: 0 }, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [Uint8Array.of(0x51)] }],
        outputs: [{ value: 4_999_990_000n, scriptPubKey: g.coins[0]!.coin.scriptPubKey }],
      }));
      const sent = await node.submitTx(tx);
      assert.ok(!sent.busy && sent.allowed, !sent.busy ? `${sent.reason}` : 'busy');
      await assert.rejects(node.loadTxOutSet(p), { message: /^Can't activate a snapshot when mempool not empty\.$/ });
      assert.equal(node.mempool.size, 1);
      assert.equal(hexToHash(node.tip().hash).length, 32);
    } finally {
      await node.close();
    }
  });
});
