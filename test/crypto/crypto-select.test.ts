/**
 * Start-up backend selection: `auto` uses only backends that gave every
 * known answer and picks the fastest; an explicit name that is unknown, unavailable or wrong
 * is a CryptoBackendError with a clear message; a worker reloads the same choice by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsSha256Backend, nobleSha256Backend, sha256Backend, setSha256Backend, type Sha256Backend } from '../../src/primitives/hash.ts';
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import {
  applyCrypto,
  loadCryptoByName,
  loadCryptoSpec,
  rankSha256Backends,
  rankSigBackends,
  selectCrypto,
} from '../../src/runtime/crypto/select.ts';
import { checkedNobleVerifier } from '../../src/runtime/crypto/noble.ts';
import { ecdsaCases, bip340Cases, runSha256Kat } from '../../src/runtime/crypto/kat.ts';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';
import { CryptoBackendError } from '../../src/runtime/crypto/types.ts';

const valid = ecdsaCases()[0]!;
const validSchnorr = bip340Cases()[1]!;

test('auto: chooses a backend that gave every known answer, and says so in the report', async () => {
  const sel = await selectCrypto({ measureMs: 20 });
  const chosen = sel.candidates.sig.filter((c) => c.status === 'selected');
  assert.equal(chosen.length, 1);
  assert.equal(chosen[0]!.name, sel.verifier.name);
  assert.equal(chosen[0]!.kat?.passed, true);
  assert.equal(sel.spec.crypto, sel.verifier.name);
  assert.equal(sel.spec.sha256, sel.sha256.name);
  for (const c of sel.candidates.sig) {
    assert.ok(['selected', 'passed', 'unavailable'].includes(c.status), `${c.name}: ${c.status} ${c.detail}`);
    if (c.status === 'unavailable') assert.ok(c.detail.length > 0, `${c.name} says why`);
    else assert.ok(c.ecdsaUs! > 0 && c.schnorrUs! > 0, `${c.name} timed`);
  }
  assert.ok(sel.candidates.sig.some((c) => c.name === 'noble' && c.status !== 'unavailable'));
  if (runtimeName() === 'node') assert.equal(sel.candidates.sig.find((c) => c.name === 'ffi')?.status, 'unavailable');
  const lines = sel.report.split('\n');
  assert.match(lines[0]!, new RegExp(`^crypto: ${sel.verifier.name} .* on ${runtimeName()} .*fastest of \\d+`));
  assert.match(lines[1]!, new RegExp(`^sha256: ${sel.sha256.name}: fastest of \\d+`));
  assert.equal(sel.verifier.verifyEcdsa(valid.sig, valid.msg, valid.key), true);
  assert.equal(sel.verifier.verifySchnorr(validSchnorr.sig, validSchnorr.msg, validSchnorr.key), true);

  // A worker loads the same backends by name.
  const w = await loadCryptoByName(sel.spec.crypto, sel.spec.libPath, sel.spec.sha256);
  const w2 = await loadCryptoSpec(structuredClone(sel.spec), { kat: false });
  assert.equal(w2.verifier.name, sel.verifier.name);
  assert.equal(w2.sha256.name, sel.sha256.name);
  assert.equal(w.verifier.name, sel.verifier.name);
  assert.equal(w.sha256.name, sel.sha256.name);
  assert.equal(w.verifier.verifyEcdsa(valid.sig, valid.msg, valid.key), true);
});

test('explicit noble is used as named, with the SHA-256 backend also named', async () => {
  const sel = await selectCrypto({ crypto: 'noble', sha256: 'noble' });
  assert.equal(sel.verifier.name, 'noble');
  assert.equal(sel.sha256.name, 'noble');
  assert.match(sel.report, /^crypto: noble .*chosen explicitly/);
  assert.deepEqual(sel.spec, { crypto: 'noble', sha256: 'noble' });
});

test('unknown names are a CryptoBackendError naming the known backends', async () => {
  await assert.rejects(selectCrypto({ crypto: 'openssl' as never }), (e: unknown) => e instanceof CryptoBackendError && /noble, wasm, ffi, napi/.test(e.message));
  await assert.rejects(selectCrypto({ sha256: 'md5' as never }), (e: unknown) => e instanceof CryptoBackendError && /noble, node, node-large, bun/.test(e.message));
  await assert.rejects(loadCryptoByName('nope' as never), CryptoBackendError);
});

test('ffi with a library path that does not exist is a clear error', async () => {
  const path = '/nonexistent/dir/libsecp256k1.so.1';
  await assert.rejects(selectCrypto({ crypto: 'ffi', libPath: path }), (e: unknown) => {
    assert.ok(e instanceof CryptoBackendError);
    assert.equal(e.backend, 'ffi');
    if (runtimeName() === 'node') assert.match(e.message, /no built-in FFI/);
    else assert.ok(e.message.includes(path), e.message);
    return true;
  });
});

test('the bun SHA-256 backend outside Bun is a clear error', { skip: runtimeName() === 'bun' ? 'this is Bun' : false }, async () => {
  await assert.rejects(selectCrypto({ crypto: 'noble', sha256: 'bun' }), /sha256 bun: SHA-256 backend not usable on (node|deno) .*only on Bun/);
});

test('a fast backend with one wrong answer is never chosen', async () => {
  const liar: SigVerifier = { name: 'liar', verifyEcdsa: () => true, verifySchnorr: () => true };
  // Right on everything except high-S ECDSA, which it refuses (as bare secp256k1_ecdsa_verify would).
  const strict: SigVerifier = {
    name: 'strict-low-s',
    verifyEcdsa: (s, m, k) => s.length === 64 && s[32]! < 0x80 && checkedNobleVerifier.verifyEcdsa(s, m, k),
    verifySchnorr: (s, m, k) => checkedNobleVerifier.verifySchnorr(s, m, k),
  };
  const broken: SigVerifier = { name: 'throws', verifyEcdsa: () => { throw new Error('boom'); }, verifySchnorr: () => false };
  const r = await rankSigBackends(
    [
      { name: 'liar', load: async () => liar },
      { name: 'strict-low-s', load: async () => strict },
      { name: 'throws', load: async () => broken },
      { name: 'missing', load: async () => { throw new CryptoBackendError('missing', 'not here'); } },
      { name: 'noble', load: async () => checkedNobleVerifier },
    ],
    10,
  );
  const by = Object.fromEntries(r.candidates.map((c) => [c.name, c]));
  assert.equal(by.liar!.status, 'failed-kat');
  assert.equal(by['strict-low-s']!.status, 'failed-kat');
  assert.match(by['strict-low-s']!.detail, /1 of \d+ known answers wrong: ecdsa valid high-S form/);
  assert.equal(by.throws!.status, 'failed-kat');
  assert.equal(by.missing!.status, 'unavailable');
  assert.equal(by.missing!.detail, 'not here');
  assert.equal(by.liar!.ecdsaUs, undefined, 'a rejected backend is not even timed');
  assert.equal(r.best?.candidate.name, 'noble');
  assert.equal(by.noble!.status, 'selected');
});

test('a SHA-256 backend whose clone() shares state is never chosen', async () => {
  const shallow: Sha256Backend = {
    name: 'shallow-clone',
    sha256: nobleSha256Backend.sha256,
    create() {
      const s = nobleSha256Backend.create();
      const self = { update: (d: Uint8Array) => (s.update(d), self), digest: () => s.digest(), clone: () => self };
      return self;
    },
  };
  const r = await rankSha256Backends([{ name: 'shallow-clone', load: async () => shallow }, { name: 'noble', load: async () => nobleSha256Backend }], 4);
  assert.equal(r.candidates[0]!.status, 'failed-kat');
  assert.equal(r.best?.candidate.name, 'noble');
});

test('applyCrypto installs the SHA-256 backend and returns the verifier', async () => {
  const before = sha256Backend();
  try {
    const sel = await selectCrypto({ crypto: 'noble', sha256: 'node' });
    assert.equal(applyCrypto(sel), sel.verifier);
    assert.equal(sha256Backend().name, 'node');
  } finally {
    setSha256Backend(before);
  }
});

test('a faster SHA-256 backend that stalls once while it is timed is still chosen (interleaved slices, best of each)', async () => {
  const base = jsSha256Backend;
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  // The known answers' one-shot hashes come first: the timing starts after them.
  let katCalls = 0;
  runSha256Kat({ ...base, sha256: (d) => (katCalls++, base.sha256(d)) });
  // `stalls`: 200 ms lost once, 15 ms after its timing began (a pause of the machine, not its speed).
  let calls = 0;
  let began = 0;
  let stalled = false;
  const stalls: Sha256Backend = {
    name: 'stalls',
    sha256: (d) => {
      if (++calls === katCalls + 1) began = performance.now();
      else if (began > 0 && !stalled && performance.now() - began > 15) {
        stalled = true;
        spin(200);
      }
      return base.sha256(d);
    },
    create: () => base.create(),
  };
  // `slow`: 30 µs more per one-shot hash, always.
  const slow: Sha256Backend = { name: 'slow', sha256: (d) => (spin(0.03), base.sha256(d)), create: () => base.create() };
  const r = await rankSha256Backends([{ name: 'stalls', load: async () => stalls }, { name: 'slow', load: async () => slow }], 80);
  assert.ok(stalled, 'the stall happened while timing');
  assert.equal(r.best?.candidate.name, 'stalls', JSON.stringify(r.candidates.map((c) => [c.name, c.roundUs])));
});
