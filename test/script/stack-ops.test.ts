/**
 * The stack and arithmetic opcodes of EvalScript (interpreter.cpp; src/script/ops-stack.ts):
 * each opcode's result on a small stack (bottom first, hex), its stack requirement at N-1
 * (INVALID_STACK_OPERATION) and N, OP_PICK/OP_ROLL indices at -1, depth-1 and depth, the
 * CScriptNum operands (4 bytes, MINIMALDATA) and results, and the VERIFY variants.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import { OP } from '../../src/script/opcodes.ts';
import { numericOp, stackOp } from '../../src/script/ops-stack.ts';
import { evalAsm } from '../util/eval.ts';

/** The stack after `asm`, or the error. */
const run = (asm: string, flags = 0) => {
  const r = evalAsm(asm, { flags });
  return r.result === 'OK' ? r.stack.join(' ') : r.result;
};

describe('stack manipulation', () => {
  const cases: [string, string][] = [
    ['1 TOALTSTACK 2 FROMALTSTACK', '02 01'],
    ['1 2 TOALTSTACK TOALTSTACK FROMALTSTACK FROMALTSTACK', '01 02'],
    ['1 2 3 2DROP', '01'],
    ['1 2 3 2DUP', '01 02 03 02 03'],
    ['1 2 3 3DUP', '01 02 03 01 02 03'],
    ['1 2 3 4 2OVER', '01 02 03 04 01 02'],
    ['1 2 3 4 5 6 7 2ROT', '01 04 05 06 07 02 03'],
    ['1 2 3 4 5 2SWAP', '01 04 05 02 03'],
    ['1 2 IFDUP', '01 02 02'],
    ['1 0 IFDUP', '01 '],
    ['1 0x01 0x80 IFDUP', '01 80'],
    ['DEPTH 7 DEPTH', ' 07 02'],
    ['1 2 DROP', '01'],
    ['1 2 DUP', '01 02 02'],
    ['1 2 3 NIP', '01 03'],
    ['1 2 3 OVER', '01 02 03 02'],
    ['1 2 3 4 ROT', '01 03 04 02'],
    ['1 2 3 SWAP', '01 03 02'],
    ['1 2 3 TUCK', '01 03 02 03'],
    ['1 2 3 0 PICK', '01 02 03 03'],
    ['1 2 3 2 PICK', '01 02 03 01'],
    ['1 2 3 0 ROLL', '01 02 03'],
    ['1 2 3 1 ROLL', '01 03 02'],
    ['1 2 3 2 ROLL', '02 03 01'],
    ['0x02 0xabcd SIZE', 'abcd 02'],
    ['0 SIZE', ' '],
    ['0x4c 0x80 0x' + '11'.repeat(128) + ' SIZE NIP', '8000'],
  ];
  for (const [asm, want] of cases) test(asm.length > 60 ? asm.slice(0, 60) + '…' : asm, () => assert.equal(run(asm), want));

  test('each opcode with one element too few', () => {
    const needs: [string, number][] = [
      ['TOALTSTACK', 1], ['2DROP', 2], ['2DUP', 2], ['3DUP', 3], ['2OVER', 4], ['2ROT', 6], ['2SWAP', 4], ['IFDUP', 1],
      ['DROP', 1], ['DUP', 1], ['NIP', 2], ['OVER', 2], ['ROT', 3], ['SWAP', 2], ['TUCK', 2], ['SIZE', 1],
    ];
    for (const [op, n] of needs) {
      const below = Array(n - 1).fill('1').join(' ');
      assert.equal(run(`${below} ${op}`), 'INVALID_STACK_OPERATION', `${op} on ${n - 1}`);
      assert.notEqual(run(`${Array(n).fill('1').join(' ')} ${op}`), 'INVALID_STACK_OPERATION', `${op} on ${n}`);
    }
    assert.equal(run('1 FROMALTSTACK'), 'INVALID_ALTSTACK_OPERATION');
    assert.equal(run('PICK'), 'INVALID_STACK_OPERATION');
    assert.equal(run('0 PICK'), 'INVALID_STACK_OPERATION');
    assert.equal(run('0 ROLL'), 'INVALID_STACK_OPERATION');
  });

  test('OP_PICK / OP_ROLL index: negative and ≥ depth are invalid, depth - 1 is the bottom', () => {
    assert.equal(run('1 2 -1 PICK'), 'INVALID_STACK_OPERATION');
    assert.equal(run('1 2 -1 ROLL'), 'INVALID_STACK_OPERATION');
    assert.equal(run('1 2 2 PICK'), 'INVALID_STACK_OPERATION');
    assert.equal(run('1 2 2 ROLL'), 'INVALID_STACK_OPERATION');
    assert.equal(run('1 2 1 PICK'), '01 02 01');
    assert.equal(run('1 2 1 ROLL'), '02 01');
    assert.equal(run('1 2 0x05 0x0100000000 PICK'), 'SCRIPTNUM');
    assert.equal(run('1 2 0x02 0x0000 PICK', F.MINIMALDATA), 'SCRIPTNUM');
    assert.equal(run('1 2 0x02 0x0000 PICK'), '01 02 02');
  });
});

describe('equality and arithmetic', () => {
  const cases: [string, string][] = [
    ['0x02 0x0102 0x02 0x0102 EQUAL', '01'],
    ['0x02 0x0102 0x02 0x0103 EQUAL', ''],
    ['0 0x01 0x00 EQUAL', ''],
    ['7 0x02 0x0102 0x02 0x0102 EQUALVERIFY', '07'],
    ['5 1ADD', '06'], ['-1 1ADD', ''], ['0x04 0xffffff7f 1ADD', '0000008000'],
    ['5 1SUB', '04'], ['0 1SUB', '81'],
    ['5 NEGATE', '85'], ['-5 NEGATE', '05'], ['0 NEGATE', ''],
    ['-5 ABS', '05'], ['5 ABS', '05'], ['0 ABS', ''],
    ['0 NOT', '01'], ['1 NOT', ''], ['-1 NOT', ''], ['2 NOT', ''],
    ['0 0NOTEQUAL', ''], ['2 0NOTEQUAL', '01'], ['-1 0NOTEQUAL', '01'],
    ['2 3 ADD', '05'], ['2 -3 ADD', '81'], ['0x04 0xffffff7f 0x04 0xffffff7f ADD', 'feffffff00'],
    ['2 3 SUB', '81'], ['3 2 SUB', '01'],
    ['1 1 BOOLAND', '01'], ['1 0 BOOLAND', ''], ['0 1 BOOLAND', ''], ['-1 2 BOOLAND', '01'],
    ['0 0 BOOLOR', ''], ['0 1 BOOLOR', '01'], ['1 0 BOOLOR', '01'],
    ['3 3 NUMEQUAL', '01'], ['3 4 NUMEQUAL', ''], ['0 0x01 0x80 NUMEQUAL', '01'],
    ['7 3 3 NUMEQUALVERIFY', '07'],
    ['3 4 NUMNOTEQUAL', '01'], ['3 3 NUMNOTEQUAL', ''],
    ['3 4 LESSTHAN', '01'], ['4 4 LESSTHAN', ''], ['5 4 LESSTHAN', ''], ['-5 4 LESSTHAN', '01'],
    ['3 4 GREATERTHAN', ''], ['4 4 GREATERTHAN', ''], ['5 4 GREATERTHAN', '01'],
    ['3 4 LESSTHANOREQUAL', '01'], ['4 4 LESSTHANOREQUAL', '01'], ['5 4 LESSTHANOREQUAL', ''],
    ['3 4 GREATERTHANOREQUAL', ''], ['4 4 GREATERTHANOREQUAL', '01'], ['5 4 GREATERTHANOREQUAL', '01'],
    ['3 4 MIN', '03'], ['4 3 MIN', '03'], ['-4 3 MIN', '84'],
    ['3 4 MAX', '04'], ['4 3 MAX', '04'], ['-4 -3 MAX', '83'],
    ['2 2 5 WITHIN', '01'], ['4 2 5 WITHIN', '01'], ['5 2 5 WITHIN', ''], ['1 2 5 WITHIN', ''], ['-1 -2 0 WITHIN', '01'],
  ];
  for (const [asm, want] of cases) test(asm, () => assert.equal(run(asm), want));

  test('VERIFY variants fail with their own errors', () => {
    assert.equal(run('1 2 EQUALVERIFY'), 'EQUALVERIFY');
    assert.equal(run('1 2 NUMEQUALVERIFY'), 'NUMEQUALVERIFY');
  });

  test('stack requirements: one for unary, two for binary, three for WITHIN', () => {
    for (const op of ['1ADD', '1SUB', 'NEGATE', 'ABS', 'NOT', '0NOTEQUAL']) {
      assert.equal(run(op), 'INVALID_STACK_OPERATION', op);
    }
    for (const op of ['EQUAL', 'EQUALVERIFY', 'ADD', 'SUB', 'BOOLAND', 'BOOLOR', 'NUMEQUAL', 'NUMEQUALVERIFY', 'NUMNOTEQUAL', 'LESSTHAN', 'GREATERTHAN', 'LESSTHANOREQUAL', 'GREATERTHANOREQUAL', 'MIN', 'MAX']) {
      assert.equal(run(`1 ${op}`), 'INVALID_STACK_OPERATION', op);
    }
    assert.equal(run('1 2 WITHIN'), 'INVALID_STACK_OPERATION');
  });

  test('operands are 4-byte CScriptNums; MINIMALDATA applies to each of them', () => {
    for (const asm of ['0x05 0x0000000001 1ADD', '1 0x05 0x0000000001 ADD', '0x05 0x0000000001 1 ADD', '1 2 0x05 0x0000000001 WITHIN', '1 0x05 0x0000000001 2 WITHIN', '0x05 0x0000000001 1 2 WITHIN']) {
      assert.equal(run(asm), 'SCRIPTNUM', asm);
    }
    for (const asm of ['0x01 0x00 1ADD', '1 0x01 0x00 ADD', '0x01 0x00 1 ADD', '1 2 0x01 0x00 WITHIN', '1 0x01 0x00 2 WITHIN', '0x01 0x00 1 2 WITHIN']) {
      assert.equal(run(asm, F.MINIMALDATA), 'SCRIPTNUM', asm);
      assert.notEqual(run(asm), 'SCRIPTNUM', asm);
    }
  });
});

test('the two dispatchers answer BAD_OPCODE for an opcode that is not theirs', () => {
  assert.equal(stackOp(OP.OP_ADD, [], [], false), 'BAD_OPCODE');
  assert.equal(numericOp(OP.OP_DUP, [], false), 'BAD_OPCODE');
});
