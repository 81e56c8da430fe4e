/**
 * The node's AcceptToMemoryPool path end to end (in-thread validation): admission, chains of
 * unconfirmed transactions, full RBF, orphans resolved by their parent, testmempoolaccept,
 * and block connection removing confirmed and conflicting transactions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxgateNode } from '../../src/node/node.ts';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import type { Transaction } from '../../src/primitives/tx.ts';

async function setup() {
  const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
  const b = new RegtestChainBuilder();
  const coins: Spendable[] = [];
  for (let i = 0; i < 103; i++) {
    const m = b.next({ payKind: 'p2wpkh', payKey: i % 5 });
    coins.push(m.coinbase);
    const r = await node.submitBlock(m.raw);
    assert.ok(!r.busy && r.accepted, JSON.stringify(r));
  }
  return { node, b, coins };
}

const out = (tx: Transaction, vout: number, kind: Spendable['kind'], key: number): Spendable =>
  ({ txid: tx.txid, vout, value: tx.outputs[vout]!.value, kind, key });

test('mempool admission, RBF, orphans, testmempoolaccept and block removal', async () => {
  const { node, b, coins } = await setup();
  const events: string[] = [];
  node.mempool.events.on((e) => events.push(`${e.type}:${'reason' in e ? e.reason : ''}`));
  try {
    const c0 = coins[0]!;
    const parent = signSpend([c0], [{ value: c0.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 1) }]);
    const child = signSpend([out(parent, 0, 'p2wpkh', 1)], [{ value: c0.value - 20_000n, scriptPubKey: outputScript('p2tr', 2) }]);

    // The child first: an orphan (missing inputs), kept until its parent arrives.
    const orphan = await node.submitTx(child);
    assert.ok(!orphan.busy && !orphan.allowed);
    assert.equal(orphan.allowed === false && orphan.reason, 'bad-txns-inputs-missingorspent');
    assert.equal(!orphan.busy && orphan.orphan, true, 'it says it was kept as an orphan');
    assert.deepEqual(node.orphans(), [{ txid: hashToHex(child.txid), wtxid: hashToHex(child.wtxid) }]);
    assert.equal(node.mempool.size, 0);

    // testmempoolaccept admits nothing.
    const t = await node.testAccept([parent]);
    assert.ok(!t.busy && t.results[0]!.allowed === true);
    assert.equal(node.mempool.size, 0);

    const p = await node.submitTx(parent);
    assert.ok(!p.busy && p.allowed, JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    // The orphan child came in with its parent, and left the orphan pool.
    assert.equal(node.mempool.size, 2);
    assert.deepEqual(node.orphans(), []);
    assert.ok(node.mempool.get(hashToHex(child.txid)));

    // Same transaction again: already in the mempool.
    const again = await node.testAccept([parent]);
    assert.ok(!again.busy && again.results[0]!.reason === 'txn-already-in-mempool');

    // A replacement of the parent paying too little: insufficient fee.
    const cheap = signSpend([c0], [{ value: c0.value - 10_500n, scriptPubKey: outputScript('p2wpkh', 3) }]);
    const r1 = await node.submitTx(cheap);
    assert.ok(!r1.busy && !r1.allowed && r1.reason === 'insufficient fee', JSON.stringify(r1, (_, v) => (typeof v === "bigint" ? String(v) : v)));
    // Paying enough for both it and the child it evicts: replaces them.
    const rich = signSpend([c0], [{ value: c0.value - 40_000n, scriptPubKey: outputScript('p2wpkh', 3) }]);
    const r2 = await node.submitTx(rich);
    assert.ok(!r2.busy && r2.allowed, JSON.stringify(r2, (_, v) => (typeof v === "bigint" ? String(v) : v)));
    assert.deepEqual(new Set(r2.allowed ? r2.replaced : []), new Set([hashToHex(parent.txid), hashToHex(child.txid)]));
    assert.equal(node.mempool.size, 1);
    assert.ok(events.includes('removed:replaced'));

    // A block confirming the replacement removes it (confirmed); a conflicting spend goes too.
    const c1 = coins[1]!;
    const other = signSpend([c1], [{ value: c1.value - 5_000n, scriptPubKey: outputScript('p2pkh', 4) }]);
    const o = await node.submitTx(other);
    assert.ok(!o.busy && o.allowed);
    const conflict = signSpend([c1], [{ value: c1.value - 6_000n, scriptPubKey: outputScript('p2pkh', 0) }]);
    const m = b.next({ txs: [rich, conflict], fees: 40_000n + 6_000n });
    const br = await node.submitBlock(m.raw);
    assert.ok(!br.busy && br.accepted, JSON.stringify(br));
    assert.equal(node.mempool.size, 0);
    assert.ok(events.includes('removed:confirmed'));
    assert.ok(events.includes('removed:conflict'));

    // gettxout: the confirmed output, with one confirmation.
    const txout = node.getTxOut(rich.txid, 0, true);
    assert.equal(txout?.confirmations, 1);
    assert.equal(node.chainInfo().blocks, 104);
  } finally {
    await node.close();
  }
});
