/**
 * validateBlock (the mod.ts API) on real blocks with their spent outputs (btcd 277647 mainnet,
 * bcoin 1087400 testnet3) and on regtest blocks from the builder, with mutations rejected
 * with Core's reasons. The heavy real blocks are in real-blocks-heavy.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBlock } from '../../src/chain/validate-block.ts';
import { MAINNET, TESTNET3 } from '../../src/chain/params.ts';
import { getBlockSubsidy } from '../../src/consensus/subsidy.ts';
import { OUTPUT_KINDS, mineBlock, outputScript, signSpend, type OutputKind, type Spendable } from '../util/regtest-builder.ts';
import { decodeTx, encodeTx, txidHex, type Transaction } from '../../src/primitives/tx.ts';
import { concatBytes } from '../../src/primitives/bytes.ts';
import { sha256 } from '../../src/primitives/hash.ts';
import { claimedFees, loadBcoin, loadBtcd277647 } from './vectors.ts';

const btcd = loadBtcd277647();
const t1087400 = loadBcoin('block1087400', 'testnet3', 1087400);

test('btcd 277647 (mainnet) is valid with exact fees', async () => {
  const r = await validateBlock({ block: btcd.raw, spent: btcd.spent, network: 'mainnet', height: 277647 });
  assert.deepEqual(r, { ok: true, fees: 4_737_355n });
  assert.equal(claimedFees(btcd, getBlockSubsidy(277647, MAINNET)), 4_737_355n);
});

test('bcoin 1087400 (testnet3, segwit) is valid with exact fees', async () => {
  const r = await validateBlock({ block: t1087400.raw, spent: t1087400.spent, network: 'testnet3', height: 1087400 });
  assert.deepEqual(r, { ok: true, fees: claimedFees(t1087400, getBlockSubsidy(1087400, TESTNET3)) });
  assert.equal(r.ok && r.fees, 1_218_469n);
});

test('real-block mutations: duplicate tail, changed tx, lower spent amount, missing spent output', async () => {
  const raw = btcd.raw;
  // CVE-2012-2459: appending the last tx again keeps the merkle root (213 txs, odd).
  const last = btcd.block.txs[btcd.block.txs.length - 1]!.raw;
  assert.equal(raw[80], 213);
  const dup = concatBytes(raw.subarray(0, 80), Uint8Array.of(214), raw.subarray(81), last);
  assert.deepEqual(await validateBlock({ block: dup, spent: btcd.spent, network: 'mainnet', height: 277647 }), { ok: false, reason: 'bad-txns-duplicate' });
  // Any change to a transaction breaks the merkle root.
  const changed = raw.slice();
  changed[changed.length - 10]! ^= 1;
  assert.deepEqual(await validateBlock({ block: changed, spent: btcd.spent, network: 'mainnet', height: 277647 }), { ok: false, reason: 'bad-txnmrklroot' });
  // One satoshi less in: the coinbase claims one more than subsidy + fees.
  const less = btcd.spent.map((s, i) => (i === 5 ? { ...s, amount: s.amount - 1n } : s));
  assert.deepEqual(await validateBlock({ block: raw, spent: less, network: 'mainnet', height: 277647 }), { ok: false, reason: 'bad-cb-amount' });
  // The last input's spent output missing.
  const r = await validateBlock({ block: raw, spent: btcd.spent.slice(0, -1), network: 'mainnet', height: 277647 });
  assert.deepEqual(r, { ok: false, reason: 'bad-txns-inputs-missingorspent', txid: txidHex(btcd.block.txs[btcd.block.txs.length - 1]!) });
  // Regtest rules: BIP65/66 are active from height 1, so a version-2 block is outdated.
  const t = await validateBlock({ block: raw, spent: btcd.spent, network: 'regtest', height: 277647 });
  assert.deepEqual(t, { ok: false, reason: 'bad-version(0x00000002)' });
});

/** Fake funding coins: validateBlock needs only the spent outputs, not the chain that made them. */
function fakeCoins(value: bigint): Spendable[] {
  return OUTPUT_KINDS.map((kind, i) => ({ txid: sha256(Uint8Array.of(i, 7)), vout: i, value, kind, key: 10 + 3 * i }));
}
const spentOf = (coins: Spendable[]) => coins.map((c) => ({ scriptPubKey: outputScript(c.kind, c.key), amount: c.value, height: 50, coinbase: false }));

/** Flips a bit inside the signature of input `nIn` of `tx`, spending a `kind` output. */
function flipSignature(tx: Transaction, nIn: number, kind: OutputKind): Transaction {
  const inputs = tx.inputs.map((i) => ({ ...i, scriptSig: i.scriptSig.slice(), witness: i.witness.map((w) => w.slice()) }));
  const inp = inputs[nIn]!;
  switch (kind) {
    case 'p2pkh': inp.scriptSig[1 + 6]! ^= 1; break; // push op, then DER: 30 len 02 rlen r…
    case 'p2sh-multisig': inp.scriptSig[2 + 6]! ^= 1; break; // OP_0, push op, DER
    case 'p2wsh': inp.witness[1]![6]! ^= 1; break; // '', sig1, sig2, script
    default: inp.witness[0]![10]! ^= 1; // P2WPKH / P2SH-P2WPKH DER, or Schnorr
  }
  return decodeTx(encodeTx({ ...tx, inputs }));
}

const EVAL_FALSE = 'block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)';
const SCHNORR = 'block-script-verify-flag-failed (Invalid Schnorr signature)';
const expectedError: Record<OutputKind, string> = {
  'p2pkh': EVAL_FALSE, 'p2sh-multisig': EVAL_FALSE, 'p2wpkh': EVAL_FALSE, 'p2sh-p2wpkh': EVAL_FALSE,
  'p2wsh': EVAL_FALSE, 'p2tr': SCHNORR, 'p2tr-script': SCHNORR,
};

test('regtest: a block spending every output type is valid; a flipped signature fails on exactly that input', async () => {
  const coins = fakeCoins(100_000n);
  const tx = signSpend(coins, [{ value: 700_000n - 3000n, scriptPubKey: outputScript('p2tr', 1) }]);
  const mine = (t: Transaction) => mineBlock({ prevHash: new Uint8Array(32).fill(9), height: 200, time: 1_700_000_000, txs: [t], fees: 3000n }).raw;
  assert.deepEqual(await validateBlock({ block: mine(tx), spent: spentOf(coins), network: 'regtest', height: 200 }), { ok: true, fees: 3000n });
  for (let k = 0; k < OUTPUT_KINDS.length; k++) {
    const kind = OUTPUT_KINDS[k]!;
    const bad = flipSignature(tx, k, kind);
    const r = await validateBlock({ block: mine(bad), spent: spentOf(coins), network: 'regtest', height: 200 });
    assert.deepEqual(r, { ok: false, reason: expectedError[kind], txid: txidHex(bad), input: k }, kind);
  }
});

test('regtest flipped signatures through two validation workers (mod.ts startWorkers): the same verdicts', async () => {
  const mod = await import('../../mod.ts');
  await mod.startWorkers(2);
  try {
    const coins = fakeCoins(100_000n);
    const tx = signSpend(coins, [{ value: 700_000n - 3000n, scriptPubKey: outputScript('p2tr', 1) }]);
    const mine = (t: Transaction) => mineBlock({ prevHash: new Uint8Array(32).fill(9), height: 200, time: 1_700_000_000, txs: [t], fees: 3000n }).raw;
    assert.deepEqual(await mod.validateBlock({ block: mine(tx), spent: spentOf(coins), network: 'regtest', height: 200 }), { ok: true, fees: 3000n });
    for (let k = 0; k < OUTPUT_KINDS.length; k++) {
      const kind = OUTPUT_KINDS[k]!;
      const bad = flipSignature(tx, k, kind);
      const r = await mod.validateBlock({ block: mine(bad), spent: spentOf(coins), network: 'regtest', height: 200 });
      assert.deepEqual(r, { ok: false, reason: expectedError[kind], txid: txidHex(bad), input: k }, kind);
    }
  } finally {
    await mod.stopWorkers();
  }
});
