/**
 * MemPoolAccept (validation.cpp): AcceptSingleTransaction's verdicts (PreChecks' duplicate
 * and missing-input answers, bypass_limits, test_accept, the replaced transactions, the
 * RPC-level maxfeerate), testmempoolaccept of several transactions
 * (AcceptMultipleTransactions with test_accept: each on its own, the first failure ends
 * the evaluation) and the stateless path over caller-supplied coins.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptWithSuppliedCoins, maxFeeExceeded, MemPoolAccept, mempoolFor, type ScriptChecker } from '../../src/mempool/accept.ts';
import { policyOptions } from '../../src/policy/constants.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import type { TxScriptResult } from '../../src/policy/script-failure.ts';
import { SINGLE_ACCEPT } from '../../src/mempool/types.ts';
import type { Coin, CoinView } from '../../src/utxo/coin.ts';
import { coinTxid, hex, tx } from './helpers.ts';

const OP_TRUE = new Uint8Array([0x51]);
const CHAIN = { height: 200, mtp: 1_700_000_000 };
const FAIL: TxScriptResult = { ok: false, error: 'EVAL_FALSE', input: 0 };

function setup(scripts: ScriptChecker = () => ({ ok: true })) {
  const policy = policyOptions({ requireStandard: false });
  const clock = { t: 1_700_000_000_000 };
  const mempool = mempoolFor(policy, { now: () => clock.t });
  const coins = new Map<string, Coin>();
  const view: CoinView = { getCoin: (txid, vout) => coins.get(hashToHex(txid) + ':' + vout) };
  /** A confirmed 100,000-sat coin at vout 0 of a fresh txid. */
  const fund = (): Uint8Array => {
    const id = coinTxid();
    coins.set(hashToHex(id) + ':0', { value: 100_000n, scriptPubKey: OP_TRUE, height: 1, coinbase: false });
    return id;
  };
  const accept = new MemPoolAccept({ mempool, coins: view, chain: () => CHAIN, policy, scripts });
  return { accept, mempool, coins, fund, clock, policy };
}

/** Spends [coin, 0] of 100,000 sats paying `fee`. */
const pay = (coin: Uint8Array | Transaction, fee: bigint, tag?: number, value = 100_000n) =>
  tx({ ins: [[coin, 0]], outValues: [value - fee], ...(tag === undefined ? {} : { tag }) });

describe('AcceptSingleTransaction', () => {
  test('allowed: fee, fee rate, entry time; a replacement names what it replaces; test_accept adds nothing', async () => {
    const { accept, mempool, fund, clock } = setup();
    assert.equal(accept.mempool, mempool);
    const coin = fund();
    const a = pay(coin, 1000n);
    const r = await accept.acceptSingle(a, { testOnly: false });
    assert.deepEqual(r, { txid: hex(a), wtxid: hex(a), allowed: true, vsize: a.vsize, weight: a.weight, fee: 1000n, feerate: 1000 / a.vsize });
    assert.equal(mempool.get(hex(a))!.time, clock.t / 1000);
    const b = pay(coin, 5000n, 1);
    const t = await accept.acceptSingle(b, { testOnly: true });
    assert.deepEqual([t.allowed, t.replaced, t.reason], [true, [hex(a)], undefined]);
    assert.ok(mempool.has(hex(a)) && !mempool.has(hex(b)));
    const entryTime = clock.t / 1000 - 3600; // a reload keeps the saved entry time
    const done = await accept.acceptSingle(b, { testOnly: false, entryTime });
    assert.deepEqual([done.allowed, done.replaced, done.reason], [true, [hex(a)], undefined]);
    assert.ok(!mempool.has(hex(a)));
    assert.equal(mempool.get(hex(b))!.time, entryTime);
  });

  test('already in the mempool: an admission succeeds changing nothing, test_accept says txn-already-in-mempool', async () => {
    const { accept, mempool, fund } = setup();
    const a = pay(fund(), 700n);
    assert.ok((await accept.acceptSingle(a, { testOnly: false })).allowed);
    const again = await accept.acceptSingle(a, { testOnly: false });
    assert.deepEqual(again, {
      txid: hex(a), wtxid: hex(a), allowed: true, vsize: a.vsize, weight: a.weight, fee: 700n, feerate: 700 / a.vsize, alreadyInMempool: true,
    });
    const t = await accept.acceptSingle(a, { testOnly: true });
    assert.deepEqual([t.allowed, t.reason, t.fee, t.feerate], [false, 'txn-already-in-mempool', null, null]);
    assert.equal(mempool.size, 1);
  });

  test('bypass_limits admits what the fee floors reject', async () => {
    const { accept, mempool, fund } = setup();
    const coin = fund();
    const free = pay(coin, 0n);
    const r = await accept.acceptSingle(free, { testOnly: false });
    assert.deepEqual([r.allowed, r.reason, r.fee, r.feerate], [false, 'min relay fee not met', 0n, 0]);
    assert.ok((await accept.acceptSingle(free, { testOnly: false, bypassLimits: true })).allowed);
    assert.ok(mempool.has(hex(free)));
    // bypass_limits keeps the other SingleAccept arguments: replacement allowed.
    const rival = pay(coin, 5000n, 3);
    const rr = await accept.acceptSingle(rival, { testOnly: false, bypassLimits: true });
    assert.deepEqual([rr.allowed, rr.replaced], [true, [hex(free)]]);
  });

  test('missing inputs: no fee, no fee rate, no details; txn-already-known when its own outputs are confirmed', async () => {
    const { accept, coins } = setup();
    const lost = tx({ ins: [[coinTxid(), 0]], outs: 2 });
    const r = await accept.acceptSingle(lost, { testOnly: true });
    assert.deepEqual([r.allowed, r.reason, r.kind, r.fee, r.feerate, 'details' in r], [false, 'bad-txns-inputs-missingorspent', 'missing-inputs', null, null, false]);
    // Output 1 of the transaction itself is a confirmed coin: it was mined (output 0 since spent).
    coins.set(hex(lost) + ':1', { value: 10_000n, scriptPubKey: OP_TRUE, height: 150, coinbase: false });
    const known = await accept.acceptSingle(lost, { testOnly: true });
    assert.deepEqual([known.reason, known.kind], ['txn-already-known', 'conflict']);
  });

  test('PreChecks without replacement allowed: a conflict is bip125-replacement-disallowed', async () => {
    const { accept, fund } = setup();
    const coin = fund();
    assert.ok((await accept.acceptSingle(pay(coin, 1000n), { testOnly: false })).allowed);
    const noRbf = { ...SINGLE_ACCEPT, allowReplacement: false };
    const rival = pay(coin, 9000n, 2);
    assert.deepEqual(accept.preChecks(rival, accept.view(), noRbf), { ok: false, kind: 'policy', reason: 'bip125-replacement-disallowed' });
    const other = pay(fund(), 1000n);
    const c = accept.preChecks(other, accept.view(), noRbf);
    assert.equal('ok' in c, false);
    assert.equal((c as { fee: bigint }).fee, 1000n);
  });

  test('keepSpent returns the spent outputs; script failures keep fee and size', async () => {
    const { accept, fund } = setup();
    const a = pay(fund(), 1000n);
    const r = await accept.acceptSingle(a, { testOnly: true, keepSpent: true });
    assert.deepEqual(r.spent, [{ value: 100_000n, scriptPubKey: OP_TRUE }]);
    assert.equal('spent' in (await accept.acceptSingle(a, { testOnly: true })), false);
    const bad = setup(() => FAIL);
    const b = pay(bad.fund(), 1000n);
    const f = await bad.accept.acceptSingle(b, { testOnly: false });
    assert.deepEqual([f.allowed, f.kind, f.fee, f.feerate, f.details?.startsWith('input 0 of ')], [false, 'consensus', 1000n, 1000 / b.vsize, true]);
    assert.match(f.reason!, /^mempool-script-verify-flag-failed \(Script evaluated without error/);
    assert.equal(bad.mempool.size, 0);
  });

  test('a rival committed while the scripts ran: the later admission is judged again and rejected', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { accept, mempool, fund } = setup(async () => {
      await gate;
      return { ok: true };
    });
    const coin = fund();
    const low = pay(coin, 1000n);
    const high = pay(coin, 20_000n, 4);
    const pending = [accept.acceptSingle(low, { testOnly: false }), accept.acceptSingle(high, { testOnly: false })];
    release();
    const [l, h] = await Promise.all(pending);
    assert.deepEqual([l!.allowed, h!.allowed, h!.replaced], [true, true, [hex(low)]]);
    assert.ok(mempool.has(hex(high)) && !mempool.has(hex(low)));

    // The other way round: the better one commits first, the worse one no longer pays enough.
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    const s = setup(async (t) => {
      if (hashToHex(t.txid) === hex(low2)) await gate2;
      return { ok: true };
    });
    const coin2 = s.fund();
    const low2 = pay(coin2, 1000n);
    const high2 = pay(coin2, 20_000n, 4);
    const p = s.accept.acceptSingle(low2, { testOnly: false });
    assert.ok((await s.accept.acceptSingle(high2, { testOnly: false })).allowed);
    release2();
    const late = await p;
    assert.deepEqual([late.allowed, late.reason, late.kind, late.fee, late.vsize], [false, 'insufficient fee', 'fee', 1000n, low2.vsize]);
    assert.match(late.details!, /^rejecting replacement/);
    assert.ok(s.mempool.has(hex(high2)) && !s.mempool.has(hex(low2)));
  });

  test('maxfeerate: the fee may equal the limit, one satoshi more is max-fee-exceeded; 0 or below means none', async () => {
    // 1,000 sat/kvB over 250 vbytes: 250 sats at most.
    assert.equal(maxFeeExceeded(250n, 250, 1000), undefined);
    assert.equal(maxFeeExceeded(251n, 250, 1000), '251 > 250');
    assert.equal(maxFeeExceeded(10n ** 9n, 250, 0), undefined);
    assert.equal(maxFeeExceeded(10n ** 9n, 250, -1), undefined);
    assert.equal(maxFeeExceeded(10n ** 9n, 250, undefined), undefined);
    const { accept, mempool, fund } = setup();
    const a = pay(fund(), 5000n);
    const maxFee = BigInt(Math.ceil((a.vsize * 10_000) / 1000));
    const r = await accept.acceptSingle(a, { testOnly: false, maxFeeRate: 10_000 });
    assert.deepEqual([r.allowed, r.reason, r.kind, r.details, r.fee], [false, 'max-fee-exceeded', 'fee', `5000 > ${maxFee}`, 5000n]);
    assert.equal(mempool.size, 0);
    assert.ok((await accept.acceptSingle(a, { testOnly: false, maxFeeRate: Math.ceil(5000 * 1000 / a.vsize) })).allowed);
  });
});

describe('testmempoolaccept of several transactions', () => {
  test('a parent and its child: each judged on its own, the child spending the package parent', async () => {
    const { accept, mempool, fund } = setup();
    const coin = fund();
    assert.ok((await accept.acceptSingle(pay(coin, 500n), { testOnly: false })).allowed);
    const parent = pay(coin, 3000n, 1); // replaces the 500-sat spend
    const child = pay(parent, 2000n, undefined, 97_000n);
    const out = await accept.testPackage([parent, child], {});
    assert.deepEqual(out.map((r) => [r?.allowed, r?.fee, r?.replaced]), [[true, 3000n, [hex(pay(coin, 500n))]], [true, 2000n, undefined]]);
    assert.equal(mempool.size, 1);
  });

  test('the first failure ends the evaluation: PreChecks, the mempool checks, the scripts, maxfeerate', async () => {
    const { accept, fund } = setup();
    const parent = pay(fund(), 1000n);
    const child = pay(parent, 2000n, undefined, 99_000n);
    const orphanFirst = await accept.testPackage([child, parent], {});
    assert.deepEqual(orphanFirst.map((r) => r?.reason), ['bad-txns-inputs-missingorspent', undefined]);
    assert.equal(orphanFirst[0]!.fee, null);
    const free = pay(fund(), 0n);
    const floor = await accept.testPackage([free, parent], {});
    assert.deepEqual(floor.map((r) => [r?.reason, r?.fee, r?.vsize]), [['min relay fee not met', 0n, free.vsize], [undefined, undefined, undefined]]);
    const cap = Math.floor((1500 * 1000) / child.vsize); // the child pays more, the parent less
    const rich = await accept.testPackage([parent, child], { maxFeeRate: cap });
    assert.deepEqual(rich.map((r) => [r?.allowed, r?.reason, r?.kind]), [[true, undefined, undefined], [false, 'max-fee-exceeded', 'fee']]);
    assert.equal(rich[1]!.details, `2000 > ${Math.ceil((child.vsize * cap) / 1000)}`);
    assert.deepEqual([rich[1]!.fee, rich[1]!.feerate], [2000n, 2000 / child.vsize]);
    const bad = setup((t) => (hashToHex(t.txid) === hex(parent) ? FAIL : { ok: true }));
    bad.coins.set(hashToHex(parent.inputs[0]!.prevout.txid) + ':0', { value: 100_000n, scriptPubKey: OP_TRUE, height: 1, coinbase: false });
    const s = await bad.accept.testPackage([parent, child, free], {});
    assert.deepEqual(s.map((r) => [r?.allowed, r?.kind]), [[false, 'consensus'], [undefined, undefined], [undefined, undefined]]);
    assert.deepEqual((await accept.testPackage([], {})), []);
  });
});

describe('stateless validation over supplied coins', () => {
  test('test_accept over the coins given, maxfeerate applied; the mempool must be empty and stays so', async () => {
    const policy = policyOptions({ requireStandard: false });
    const empty = mempoolFor(policy);
    const a = pay(coinTxid(), 4000n);
    const coin: Coin = { value: 100_000n, scriptPubKey: OP_TRUE, height: 1, coinbase: false };
    const d = { empty, policy, scripts: () => ({ ok: true as const }) };
    const r = await acceptWithSuppliedCoins(a, [coin], CHAIN, d);
    assert.deepEqual([r.allowed, r.fee], [true, 4000n]);
    assert.equal(empty.size, 0);
    assert.equal((await acceptWithSuppliedCoins(a, [undefined], CHAIN, d)).reason, 'bad-txns-inputs-missingorspent');
    const capped = await acceptWithSuppliedCoins(a, [coin], CHAIN, { ...d, maxFeeRate: 1000 });
    assert.equal(capped.reason, 'max-fee-exceeded');
    const full = setup();
    assert.ok((await full.accept.acceptSingle(pay(full.fund(), 1000n), { testOnly: false })).allowed);
    assert.throws(() => acceptWithSuppliedCoins(a, [coin], CHAIN, { ...d, empty: full.mempool }), /^Error: acceptWithSuppliedCoins needs an empty mempool$/);
  });
});
