/**
 * BIP340 test vectors (bips/bip-0340/test-vectors.csv) through the SigVerifier interface,
 * on every signature backend that loads on this runtime (others are reported skipped).
 * Messages of 0, 1, 17 and 100 bytes (rows 15-18) exercise variable-length verification.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr } from '@noble/curves/secp256k1.js';
import { fromHex, toHex } from '../../src/primitives/bytes.ts';
import { readVectorText } from '../util/vectors.ts';
import { probeBackends } from '../util/backends.ts';

interface Row { index: number; sk: string; pk: string; aux: string; msg: string; sig: string; ok: boolean; comment: string }

const lines = readVectorText('bips/bip340-test-vectors.csv').trim().split(/\r?\n/);
assert.equal(lines[0], 'index,secret key,public key,aux_rand,message,signature,verification result,comment');
const rows: Row[] = lines.slice(1).map((l) => {
  const c = l.split(',');
  return { index: Number(c[0]), sk: c[1]!, pk: c[2]!, aux: c[3]!, msg: c[4]!, sig: c[5]!, ok: c[6] === 'TRUE', comment: c.slice(7).join(',') };
});

test('the CSV has the 19 rows of BIP340', () => {
  assert.equal(rows.length, 19);
  assert.deepEqual(rows.map((r) => r.index), Array.from({ length: 19 }, (_, i) => i));
  assert.deepEqual(rows.slice(15).map((r) => r.msg.length / 2), [0, 1, 17, 100]);
});

const backends = await probeBackends();

for (const b of backends) {
  if (!b.verifier) {
    test.skip(`backend ${b.name}: unavailable on this runtime (${b.skipped})`, () => {});
    continue;
  }
  const v = b.verifier;
  describe(`backend ${b.name}`, () => {
    for (const r of rows) {
      test(`row ${r.index}: ${r.ok ? 'valid' : 'invalid'}${r.comment ? ' - ' + r.comment : ''}`, () => {
        const got = v.verifySchnorr(fromHex(r.sig), fromHex(r.msg), fromHex(r.pk));
        assert.equal(got, r.ok, `row ${r.index} sig=${r.sig} msg=${r.msg} pk=${r.pk}: expected ${r.ok}, got ${got}`);
      });
    }
    test('valid signatures stop verifying when one bit of sig, msg or key flips', () => {
      for (const r of rows.filter((x) => x.ok)) {
        const sig = fromHex(r.sig), msg = fromHex(r.msg), pk = fromHex(r.pk);
        const s2 = sig.slice(); s2[63]! ^= 1;
        assert.equal(v.verifySchnorr(s2, msg, pk), false, `row ${r.index} sig flip`);
        if (msg.length > 0) {
          const m2 = msg.slice(); m2[0]! ^= 1;
          assert.equal(v.verifySchnorr(sig, m2, pk), false, `row ${r.index} msg flip`);
        }
        const longer = new Uint8Array(msg.length + 1); longer.set(msg);
        assert.equal(v.verifySchnorr(sig, longer, pk), false, `row ${r.index} msg extended`);
      }
    });
  });
}

describe('signing rows (reference check of the vectors with noble)', () => {
  for (const r of rows.filter((x) => x.sk !== '')) {
    test(`row ${r.index}: public key and deterministic signature`, () => {
      assert.equal(toHex(schnorr.getPublicKey(fromHex(r.sk))), r.pk.toLowerCase());
      assert.equal(toHex(schnorr.sign(fromHex(r.msg), fromHex(r.sk), fromHex(r.aux))), r.sig.toLowerCase());
    });
  }
});
