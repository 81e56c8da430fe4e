import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ValidationPool, WorkerFailedError } from '../../src/validation/worker-pool.ts';
import { spawnValidator } from '../../src/runtime/spawn.ts';
import { encodeTx, makeTx } from '../../src/primitives/tx.ts';
import { hash160 } from '../../src/primitives/hash.ts';
import { segwitV0Sighash, SIGHASH_ALL } from '../../src/script/sighash.ts';
import { ecdsaDer } from '../util/sign.ts';
import { STANDARD_SCRIPT_VERIFY_FLAGS } from '../../src/policy/constants.ts';

/** A signed P2WPKH spend of a made-up coin, with that coin. */
function p2wpkhSpend(seed: number) {
  const sk = new Uint8Array(32).fill(seed);
  const pub = secp256k1.getPublicKey(sk, true);
  const spk = new Uint8Array([0x00, 0x14, ...hash160(pub)]);
  const value = 100_000n;
  const prevTxid = new Uint8Array(32).fill(seed + 1);
  const fields = {
    version: 2, locktime: 0,
    inputs: [{ prevout: { txid: prevTxid, vout: 0 }, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] as Uint8Array[] }],
    outputs: [{ value: 99_000n, scriptPubKey: spk }],
  };
  const scriptCode = new Uint8Array([0x76, 0xa9, 0x14, ...hash160(pub), 0x88, 0xac]);
  const h = segwitV0Sighash(fields, 0, scriptCode, value, SIGHASH_ALL);
  fields.inputs[0]!.witness = [new Uint8Array([...ecdsaDer(h, sk), SIGHASH_ALL]), pub];
  const tx = makeTx(fields);
  return { tx, raw: encodeTx(fields), coin: { value, scriptPubKey: spk, height: 1, coinbase: false } };
}

/** Every input of `raw` against `m`'s coin, under the mempool's flags. */
const job = (raw: Uint8Array, m: { coin: { value: bigint; scriptPubKey: Uint8Array } }) =>
  ({ kind: 'scripts' as const, tx: raw, spent: [m.coin], flags: STANDARD_SCRIPT_VERIFY_FLAGS });

test('validation pool: sharded workers validate, cache, survive a crash', async () => {
  const pool = new ValidationPool({ workers: 2, spawn: spawnValidator, init: { type: 'init' } });
  try {
    const backends = await pool.ready();
    assert.equal(backends.length, 2);
    const a = p2wpkhSpend(7);
    const r1 = await pool.submit(ValidationPool.shardOf(a.tx.txid), job(a.raw, a));
    assert.equal(r1.kind, 'scripts');
    assert.ok(r1.kind === 'scripts' && r1.result.ok, JSON.stringify(r1, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    // A bad signature is rejected with Core's reason.
    const bad = a.raw.slice();
    bad[bad.length - 40] = bad[bad.length - 40]! ^ 1;
    const r2 = await pool.submit(ValidationPool.shardOf(a.tx.txid), job(bad, a));
    assert.ok(r2.kind === 'scripts' && !r2.result.ok);
    // Many at once, batched: all answered.
    const many = Array.from({ length: 20 }, (_, i) => p2wpkhSpend(20 + i));
    const rs = await Promise.all(many.map((m) => pool.submit(ValidationPool.shardOf(m.tx.txid), job(m.raw, m))));
    assert.ok(rs.every((r) => r.kind === 'scripts' && r.result.ok));
    // Re-submitted: served by the script-execution cache.
    await pool.submit(ValidationPool.shardOf(a.tx.txid), job(a.raw, a));
    const stats = await pool.stats();
    assert.ok(stats.some((s) => s.execCache.hits >= 1), JSON.stringify(stats));
    // A crash: in-flight jobs fail with an error, the worker is replaced, service goes on.
    const shard = ValidationPool.shardOf(a.tx.txid);
    const inflight = pool.submit(shard, job(a.raw, a));
    pool.crash(shard % 2);
    await assert.rejects(inflight, WorkerFailedError);
    assert.equal(pool.replaced, 1);
    const after = await pool.submit(shard, job(a.raw, a));
    assert.ok(after.kind === 'scripts' && after.result.ok);
  } finally {
    await pool.close();
  }
});

test('validation pool: stats({ clear }) empties every worker\'s caches', async () => {
  const pool = new ValidationPool({ workers: 2, spawn: spawnValidator, init: { type: 'init' } });
  try {
    await pool.ready();
    const spends = [11, 12, 13, 14].map(p2wpkhSpend);
    const run = () => Promise.all(spends.map((m) => pool.submit(ValidationPool.shardOf(m.tx.txid), job(m.raw, m))));
    const total = (ss: Awaited<ReturnType<ValidationPool['stats']>>, k: 'sigCache' | 'execCache', f: 'hits' | 'misses' | 'size') => ss.reduce((a, s) => a + s[k][f], 0);
    assert.ok((await run()).every((r) => r.kind === 'scripts' && r.result.ok));
    const before = await pool.stats({ clear: true });
    assert.equal(total(before, 'execCache', 'size'), 4);
    assert.equal(total(before, 'sigCache', 'size'), 4);
    const cleared = await pool.stats();
    assert.equal(total(cleared, 'execCache', 'size'), 0);
    assert.equal(total(cleared, 'sigCache', 'size'), 0);
    assert.equal(total(cleared, 'execCache', 'misses'), total(before, 'execCache', 'misses'), 'counters kept');
    // The same transactions again: cache misses again, not hits.
    await run();
    const after = await pool.stats();
    assert.equal(total(after, 'execCache', 'hits'), total(before, 'execCache', 'hits'));
    assert.equal(total(after, 'execCache', 'misses'), total(before, 'execCache', 'misses') + 4);
    assert.equal(total(after, 'execCache', 'size'), 4);
  } finally {
    await pool.close();
  }
});

test('validation pool: jobs waiting for a busy worker are taken by an idle one (work stealing)', async () => {
  const pool = new ValidationPool({ workers: 2, spawn: spawnValidator, init: { type: 'init' } });
  try {
    await pool.ready();
    const spends = Array.from({ length: 120 }, (_, i) => p2wpkhSpend(20 + i));
    // Every job to shard 0: without stealing, worker 1 would get none of them.
    const rs = await Promise.all(spends.map((m) => pool.submit(0, job(m.raw, m))));
    assert.ok(rs.every((r) => r.kind === 'scripts' && r.result.ok), 'every verdict right, whichever worker gave it');
    assert.ok(pool.stolen > 0, 'some jobs moved');
    const stats = await pool.stats();
    assert.equal(stats.reduce((a, s) => a + s.validated, 0), 120);
    assert.ok(stats.every((s) => s.validated > 0), JSON.stringify(stats.map((s) => s.validated)));
    assert.equal(pool.queueDepth(), 0);
  } finally {
    await pool.close();
  }
});
