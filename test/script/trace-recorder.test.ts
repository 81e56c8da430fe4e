/**
 * The recorder of src/script/trace.ts on small bare scripts: the condition stack of nested
 * IFs, the altstack in the byte budget, a phase's result and where it stopped (the end of
 * the script: no opcode), what a trace reports of a shared budget, its spent output and its
 * absent error, the budget error's own fields, and traceInput's argument checks.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import { traceInput, TraceBudget, TraceBudgetError } from '../../src/script/trace.ts';
import { parseAsm } from '../util/asm.ts';
import { buildCreditingTx, buildSpendingTx } from '../util/script-tx.ts';
import { keyPathSpend } from '../util/trace-spends.ts';

/** The trace of a bare scriptPubKey spent with `sig` (both asm), amount 5000 sat. */
function traceOf(sig: string, spk: string, budget?: TraceBudget) {
  const scriptPubKey = parseAsm(spk);
  const tx = buildSpendingTx(parseAsm(sig), [], buildCreditingTx(scriptPubKey, 5000n));
  return traceInput(tx, 0, [{ value: 5000n, scriptPubKey }], F.P2SH, budget ? { budget } : {});
}

describe('the recorder', () => {
  test('nested conditions: outer true, inner false; the ELSE flips the inner one', () => {
    const t = traceOf('', '1 IF 0 IF 2 ELSE 3 ENDIF ENDIF');
    const p = t.phases[1]!;
    assert.deepEqual(p.steps.map((s) => [s.opcode, s.executed, s.conditions]), [
      ['OP_1', true, []], ['OP_IF', true, [true]], ['OP_0', true, [true]], ['OP_IF', true, [true, false]],
      ['OP_2', false, [true, false]], ['OP_ELSE', false, [true, true]], ['OP_3', true, [true, true]], ['OP_ENDIF', true, [true]], ['OP_ENDIF', true, []],
    ]);
    assert.deepEqual([p.result, p.stoppedAt, t.ok, 'error' in t, 'message' in t], ['ok', undefined, true, false, false]);
  });

  test('the byte budget counts the altstack: stack and altstack bytes after every step', () => {
    // <aabbcc> TOALTSTACK 1: 3 bytes on the stack, then 3 on the altstack, then 3 + 1
    const t = traceOf('', '0x03 0xaabbcc TOALTSTACK 1');
    assert.deepEqual(t.phases[1]!.steps.map((s) => [s.stack, s.altstack]), [[['aabbcc'], []], [[], ['aabbcc']], [['01'], ['aabbcc']]]);
    assert.equal(t.bytes, 3 + 3 + 4);
    assert.equal(t.steps, 3);
  });

  test('a script that fails at its end stops at offset = its length, with no opcode', () => {
    const t = traceOf('', '1 IF');
    const p = t.phases[1]!;
    assert.deepEqual([t.error, t.message, p.result, p.stoppedAt], ['UNBALANCED_CONDITIONAL', 'Invalid OP_IF construction', 'UNBALANCED_CONDITIONAL', { offset: 2, opcode: null }]);
    const mid = traceOf('', '1 RETURN 2');
    assert.deepEqual(mid.phases[1]!.stoppedAt, { offset: 1, opcode: 'OP_RETURN' });
  });

  test('the spent output and the flags are reported', () => {
    const t = traceOf('1', '0x01 0x07 DROP');
    assert.deepEqual(t.spent, { scriptPubKey: '010775', amount: 5000 });
    assert.equal(t.flags, 'P2SH');
  });
});

describe('budgets and arguments', () => {
  test('a trace on a shared budget reports its own use only', () => {
    const budget = new TraceBudget(1000, 1000);
    const a = traceOf('', '1 2 DROP', budget);
    const b = traceOf('', '0x02 0xaabb', budget);
    assert.deepEqual([a.steps, a.bytes], [3, 1 + 2 + 1]);
    assert.deepEqual([b.steps, b.bytes], [1, 2]);
    assert.deepEqual([budget.steps, budget.bytes], [4, 6]);
  });

  test('TraceBudgetError names its limit, its maximum and itself', () => {
    const steps = (() => { try { traceOf('', '1 2 3', new TraceBudget(2, 1000)); } catch (e) { return e; } })() as TraceBudgetError;
    assert.ok(steps instanceof TraceBudgetError);
    assert.deepEqual([steps.name, steps.limit, steps.max, steps.message], ['TraceBudgetError', 'steps', 2, 'the trace needs more than 2 steps (the step budget)']);
    const bytes = (() => { try { traceOf('', '0x03 0xaabbcc', new TraceBudget(1000, 2)); } catch (e) { return e; } })() as TraceBudgetError;
    assert.deepEqual([bytes.name, bytes.limit, bytes.max, bytes.message], ['TraceBudgetError', 'bytes', 2, 'the trace needs more than 2 bytes of stack snapshots (the byte budget)']);
  });

  test('an input or spent output out of range is a RangeError; a txdata without spent outputs gets them', () => {
    const s = keyPathSpend(false);
    const flags = F.P2SH | F.WITNESS | F.TAPROOT;
    assert.throws(() => traceInput(s.tx, 1, s.spent, flags), (e: unknown) => e instanceof RangeError && e.message === 'input 1 out of range');
    assert.throws(() => traceInput(s.tx, 0, [], flags), RangeError);
    assert.equal(traceInput(s.tx, 0, s.spent, flags, { txdata: {} }).ok, true);
  });
});
