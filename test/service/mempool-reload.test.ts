/**
 * LoadMempool: the saved transactions go through the acceptance path again on start, as
 * Core's do — without maxfeerate (an RPC-level check, not part of AcceptToMemoryPool), with
 * their saved entry time and fee delta, and entered at the current tip's height.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxgateNode } from '../../src/node/node.ts';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';

test('a restart keeps what was admitted with maxfeerate=0, its entry time, and reports the tip height', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-reload-'));
  let now = 1_800_000_000_000;
  const clock = () => now;
  try {
    const b = new RegtestChainBuilder();
    const coins: Spendable[] = [];
    const node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir: dir, mempool: { now: clock } });
    for (let i = 0; i < 105; i++) {
      const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
      coins.push(m.coinbase);
      assert.ok(!(await node.submitBlock(m.raw)).busy);
    }
    // A fee of 10 BTC on ~110 vB: far above the default maxfeerate of 0.10 BTC/kvB.
    const c = coins[0]!;
    const greedy = signSpend([c], [{ value: c.value - 10n * 100_000_000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
    const capped = await node.submitTx(greedy);
    assert.ok(!capped.busy && !capped.allowed && capped.reason === 'max-fee-exceeded');
    const sent = await node.submitTx(greedy, { maxFeeRate: 0 });
    assert.ok(!sent.busy && sent.allowed, JSON.stringify(sent, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    const ordinary = signSpend([coins[1]!], [{ value: coins[1]!.value - 5_000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
    now += 60_000;
    assert.ok((await node.submitTx(ordinary)) .busy === false);
    const txids = [hashToHex(greedy.txid), hashToHex(ordinary.txid)];
    const times = txids.map((t) => node.mempool.get(t)!.time);
    assert.deepEqual(times, [1_800_000_000, 1_800_000_060]);
    assert.deepEqual(txids.map((t) => node.mempool.get(t)!.height), [105, 105]);
    await node.close();

    // An hour later, on restart.
    now += 3_600_000;
    const again = await TxgateNode.start({ network: 'regtest', workers: 0, datadir: dir, mempool: { now: clock } });
    try {
      assert.equal(again.chain.height, 105);
      assert.equal(again.mempool.size, 2);
      for (let i = 0; i < 2; i++) {
        const e = again.mempool.get(txids[i]!);
        assert.ok(e, `${txids[i]} reloaded`);
        assert.equal(e.time, times[i], 'the saved entry time');
        assert.equal(e.height, 105, 'the tip it entered at');
      }
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('overlapping saves (the minute timer, the save after blocks, shutdown) write mempool.dat one at a time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-saves-'));
  try {
    const b = new RegtestChainBuilder();
    const node = await TxgateNode.start({ network: 'regtest', workers: 0, datadir: dir });
    const coins: Spendable[] = [];
    for (let i = 0; i < 102; i++) {
      const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
      coins.push(m.coinbase);
      assert.ok(!(await node.submitBlock(m.raw)).busy);
    }
    const tx = signSpend([coins[0]!], [{ value: coins[0]!.value - 5_000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
    assert.ok((await node.submitTx(tx)).busy === false);
    // Eight saves at once: each shares mempool.dat.tmp, so an overlap fails a rename (ENOENT).
    const saves = await Promise.allSettled(Array.from({ length: 8 }, () => node.saveNow()));
    await node.close();
    assert.deepEqual(saves.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok')), Array(8).fill('ok'));
    const again = await TxgateNode.start({ network: 'regtest', workers: 0, datadir: dir });
    try {
      assert.ok(again.mempool.get(hashToHex(tx.txid)), 'the saved transaction is back');
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
