/**
 * POST /validate's path with a real worker: multi-input spends of confirmed coins of four
 * kinds, one input missing, and a mempool parent's output next to a confirmed coin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxgateNode } from '../../src/node/node.ts';
import { spawnValidator } from '../../src/runtime/spawn.ts';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';

test('multi-input spends validated through a worker', async () => {
  const node = await TxgateNode.start({ network: 'regtest', workers: 1, spawn: spawnValidator });
  try {
    const b = new RegtestChainBuilder();
    const coins: Spendable[] = [];
    const kinds = ['p2wpkh', 'p2pkh', 'p2tr', 'p2sh-p2wpkh'] as const;
    for (let i = 0; i < 112; i++) {
      const m = b.next({ payKind: kinds[i % kinds.length]!, payKey: 1 + (i % 3) });
      coins.push(m.coinbase);
      assert.ok(!(await node.submitBlock(m.raw)).busy);
    }
    const ask = async (tx: ReturnType<typeof signSpend>) => {
      const r = await node.validate([{ tx }]);
      assert.ok(!r.busy);
      return r.results[0]!;
    };
    // Four matured coinbases of four kinds in one transaction.
    const four = coins.slice(0, 4);
    const total = four.reduce((s, c) => s + c.value, 0n);
    const spend4 = signSpend(four, [{ value: total - 20_000n, scriptPubKey: outputScript('p2wpkh', 7) }]);
    const r4 = await ask(spend4);
    assert.equal(r4.allowed, true, JSON.stringify(r4, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    assert.equal(r4.fee, 20_000n);
    // One of three inputs does not exist.
    const ghost: Spendable = { ...coins[4]!, vout: 5 };
    const r3 = await ask(signSpend([coins[5]!, ghost, coins[6]!], [{ value: 1_000_000n, scriptPubKey: outputScript('p2wpkh', 7) }]));
    assert.equal(r3.allowed, false);
    assert.equal(r3.reason, 'bad-txns-inputs-missingorspent');
    // A mempool parent's output next to a confirmed coin.
    const parent = signSpend([coins[7]!], [{ value: coins[7]!.value - 10_000n, scriptPubKey: outputScript('p2tr', 2) }]);
    const admitted = await node.submitTx(parent);
    assert.ok(!admitted.busy && admitted.allowed, JSON.stringify(admitted, (_, v) => (typeof v === "bigint" ? String(v) : v)));
    const child = signSpend(
      [{ txid: parent.txid, vout: 0, value: parent.outputs[0]!.value, kind: 'p2tr', key: 2 }, coins[8]!],
      [{ value: parent.outputs[0]!.value + coins[8]!.value - 30_000n, scriptPubKey: outputScript('p2wpkh', 3) }],
    );
    const rc = await ask(child);
    assert.equal(rc.allowed, true, rc.reason ?? "");
  } finally {
    await node.close();
  }
});
