/**
 * MemPoolAccept's finalize after asynchronous script checks: a block that spends an input
 * while the scripts run makes the admission fail (the coin is gone), instead of a mempool
 * transaction spending a confirmed-spent coin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemPoolAccept, mempoolFor } from '../../src/mempool/accept.ts';
import { policyOptions } from '../../src/policy/constants.ts';
import type { Coin, CoinView } from '../../src/utxo/coin.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { admit, commit, prepare } from '../../src/mempool/admit.ts';
import type { MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';

test('an input spent by a block while the scripts run: rejected, nothing admitted', async () => {
  const policy = policyOptions({ requireStandard: false });
  const mempool = mempoolFor(policy);
  const prev = coinTxid();
  const coins = new Map<string, Coin>([[hashToHex(prev) + ':0', { value: 100_000n, scriptPubKey: new Uint8Array([0x51]), height: 1, coinbase: false }]]);
  const view: CoinView = { getCoin: (txid, vout) => coins.get(hashToHex(txid) + ':' + vout) };
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const accept = new MemPoolAccept({
    mempool, coins: view, chain: () => ({ height: 200, mtp: 1_700_000_000 }), policy,
    scripts: async () => {
      await gate;
      return { ok: true };
    },
  });
  const t = tx({ ins: [[prev, 0]] });
  const pending = accept.acceptSingle(t, { testOnly: false });
  await new Promise((r) => setTimeout(r, 0));
  coins.clear(); // a block spent the coin
  release();
  const r = await pending;
  assert.deepEqual([r.allowed, r.reason], [false, 'bad-txns-inputs-missingorspent']);
  assert.equal(mempool.size, 0);

  // Without the interruption the same transaction enters.
  coins.set(hashToHex(prev) + ':0', { value: 100_000n, scriptPubKey: new Uint8Array([0x51]), height: 1, coinbase: false });
  const ok = await accept.acceptSingle(t, { testOnly: false });
  assert.equal(ok.allowed, true, String(ok.reason));
  assert.equal(mempool.size, 1);
});

test('the same transaction submitted twice at once: both succeed, one entry', async () => {
  const policy = policyOptions({ requireStandard: false });
  const mempool = mempoolFor(policy);
  const prev = coinTxid();
  const coin: Coin = { value: 100_000n, scriptPubKey: new Uint8Array([0x51]), height: 1, coinbase: false };
  const view: CoinView = { getCoin: (txid, vout) => (hashToHex(txid) === hashToHex(prev) && vout === 0 ? coin : undefined) };
  const accept = new MemPoolAccept({
    mempool, coins: view, chain: () => ({ height: 200, mtp: 1_700_000_000 }), policy,
    scripts: async () => {
      await new Promise((r) => setTimeout(r, 1));
      return { ok: true };
    },
  });
  const t = tx({ ins: [[prev, 0]] });
  const [a, b] = await Promise.all([accept.acceptSingle(t, { testOnly: false }), accept.acceptSingle(t, { testOnly: false })]);
  assert.deepEqual([a.allowed, b.allowed], [true, true]);
  assert.equal([a, b].filter((r) => r.alreadyInMempool).length, 1);
  assert.equal(mempool.size, 1);
});

test('commit of a plan made before the mempool moved: prepared again, and rejected if it no longer holds', () => {
  const { pool } = newPool();
  const coin = coinTxid();
  const late = tx({ ins: [[coin, 0]] });
  const plan = prepare(pool, cand(late, 1000, 200));
  assert.ok(plan.ok);
  const rival = tx({ ins: [[coin, 0]], tag: 5 });
  assert.ok(admit(pool, cand(rival, 5000, 200)).ok);
  const r = commit(pool, plan);
  assert.equal(r.ok, false);
  assert.equal((r as MempoolReject).reason, 'insufficient fee');
  assert.ok(pool.has(hex(rival)) && !pool.has(hex(late)));
  // Moved but still valid: committed against the new state.
  const other = tx({ ins: [[coinTxid(), 0]] });
  const plan2 = prepare(pool, cand(other, 1000));
  assert.ok(plan2.ok);
  assert.ok(admit(pool, cand(tx({ ins: [[coinTxid(), 0]] }), 1000)).ok);
  assert.ok(commit(pool, plan2).ok);
  assert.equal(pool.size, 3);
});
