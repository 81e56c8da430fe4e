/**
 * The regtest builder: mined blocks pass every consensus check (PoW, BIP34 height, witness
 * commitment) and spends of every standard output type connect with full script checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainState } from '../../src/chain/chainstate.ts';
import { MemoryCoinStore } from '../../src/chain/coin-store.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { OUTPUT_KINDS, RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { COINBASE_MATURITY } from '../../src/consensus/constants.ts';
import { checkProofOfWork } from '../../src/consensus/pow-check.ts';

test('mined regtest blocks meet their bits and extend the chain', async () => {
  const chain = new ChainState(REGTEST, new MemoryCoinStore());
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 3; i++) {
    const { raw, block } = b.next();
    assert.ok(checkProofOfWork(block.header.hash, block.header.bits, REGTEST.powLimit));
    assert.deepEqual(await chain.submitBlock(raw), { ok: true, tip: chain.tip.hashHex });
  }
  assert.equal(chain.height, 3);
});

test('spends of every standard output type connect with full script checks', async () => {
  const store = new MemoryCoinStore();
  const chain = new ChainState(REGTEST, store);
  const b = new RegtestChainBuilder();
  const first = b.next();
  for (let i = 0; i < COINBASE_MATURITY; i++) assert.equal((await chain.submitBlock(i === 0 ? first.raw : b.next().raw)).ok, true);
  // first.raw was submitted in the loop's first round; the coinbase is now mature.
  await chain.submitBlock(b.next().raw);
  const fund = first.coinbase;
  const each = (fund.value - 10_000n) / BigInt(OUTPUT_KINDS.length);
  const fan = signSpend([fund], OUTPUT_KINDS.map((k, i) => ({ value: each, scriptPubKey: outputScript(k, i * 3) })));
  const fanFee = fund.value - each * BigInt(OUTPUT_KINDS.length);
  let r = await chain.submitBlock(b.next({ txs: [fan], fees: fanFee }).raw);
  assert.equal(r.ok, true, JSON.stringify(r));

  const coins: Spendable[] = OUTPUT_KINDS.map((kind, i) => ({ txid: fan.txid, vout: i, value: each, kind, key: i * 3 }));
  // One transaction per kind, then one spending all kinds at once.
  const singles = coins.map((c) => signSpend([c], [{ value: c.value - 1000n, scriptPubKey: outputScript(c.kind, 40) }]));
  r = await chain.submitBlock(b.next({ txs: singles, fees: 1000n * BigInt(singles.length) }).raw);
  assert.equal(r.ok, true, JSON.stringify(r));
  const again: Spendable[] = singles.map((t, i) => ({ txid: t.txid, vout: 0, value: each - 1000n, kind: OUTPUT_KINDS[i]!, key: 40 }));
  const all = signSpend(again, [{ value: (each - 1000n) * BigInt(again.length) - 5000n, scriptPubKey: outputScript('p2tr', 1) }]);
  r = await chain.submitBlock(b.next({ txs: [all], fees: 5000n }).raw);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(chain.height, COINBASE_MATURITY + 4);
  assert.ok(store.getCoin(all.txid, 0));
  for (const s of again) assert.equal(store.getCoin(s.txid, s.vout), undefined);
});

test('a coinbase spent before maturity: bad-txns-premature-spend-of-coinbase, set unchanged', async () => {
  const store = new MemoryCoinStore();
  const chain = new ChainState(REGTEST, store);
  const b = new RegtestChainBuilder();
  const first = b.next();
  await chain.submitBlock(first.raw);
  for (let i = 0; i < COINBASE_MATURITY - 2; i++) await chain.submitBlock(b.next().raw);
  // Next block is at height 100: depth 99 < 100.
  const spend = signSpend([first.coinbase], [{ value: first.coinbase.value - 1000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
  const before = store.snapshot();
  const r = await chain.submitBlock(b.fork().next({ txs: [spend], fees: 1000n }).raw);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'bad-txns-premature-spend-of-coinbase');
  assert.deepEqual(store.snapshot(), before);
  assert.equal(chain.height, COINBASE_MATURITY - 1);
  // One block later (depth 100) the same spend is fine.
  await chain.submitBlock(b.next().raw);
  const ok = await chain.submitBlock(b.next({ txs: [spend], fees: 1000n }).raw);
  assert.equal(ok.ok, true, JSON.stringify(ok));
});
