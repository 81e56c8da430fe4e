// MemPoolAccept with testOnly over caller-supplied coins and an empty mempool (stateless
// validation): PreChecks, the fee floors, PolicyScriptChecks and testmempoolaccept's
// maxfeerate (Core v30 validation.cpp, rpc/mempool.cpp) for one transaction: each reject
// reason, in Core's order, with real signatures and real script verification.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex } from '../../src/primitives/bytes.ts';
import type { Transaction, TxFields, TxOut } from '../../src/primitives/tx.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import { MEMPOOL_HEIGHT, type Coin } from '../../src/utxo/coin.ts';
import type { ChainContext } from '../../src/validation/prechecks.ts';
import { acceptWithSuppliedCoins, mempoolFor } from '../../src/mempool/accept.ts';
import { checkInputsSync } from '../../src/consensus/script-check.ts';
import { policyOptions, type PolicyOptions } from '../../src/policy/constants.ts';
import {
  b, coin, highS, input, multisig, opReturn, P2A, p2pkh, p2tr, p2wpkh, privKey, pubKey, signAll, taprootOutputKey, tx,
} from './helpers.ts';

const H = 800_000;
const MTP = 1_700_000_000;
const chain: ChainContext = { height: H, mtp: MTP };
const K1 = privKey(1), K2 = privKey(2);
const pk1 = pubKey(K1), pk2 = pubKey(K2);
const out = (value: bigint, spk = p2wpkh(pk2)): TxOut => ({ value, scriptPubKey: spk });

function accept(t: Transaction, coins: (Coin | undefined)[], opts: { policy?: Partial<PolicyOptions> } = {}, ctx = chain) {
  const policy = policyOptions(opts.policy);
  return acceptWithSuppliedCoins(t, coins, ctx, { empty: mempoolFor(policy), policy, scripts: checkInputsSync, maxFeeRate: policy.maxFeeRate });
}

/** A signed spend of one P2WPKH coin of `value` paying `outs`. */
function wpkhSpend(value: bigint, outs: TxOut[], fields: Partial<TxFields> = {}, c: Partial<Coin> = {}) {
  const spk = p2wpkh(pk1);
  const f: TxFields = { version: 2, locktime: 0, inputs: [input(1)], outputs: outs, ...fields };
  const t = signAll(f, [K1], [{ value, scriptPubKey: spk }]);
  return { t, coins: [{ ...coin(value, spk, H - 10), ...c }] };
}

describe('MemPoolAccept over supplied coins: accepted transactions', () => {
  test('P2WPKH spend: txid, wtxid, vsize, weight, fee, feerate', async () => {
    const { t, coins } = wpkhSpend(100_000n, [out(99_000n)]);
    const r = await accept(t, coins);
    assert.deepEqual(r, {
      txid: hashToHex(t.txid), wtxid: hashToHex(t.wtxid), allowed: true, vsize: t.vsize, weight: t.weight,
      fee: 1000n, feerate: 1000 / t.vsize,
    });
  });
  test('P2PKH and P2TR key-path spends in one transaction', async () => {
    const spent = [out(50_000n, p2pkh(pk1)), out(60_000n, p2tr(taprootOutputKey(K2)))];
    const t = signAll({ version: 2, locktime: 0, inputs: [input(1), input(2)], outputs: [out(100_000n)] }, [K1, K2], spent);
    const r = await accept(t, spent.map((o) => coin(o.value, o.scriptPubKey)));
    assert.equal(r.allowed, true, String(r.reason));
    assert.equal(r.fee, 10_000n);
  });
  test('sigop-heavy transactions pay for bytes_per_sigop-adjusted vsize', async () => {
    // 100 bare 1-of-1 multisig outputs: 100 × 20 legacy sigops × 4, plus the P2WPKH input's
    // witness sigop: 8001 cost → vsize ceil(8001 × 20 / 4) = 40,005 → 4001 sat at 0.1 sat/vB.
    const ms = multisig(1, [pk2]);
    const outs = Array.from({ length: 100 }, () => out(1000n, ms));
    const { t, coins } = wpkhSpend(103_000n, outs);
    const r = await accept(t, coins);
    assert.ok(t.vsize < 10_000);
    assert.deepEqual([r.allowed, r.vsize, r.reason, r.details], [false, 40_005, 'min relay fee not met', '3000 < 4001']);
    const paid = wpkhSpend(104_001n, outs);
    const ok = await accept(paid.t, paid.coins);
    assert.equal(ok.allowed, true, String(ok.reason));
    assert.equal(ok.vsize, 40_005);
    assert.equal(ok.feerate, 4001 / 40_005);
  });
});

describe('MemPoolAccept over supplied coins: reject reasons in PreChecks order', () => {
  test('CheckTransaction failures are consensus', async () => {
    const t = tx({ inputs: [input(1), input(1)], outputs: [out(1000n)] });
    const r = await accept(t, [coin(5000n, p2wpkh(pk1)), coin(5000n, p2wpkh(pk1))]);
    assert.equal(r.reason, 'bad-txns-inputs-duplicate');
    assert.equal(r.kind, 'consensus');
    assert.equal(r.fee, null);
  });
  test('coinbase', async () => {
    const t = tx({ inputs: [{ prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig: b(1, 1, 1, 2), sequence: 0xffffffff, witness: [] }], outputs: [out(1000n)] });
    const r = await accept(t, []);
    assert.deepEqual([r.reason, r.kind], ['coinbase', 'consensus']);
  });
  test('IsStandardTx reasons are policy, and -acceptnonstdtxn skips them', async () => {
    const { t, coins } = wpkhSpend(100_000n, [out(99_000n, b(OP.OP_TRUE, new Uint8Array(9).fill(OP.OP_NOP)))]);
    const r = await accept(t, coins);
    assert.deepEqual([r.reason, r.kind], ['scriptpubkey', 'policy']);
    const loose = await accept(t, coins, { policy: { requireStandard: false } });
    assert.equal(loose.allowed, true, String(loose.reason));
  });
  test('tx-size-small applies even with -acceptnonstdtxn', async () => {
    const { t, coins } = wpkhSpend(100_000n, [out(0n, b(OP.OP_RETURN))]);
    assert.equal(t.baseSize, 61);
    for (const requireStandard of [true, false]) {
      const r = await accept(t, coins, { policy: { requireStandard } });
      assert.deepEqual([r.reason, r.kind], ['tx-size-small', 'policy']);
    }
  });
  test('non-final: height and time locks checked for the next block with the tip MTP (BIP113)', async () => {
    const byHeight = (locktime: number) => wpkhSpend(100_000n, [out(99_000n)], { locktime });
    let s = byHeight(H + 1);
    assert.deepEqual([(await accept(s.t, s.coins)).reason, (await accept(s.t, s.coins)).kind], ['non-final', 'consensus']);
    s = byHeight(H);
    assert.equal((await accept(s.t, s.coins)).allowed, true);
    s = byHeight(MTP);
    assert.equal((await accept(s.t, s.coins)).reason, 'non-final');
    s = byHeight(MTP - 1);
    assert.equal((await accept(s.t, s.coins)).allowed, true);
  });
  test('missing inputs', async () => {
    const { t } = wpkhSpend(100_000n, [out(99_000n)]);
    const r = await accept(t, [undefined]);
    assert.deepEqual([r.reason, r.kind], ['bad-txns-inputs-missingorspent', 'missing-inputs']);
  });
  test('non-BIP68-final: relative height locks against the coin height (mempool coins confirm next block)', async () => {
    const mk = (height: number) => wpkhSpend(100_000n, [out(99_000n)], { inputs: [input(1, 0, 10)] }, { height });
    let s = mk(H);
    assert.deepEqual([(await accept(s.t, s.coins)).reason, (await accept(s.t, s.coins)).kind], ['non-BIP68-final', 'consensus']);
    s = mk(H - 9);
    assert.equal((await accept(s.t, s.coins)).allowed, true);
    s = mk(MEMPOOL_HEIGHT);
    assert.equal((await accept(s.t, s.coins)).reason, 'non-BIP68-final');
    // Version 1 does not enforce BIP68.
    s = wpkhSpend(100_000n, [out(99_000n)], { version: 1, inputs: [input(1, 0, 10)] }, { height: H });
    assert.equal((await accept(s.t, s.coins)).allowed, true);
  });
  test('non-BIP68-final: relative time locks use the MTP before the coin block', async () => {
    // 1 unit = 512 s; lock 2 units (1024 s), flag bit 22.
    const seq = (1 << 22) | 2;
    const mtpAt = (h: number) => MTP - (H - h) * 600;
    const mk = (height: number) => wpkhSpend(100_000n, [out(99_000n)], { inputs: [input(1, 0, seq)] }, { height });
    let s = mk(H - 1); // coin time = MTP(H-2) = MTP - 1200 → lock until MTP - 177 < MTP: final
    assert.equal((await accept(s.t, s.coins, {}, { ...chain, mtpAt })).allowed, true);
    s = mk(H); // coin time = MTP(H-1) = MTP - 600 → minTime = MTP + 423 ≥ MTP: not final
    assert.equal((await accept(s.t, s.coins, {}, { ...chain, mtpAt })).reason, 'non-BIP68-final');
    // Without ancestor MTPs the tip MTP stands in (never more permissive).
    s = mk(H - 1);
    assert.equal((await accept(s.t, s.coins)).reason, 'non-BIP68-final');
  });
  test('CheckTxInputs: premature coinbase spend and inputs below outputs', async () => {
    let s = wpkhSpend(100_000n, [out(99_000n)], {}, { coinbase: true, height: H });
    let r = await accept(s.t, s.coins);
    assert.deepEqual([r.reason, r.details, r.kind], ['bad-txns-premature-spend-of-coinbase', 'tried to spend coinbase at depth 1', 'consensus']);
    s = wpkhSpend(100_000n, [out(99_000n)], {}, { coinbase: true, height: H - 99 });
    assert.equal((await accept(s.t, s.coins)).allowed, true);
    s = wpkhSpend(100_000n, [out(100_001n)]);
    r = await accept(s.t, s.coins);
    assert.deepEqual([r.reason, r.details, r.kind], ['bad-txns-in-belowout', 'value in (0.001) < value out (0.00100001)', 'consensus']);
  });
  test('bad-txns-nonstandard-inputs', async () => {
    const t = tx({ inputs: [input(1)], outputs: [out(9_000n)] });
    const coins = [coin(10_000n, b(OP.OP_TRUE))];
    const r = await accept(t, coins);
    assert.deepEqual([r.reason, r.kind, r.fee], ['bad-txns-nonstandard-inputs', 'policy', 1000n]);
    assert.equal((await accept(t, coins, { policy: { requireStandard: false } })).allowed, true);
  });
  test('bad-witness-nonstandard', async () => {
    // A P2PKH spend carrying a witness.
    const spent = [out(50_000n, p2pkh(pk1))];
    const f: TxFields = { version: 2, locktime: 0, inputs: [input(1)], outputs: [out(49_000n)] };
    signAll(f, [K1], spent);
    f.inputs[0]!.witness = [b(1)];
    const t = tx(f);
    const r = await accept(t, [coin(50_000n, p2pkh(pk1))]);
    assert.deepEqual([r.reason, r.kind], ['bad-witness-nonstandard', 'policy']);
  });
  test('dust: ephemeral dust must be 0-fee; at 0 fee a lone transaction misses the min relay fee', async () => {
    let s = wpkhSpend(100_000n, [out(99_000n), out(0n, P2A)]);
    let r = await accept(s.t, s.coins);
    assert.deepEqual([r.reason, r.details, r.kind], ['dust', 'tx with dust output must be 0-fee', 'policy']);
    s = wpkhSpend(100_000n, [out(100_000n), out(0n, P2A)], { version: 3 });
    r = await accept(s.t, s.coins);
    assert.deepEqual([r.reason, r.details, r.kind], ['min relay fee not met', `0 < ${Math.ceil(s.t.vsize / 10)}`, 'fee']);
  });
  test('bad-txns-too-many-sigops: above 16,000 sigop cost, even with -acceptnonstdtxn', async () => {
    const outs = Array.from({ length: 201 }, () => out(1000n, multisig(1, [pk2])));
    const s = wpkhSpend(1_000_000n, outs);
    for (const requireStandard of [true, false]) {
      const r = await accept(s.t, s.coins, { policy: { requireStandard } });
      assert.deepEqual([r.reason, r.details, r.kind], ['bad-txns-too-many-sigops', '16081', 'policy']);
    }
  });
  test('min relay fee not met: fee < 0.1 sat/vB × vsize, rounded up; -minrelaytxfee changes it', async () => {
    const s = wpkhSpend(100_000n, [out(100_000n - 10n)]);
    const need = Math.ceil(s.t.vsize / 10);
    assert.ok(need > 10);
    const r = await accept(s.t, s.coins);
    assert.deepEqual([r.reason, r.details, r.kind, r.fee], ['min relay fee not met', `10 < ${need}`, 'fee', 10n]);
    assert.equal((await accept(s.t, s.coins, { policy: { minRelayFeeRate: 0 } })).allowed, true);
  });
  test('TRUC-violation: version 3 above 10,000 vbytes', async () => {
    const s = wpkhSpend(100_000n, [out(90_000n), out(0n, opReturn(new Uint8Array(10_000)))], { version: 3 });
    const r = await accept(s.t, s.coins);
    assert.equal(r.reason, 'TRUC-violation');
    assert.equal(r.details, `version=3 tx ${hashToHex(s.t.txid)} (wtxid=${hashToHex(s.t.wtxid)}) is too big: ${s.t.vsize} > 10000 virtual bytes`);
    const v2 = wpkhSpend(100_000n, [out(90_000n), out(0n, opReturn(new Uint8Array(10_000)))]);
    assert.equal((await accept(v2.t, v2.coins)).allowed, true);
  });
  test('max-fee-exceeded above maxfeerate (default 0.10 BTC/kvB), checked last; 0 disables', async () => {
    const s = wpkhSpend(5_000_000n, [out(1000n)]);
    const r = await accept(s.t, s.coins);
    assert.deepEqual([r.reason, r.kind, r.fee], ['max-fee-exceeded', 'fee', 4_999_000n]);
    assert.equal((await accept(s.t, s.coins, { policy: { maxFeeRate: 0 } })).allowed, true);
  });
});

describe('MemPoolAccept over supplied coins: script failures (Core v30 CheckInputScripts wording)', () => {
  test('a wrong signature fails NULLFAIL under standard flags and also fails consensus', async () => {
    const spk = p2wpkh(pk1);
    const f: TxFields = { version: 2, locktime: 0, inputs: [input(1)], outputs: [out(99_000n)] };
    signAll(f, [K1], [{ value: 100_001n, scriptPubKey: spk }]); // signs the wrong amount
    const t = tx(f);
    const r = await accept(t, [coin(100_000n, spk)]);
    assert.equal(r.reason, 'mempool-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)');
    assert.equal(r.kind, 'consensus');
    assert.equal(r.details, `input 0 of ${hashToHex(t.txid)} (wtxid ${hashToHex(t.wtxid)}), spending ${hashToHex(t.inputs[0]!.prevout.txid)}:0`);
    assert.equal(r.fee, 1000n);
  });
  test('a high-S signature is only non-standard (LOW_S)', async () => {
    const spk = p2wpkh(pk1);
    const f: TxFields = { version: 2, locktime: 0, inputs: [input(1)], outputs: [out(99_000n)] };
    signAll(f, [K1], [{ value: 100_000n, scriptPubKey: spk }]);
    const w = f.inputs[0]!.witness;
    w[0] = b(highS(w[0]!.subarray(0, w[0]!.length - 1)), 1);
    const t = tx(f);
    const r = await accept(t, [coin(100_000n, spk)]);
    assert.equal(r.reason, 'mempool-script-verify-flag-failed (Non-canonical signature: S value is unnecessarily high)');
    assert.equal(r.kind, 'policy');
  });
  test('a P2SH scriptSig that leaves a false value is consensus-invalid', async () => {
    const redeem = b(OP.OP_0);
    const t = tx({ inputs: [{ ...input(1), scriptSig: pushData(redeem) }], outputs: [out(99_000n)] });
    const r = await accept(t, [coin(100_000n, b(OP.OP_HASH160, 20, (await import('../../src/primitives/hash.ts')).hash160(redeem), OP.OP_EQUAL))]);
    assert.equal(r.reason, 'mempool-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)');
    assert.equal(r.kind, 'consensus');
  });
});
