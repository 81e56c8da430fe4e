/**
 * UtxoSet.applyBatch is all or nothing (src/utxo/set.ts validateBatch): an inconsistent
 * or malformed batch throws before any change, so the set, its version, its index and
 * heap bookkeeping and every pinned reader stay exactly as they were, and the next valid
 * batch applies normally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UtxoSet, type CoinAdd, type OutPointRef, type UtxoBatch } from '../../src/utxo/set.ts';
import type { Coin } from '../../src/utxo/coin.ts';
import { sameCoin } from './model.ts';
import { Rng, makeAmount, makeScript } from './synthetic.ts';

const small = { indexSegments: 1, heapSegments: 1 };

function txid(n: number): Uint8Array {
  const t = new Uint8Array(32);
  new Rng(n * 7 + 1).bytes(t, 0, 32);
  return t;
}
function coin(n: number): Coin {
  const r = new Rng(n + 99);
  return { value: makeAmount(r), scriptPubKey: makeScript(r), height: n % 800_000, coinbase: n % 13 === 0 };
}
const OP_RETURN: Coin = { value: 0n, scriptPubKey: Uint8Array.from([0x6a, 1, 7]), height: 5, coinbase: false };

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Everything observable: version, size, bookkeeping and every coin with its content. */
function state(set: UtxoSet): string {
  const rows: string[] = [];
  for (const { txid: t, vout, coin: c } of set.coins()) {
    rows.push(`${hex(t)}:${vout} ${c.value} ${c.height} ${c.coinbase} ${hex(c.scriptPubKey)}`);
  }
  rows.sort();
  return JSON.stringify({ version: set.version, size: set.size, stats: set.stats(), used: set.usedBytes, rows });
}

function fresh(): UtxoSet {
  const set = UtxoSet.create(small);
  const add: CoinAdd[] = [];
  for (let i = 0; i < 300; i++) add.push({ txid: txid(i >> 2), vout: i & 3, coin: coin(i) });
  set.applyBatch({ add });
  set.applyBatch({ spend: [{ txid: txid(0), vout: 0 }] });
  return set;
}

const bad: [string, UtxoBatch, RegExp][] = [
  // the valid adds listed first would have been placed before the bad one was reached
  ['an add with a 31-byte txid after valid adds', { add: [{ txid: txid(900), vout: 0, coin: coin(1) }, { txid: new Uint8Array(31), vout: 0, coin: coin(2) }] }, /txid must be 32 bytes/],
  ['an add with a 33-byte txid, spent in the batch', { add: [{ txid: new Uint8Array(33), vout: 0, coin: coin(2) }], spend: [{ txid: new Uint8Array(33), vout: 0 }] }, /txid must be 32 bytes/],
  ['an add with vout -1', { add: [{ txid: txid(900), vout: 0, coin: coin(1) }, { txid: txid(901), vout: -1, coin: coin(2) }] }, /bad vout/],
  ['an add with vout 2^32', { add: [{ txid: txid(901), vout: 2 ** 32, coin: coin(2) }] }, /bad vout/],
  ['an add with vout 1.5', { add: [{ txid: txid(901), vout: 1.5, coin: coin(2) }] }, /bad vout/],
  ['an add with a negative height', { add: [{ txid: txid(901), vout: 0, coin: { ...coin(2), height: -1 } }] }, /bad height/],
  ['an add with a negative value', { add: [{ txid: txid(901), vout: 0, coin: { ...coin(2), value: -1n } }] }, /bad value/],
  ['an add with a value of 2^64', { add: [{ txid: txid(901), vout: 0, coin: { ...coin(2), value: 2n ** 64n } }] }, /bad value/],
  // valid adds and valid spends around the bad spend
  ['a spend of a missing coin after valid adds and spends', { add: [{ txid: txid(900), vout: 0, coin: coin(1) }], spend: [{ txid: txid(1), vout: 1 }, { txid: txid(0), vout: 0 }] }, /missing coin/],
  ['the same coin spent twice', { spend: [{ txid: txid(2), vout: 1 }, { txid: txid(3), vout: 0 }, { txid: txid(2), vout: 1 }] }, /spent twice/],
  // the first spend cancels the add, which spends the coin it replaced: the second spend
  // finds nothing left and must be reported as a double spend, before anything changes
  ['an existing coin re-added and spent twice', { add: [{ txid: txid(4), vout: 2, coin: coin(3) }], spend: [{ txid: txid(4), vout: 2 }, { txid: txid(4), vout: 2 }] }, /spent twice/],
  ['a new coin added and spent twice', { add: [{ txid: txid(901), vout: 0, coin: coin(3) }], spend: [{ txid: txid(901), vout: 0 }, { txid: txid(901), vout: 0 }] }, /spent twice/],
  ['a coin added twice and spent twice', { add: [{ txid: txid(5), vout: 1, coin: coin(3) }, { txid: txid(5), vout: 1, coin: coin(4) }], spend: [{ txid: txid(5), vout: 1 }, { txid: txid(5), vout: 1 }] }, /spent twice/],
  ['a spend of an unspendable add of a new outpoint', { add: [{ txid: txid(900), vout: 0, coin: coin(1) }, { txid: txid(901), vout: 0, coin: OP_RETURN }], spend: [{ txid: txid(901), vout: 0 }] }, /missing coin/],
  ['a spend with a short txid', { add: [{ txid: txid(900), vout: 0, coin: coin(1) }], spend: [{ txid: new Uint8Array(31), vout: 0 }] }, /missing coin/],
  ['a spend with vout -1', { spend: [{ txid: txid(6), vout: -1 }] }, /missing coin/],
];

for (const [name, batch, re] of bad) {
  test(`applyBatch rejects ${name} before changing anything`, () => {
    const set = fresh();
    const reader = set.reader();
    const pinned = reader.pin();
    const before = state(set);
    assert.throws(() => set.applyBatch(batch), re);
    assert.equal(state(set), before);
    assert.equal(reader.version, 2, 'nothing published');
    // nothing left in the group builder either: the next valid batch is exact
    const next: OutPointRef[] = [{ txid: txid(1), vout: 1 }];
    set.applyBatch({ add: [{ txid: txid(950), vout: 3, coin: coin(9) }], spend: next });
    assert.equal(set.version, 3);
    assert.equal(set.size, 299);
    assert.ok(sameCoin(set.getCoin(txid(950), 3), coin(9)));
    assert.equal(set.getCoin(txid(900), 0), undefined);
    assert.equal(set.getCoin(txid(1), 1), undefined);
    assert.ok(sameCoin(pinned.getCoin(txid(1), 1), coin(5)), 'the pinned reader still sees version 2');
    assert.equal(pinned.getCoin(txid(950), 3), undefined);
    pinned.release();
  });
}

test('applyBatch accepts the consistent overlaps: add then spend cancels, a replaced coin goes too', () => {
  const set = fresh();
  // a new outpoint added and spent: never visible
  set.applyBatch({ add: [{ txid: txid(901), vout: 0, coin: coin(3) }], spend: [{ txid: txid(901), vout: 0 }] });
  assert.equal(set.getCoin(txid(901), 0), undefined);
  assert.equal(set.size, 299);
  // an unspent coin re-added (replaced) and spent: gone
  set.applyBatch({ add: [{ txid: txid(4), vout: 2, coin: coin(3) }], spend: [{ txid: txid(4), vout: 2 }] });
  assert.equal(set.getCoin(txid(4), 2), undefined);
  assert.equal(set.size, 298);
  // an unspendable re-add leaves the old coin (AddCoin skips it), which the spend removes
  set.applyBatch({ add: [{ txid: txid(5), vout: 1, coin: OP_RETURN }], spend: [{ txid: txid(5), vout: 1 }] });
  assert.equal(set.getCoin(txid(5), 1), undefined);
  assert.equal(set.size, 297);
  // added twice, spent once: both adds are gone
  set.applyBatch({ add: [{ txid: txid(902), vout: 0, coin: coin(3) }, { txid: txid(902), vout: 0, coin: coin(4) }], spend: [{ txid: txid(902), vout: 0 }] });
  assert.equal(set.getCoin(txid(902), 0), undefined);
  assert.equal(set.size, 297);
  assert.equal([...set.coins()].length, 297);
});
