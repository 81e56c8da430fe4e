// evalPushOnly (the scriptSig evaluation inside AreInputsStandard/IsWitnessStandard) agrees
// with the full interpreter's EvalScript(…, SCRIPT_VERIFY_NONE, BaseSignatureChecker, BASE)
// on push-only scripts: same success/failure and the same stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evalPushOnly } from '../../src/policy/inputs.ts';
import { evalScript, SigVersion, type SignatureChecker } from '../../src/script/interpreter.ts';
import { OP } from '../../src/script/opcodes.ts';
import { isPushOnly, pushData } from '../../src/script/script.ts';
import { concatBytes } from '../../src/primitives/bytes.ts';

/** Core's BaseSignatureChecker: every check fails. */
const base: SignatureChecker = {
  checkEcdsa: () => false,
  checkSchnorr: () => 'SCHNORR_SIG',
  checkLockTime: () => false,
  checkSequence: () => false,
};

const op = fc.oneof(
  fc.uint8Array({ maxLength: 90 }).map((d) => pushData(d)),
  fc.integer({ min: 0, max: 600 }).map((n) => pushData(new Uint8Array(n))),
  fc.constantFrom(OP.OP_0, OP.OP_1NEGATE, OP.OP_1, OP.OP_16, OP.OP_RESERVED).map((c) => Uint8Array.of(c)),
  // Non-minimal pushes and truncated pushes.
  fc.uint8Array({ maxLength: 4 }).map((d) => concatBytes(Uint8Array.of(OP.OP_PUSHDATA1, d.length), d)),
  fc.constantFrom(Uint8Array.of(5, 1, 2), Uint8Array.of(OP.OP_PUSHDATA2, 0xff)),
);

test('evalPushOnly matches EvalScript with SCRIPT_VERIFY_NONE on push-only scripts', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const script = concatBytes(...ops);
      const stack: Uint8Array[] = [];
      const err = evalScript(stack, script, 0, base, SigVersion.BASE, { codesepPos: 0xffffffff });
      const mine = evalPushOnly(script);
      if (!isPushOnly(script)) {
        // Truncated pushes (or bytes re-read as opcodes after one) are not push-only:
        // IsStandardTx rejects those scriptSigs first, and evalPushOnly refuses them.
        assert.equal(mine, undefined);
        return;
      }
      if (err !== undefined) assert.equal(mine, undefined, `EvalScript failed with ${err}`);
      else assert.deepEqual(mine, stack);
    }),
    { numRuns: 400 },
  );
});

test('the 1000-item stack limit', () => {
  assert.ok(evalPushOnly(new Uint8Array(1000)));
  assert.equal(evalPushOnly(new Uint8Array(1001)), undefined);
});
