/**
 * hash_serialized_3 of a snapshot computed on a worker while the loading thread parses and
 * inserts (src/node/snapshot-hash-worker.ts, workers/snapshot-hash.ts): the worker's hash
 * is the one computed on the loading thread, over files of several chunks; and at an
 * assumeutxo base a changed coin still makes the load fail, leaving the node's set as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAINNET, REGTEST } from '../../src/chain/params.ts';
import { loadSnapshotFile } from '../../src/node/snapshot-load.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { concatBytes, hashToHex } from '../../src/primitives/bytes.ts';
import { coreCreateBlockChain } from '../util/core-chain.ts';
import { encodeSnapshot, synthGroups, type SynthGroup } from '../utxo/synthetic.ts';

function file(groups: SynthGroup[], magic: Uint8Array, base: Uint8Array): Uint8Array {
  return concatBytes(...encodeSnapshot(groups, groups.reduce((a, g) => a + g.coins.length, 0), magic, base));
}

test('the hash computed on the worker equals the one computed while loading, over a file of several chunks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-hash-worker-'));
  try {
    const groups = [...synthGroups(70_000, 5)];
    const bytes = file(groups, MAINNET.magic, new Uint8Array(32).fill(0x42));
    assert.ok(bytes.length > 3 * 2 ** 20, `${bytes.length} bytes: more than three 1 MiB chunks`);
    const path = join(dir, 'snap.dat');
    writeFileSync(path, bytes);
    const load = (hashWorker: boolean) => loadSnapshotFile(path, { params: MAINNET, trust: true, hashWorker });
    const onWorker = await load(true);
    const inThread = await load(false);
    assert.equal(onWorker.base.coins, 70_000);
    assert.equal(onWorker.set.size, 70_000);
    assert.match(onWorker.base.hashSerialized, /^[0-9a-f]{64}$/);
    assert.equal(onWorker.base.hashSerialized, inThread.base.hashSerialized);
    // one changed byte in the last coin's script changes the worker's hash
    const changed = bytes.slice();
    changed[changed.length - 1]! ^= 1;
    writeFileSync(path, changed);
    assert.notEqual((await load(true)).base.hashSerialized, inThread.base.hashSerialized);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hash on the worker: a changed coin at an assumeutxo base is refused and the set stays; the unchanged file loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-hash-worker-'));
  const base = coreCreateBlockChain(201).hashes[199]!; // block 200: Core's regtest assumeutxo base
  const coins200 = coreCreateBlockChain(200).groups;
  const node = await TxgateNode.start({ network: 'regtest', workers: 0, snapshotHashWorker: true });
  try {
    const before = { set: node.coins.current, tip: node.tip().hash, size: node.coinCount() };
    const changed = coins200.map((x, i) => (i === 5 ? { txid: x.txid, coins: [{ vout: 0, coin: { ...x.coins[0]!.coin, value: x.coins[0]!.coin.value - 1n } }] } : x));
    writeFileSync(join(dir, 'changed.dat'), file(changed, REGTEST.magic, base));
    await assert.rejects(node.loadTxOutSet(join(dir, 'changed.dat')),
      { message: /^Bad snapshot content hash: expected 17dcc016d188d16068907cdeb38b75691a118d43053b8cd6a25969419381d13a, got [0-9a-f]{64}\.$/ });
    assert.equal(node.coins.current, before.set);
    assert.equal(node.tip().hash, before.tip);
    assert.equal(node.coinCount(), before.size);
    writeFileSync(join(dir, 'good.dat'), file(coins200, REGTEST.magic, base));
    const r = await node.loadTxOutSet(join(dir, 'good.dat'));
    assert.deepEqual([r.base_height, r.tip_hash, r.coins_loaded], [200, hashToHex(base), 200]);
    assert.notEqual(node.coins.current, before.set);
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
