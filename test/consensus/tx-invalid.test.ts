/**
 * Core's tx_invalid.json with transaction_tests.cpp semantics: `BADTX` rows (and only
 * they) fail CheckTransaction. Every other row must fail script verification under the
 * flags given, still fail with any one flag added (FillFlags applied) and with random
 * additions, and pass when any one of the given flags is removed (TrimFlags applied:
 * the flags are minimal).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, checkTransaction } from '../../mod.ts';
import { readVectorJson } from '../util/vectors.ts';
import { txVectors, checkTxScripts, describeVector } from '../util/tx-vectors.ts';
import { FLAG_LIST, excludeIndividualFlags, fillFlags, makeRng, showFlags } from '../util/flags.ts';
import { installCachingVerifier } from '../util/caching-verifier.ts';

installCachingVerifier();

const vectors = txVectors(readVectorJson<unknown[][]>('bitcoin-core/tx_invalid.json'));

test('tx_invalid.json has 93 tests, 9 of them BADTX', () => {
  assert.equal(vectors.length, 93);
  assert.equal(vectors.filter((v) => v.flagsText === 'BADTX').length, 9);
});

describe('tx_invalid.json', () => {
  for (const v of vectors) {
    test(`#${v.index} flags=${v.flagsText}${v.comment ? ': ' + v.comment.slice(0, 100) : ''}`, () => {
      const problems: string[] = [];
      const ct = checkTransaction(v.raw);
      if (!ct.ok || v.flagsText === 'BADTX') {
        if (v.flagsText !== 'BADTX') problems.push(`CheckTransaction failed (${ct.ok ? '' : ct.reason}) but the row is not BADTX`);
        if (ct.ok) problems.push('row is BADTX but CheckTransaction passed');
        assert.equal(problems.length, 0, `${describeVector(v)}\n  ${problems.join('\n  ')}`);
        return;
      }
      const flags = parseFlags(v.flagsText);
      if (flags !== fillFlags(flags)) problems.push(`bad test flags: ${showFlags(flags)} is not a valid combination`);

      const expectValid = (f: number, why: string) => {
        const r = checkTxScripts(v, f);
        if (!r.valid) problems.push(`${why}: expected valid with [${showFlags(f)}], got ${r.error} at input ${r.input}`);
      };
      const expectInvalid = (f: number, why: string) => {
        const r = checkTxScripts(v, f);
        if (r.valid) problems.push(`${why}: expected invalid with [${showFlags(f)}], got valid`);
        return r;
      };

      const main = expectInvalid(flags, 'main');
      const rng = makeRng(0x1a7a11d + v.index);
      for (const [name, f] of FLAG_LIST) {
        expectInvalid(fillFlags(flags | f), `flag ${name} set`);
        expectInvalid(fillFlags(flags | rng(FLAG_LIST.length)), 'random flags set');
      }
      for (const e of excludeIndividualFlags(flags)) expectValid(e, 'too many flags set (removing one given flag must pass)');
      assert.equal(problems.length, 0, `${describeVector(v)}\n  main result: ${main.error ?? 'valid'}\n  ${problems.join('\n  ')}`);
    });
  }
});
