import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { encodeTx, makeTx, type TxFields } from '../../src/primitives/tx.ts';
import { hash160 } from '../../src/primitives/hash.ts';
import { segwitV0Sighash, SIGHASH_ALL } from '../../src/script/sighash.ts';
import { nobleVerifier } from '../../src/script/sigcheck-noble.ts';
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import { SignatureCache, tagOf } from '../../src/validation/caches.ts';
import { ValidatorCore } from '../../src/validation/jobs.ts';
import type { JobResult } from '../../src/validation/wire.ts';
import { STANDARD_SCRIPT_VERIFY_FLAGS } from '../../src/policy/constants.ts';
import { ecdsaDer } from '../util/sign.ts';

const BLOCK_FLAGS = 0x1 | 0x800 | 0x10000; // P2SH | WITNESS | TAPROOT (fewer than the mempool's)

/** A signed P2WPKH spend of a made-up coin (two inputs when `two`), with its coins. */
function spend(seed: number, two = false) {
  const sk = new Uint8Array(32).fill(seed);
  const pub = secp256k1.getPublicKey(sk, true);
  const spk = new Uint8Array([0x00, 0x14, ...hash160(pub)]);
  const coin = { value: 100_000n, scriptPubKey: spk };
  const n = two ? 2 : 1;
  const fields: TxFields = {
    version: 2, locktime: 0,
    inputs: Array.from({ length: n }, (_, i) => ({ prevout: { txid: new Uint8Array(32).fill(seed + 1), vout: i }, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] as Uint8Array[] })),
    outputs: [{ value: 99_000n * BigInt(n), scriptPubKey: spk }],
  };
  const scriptCode = new Uint8Array([0x76, 0xa9, 0x14, ...hash160(pub), 0x88, 0xac]);
  for (let i = 0; i < n; i++) {
    const h = segwitV0Sighash(fields, i, scriptCode, coin.value, SIGHASH_ALL);
    fields.inputs[i]!.witness = [new Uint8Array([...ecdsaDer(h, sk), SIGHASH_ALL]), pub];
  }
  const tx = makeTx(fields);
  return { tx, raw: encodeTx(fields), spent: Array.from({ length: n }, () => coin) };
}

/** The noble verifier, counting its calls. */
function counting(): SigVerifier & { calls: number } {
  const v = {
    name: 'counting', calls: 0,
    verifyEcdsa: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (v.calls++, nobleVerifier.verifyEcdsa(s, m, k)),
    verifySchnorr: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (v.calls++, nobleVerifier.verifySchnorr(s, m, k)),
  };
  return v;
}

const passed = (r: JobResult) => r.kind === 'scripts' && r.result.ok;

describe('ValidatorCore caches', () => {
  test('block jobs consult the caches but add nothing; mempool jobs fill them', () => {
    const v = counting();
    const core = new ValidatorCore({ verifier: v });
    const a = spend(3);
    const blockJob = { kind: 'scripts' as const, id: 1, tx: a.raw, spent: a.spent, flags: BLOCK_FLAGS, wtxid: a.tx.wtxid, block: true };
    assert.ok(passed(core.runSync(blockJob)));
    assert.ok(passed(core.runSync(blockJob)));
    assert.equal(v.calls, 2, 'a block job verified again: nothing was cached');
    assert.deepEqual([core.stats().sigCache.size, core.stats().execCache.size], [0, 0]);
    // Mempool acceptance (standard flags) caches the signature and the verdict ...
    assert.ok(passed(core.runSync({ kind: 'scripts', id: 2, tx: a.raw, spent: a.spent, flags: STANDARD_SCRIPT_VERIFY_FLAGS, wtxid: a.tx.wtxid })));
    assert.equal(v.calls, 3);
    assert.deepEqual([core.stats().sigCache.size, core.stats().execCache.size], [1, 1]);
    // ... which the block job then finds: the signature (its flags differ: no verdict hit).
    assert.ok(passed(core.runSync(blockJob)));
    assert.equal(v.calls, 3, 'signature served from the cache');
    assert.equal(core.stats().execCache.hits, 0);
  });

  test('a job without its wtxid is hashed in the worker and cached under the same key', () => {
    const v = counting();
    const core = new ValidatorCore({ verifier: v });
    const a = spend(4);
    assert.ok(passed(core.runSync({ kind: 'scripts', id: 1, tx: a.raw, spent: a.spent, flags: STANDARD_SCRIPT_VERIFY_FLAGS })));
    assert.ok(passed(core.runSync({ kind: 'scripts', id: 2, tx: a.raw, spent: a.spent, flags: STANDARD_SCRIPT_VERIFY_FLAGS, wtxid: a.tx.wtxid })));
    assert.equal(core.stats().execCache.hits, 1);
    assert.equal(v.calls, 1);
  });

  test('the verdict cache matches only the same wtxid, flags and coins', () => {
    const v = counting();
    const core = new ValidatorCore({ verifier: v });
    const a = spend(5, true);
    const base = { kind: 'scripts' as const, tx: a.raw, spent: a.spent, flags: STANDARD_SCRIPT_VERIFY_FLAGS, wtxid: a.tx.wtxid };
    assert.ok(passed(core.runSync({ ...base, id: 1 })));
    assert.ok(passed(core.runSync({ ...base, id: 2 })));
    assert.equal(core.stats().execCache.hits, 1);
    // Other flags, other coins, another wtxid sharing the first 30 bits: all misses.
    core.runSync({ ...base, id: 3, flags: BLOCK_FLAGS });
    core.runSync({ ...base, id: 4, spent: [a.spent[0]!, { ...a.spent[1]!, value: 1n }] });
    const near = a.tx.wtxid.slice();
    near[31]! ^= 1;
    assert.equal(tagOf(near), tagOf(a.tx.wtxid));
    core.runSync({ ...base, id: 5, wtxid: near });
    assert.equal(core.stats().execCache.hits, 1);
  });

  test('a signature entry answers only for its own signature, message and key, whatever the tags', () => {
    const v = counting();
    const cache = new SignatureCache(100);
    const sk = new Uint8Array(32).fill(9);
    const key = secp256k1.getPublicKey(sk, true);
    const msg = new Uint8Array(32).fill(0x42);
    const sig = secp256k1.sign(msg, sk, { prehash: false, format: 'compact' });
    assert.ok(cache.ecdsa(sig, msg, key, v));
    assert.ok(cache.ecdsa(sig, msg, key, v));
    assert.equal(v.calls, 1, 'hit');
    // The same message (same tag), another signature: the salted key decides.
    const bad = sig.slice();
    bad[63]! ^= 1;
    assert.equal(cache.ecdsa(bad, msg, key, v), false);
    assert.equal(v.calls, 2);
    // A message differing after the tag's bits, the same signature: a miss.
    const msg2 = msg.slice();
    msg2[31]! ^= 1;
    assert.equal(tagOf(msg2), tagOf(msg));
    assert.equal(cache.ecdsa(sig, msg2, key, v), false);
    assert.equal(v.calls, 3);
    // ECDSA and Schnorr entries never answer for each other.
    assert.equal(cache.schnorr(sig, msg, key.subarray(1), v), false);
    assert.equal(v.calls, 4);
    // lookupOnly finds what was stored and stores nothing itself.
    assert.ok(cache.lookupOnly.ecdsa(sig, msg, key, v));
    assert.equal(v.calls, 4);
    const sig2 = secp256k1.sign(msg2, sk, { prehash: false, format: 'compact' });
    assert.ok(cache.lookupOnly.ecdsa(sig2, msg2, key, v));
    assert.ok(cache.lookupOnly.ecdsa(sig2, msg2, key, v));
    assert.equal(v.calls, 6);
    assert.equal(cache.stats().size, 1);
  });
});
