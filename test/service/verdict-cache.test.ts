/**
 * The node's verdict cache: the same question (transaction, tip, mempool, options, supplied
 * coins) is answered again without revalidation; a new tip, a changed mempool or different
 * coins never reuse an answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxgateNode } from '../../src/node/node.ts';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';

test('verdicts are reused only for the same transaction, tip, options and coins', async () => {
  const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
  try {
    const b = new RegtestChainBuilder();
    const coins: Spendable[] = [];
    for (let i = 0; i < 102; i++) {
      const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
      coins.push(m.coinbase);
      assert.ok(!(await node.submitBlock(m.raw)).busy);
    }
    const c = coins[0]!;
    const tx = signSpend([c], [{ value: c.value - 10_000n, scriptPubKey: outputScript('p2tr', 2) }]);
    const ask = async (extra: object = {}) => {
      const r = await node.validate([{ tx, ...extra }]);
      assert.ok(!r.busy);
      return r.results[0]!;
    };
    const first = await ask();
    assert.equal(first.allowed, true);
    assert.equal(node.verdicts.hits, 0);
    assert.deepEqual(await ask(), first);
    assert.equal(node.verdicts.hits, 1);
    // Another option is another question.
    const capped = await ask({ maxFeeRate: 1 });
    assert.equal(capped.reason, 'max-fee-exceeded');
    assert.equal(node.verdicts.hits, 1);
    // Caller-supplied coins are part of the question.
    const lying = await ask({ prevouts: [{ scriptPubKey: outputScript('p2wpkh', 1), amount: c.value + 1n, height: 1, coinbase: true }] });
    assert.equal(lying.allowed, false);
    assert.equal(node.verdicts.hits, 1);
    // A new tip: validated again.
    assert.ok(!(await node.submitBlock(b.next().raw)).busy);
    assert.equal((await ask()).allowed, true);
    assert.equal(node.verdicts.hits, 1);
    // The mempool changed: validated again, and now the same transaction is in it.
    const admitted = await node.submitTx(tx);
    assert.ok(!admitted.busy && admitted.allowed);
    const inPool = await ask();
    assert.deepEqual([inPool.allowed, inPool.reason, inPool.kind], [false, 'txn-already-in-mempool', 'conflict']);
    assert.equal(node.verdicts.hits, 1);
    // A child of the unconfirmed transaction: cached while the mempool stays the same.
    const child = signSpend([{ txid: tx.txid, vout: 0, value: tx.outputs[0]!.value, kind: 'p2tr', key: 2 }], [{ value: tx.outputs[0]!.value - 5_000n, scriptPubKey: outputScript('p2wpkh', 3) }]);
    for (let i = 0; i < 2; i++) {
      const r = await node.validate([{ tx: child }]);
      assert.ok(!r.busy && r.results[0]!.allowed, JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    }
    assert.equal(node.verdicts.hits, 2);
    // Its parent leaves the mempool (confirmed in a block): the child is asked again, and the
    // parent's outputs are now confirmed coins.
    assert.ok(!(await node.submitBlock(b.next({ txs: [tx] }).raw)).busy);
    assert.equal(node.mempool.size, 0);
    const r = await node.validate([{ tx: child }]);
    assert.ok(!r.busy && r.results[0]!.allowed);
    assert.equal(node.verdicts.hits, 2);
  } finally {
    await node.close();
  }
});

test('the chain context of a verdict is the tip at the time it is asked (height lock, then the next block)', async () => {
  const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
  try {
    const b = new RegtestChainBuilder();
    const coins: Spendable[] = [];
    for (let i = 0; i < 102; i++) {
      const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
      coins.push(m.coinbase);
      assert.ok(!(await node.submitBlock(m.raw)).busy);
    }
    const c = coins[0]!;
    // Final only in a block above height 103 (nLockTime < height): not in the next block (103),
    // in the one after.
    const tx = signSpend([c], [{ value: c.value - 10_000n, scriptPubKey: outputScript('p2tr', 2) }], { locktime: 103, sequence: 0xfffffffe });
    const ask = async () => {
      const r = await node.validate([{ tx }]);
      assert.ok(!r.busy);
      return r.results[0]!;
    };
    assert.equal((await ask()).reason, 'non-final');
    assert.ok(!(await node.submitBlock(b.next().raw)).busy);
    assert.equal((await ask()).allowed, true);
  } finally {
    await node.close();
  }
});
