/**
 * ConnectBlock / DisconnectBlock on real blocks against a coin store seeded with exactly
 * their spent outputs: exact fees, the resulting set equals the expected one, undo restores
 * the start, and a failing block leaves the set unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCoinStore } from '../../src/chain/coin-store.ts';
import { disconnectBlock } from '../../src/chain/disconnect.ts';
import { chainParams } from '../../src/chain/params.ts';
import { connectBlock } from '../../src/consensus/connect-block.ts';
import { coinKey } from '../../src/consensus/coins-cache.ts';
import { getBlockSubsidy } from '../../src/consensus/subsidy.ts';
import { hashToHex, hexToHash } from '../../src/primitives/bytes.ts';
import { decodeTx, encodeTx, isCoinBase, txidHex } from '../../src/primitives/tx.ts';
import { isUnspendable } from '../../src/script/script.ts';
import type { CoinAdd, CoinSpend } from '../../src/chain/coin-store.ts';
import type { Block } from '../../src/primitives/block.ts';
import { claimedFees, loadBcoin, loadBtcd277647, type RealBlock } from './vectors.ts';

function seed(b: RealBlock): MemoryCoinStore {
  const store = new MemoryCoinStore();
  const inBlock = new Set(b.block.txs.map((t) => hashToHex(t.txid)));
  const add: CoinAdd[] = [];
  let k = 0;
  for (const tx of b.block.txs) {
    if (isCoinBase(tx)) continue;
    for (const inp of tx.inputs) {
      const s = b.spent[k++]!;
      if (inBlock.has(hashToHex(inp.prevout.txid))) continue;
      add.push({ txid: inp.prevout.txid, vout: inp.prevout.vout, coin: { value: s.amount, scriptPubKey: s.scriptPubKey, height: s.height, coinbase: s.coinbase } });
    }
  }
  store.applyBatch({ add, spend: [] });
  return store;
}

/** The set after the block, computed directly: spend every prevout, add every spendable output not spent in the block. */
function expectedAfter(b: RealBlock, start: MemoryCoinStore): string[] {
  const exp = seed(b);
  assert.deepEqual(exp.snapshot(), start.snapshot());
  const spentKeys = new Set<string>();
  const spend: CoinSpend[] = [];
  for (const tx of b.block.txs) if (!isCoinBase(tx)) for (const i of tx.inputs) { spentKeys.add(coinKey(i.prevout.txid, i.prevout.vout)); spend.push(i.prevout); }
  const add: CoinAdd[] = [];
  for (const tx of b.block.txs) {
    tx.outputs.forEach((o, vout) => {
      if (isUnspendable(o.scriptPubKey) || spentKeys.has(coinKey(tx.txid, vout))) return;
      add.push({ txid: tx.txid, vout, coin: { value: o.value, scriptPubKey: o.scriptPubKey, height: b.height, coinbase: isCoinBase(tx) } });
    });
  }
  exp.applyBatch({ add, spend });
  return exp.snapshot();
}

function bip34(b: RealBlock) {
  const p = chainParams(b.network);
  return b.height > p.bip34Height ? { bip34AncestorHash: hexToHash(p.bip34Hash) } : {};
}

for (const load of [() => loadBtcd277647(), () => loadBcoin('block1087400', 'testnet3', 1087400)]) {
  const b = load();
  test(`${b.name}: connect gives exact fees and the expected set; disconnect restores the start`, async () => {
    const p = chainParams(b.network);
    const store = seed(b);
    const start = store.snapshot();
    const r = await connectBlock(b.block, store, p, { height: b.height, ...bip34(b) });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.fees, claimedFees(b, getBlockSubsidy(b.height, p)));
    assert.equal(r.inputs, b.inputs + 1);
    store.applyBatch(r.batch);
    assert.deepEqual(store.snapshot(), expectedAfter(b, seed(b)));
    // DisconnectBlock with the undo data puts back exactly the seeded set.
    const d = disconnectBlock(b.block, r.undo, b.height, store, p);
    assert.ok(d.ok);
    assert.equal(d.clean, true);
    store.applyBatch(d.batch);
    assert.deepEqual(store.snapshot(), start);
  });
}

test('btcd 277647 with one signature bit flipped: that input fails, the set is unchanged', async () => {
  const b = loadBtcd277647();
  const p = chainParams('mainnet');
  const store = seed(b);
  const start = store.snapshot();
  const ti = 100;
  const tx = b.block.txs[ti]!;
  const nIn = tx.inputs.length - 1;
  const inputs = tx.inputs.map((i, k) => {
    if (k !== nIn) return i;
    const s = i.scriptSig.slice();
    s[1 + 6]! ^= 1; // inside r of the DER signature
    return { ...i, scriptSig: s };
  });
  const bad = decodeTx(encodeTx({ ...tx, inputs }));
  const block: Block = { ...b.block, txs: b.block.txs.map((t, i) => (i === ti ? bad : t)) };
  const r = await connectBlock(block, store, p, { height: b.height, ...bip34(b) });
  assert.deepEqual(
    { ok: r.ok, reason: !r.ok && r.reason, txid: !r.ok && r.txid, input: !r.ok && r.input },
    { ok: false, reason: 'block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)', txid: txidHex(bad), input: nIn },
  );
  assert.deepEqual(store.snapshot(), start);
});
