// Core v30 CheckInputScripts reject reasons (#33050 "mempool-…", #33183 "block-…") and the
// consensus/policy classification by a second run under MANDATORY_SCRIPT_VERIFY_FLAGS.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MANDATORY_SCRIPT_VERIFY_FLAGS, STANDARD_NOT_MANDATORY_VERIFY_FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS,
} from '../../src/policy/constants.ts';
import { checkInputScripts, scriptFailureReason, type TxScriptResult } from '../../src/policy/script-failure.ts';
import { SCRIPT_VERIFY, formatFlags } from '../../src/script/flags.ts';

/** A runner that fails input 1 with `error` whenever any of `failOn` flags is set. */
function runner(failOn: number, error: 'SIG_HIGH_S' | 'EVAL_FALSE') {
  const calls: number[] = [];
  const run = (flags: number): TxScriptResult => {
    calls.push(flags);
    return flags & failOn ? { ok: false, error, input: 1 } : { ok: true };
  };
  return { run, calls };
}

describe('policy.h flag sets', () => {
  test('standard = mandatory + the policy-only flags', () => {
    assert.equal(formatFlags(MANDATORY_SCRIPT_VERIFY_FLAGS), 'P2SH,DERSIG,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,WITNESS,TAPROOT');
    assert.equal(formatFlags(STANDARD_NOT_MANDATORY_VERIFY_FLAGS),
      'STRICTENC,LOW_S,MINIMALDATA,DISCOURAGE_UPGRADABLE_NOPS,CLEANSTACK,DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,MINIMALIF,NULLFAIL,WITNESS_PUBKEYTYPE,CONST_SCRIPTCODE,DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,DISCOURAGE_OP_SUCCESS,DISCOURAGE_UPGRADABLE_PUBKEYTYPE');
    assert.equal(STANDARD_SCRIPT_VERIFY_FLAGS & SCRIPT_VERIFY.SIGPUSHONLY, 0);
  });
});

describe('checkInputScripts', () => {
  test('passing scripts run once, under the standard flags', async () => {
    const r = runner(0, 'EVAL_FALSE');
    assert.deepEqual(await checkInputScripts(r.run), { ok: true });
    assert.deepEqual(r.calls, [STANDARD_SCRIPT_VERIFY_FLAGS]);
  });
  test('a policy-only failure: mempool reason, kind policy', async () => {
    const r = runner(SCRIPT_VERIFY.LOW_S, 'SIG_HIGH_S');
    const v = await checkInputScripts(r.run);
    assert.deepEqual(v, {
      ok: false, reason: 'mempool-script-verify-flag-failed (Non-canonical signature: S value is unnecessarily high)',
      details: 'input 1', kind: 'policy', error: 'SIG_HIGH_S', input: 1,
    });
    assert.deepEqual(r.calls, [STANDARD_SCRIPT_VERIFY_FLAGS, MANDATORY_SCRIPT_VERIFY_FLAGS]);
  });
  test('a consensus failure keeps the mempool reason string (Core v30) but kind consensus', async () => {
    const r = runner(SCRIPT_VERIFY.P2SH, 'EVAL_FALSE');
    const v = await checkInputScripts(r.run, { describeInput: (i) => `input ${i} of x` });
    assert.equal(v.ok, false);
    if (v.ok) return;
    assert.equal(v.reason, 'mempool-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)');
    assert.equal(v.kind, 'consensus');
    assert.equal(v.details, 'input 1 of x');
  });
  test('classify: false skips the second run', async () => {
    const r = runner(SCRIPT_VERIFY.P2SH, 'EVAL_FALSE');
    const v = await checkInputScripts(r.run, { classify: false });
    assert.equal(!v.ok && v.kind, 'policy');
    assert.equal(r.calls.length, 1);
  });
  test('under block flags the reason is block-script-verify-flag-failed, kind consensus, no re-run', async () => {
    const r = runner(SCRIPT_VERIFY.P2SH, 'EVAL_FALSE');
    const v = await checkInputScripts(async (f) => r.run(f), { flags: MANDATORY_SCRIPT_VERIFY_FLAGS });
    assert.equal(!v.ok && v.reason, 'block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)');
    assert.equal(!v.ok && v.kind, 'consensus');
    assert.equal(r.calls.length, 1);
    assert.equal(scriptFailureReason(SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.CLEANSTACK, 'CLEANSTACK'),
      'mempool-script-verify-flag-failed (Stack size must be exactly one after execution)');
  });
});
