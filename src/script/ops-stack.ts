/**
 * The opcodes of EvalScript (script/interpreter.cpp) that only rearrange or compute on
 * stack elements: stack manipulation (with the alt stack), equality and arithmetic on
 * script numbers. interpreter.ts dispatches them here after its own checks (disabled
 * opcodes, op count, unexecuted branches).
 */
import { equalBytes } from '../primitives/bytes.ts';
import type { EvalResult } from './exec.ts';
import { OP } from './opcodes.ts';
import { castToBool, decodeScriptNum, encodeScriptNum } from './scriptnum.ts';

export const EMPTY = new Uint8Array(0);
export const TRUE = new Uint8Array([1]);

/** The stack element at depth -i (top(-1) is the top), as Core's stacktop(i). */
export function top(stack: Uint8Array[], i: number): Uint8Array {
  return stack[stack.length + i]!;
}

/** OP_TOALTSTACK .. OP_TUCK and OP_SIZE: stack manipulation. */
export function stackOp(opcode: number, stack: Uint8Array[], alt: Uint8Array[], requireMinimal: boolean): EvalResult {
  switch (opcode) {
    case OP.OP_TOALTSTACK:
      if (stack.length < 1) return 'INVALID_STACK_OPERATION';
      alt.push(stack.pop()!);
      break;
    case OP.OP_FROMALTSTACK:
      if (alt.length < 1) return 'INVALID_ALTSTACK_OPERATION';
      stack.push(alt.pop()!);
      break;
    case OP.OP_2DROP:
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      stack.length -= 2;
      break;
    case OP.OP_2DUP: {
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      const a = top(stack, -2), b = top(stack, -1);
      stack.push(a, b);
      break;
    }
    case OP.OP_3DUP: {
      if (stack.length < 3) return 'INVALID_STACK_OPERATION';
      const a = top(stack, -3), b = top(stack, -2), c = top(stack, -1);
      stack.push(a, b, c);
      break;
    }
    case OP.OP_2OVER: {
      if (stack.length < 4) return 'INVALID_STACK_OPERATION';
      const a = top(stack, -4), b = top(stack, -3);
      stack.push(a, b);
      break;
    }
    case OP.OP_2ROT: {
      if (stack.length < 6) return 'INVALID_STACK_OPERATION';
      const moved = stack.splice(stack.length - 6, 2);
      stack.push(moved[0]!, moved[1]!);
      break;
    }
    case OP.OP_2SWAP: {
      if (stack.length < 4) return 'INVALID_STACK_OPERATION';
      const n = stack.length;
      const a = stack[n - 4]!, b = stack[n - 3]!;
      stack[n - 4] = stack[n - 2]!;
      stack[n - 3] = stack[n - 1]!;
      stack[n - 2] = a;
      stack[n - 1] = b;
      break;
    }
    case OP.OP_IFDUP: {
      if (stack.length < 1) return 'INVALID_STACK_OPERATION';
      const v = top(stack, -1);
      if (castToBool(v)) stack.push(v);
      break;
    }
    case OP.OP_DEPTH:
      stack.push(encodeScriptNum(stack.length));
      break;
    case OP.OP_DROP:
      if (stack.length < 1) return 'INVALID_STACK_OPERATION';
      stack.pop();
      break;
    case OP.OP_DUP:
      if (stack.length < 1) return 'INVALID_STACK_OPERATION';
      stack.push(top(stack, -1));
      break;
    case OP.OP_NIP:
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      stack.splice(stack.length - 2, 1);
      break;
    case OP.OP_OVER:
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      stack.push(top(stack, -2));
      break;
    case OP.OP_PICK: case OP.OP_ROLL: {
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      const n = decodeScriptNum(top(stack, -1), requireMinimal, 4);
      stack.pop();
      if (n < 0 || n >= stack.length) return 'INVALID_STACK_OPERATION';
      const v = top(stack, -n - 1);
      if (opcode === OP.OP_ROLL) stack.splice(stack.length - n - 1, 1);
      stack.push(v);
      break;
    }
    case OP.OP_ROT: {
      if (stack.length < 3) return 'INVALID_STACK_OPERATION';
      const n = stack.length;
      const a = stack[n - 3]!;
      stack[n - 3] = stack[n - 2]!;
      stack[n - 2] = stack[n - 1]!;
      stack[n - 1] = a;
      break;
    }
    case OP.OP_SWAP: {
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      const n = stack.length;
      const a = stack[n - 2]!;
      stack[n - 2] = stack[n - 1]!;
      stack[n - 1] = a;
      break;
    }
    case OP.OP_TUCK: {
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      const v = top(stack, -1);
      stack.splice(stack.length - 2, 0, v);
      break;
    }
    case OP.OP_SIZE:
      if (stack.length < 1) return 'INVALID_STACK_OPERATION';
      stack.push(encodeScriptNum(top(stack, -1).length));
      break;
    default:
      return 'BAD_OPCODE';
  }
  return undefined;
}

/** OP_EQUAL, OP_EQUALVERIFY and the arithmetic opcodes (OP_1ADD .. OP_WITHIN). */
export function numericOp(opcode: number, stack: Uint8Array[], requireMinimal: boolean): EvalResult {
  switch (opcode) {
    case OP.OP_EQUAL: case OP.OP_EQUALVERIFY: {
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      const eq = equalBytes(top(stack, -2), top(stack, -1));
      stack.length -= 2;
      stack.push(eq ? TRUE : EMPTY);
      if (opcode === OP.OP_EQUALVERIFY) {
        if (!eq) return 'EQUALVERIFY';
        stack.pop();
      }
      break;
    }

    case OP.OP_1ADD: case OP.OP_1SUB: case OP.OP_NEGATE: case OP.OP_ABS: case OP.OP_NOT:
    case OP.OP_0NOTEQUAL: {
      if (stack.length < 1) return 'INVALID_STACK_OPERATION';
      let bn = decodeScriptNum(top(stack, -1), requireMinimal, 4);
      switch (opcode) {
        case OP.OP_1ADD: bn += 1; break;
        case OP.OP_1SUB: bn -= 1; break;
        case OP.OP_NEGATE: bn = -bn; break;
        case OP.OP_ABS: if (bn < 0) bn = -bn; break;
        case OP.OP_NOT: bn = bn === 0 ? 1 : 0; break;
        case OP.OP_0NOTEQUAL: bn = bn !== 0 ? 1 : 0; break;
      }
      stack.pop();
      stack.push(encodeScriptNum(bn));
      break;
    }
    case OP.OP_ADD: case OP.OP_SUB: case OP.OP_BOOLAND: case OP.OP_BOOLOR: case OP.OP_NUMEQUAL:
    case OP.OP_NUMEQUALVERIFY: case OP.OP_NUMNOTEQUAL: case OP.OP_LESSTHAN: case OP.OP_GREATERTHAN:
    case OP.OP_LESSTHANOREQUAL: case OP.OP_GREATERTHANOREQUAL: case OP.OP_MIN: case OP.OP_MAX: {
      if (stack.length < 2) return 'INVALID_STACK_OPERATION';
      const a = decodeScriptNum(top(stack, -2), requireMinimal, 4);
      const b = decodeScriptNum(top(stack, -1), requireMinimal, 4);
      let r: number;
      switch (opcode) {
        case OP.OP_ADD: r = a + b; break;
        case OP.OP_SUB: r = a - b; break;
        case OP.OP_BOOLAND: r = a !== 0 && b !== 0 ? 1 : 0; break;
        case OP.OP_BOOLOR: r = a !== 0 || b !== 0 ? 1 : 0; break;
        case OP.OP_NUMEQUAL: case OP.OP_NUMEQUALVERIFY: r = a === b ? 1 : 0; break;
        case OP.OP_NUMNOTEQUAL: r = a !== b ? 1 : 0; break;
        case OP.OP_LESSTHAN: r = a < b ? 1 : 0; break;
        case OP.OP_GREATERTHAN: r = a > b ? 1 : 0; break;
        case OP.OP_LESSTHANOREQUAL: r = a <= b ? 1 : 0; break;
        case OP.OP_GREATERTHANOREQUAL: r = a >= b ? 1 : 0; break;
        case OP.OP_MIN: r = a < b ? a : b; break;
        default: r = a > b ? a : b; break;
      }
      stack.length -= 2;
      stack.push(encodeScriptNum(r));
      if (opcode === OP.OP_NUMEQUALVERIFY) {
        if (!castToBool(top(stack, -1))) return 'NUMEQUALVERIFY';
        stack.pop();
      }
      break;
    }
    case OP.OP_WITHIN: {
      if (stack.length < 3) return 'INVALID_STACK_OPERATION';
      const x = decodeScriptNum(top(stack, -3), requireMinimal, 4), lo = decodeScriptNum(top(stack, -2), requireMinimal, 4), hi = decodeScriptNum(top(stack, -1), requireMinimal, 4);
      stack.length -= 3;
      stack.push(lo <= x && x < hi ? TRUE : EMPTY);
      break;
    }
    default:
      return 'BAD_OPCODE';
  }
  return undefined;
}
