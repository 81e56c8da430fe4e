/**
 * The public mod.ts validateBlock: real block 1087400 (testnet3, segwit) valid with exact
 * fees in-thread and through two validation workers; undecodable bytes are a reason, not an
 * exception. (Flipped signatures through the workers: validate-block.test.ts.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkers, stopWorkers, validateBlock } from '../../mod.ts';
import { loadBcoin } from './vectors.ts';

const b = loadBcoin('block1087400', 'testnet3', 1087400);
const input = { block: b.raw, spent: b.spent, network: 'testnet3' as const, height: 1087400 };

after(() => stopWorkers());

test('in-thread and through two workers: valid with exact fees', async () => {
  assert.deepEqual(await validateBlock(input), { ok: true, fees: 1_218_469n });
  // No backend named: one that passes the known-answer vectors here, chosen by timing as
  // --crypto auto does — never pure-JS noble when a native or WASM backend passed (they are
  // 2-40x faster; which of those wins depends on the moment's timing).
  const { selectCrypto } = await import('../../src/runtime/crypto/select.ts');
  const passed = (await selectCrypto({ crypto: 'auto', sha256: 'auto' })).candidates.sig
    .filter((c) => c.status === 'passed' || c.status === 'selected').map((c) => c.name);
  const spec = await startWorkers(2);
  assert.ok(passed.includes(spec.crypto), `startWorkers chose ${spec.crypto}; verified here: ${passed}`);
  if (passed.some((n) => n !== 'noble')) assert.notEqual(spec.crypto, 'noble');
  assert.deepEqual(await validateBlock(input), { ok: true, fees: 1_218_469n });
  // A changed transaction: its merkle root no longer matches (checked before any script).
  const changed = b.raw.slice();
  changed[changed.length - 10] = changed[changed.length - 10]! ^ 1;
  assert.deepEqual(await validateBlock({ ...input, block: changed }), { ok: false, reason: 'bad-txnmrklroot' });
  await stopWorkers();
});

test('undecodable bytes are rejected with a reason', async () => {
  const r = await validateBlock({ ...input, block: b.raw.subarray(0, 100) });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.reason.startsWith('block decode failed:'), JSON.stringify(r));
});
