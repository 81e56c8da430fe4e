/**
 * Starting from a UTXO snapshot, then following a peer (assumeutxo): a node loaded from
 * Core's regtest height-200 snapshot waits at the base for its header chain; headers-first
 * sync from a peer brings it, the base becomes the tip, and only the blocks above the base
 * are fetched and connected. No block at or below the base is ever asked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGTEST } from '../../src/chain/params.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { p2pNode } from '../../src/node/p2p-deps.ts';
import { P2PManager } from '../../src/p2p/manager.ts';
import { concatBytes, hashToHex } from '../../src/primitives/bytes.ts';
import { connectTcp } from '../../src/runtime/p2p-socket.ts';
import { coreCreateBlockChain } from '../util/core-chain.ts';
import { FakePeer, waitFor } from '../util/fake-peer.ts';
import { encodeSnapshot } from '../utxo/synthetic.ts';

test('a node loaded from a UTXO snapshot gets the base\'s headers from its peer and then only the blocks above the base', async () => {
  const chain = coreCreateBlockChain(210);
  const base = coreCreateBlockChain(200);
  const dir = mkdtempSync(join(tmpdir(), 'txgate-snapshot-sync-'));
  const file = join(dir, 'utxo-200.dat');
  const n = base.groups.reduce((a, g) => a + g.coins.length, 0);
  writeFileSync(file, concatBytes(...encodeSnapshot(base.groups, n, REGTEST.magic, base.hashes[199]!)));
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
  const log: string[] = [];
  const p2p = new P2PManager({
    node: p2pNode(node), params: node.params, connect: connectTcp, targets: [{ host: '127.0.0.1', port: peer.port }],
    log: (l) => log.push(l), reconnectDelay: 200, progressInterval: 1000, download: { stallTimeout: 5000 },
  });
  try {
    await node.loadTxOutSet(file);
    assert.equal(node.chain.awaitingBase?.height, 200, 'waiting at the base for its headers');
    p2p.start();
    await waitFor(() => node.chain.height === 210, 'the peer\'s tip', 60_000).catch((e) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; height ${node.chain.height}; log: ${log.join(' | ')}`);
    });
    assert.equal(node.chain.tip.hashHex, chain.tip);
    assert.equal(node.chain.awaitingBase, undefined);
    assert.equal(node.chain.atHeight(200)?.hashHex, hashToHex(base.hashes[199]!), 'the base is on the active chain');
    const asked = [...peer.blockRequests.keys()].sort();
    const above = chain.hashes.slice(200).map(hashToHex).sort();
    assert.deepEqual(asked, above, 'exactly the ten blocks above the base were fetched');
    assert.ok(log.some((l) => l.startsWith(`p2p: snapshot base ${hashToHex(base.hashes[199]!)} at height 200 has its headers`)), log.join('\n'));
    await waitFor(() => p2p.status().synced, 'synced');
  } finally {
    p2p.close();
    await node.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
