/**
 * Script checks started while validateBlock decodes the block (src/chain/early-script-checks.ts):
 * ConnectBlock takes a started check only when it asks for exactly that one, each
 * transaction is checked once, and every verdict stays ConnectBlock's, in Core's order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyScriptChecks } from '../../src/chain/early-script-checks.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { validateBlock, type SpentOutput } from '../../src/chain/validate-block.ts';
import type { CheckInputs } from '../../src/consensus/script-check.ts';
import { getBlockScriptFlags } from '../../src/consensus/script-flags.ts';
import { sha256 } from '../../src/primitives/hash.ts';
import { txidHex, type Transaction, type TxOut } from '../../src/primitives/tx.ts';
import { mineBlock, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';

const HEIGHT = 200;
const funding: Spendable[] = [0, 1, 2].map((i) => ({ txid: sha256(Uint8Array.of(i, 9)), vout: i, value: 100_000n, kind: 'p2wpkh', key: 20 + i }));
const spentOf = (s: Spendable): SpentOutput => ({ scriptPubKey: outputScript(s.kind, s.key), amount: s.value, height: 50, coinbase: false });

/**
 * Three transactions: a and b spend funding coins, c spends a's output 0 (created in the
 * block). The supplied output for c's input is another script: validateBlock (as Core) takes
 * a prevout created in the block from the block, whatever the caller supplied.
 */
function chainBlock(): { raw: Uint8Array; txs: Transaction[]; spent: SpentOutput[] } {
  const a = signSpend([funding[0]!], [{ value: 90_000n, scriptPubKey: outputScript('p2wpkh', 30) }]);
  const b = signSpend([funding[1]!, funding[2]!], [{ value: 190_000n, scriptPubKey: outputScript('p2wpkh', 31) }]);
  const fromA: Spendable = { txid: a.txid, vout: 0, value: 90_000n, kind: 'p2wpkh', key: 30 };
  const c = signSpend([fromA], [{ value: 80_000n, scriptPubKey: outputScript('p2wpkh', 32) }]);
  const { raw } = mineBlock({ prevHash: new Uint8Array(32).fill(3), height: HEIGHT, time: 1_700_000_000, txs: [a, b, c], fees: 30_000n });
  return { raw, txs: [a, b, c], spent: [spentOf(funding[0]!), spentOf(funding[1]!), spentOf(funding[2]!), { ...spentOf(fromA), scriptPubKey: outputScript('p2tr', 7) }] };
}

/** A checker answering later (as workers do), recording each call's txid and spent scripts. */
function recording(fail?: (tx: Transaction) => boolean): { check: CheckInputs; calls: { txid: string; spent: TxOut[] }[] } {
  const calls: { txid: string; spent: TxOut[] }[] = [];
  const check: CheckInputs = async (tx, spent) => {
    calls.push({ txid: txidHex(tx), spent });
    await new Promise((r) => setTimeout(r, 1));
    return fail?.(tx) ? { ok: false, error: 'EVAL_FALSE', input: 0 } : { ok: true };
  };
  return { check, calls };
}

test('each transaction is checked once, the in-block spend with the output its parent created', async () => {
  const b = chainBlock();
  const { check, calls } = recording();
  assert.deepEqual(await validateBlock({ block: b.raw, spent: b.spent, network: 'regtest', height: HEIGHT, checkInputs: check }), { ok: true, fees: 30_000n });
  assert.deepEqual(calls.map((c) => c.txid), b.txs.map(txidHex));
  assert.deepEqual(calls[2]!.spent[0]!.scriptPubKey, b.txs[0]!.outputs[0]!.scriptPubKey);
});

test('a started check that fails decides only when ConnectBlock gets to it; an earlier failure wins', async () => {
  const b = chainBlock();
  const failB = (tx: Transaction) => txidHex(tx) === txidHex(b.txs[1]!);
  const r = await validateBlock({ block: b.raw, spent: b.spent, network: 'regtest', height: HEIGHT, checkInputs: recording(failB).check });
  assert.deepEqual(r, { ok: false, reason: 'block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)', txid: txidHex(b.txs[1]!), input: 0 });
  // CheckBlock's failure (a changed byte breaks the merkle root) comes first, as before.
  const changed = b.raw.slice();
  changed[changed.length - 1]! ^= 1; // the last transaction's locktime
  const m = await validateBlock({ block: changed, spent: b.spent, network: 'regtest', height: HEIGHT, checkInputs: recording(() => true).check });
  assert.deepEqual(m, { ok: false, reason: 'bad-txnmrklroot' });
  // ConnectBlock's loop too: one satoshi less in makes the coinbase claim too much.
  const less = b.spent.map((s, i) => (i === 0 ? { ...s, amount: s.amount - 1n } : s));
  const c = await validateBlock({ block: b.raw, spent: less, network: 'regtest', height: HEIGHT, checkInputs: recording(() => true).check });
  assert.deepEqual(c, { ok: false, reason: 'bad-cb-amount' });
});

test('ConnectBlock takes a started check only for the same spent outputs and flags', async () => {
  const b = chainBlock();
  const { check, calls } = recording();
  const supplied: TxOut[] = b.spent.map((s) => ({ value: s.amount, scriptPubKey: s.scriptPubKey }));
  const early = new EarlyScriptChecks(check, supplied, REGTEST, HEIGHT);
  const header = mineBlock({ prevHash: new Uint8Array(32), height: HEIGHT, time: 1_700_000_000 }).block.header;
  const flags = getBlockScriptFlags(REGTEST, HEIGHT, header.hash);
  const [a, tb, c] = b.txs as [Transaction, Transaction, Transaction];
  for (const tx of [a, tb, c]) early.onTx(tx, header);
  assert.equal(calls.length, 3);
  // The same outputs (equal bytes in other arrays count): the started check.
  const copy = (o: TxOut): TxOut => ({ value: o.value, scriptPubKey: o.scriptPubKey.slice() });
  await early.checker(a, [copy(supplied[0]!)], flags);
  assert.equal(calls.length, 3);
  // Another script, another amount, other flags: a new check with what ConnectBlock gave.
  const other: TxOut = { value: supplied[1]!.value, scriptPubKey: outputScript('p2tr', 5) };
  await early.checker(tb, [other, supplied[2]!], flags);
  assert.equal(calls.length, 4);
  assert.equal(calls[3]!.spent[0], other);
  await early.checker(c, [{ value: 1n, scriptPubKey: a.outputs[0]!.scriptPubKey }], flags);
  assert.equal(calls.length, 5);
  // A started check is taken once: asked again, it runs again.
  await early.checker(a, [supplied[0]!], flags);
  assert.equal(calls.length, 6);
  const again = new EarlyScriptChecks(check, supplied, REGTEST, HEIGHT);
  again.onTx(a, header);
  await again.checker(a, [supplied[0]!], flags ^ 1);
  assert.equal(calls.length, 8);
});
