/**
 * EvalScript (interpreter.cpp) opcode by opcode, through src/script/interpreter.ts with a
 * stub signature checker (test/util/eval.ts): push parsing and its truncations, the limits
 * at N-1/N/N+1 (MAX_SCRIPT_ELEMENT_SIZE 520, MAX_OPS_PER_SCRIPT 201, MAX_STACK_SIZE 1000 with
 * the altstack, MAX_SCRIPT_SIZE 10,000 outside tapscript), what runs in an unexecuted branch,
 * disabled opcodes, OP_IF/ELSE/ENDIF with MINIMALIF (BIP141 policy, BIP342 consensus),
 * CHECKLOCKTIMEVERIFY/CHECKSEQUENCEVERIFY (BIP65/BIP112, 5-byte operands, the disable bit),
 * the upgradable NOPs, the hash opcodes (digests of "abc" from the hash standards) and
 * OP_CODESEPARATOR under CONST_SCRIPTCODE.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import { SigVersion } from '../../src/script/interpreter.ts';
import { evalAsm, evalResult, stubChecker } from '../util/eval.ts';

const BASE = SigVersion.BASE, WITNESS_V0 = SigVersion.WITNESS_V0, TAPSCRIPT = SigVersion.TAPSCRIPT;
const b = (...x: number[]) => Uint8Array.from(x);
const rep = (n: number, s: string) => Array(n).fill(s).join(' ');
const bytesOf = (n: number, v = 0x51) => new Uint8Array(n).fill(v);

describe('pushes', () => {
  test('PUSHDATA1/2/4 read little-endian lengths', () => {
    assert.deepEqual(evalAsm(b(0x4c, 0x02, 0xaa, 0xbb)).stack, ['aabb']);
    assert.deepEqual(evalAsm(b(0x4d, 0x02, 0x00, 0xaa, 0xbb)).stack, ['aabb']);
    assert.deepEqual(evalAsm(b(0x4e, 0x02, 0x00, 0x00, 0x00, 0xaa, 0xbb)).stack, ['aabb']);
    assert.deepEqual(evalAsm(b(0x4c, 0x00, 0x4d, 0x00, 0x00, 0x4e, 0, 0, 0, 0)).stack, ['', '', '']);
    const two56 = evalAsm(Uint8Array.of(0x4d, 0x00, 0x01, ...bytesOf(256, 7)));
    assert.equal(two56.stack[0]!.length, 512);
    const four = evalAsm(Uint8Array.of(0x4e, 0x04, 0x01, 0x00, 0x00, ...bytesOf(260, 7)));
    assert.equal(four.stack[0]!.length, 520);
  });
  test('a truncated push, of each kind, is BAD_OPCODE', () => {
    for (const s of [b(0x01), b(0x02, 0xaa), b(0x4c), b(0x4c, 0x01), b(0x4d, 0x01), b(0x4d, 0x01, 0x00), b(0x4e, 0x01, 0, 0), b(0x4e, 0x01, 0, 0, 0), b(0x4e, 0, 0, 0, 0x80, 1)]) {
      assert.equal(evalResult(s), 'BAD_OPCODE', Array.from(s).join(','));
    }
    // every length byte counts: 0x00010005 and 0x01000005 bytes are far past the end (the
    // zero bytes in front would give a length of 5 if the wrong bytes were read)
    assert.equal(evalResult(b(0x00, 0x00, 0x4e, 0x05, 0x00, 0x01, 0x00, 1, 2, 3, 4, 5)), 'BAD_OPCODE');
    assert.equal(evalResult(b(0x00, 0x00, 0x4e, 0x05, 0x00, 0x00, 0x01, 1, 2, 3, 4, 5)), 'BAD_OPCODE');
    assert.equal(evalResult(b(0x00, 0x00, 0x4e, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5)), 'OK');
    // also inside an unexecuted branch
    assert.equal(evalResult(b(0x00, 0x63, 0x4c, 0x05, 0x01)), 'BAD_OPCODE');
  });
  test('MAX_SCRIPT_ELEMENT_SIZE: 520 bytes push, 521 is PUSH_SIZE, even unexecuted', () => {
    const push = (n: number) => Uint8Array.of(0x4d, n & 0xff, n >> 8, ...bytesOf(n));
    assert.equal(evalAsm(push(519)).result, 'OK');
    assert.equal(evalAsm(push(520)).stack[0]!.length, 1040);
    assert.equal(evalResult(push(521)), 'PUSH_SIZE');
    assert.equal(evalResult(Uint8Array.of(0x00, 0x63, ...push(521), 0x68)), 'PUSH_SIZE');
    assert.equal(evalResult(Uint8Array.of(0x00, 0x63, ...push(520), 0x68)), 'OK');
  });
  test('OP_1NEGATE, OP_1..OP_16 push their numbers', () => {
    assert.deepEqual(evalAsm('-1 1 2 15 16').stack, ['81', '01', '02', '0f', '10']);
  });
  test('MINIMALDATA checks executed pushes only', () => {
    assert.equal(evalResult(b(0x01, 0x05), { flags: F.MINIMALDATA }), 'MINIMALDATA');
    assert.equal(evalResult(b(0x4c, 0x01, 0x20), { flags: F.MINIMALDATA }), 'MINIMALDATA');
    assert.deepEqual(evalAsm(b(0x01, 0x05)).stack, ['05']);
    assert.deepEqual(evalAsm(b(0x01, 0x20), { flags: F.MINIMALDATA }).stack, ['20']);
    assert.equal(evalResult(b(0x00, 0x63, 0x01, 0x05, 0x68), { flags: F.MINIMALDATA }), 'OK');
  });
});

describe('limits', () => {
  test('MAX_OPS_PER_SCRIPT 201: non-push opcodes count, executed or not; pushes and OP_1..OP_16 do not', () => {
    assert.equal(evalResult(`1 ${rep(201, 'NOP')}`), 'OK');
    assert.equal(evalResult(`1 ${rep(202, 'NOP')}`), 'OP_COUNT');
    assert.equal(evalResult(`${rep(300, '1')} ${rep(300, '0x01 0x01')} ${rep(201, 'NOP')} ${rep(300, '16')}`), 'OK');
    assert.equal(evalResult(`0 IF ${rep(199, 'NOP')} ENDIF`), 'OK');
    assert.equal(evalResult(`0 IF ${rep(200, 'NOP')} ENDIF`), 'OP_COUNT');
    // OP_RESERVED (0x50) is below OP_16: not counted
    assert.equal(evalResult(`0 IF ${rep(300, 'RESERVED')} ${rep(199, 'NOP')} ENDIF`), 'OK');
  });
  test('the op limit is for BASE and WITNESS_V0, not tapscript', () => {
    assert.equal(evalResult(`1 ${rep(202, 'NOP')}`, { sv: WITNESS_V0 }), 'OP_COUNT');
    assert.equal(evalResult(`1 ${rep(202, 'NOP')}`, { sv: TAPSCRIPT }), 'OK');
  });
  test('MAX_STACK_SIZE 1000 counts stack and altstack', () => {
    assert.equal(evalResult(rep(1000, '1')), 'OK');
    assert.equal(evalResult(rep(1001, '1')), 'STACK_SIZE');
    assert.equal(evalResult(`${rep(999, '1')} TOALTSTACK 1`), 'OK');
    assert.equal(evalResult(`${rep(1000, '1')} TOALTSTACK 1`), 'STACK_SIZE');
    assert.equal(evalResult(rep(1000, '1'), { stack: [b(1)] }), 'STACK_SIZE');
  });
  test('MAX_SCRIPT_SIZE 10,000 bytes outside tapscript', () => {
    // 19 × (PUSHDATA2 of 520 bytes, DROP) = 9,956 bytes, then one direct push of n - 9,957 bytes
    const sized = (n: number) => {
      const drop520 = [0x4d, 0x08, 0x02, ...bytesOf(520), 0x75];
      const last = n - 19 * drop520.length - 1;
      return Uint8Array.of(...Array(19).fill(drop520).flat(), last, ...bytesOf(last));
    };
    assert.equal(sized(10_000).length, 10_000);
    for (const sv of [BASE, WITNESS_V0]) {
      assert.equal(evalResult(sized(9_999), { sv }), 'OK');
      assert.equal(evalResult(sized(10_000), { sv }), 'OK');
      assert.equal(evalResult(sized(10_001), { sv }), 'SCRIPT_SIZE');
    }
    assert.equal(evalResult(sized(10_001), { sv: TAPSCRIPT }), 'OK');
  });
});

describe('unexecuted branches and disabled opcodes', () => {
  const disabled = ['CAT', 'SUBSTR', 'LEFT', 'RIGHT', 'INVERT', 'AND', 'OR', 'XOR', '2MUL', '2DIV', 'MUL', 'DIV', 'MOD', 'LSHIFT', 'RSHIFT'];
  test('each disabled opcode fails, executed or not', () => {
    for (const op of disabled) {
      assert.equal(evalResult(`1 1 ${op}`), 'DISABLED_OPCODE', op);
      assert.equal(evalResult(`0 IF ${op} ENDIF`), 'DISABLED_OPCODE', op);
    }
  });
  test('unknown opcodes fail only when executed; OP_VERIF/OP_VERNOTIF fail even unexecuted', () => {
    for (const op of ['VER', 'RESERVED', 'RESERVED1', 'RESERVED2', '0xba', '0xbb', '0xfe', '0xff']) {
      assert.equal(evalResult(`1 ${op}`), 'BAD_OPCODE', op);
      assert.equal(evalResult(`0 IF ${op} ENDIF 1`), 'OK', op);
    }
    assert.equal(evalResult('0 IF VERIF ENDIF 1'), 'BAD_OPCODE');
    assert.equal(evalResult('0 IF VERNOTIF ENDIF 1'), 'BAD_OPCODE');
  });
  test('an unexecuted branch does not touch the stack (RETURN, VERIFY, DROP, numbers skipped)', () => {
    assert.deepEqual(evalAsm('0 IF RETURN VERIFY DROP 7 ENDIF').stack, []);
    assert.deepEqual(evalAsm('0 IF 0 IF 7 ELSE 8 ENDIF ELSE 9 ENDIF').stack, ['09']);
  });
});

describe('OP_IF / OP_NOTIF / OP_ELSE / OP_ENDIF', () => {
  test('branch selection, nesting and repeated ELSE', () => {
    assert.deepEqual(evalAsm('1 IF 2 ELSE 3 ENDIF').stack, ['02']);
    assert.deepEqual(evalAsm('0 IF 2 ELSE 3 ENDIF').stack, ['03']);
    assert.deepEqual(evalAsm('0 NOTIF 2 ELSE 3 ENDIF').stack, ['02']);
    assert.deepEqual(evalAsm('1 NOTIF 2 ELSE 3 ENDIF').stack, ['03']);
    assert.deepEqual(evalAsm('1 IF 2 ELSE 3 ELSE 4 ENDIF').stack, ['02', '04']);
    assert.deepEqual(evalAsm('0 IF 2 ELSE 3 ELSE 4 ELSE 5 ENDIF').stack, ['03', '05']);
    assert.deepEqual(evalAsm('1 IF 0 IF 2 ELSE 3 ENDIF 4 ENDIF 5').stack, ['03', '04', '05']);
    assert.deepEqual(evalAsm('1 IF 1 IF 2 ENDIF 0 IF 3 ENDIF 4 ENDIF').stack, ['02', '04']);
    assert.deepEqual(evalAsm('0 IF 1 IF 2 ELSE 3 ENDIF ELSE 4 ENDIF').stack, ['04']);
    assert.deepEqual(evalAsm('1 IF 0 IF 2 ENDIF ELSE 3 ENDIF 6').stack, ['06']);
  });
  test('UNBALANCED_CONDITIONAL: ELSE/ENDIF without IF, IF without ENDIF', () => {
    for (const s of ['ELSE', 'ENDIF', '1 IF', '1 IF ENDIF ENDIF', '0 IF', '1 IF 1 IF ENDIF', '0 IF ELSE ENDIF ELSE']) assert.equal(evalResult(s), 'UNBALANCED_CONDITIONAL', s);
    assert.equal(evalResult('IF ENDIF'), 'INVALID_STACK_OPERATION');
    assert.equal(evalResult('NOTIF ENDIF'), 'INVALID_STACK_OPERATION');
  });
  test('the condition is CastToBool of the top element, which is popped', () => {
    assert.deepEqual(evalAsm('IF 1 ELSE 2 ENDIF', { stack: [b(0, 0x80)] }).stack, ['02']);
    assert.deepEqual(evalAsm('IF 1 ELSE 2 ENDIF', { stack: [b(0, 1)] }).stack, ['01']);
  });
  test('MINIMALIF: in tapscript always, in witness v0 with the flag, never in BASE', () => {
    const arg = (v: Uint8Array, sv: SigVersion, flags = 0) => evalResult('IF 1 ELSE 1 ENDIF', { stack: [v], sv, flags });
    for (const v of [b(), b(1)]) {
      assert.equal(arg(v, TAPSCRIPT), 'OK');
      assert.equal(arg(v, WITNESS_V0, F.MINIMALIF), 'OK');
    }
    for (const v of [b(2), b(0), b(1, 0), b(0x81)]) {
      assert.equal(arg(v, TAPSCRIPT), 'TAPSCRIPT_MINIMALIF');
      assert.equal(arg(v, WITNESS_V0, F.MINIMALIF), 'MINIMALIF');
      assert.equal(arg(v, WITNESS_V0), 'OK');
      assert.equal(arg(v, BASE, F.MINIMALIF), 'OK');
    }
    assert.equal(evalResult('NOTIF 1 ENDIF 1', { stack: [b(2)], sv: TAPSCRIPT }), 'TAPSCRIPT_MINIMALIF');
  });
  test('OP_VERIFY and OP_RETURN', () => {
    assert.deepEqual(evalAsm('2 1 VERIFY').stack, ['02']);
    assert.equal(evalResult('0 VERIFY'), 'VERIFY');
    assert.equal(evalResult('VERIFY'), 'INVALID_STACK_OPERATION');
    assert.equal(evalResult('1 RETURN'), 'OP_RETURN');
  });
});

describe('CHECKLOCKTIMEVERIFY and CHECKSEQUENCEVERIFY', () => {
  const num5 = (v: number) => `0x05 0x${[0, 1, 2, 3, 4].map((i) => Math.floor(v / 256 ** i) % 256).map((x) => x.toString(16).padStart(2, '0')).join('')}`;
  test('without their flags they are NOP2/NOP3, not discouraged (Core breaks out before the NOP check)', () => {
    const c = stubChecker();
    assert.equal(evalResult('CHECKLOCKTIMEVERIFY CHECKSEQUENCEVERIFY', { checker: c }), 'OK');
    assert.equal(evalResult('-1 CHECKLOCKTIMEVERIFY CHECKSEQUENCEVERIFY', { flags: F.DISCOURAGE_UPGRADABLE_NOPS, checker: c }), 'OK');
    assert.deepEqual([c.calls.lockTime, c.calls.sequence], [[], []]);
  });
  for (const [name, flag, key] of [['CHECKLOCKTIMEVERIFY', F.CHECKLOCKTIMEVERIFY, 'lockTime'], ['CHECKSEQUENCEVERIFY', F.CHECKSEQUENCEVERIFY, 'sequence']] as const) {
    test(`${name}: operand checks, the value handed to the checker, the element left on the stack`, () => {
      assert.equal(evalResult(name, { flags: flag }), 'INVALID_STACK_OPERATION');
      assert.equal(evalResult(`-1 ${name}`, { flags: flag }), 'NEGATIVE_LOCKTIME');
      assert.equal(evalResult(`0x05 0x0000000081 ${name}`, { flags: flag }), 'NEGATIVE_LOCKTIME');
      assert.equal(evalResult(`0x06 0x000000000001 ${name}`, { flags: flag }), 'SCRIPTNUM');
      assert.equal(evalResult(`0x02 0x0500 ${name}`, { flags: flag | F.MINIMALDATA }), 'SCRIPTNUM');
      const c = stubChecker();
      assert.deepEqual(evalAsm(`${num5(2 ** 32 + 7)} ${name}`, { flags: flag, checker: c }).stack, ['0700000001']);
      assert.deepEqual(evalAsm(`0 ${name}`, { flags: flag, checker: c }).stack, ['']);
      assert.deepEqual(c.calls[key], [2 ** 32 + 7, 0]);
      assert.equal(evalResult(`5 ${name}`, { flags: flag, checker: stubChecker({ [key]: false }) }), 'UNSATISFIED_LOCKTIME');
    });
  }
  test('CHECKSEQUENCEVERIFY: an operand with bit 31 set is a NOP (BIP112 disable flag); bit 32 is not that bit', () => {
    const c = stubChecker({ sequence: false });
    assert.equal(evalResult(`${num5(2 ** 31)} CHECKSEQUENCEVERIFY`, { flags: F.CHECKSEQUENCEVERIFY, checker: c }), 'OK');
    assert.equal(evalResult(`${num5(2 ** 32 + 2 ** 31 + 5)} CHECKSEQUENCEVERIFY`, { flags: F.CHECKSEQUENCEVERIFY, checker: c }), 'OK');
    assert.deepEqual(c.calls.sequence, []);
    assert.equal(evalResult(`${num5(2 ** 31 - 1)} CHECKSEQUENCEVERIFY`, { flags: F.CHECKSEQUENCEVERIFY, checker: c }), 'UNSATISFIED_LOCKTIME');
    assert.equal(evalResult(`${num5(2 ** 32)} CHECKSEQUENCEVERIFY`, { flags: F.CHECKSEQUENCEVERIFY, checker: c }), 'UNSATISFIED_LOCKTIME');
    assert.deepEqual(c.calls.sequence, [2 ** 31 - 1, 2 ** 32]);
  });
});

describe('NOPs, hashes, OP_CODESEPARATOR', () => {
  test('NOP1, NOP4..NOP10 are discouraged only with the flag and only when executed; OP_NOP never', () => {
    for (const op of ['NOP1', 'NOP4', 'NOP5', 'NOP6', 'NOP7', 'NOP8', 'NOP9', 'NOP10']) {
      assert.equal(evalResult(`1 ${op}`), 'OK', op);
      assert.equal(evalResult(`1 ${op}`, { flags: F.DISCOURAGE_UPGRADABLE_NOPS }), 'DISCOURAGE_UPGRADABLE_NOPS', op);
      assert.equal(evalResult(`0 IF ${op} ENDIF`, { flags: F.DISCOURAGE_UPGRADABLE_NOPS }), 'OK', op);
    }
    assert.deepEqual(evalAsm('1 NOP', { flags: F.DISCOURAGE_UPGRADABLE_NOPS }).stack, ['01']);
  });
  test('hash opcodes on "abc" (FIPS 180 / RIPEMD-160 reference digests) and on an empty stack', () => {
    const abc = [b(0x61, 0x62, 0x63)];
    assert.deepEqual(evalAsm('RIPEMD160', { stack: abc }).stack, ['8eb208f7e05d987a9b044a8e98c6b087f15a0bfc']);
    assert.deepEqual(evalAsm('SHA1', { stack: abc }).stack, ['a9993e364706816aba3e25717850c26c9cd0d89d']);
    assert.deepEqual(evalAsm('SHA256', { stack: abc }).stack, ['ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']);
    // HASH160 = RIPEMD160(SHA256), HASH256 = SHA256(SHA256), of the digests above
    assert.deepEqual(evalAsm('HASH160', { stack: abc }).stack, evalAsm('SHA256 RIPEMD160', { stack: abc }).stack);
    assert.deepEqual(evalAsm('HASH256', { stack: abc }).stack, ['4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358']);
    for (const op of ['RIPEMD160', 'SHA1', 'SHA256', 'HASH160', 'HASH256']) assert.equal(evalResult(op), 'INVALID_STACK_OPERATION', op);
  });
  test('OP_CODESEPARATOR: rejected under CONST_SCRIPTCODE in BASE only, even unexecuted; sets codesepPos to its opcode index', () => {
    assert.equal(evalResult('1 CODESEPARATOR', { flags: F.CONST_SCRIPTCODE }), 'OP_CODESEPARATOR');
    assert.equal(evalResult('0 IF CODESEPARATOR ENDIF', { flags: F.CONST_SCRIPTCODE }), 'OP_CODESEPARATOR');
    assert.equal(evalResult('1 CODESEPARATOR', { flags: F.CONST_SCRIPTCODE, sv: WITNESS_V0 }), 'OK');
    assert.equal(evalResult('1 CODESEPARATOR'), 'OK');
    const exec = { codesepPos: 0, validationWeightLeft: 1000 };
    evalAsm('0x02 0xabcd DROP CODESEPARATOR 0 IF CODESEPARATOR ENDIF', { exec, sv: TAPSCRIPT });
    assert.equal(exec.codesepPos, 2);
    evalAsm('1', { exec, sv: TAPSCRIPT });
    assert.equal(exec.codesepPos, 0xffffffff, 'reset at the start of every script');
  });
});
