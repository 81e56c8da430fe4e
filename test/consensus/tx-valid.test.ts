/**
 * Core's tx_valid.json with transaction_tests.cpp semantics: the flags column lists
 * EXCLUDED verify flags. Each transaction must pass CheckTransaction; its scripts must pass
 * with ALL_FLAGS minus the excluded ones, still pass with any one further flag removed
 * (TrimFlags applied) and with random further removals, and fail when any one excluded
 * flag is added back (ExcludeIndividualFlags: the exclusions are minimal).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_FLAGS } from '../../src/script/flags.ts';
import { parseFlags, checkTransaction } from '../../mod.ts';
import { readVectorJson } from '../util/vectors.ts';
import { txVectors, checkTxScripts, describeVector } from '../util/tx-vectors.ts';
import { FLAG_LIST, excludeIndividualFlags, fillFlags, makeRng, showFlags, trimFlags } from '../util/flags.ts';
import { installCachingVerifier } from '../util/caching-verifier.ts';

installCachingVerifier();

const vectors = txVectors(readVectorJson<unknown[][]>('bitcoin-core/tx_valid.json'));

test('tx_valid.json has 121 tests', () => assert.equal(vectors.length, 121));

describe('tx_valid.json', () => {
  for (const v of vectors) {
    test(`#${v.index} excluded=${v.flagsText}${v.comment ? ': ' + v.comment.slice(0, 100) : ''}`, () => {
      const problems: string[] = [];
      const ct = checkTransaction(v.raw);
      if (!ct.ok) problems.push(`CheckTransaction failed: ${ct.reason}`);

      const excluded = parseFlags(v.flagsText);
      const verify = ALL_FLAGS & ~excluded;
      // Check that the test gives a valid combination of flags (Core: "Bad test flags").
      if (verify !== fillFlags(verify)) problems.push(`bad test flags: ${showFlags(verify)} is not a valid combination`);

      const expectValid = (flags: number, why: string) => {
        const r = checkTxScripts(v, flags);
        if (!r.valid) problems.push(`${why}: expected valid with [${showFlags(flags)}], got ${r.error} at input ${r.input}`);
      };
      const expectInvalid = (flags: number, why: string) => {
        const r = checkTxScripts(v, flags);
        if (r.valid) problems.push(`${why}: expected invalid with [${showFlags(flags)}], got valid`);
      };

      expectValid(verify, 'main');
      const rng = makeRng(0x7a11d + v.index);
      for (const [name, f] of FLAG_LIST) {
        expectValid(trimFlags(ALL_FLAGS & ~(excluded | f)), `flag ${name} unset`);
        expectValid(trimFlags(ALL_FLAGS & ~(excluded | rng(FLAG_LIST.length))), 'random flags unset');
      }
      for (const e of excludeIndividualFlags(excluded)) {
        expectInvalid(ALL_FLAGS & ~e, 'too many flags unset (adding back one excluded flag must fail)');
      }
      assert.equal(problems.length, 0, `${describeVector(v)}\n  ${problems.join('\n  ')}`);
    });
  }
});
