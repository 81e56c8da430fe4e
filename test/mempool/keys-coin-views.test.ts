/**
 * The mempool's keys and coin views: display-hex txids (uint256 byte order reversed), the
 * per-transaction keys cache, the outpoint → spender index (Core's mapNextTx), and the coin
 * views over the mempool: CCoinsViewMemPool (mempool outputs at MEMPOOL_HEIGHT, spent ones
 * still visible), gettxout's include_mempool view (spent outputs hidden) and the
 * caller-supplied coins of stateless validation.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { makeTx } from '../../src/primitives/tx.ts';
import { hash32Hex, outKey, SpenderIndex, txKeys } from '../../src/mempool/keys.ts';
import { MempoolCoinView, SpendableCoinView, SuppliedCoins } from '../../src/mempool/coin-view.ts';
import { admit } from '../../src/mempool/admit.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';
import { MEMPOOL_HEIGHT, type Coin } from '../../src/utxo/coin.ts';
import { cand, coinTxid, confirmedCoins, hex, newPool, tx } from './helpers.ts';

const fake = (name: string) => ({ txid: name }) as unknown as MempoolEntry;

describe('display-hex keys', () => {
  test('hash32Hex is hashToHex: bytes reversed, two lower-case digits each', () => {
    const h = new Uint8Array(32);
    for (let i = 0; i < 32; i++) h[i] = (i * 37 + 5) & 255;
    assert.equal(hash32Hex(h), hashToHex(h));
    h.fill(0);
    h[0] = 0x0a;
    h[31] = 0xff;
    assert.equal(hash32Hex(h), 'ff' + '00'.repeat(30) + '0a');
    assert.equal(outKey('ab'.repeat(32), 7), 'ab'.repeat(32) + ':7');
  });

  test('txKeys: txid, wtxid (distinct with a witness) and each prevout txid', () => {
    const p1 = coinTxid();
    const p2 = coinTxid();
    const t = tx({ ins: [[p1, 0], [p2, 1], [p1, 2]], witness: [new Uint8Array([1, 2, 3])] });
    const k = txKeys(t);
    assert.equal(k.txid, hashToHex(t.txid));
    assert.equal(k.wtxid, hashToHex(t.wtxid));
    assert.notEqual(k.wtxid, k.txid);
    assert.deepEqual(k.prev, [hashToHex(p1), hashToHex(p2), hashToHex(p1)]);
    const plain = tx({ ins: [[p2, 0]] });
    assert.equal(txKeys(plain).wtxid, txKeys(plain).txid);
    // Ten inputs from distinct parents, then one repeating the first: every key right.
    const many = Array.from({ length: 10 }, () => coinTxid());
    const wide = tx({ ins: [...many.map((p) => [p, 0] as [Uint8Array, number]), [many[0]!, 1]] });
    assert.deepEqual(txKeys(wide).prev, [...many, many[0]!].map(hashToHex));
  });

  test('the keys of the 512 most recently keyed transactions are kept; the 513th back is made again', () => {
    const txs = Array.from({ length: 513 }, () => tx({ ins: [[coinTxid(), 0]] }));
    const first = txs.map((t) => txKeys(t));
    // Each of the 512 most recent: the same object (asking again does not reorder them).
    for (let i = 512; i >= 1; i--) assert.equal(txKeys(txs[i]!), first[i], `tx ${i}`);
    // txs[0] left when the 513th came: equal keys, a new object.
    const again = txKeys(txs[0]!);
    assert.notEqual(again, first[0]);
    assert.deepEqual(again, first[0]);
    // Keyed again, it pushed out the oldest left, txs[1].
    assert.notEqual(txKeys(txs[1]!), first[1]);
    assert.equal(txKeys(txs[512]!), first[512]);
  });
});

describe('SpenderIndex (mapNextTx)', () => {
  const A = 'aa'.repeat(32);
  const B = 'bb'.repeat(32);

  test('several outputs of one transaction: set, get, overwrite, size, entries', () => {
    const idx = new SpenderIndex();
    const [e1, e2, e3, e4] = [fake('1'), fake('2'), fake('3'), fake('4')];
    idx.set(A, 0, e1);
    idx.set(A, 1, e2);
    idx.set(A, 2, e3);
    idx.set(B, 5, e4);
    assert.equal(idx.size, 4);
    assert.deepEqual([idx.get(A, 0), idx.get(A, 1), idx.get(A, 2), idx.get(A, 3), idx.get(B, 5), idx.get(B, 0)], [e1, e2, e3, undefined, e4, undefined]);
    // Overwrites, in the first slot and in the others: same size.
    idx.set(A, 0, e4);
    idx.set(A, 2, e1);
    assert.equal(idx.size, 4);
    assert.deepEqual([idx.get(A, 0), idx.get(A, 2)], [e4, e1]);
    assert.deepEqual([...idx.entries()].sort(), [[`${A}:0`, e4], [`${A}:1`, e2], [`${A}:2`, e1], [`${B}:5`, e4]].sort());
    idx.clear();
    assert.equal(idx.size, 0);
    assert.deepEqual([idx.get(A, 1), [...idx.entries()]], [undefined, []]);
  });

  test('deleteIf removes an outpoint only when the entry given spends it', () => {
    const idx = new SpenderIndex();
    const [e1, e2, other] = [fake('1'), fake('2'), fake('x')];
    idx.set(A, 0, e1);
    idx.set(A, 1, e2);
    idx.deleteIf(B, 0, e1); // unknown txid
    idx.deleteIf(A, 0, other); // another spender
    idx.deleteIf(A, 1, other);
    idx.deleteIf(A, 1, e1); // e1 spends A:0, not A:1
    idx.deleteIf(A, 0, e2);
    assert.equal(idx.size, 2);
    assert.deepEqual([idx.get(A, 0), idx.get(A, 1)], [e1, e2]);
    idx.deleteIf(A, 1, e2);
    assert.deepEqual([idx.size, idx.get(A, 0), idx.get(A, 1)], [1, e1, undefined]);
    idx.deleteIf(A, 0, e1);
    assert.deepEqual([idx.size, idx.get(A, 0), [...idx.entries()]], [0, undefined, []]);
    // The first slot freed while another output is still spent: reused.
    idx.set(A, 3, e1);
    idx.set(A, 4, e2);
    idx.deleteIf(A, 3, e1);
    assert.deepEqual([idx.size, [...idx.entries()]], [1, [[`${A}:4`, e2]]]);
    idx.set(A, 5, other);
    assert.deepEqual([idx.size, idx.get(A, 3), idx.get(A, 4), idx.get(A, 5)], [2, undefined, e2, other]);
    assert.deepEqual([...idx.entries()].sort(), [[`${A}:4`, e2], [`${A}:5`, other]].sort());
    // The outpoint of the freed first slot spent again: counted again.
    idx.deleteIf(A, 5, other);
    idx.set(A, 5, e1);
    assert.deepEqual([idx.size, idx.get(A, 5), idx.get(A, 4)], [2, e1, e2]);
    // A transaction with one spent output: another entry's deleteIf leaves it.
    idx.set(B, 2, e2);
    idx.deleteIf(B, 2, e1);
    idx.deleteIf(B, 3, e2);
    assert.deepEqual([idx.size, idx.get(B, 2)], [3, e2]);
  });
});

describe('coin views over the mempool', () => {
  const coinOf = (value: bigint, spk: Uint8Array): Coin => ({ value, scriptPubKey: spk, height: MEMPOOL_HEIGHT, coinbase: false });

  test('CCoinsViewMemPool: mempool outputs at MEMPOOL_HEIGHT, spent or not; package outputs on top; else the chain', () => {
    const { pool } = newPool();
    const chainCoin = coinTxid();
    const a = tx({ ins: [[chainCoin, 0]], outs: 2, outValues: [7000n, 8000n] });
    const b = tx({ ins: [[a, 0]] });
    for (const t of [a, b]) assert.ok(admit(pool, cand(t, 1000)).ok);
    const view = new MempoolCoinView(pool, confirmedCoins);
    assert.deepEqual(view.getCoin(a.txid, 0), coinOf(7000n, a.outputs[0]!.scriptPubKey)); // spent by b: still visible
    assert.deepEqual(view.getCoin(a.txid, 1), coinOf(8000n, a.outputs[1]!.scriptPubKey));
    assert.equal(view.getCoin(a.txid, 2), undefined);
    assert.equal(view.getCoin(chainCoin, 0)!.height, 1); // the chain's coin (spent only in the mempool)
    const pkgTx = tx({ ins: [[coinTxid(), 0]], outValues: [5000n] });
    assert.equal(view.getCoin(pkgTx.txid, 0), undefined);
    view.addPackageTx(pkgTx);
    assert.deepEqual(view.getCoin(pkgTx.txid, 0), coinOf(5000n, pkgTx.outputs[0]!.scriptPubKey));
  });

  test("gettxout's include_mempool view: chain plus mempool outputs, minus what the mempool spends", () => {
    const { pool } = newPool();
    const spentCoin = coinTxid();
    const freeCoin = coinTxid();
    const a = tx({ ins: [[spentCoin, 0]], outs: 2, outValues: [7000n, 8000n] });
    const b = tx({ ins: [[a, 0]] });
    for (const t of [a, b]) assert.ok(admit(pool, cand(t, 1000)).ok);
    const view = new SpendableCoinView(pool, confirmedCoins);
    assert.equal(view.getCoin(spentCoin, 0), undefined);
    assert.equal(view.getCoin(freeCoin, 0)!.value, 100_000n);
    assert.equal(view.getCoin(a.txid, 0), undefined);
    assert.deepEqual(view.getCoin(a.txid, 1), coinOf(8000n, a.outputs[1]!.scriptPubKey));
    assert.deepEqual(view.getCoin(b.txid, 0), coinOf(10_000n, b.outputs[0]!.scriptPubKey));
    assert.equal(view.getCoin(b.txid, 1), undefined);
    assert.equal(pool.spender(hex(a), 0)!.txid, hex(b));
  });

  test('supplied coins: exactly the inputs given a coin; extra coins beyond the inputs ignored', () => {
    const p = [coinTxid(), coinTxid()];
    const t = makeTx({
      version: 2, locktime: 0,
      inputs: p.map((txid, i) => ({ prevout: { txid, vout: i }, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] })),
      outputs: [{ value: 1n, scriptPubKey: new Uint8Array([0x51]) }],
    });
    const c0: Coin = { value: 1000n, scriptPubKey: new Uint8Array([0x51]), height: 5, coinbase: true };
    const extra: Coin = { value: 9n, scriptPubKey: new Uint8Array([0x52]), height: 6, coinbase: false };
    const view = new SuppliedCoins(t, [c0, undefined, extra]);
    assert.equal(view.getCoin(p[0]!, 0), c0);
    assert.equal(view.getCoin(p[0]!, 1), undefined);
    assert.equal(view.getCoin(p[1]!, 1), undefined);
  });
});
