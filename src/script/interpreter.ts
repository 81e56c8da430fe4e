/**
 * EvalScript (script/interpreter.cpp): every opcode with Core's semantics and limits.
 * Pushes, flow control, locktime checks, NOPs, hashing and OP_CODESEPARATOR run here; the
 * stack and arithmetic opcodes are in ops-stack.ts, the signature opcodes in ops-sig.ts.
 * Signature checks go through a SignatureChecker (exec.ts; the transaction checker is in
 * verify.ts), which in turn uses an injected SigVerifier.
 */
import { hash160, hash256, ripemd160, sha1, sha256 } from '../primitives/hash.ts';
import { SigVersion, type EvalResult, type ExecData, type ScriptTracer, type SignatureChecker } from './exec.ts';
import { SCRIPT_VERIFY as F } from './flags.ts';
import { evalChecksig, evalCheckMultisig } from './ops-sig.ts';
import { EMPTY, numericOp, stackOp, top, TRUE } from './ops-stack.ts';
import { OP } from './opcodes.ts';
import { castToBool, decodeScriptNum, encodeScriptNum, ScriptNumError } from './scriptnum.ts';
import { checkMinimalPush, MAX_OPS_PER_SCRIPT, MAX_SCRIPT_ELEMENT_SIZE, MAX_SCRIPT_SIZE, MAX_STACK_SIZE } from './script.ts';

export {
  SigVersion, VALIDATION_WEIGHT_OFFSET, VALIDATION_WEIGHT_PER_SIGOP_PASSED, type EvalResult, type ExecData, type ScriptTracer, type SigCheckResult,
  type SignatureChecker, type TapscriptPathInfo, type TracePhaseKind,
} from './exec.ts';
export { findAndDelete } from './ops-sig.ts';

/** Disabled opcodes (1 = disabled), indexed by opcode. */
const DISABLED = (() => {
  const t = new Uint8Array(256);
  for (const op of [
    OP.OP_CAT, OP.OP_SUBSTR, OP.OP_LEFT, OP.OP_RIGHT, OP.OP_INVERT, OP.OP_AND, OP.OP_OR, OP.OP_XOR,
    OP.OP_2MUL, OP.OP_2DIV, OP.OP_MUL, OP.OP_DIV, OP.OP_MOD, OP.OP_LSHIFT, OP.OP_RSHIFT,
  ]) t[op] = 1;
  return t;
})();

/**
 * EvalScript: runs `script` on `stack` (mutated in place). Returns undefined on success or
 * the ScriptError. A `tracer` sees the run opcode by opcode (exec.ts ScriptTracer).
 */
export function evalScript(
  stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sv: SigVersion, exec: ExecData, tracer?: ScriptTracer,
): EvalResult {
  if (tracer) tracer.begin(script, stack);
  const r = evalChecked(stack, script, flags, checker, sv, exec, tracer);
  if (tracer) tracer.end(r);
  return r;
}

function evalChecked(
  stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sv: SigVersion, exec: ExecData, tracer: ScriptTracer | undefined,
): EvalResult {
  if ((sv === SigVersion.BASE || sv === SigVersion.WITNESS_V0) && script.length > MAX_SCRIPT_SIZE) return 'SCRIPT_SIZE';
  try {
    return run(stack, script, flags, checker, sv, exec, tracer);
  } catch (e) {
    if (e instanceof ScriptNumError) return 'SCRIPTNUM';
    throw e;
  }
}

function run(
  stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sv: SigVersion, exec: ExecData, tracer: ScriptTracer | undefined,
): EvalResult {
  const requireMinimal = (flags & F.MINIMALDATA) !== 0;
  const legacyLimits = sv === SigVersion.BASE || sv === SigVersion.WITNESS_V0;
  const alt: Uint8Array[] = [];
  // Core's ConditionStack: size, and the position of the first false (-1 when none).
  let condSize = 0;
  let firstFalse = -1;
  let opCount = 0;
  let beginCodeHash = 0;
  exec.codesepPos = 0xffffffff;
  const end = script.length;
  let pc = 0;
  for (let opcodePos = 0; pc < end; opcodePos++) {
    const fExec = firstFalse === -1;
    // GetScriptOp, inline (no op object per opcode).
    const opcode = script[pc]!;
    let data: Uint8Array | undefined;
    pc++;
    if (opcode <= OP.OP_PUSHDATA4) {
      let n: number;
      if (opcode < OP.OP_PUSHDATA1) n = opcode;
      else if (opcode === OP.OP_PUSHDATA1) {
        if (end - pc < 1) return 'BAD_OPCODE';
        n = script[pc]!;
        pc += 1;
      } else if (opcode === OP.OP_PUSHDATA2) {
        if (end - pc < 2) return 'BAD_OPCODE';
        n = script[pc]! | (script[pc + 1]! << 8);
        pc += 2;
      } else {
        if (end - pc < 4) return 'BAD_OPCODE';
        n = (script[pc]! | (script[pc + 1]! << 8) | (script[pc + 2]! << 16) | (script[pc + 3]! << 24)) >>> 0;
        pc += 4;
      }
      if (end - pc < n) return 'BAD_OPCODE';
      data = script.subarray(pc, pc + n);
      pc += n;
      if (n > MAX_SCRIPT_ELEMENT_SIZE) return 'PUSH_SIZE';
    }
    if (legacyLimits && opcode > OP.OP_16 && ++opCount > MAX_OPS_PER_SCRIPT) return 'OP_COUNT';
    if (DISABLED[opcode] === 1) return 'DISABLED_OPCODE';
    if (opcode === OP.OP_CODESEPARATOR && sv === SigVersion.BASE && (flags & F.CONST_SCRIPTCODE)) return 'OP_CODESEPARATOR';

    if (fExec && opcode <= OP.OP_PUSHDATA4) {
      if (requireMinimal && !checkMinimalPush(data!, opcode)) return 'MINIMALDATA';
      stack.push(data!);
    } else if (fExec || (opcode >= OP.OP_IF && opcode <= OP.OP_ENDIF)) {
      switch (opcode) {
        case OP.OP_1NEGATE: case OP.OP_1: case OP.OP_2: case OP.OP_3: case OP.OP_4: case OP.OP_5:
        case OP.OP_6: case OP.OP_7: case OP.OP_8: case OP.OP_9: case OP.OP_10: case OP.OP_11:
        case OP.OP_12: case OP.OP_13: case OP.OP_14: case OP.OP_15: case OP.OP_16:
          stack.push(encodeScriptNum(opcode - (OP.OP_1 - 1)));
          break;
        case OP.OP_NOP:
          break;
        case OP.OP_CHECKLOCKTIMEVERIFY: {
          if (!(flags & F.CHECKLOCKTIMEVERIFY)) break; // NOP2 before BIP65
          if (stack.length < 1) return 'INVALID_STACK_OPERATION';
          const lockTime = decodeScriptNum(top(stack, -1), requireMinimal, 5);
          if (lockTime < 0) return 'NEGATIVE_LOCKTIME';
          if (!checker.checkLockTime(lockTime)) return 'UNSATISFIED_LOCKTIME';
          break;
        }
        case OP.OP_CHECKSEQUENCEVERIFY: {
          if (!(flags & F.CHECKSEQUENCEVERIFY)) break; // NOP3 before BIP112
          if (stack.length < 1) return 'INVALID_STACK_OPERATION';
          const seq = decodeScriptNum(top(stack, -1), requireMinimal, 5);
          if (seq < 0) return 'NEGATIVE_LOCKTIME';
          // Disable flag set: behaves as a NOP (BIP112).
          if (seq >= 0x80000000 && Math.floor(seq / 0x80000000) % 2 === 1) break;
          if (!checker.checkSequence(seq)) return 'UNSATISFIED_LOCKTIME';
          break;
        }
        case OP.OP_NOP1: case OP.OP_NOP4: case OP.OP_NOP5: case OP.OP_NOP6: case OP.OP_NOP7:
        case OP.OP_NOP8: case OP.OP_NOP9: case OP.OP_NOP10:
          if (flags & F.DISCOURAGE_UPGRADABLE_NOPS) return 'DISCOURAGE_UPGRADABLE_NOPS';
          break;
        case OP.OP_IF: case OP.OP_NOTIF: {
          let value = false;
          if (fExec) {
            if (stack.length < 1) return 'INVALID_STACK_OPERATION';
            const v = top(stack, -1);
            if (sv === SigVersion.TAPSCRIPT) {
              // Minimal IF is consensus in tapscript (BIP342).
              if (v.length > 1 || (v.length === 1 && v[0] !== 1)) return 'TAPSCRIPT_MINIMALIF';
            }
            if (sv === SigVersion.WITNESS_V0 && (flags & F.MINIMALIF)) {
              if (v.length > 1 || (v.length === 1 && v[0] !== 1)) return 'MINIMALIF';
            }
            value = castToBool(v);
            if (opcode === OP.OP_NOTIF) value = !value;
            stack.pop();
          }
          if (firstFalse === -1 && !value) firstFalse = condSize;
          condSize++;
          break;
        }
        case OP.OP_ELSE:
          if (condSize === 0) return 'UNBALANCED_CONDITIONAL';
          if (firstFalse === -1) firstFalse = condSize - 1;
          else if (firstFalse === condSize - 1) firstFalse = -1;
          break;
        case OP.OP_ENDIF:
          if (condSize === 0) return 'UNBALANCED_CONDITIONAL';
          condSize--;
          if (firstFalse === condSize) firstFalse = -1;
          break;
        case OP.OP_VERIFY:
          if (stack.length < 1) return 'INVALID_STACK_OPERATION';
          if (!castToBool(top(stack, -1))) return 'VERIFY';
          stack.pop();
          break;
        case OP.OP_RETURN:
          return 'OP_RETURN';

        case OP.OP_TOALTSTACK: case OP.OP_FROMALTSTACK: case OP.OP_2DROP: case OP.OP_2DUP: case OP.OP_3DUP:
        case OP.OP_2OVER: case OP.OP_2ROT: case OP.OP_2SWAP: case OP.OP_IFDUP: case OP.OP_DEPTH: case OP.OP_DROP:
        case OP.OP_DUP: case OP.OP_NIP: case OP.OP_OVER: case OP.OP_PICK: case OP.OP_ROLL: case OP.OP_ROT:
        case OP.OP_SWAP: case OP.OP_TUCK: case OP.OP_SIZE: {
          const e = stackOp(opcode, stack, alt, requireMinimal);
          if (e) return e;
          break;
        }
        case OP.OP_EQUAL: case OP.OP_EQUALVERIFY:
        case OP.OP_1ADD: case OP.OP_1SUB: case OP.OP_NEGATE: case OP.OP_ABS: case OP.OP_NOT: case OP.OP_0NOTEQUAL:
        case OP.OP_ADD: case OP.OP_SUB: case OP.OP_BOOLAND: case OP.OP_BOOLOR: case OP.OP_NUMEQUAL:
        case OP.OP_NUMEQUALVERIFY: case OP.OP_NUMNOTEQUAL: case OP.OP_LESSTHAN: case OP.OP_GREATERTHAN:
        case OP.OP_LESSTHANOREQUAL: case OP.OP_GREATERTHANOREQUAL: case OP.OP_MIN: case OP.OP_MAX: case OP.OP_WITHIN: {
          const e = numericOp(opcode, stack, requireMinimal);
          if (e) return e;
          break;
        }

        case OP.OP_RIPEMD160: case OP.OP_SHA1: case OP.OP_SHA256: case OP.OP_HASH160: case OP.OP_HASH256: {
          if (stack.length < 1) return 'INVALID_STACK_OPERATION';
          const v = stack.pop()!;
          const h = opcode === OP.OP_RIPEMD160 ? ripemd160(v) : opcode === OP.OP_SHA1 ? sha1(v)
            : opcode === OP.OP_SHA256 ? sha256(v) : opcode === OP.OP_HASH160 ? hash160(v) : hash256(v);
          stack.push(h);
          break;
        }
        case OP.OP_CODESEPARATOR:
          // Hash starts after the code separator.
          beginCodeHash = pc;
          exec.codesepPos = opcodePos;
          break;

        case OP.OP_CHECKSIG: case OP.OP_CHECKSIGVERIFY: {
          if (stack.length < 2) return 'INVALID_STACK_OPERATION';
          const sig = top(stack, -2), key = top(stack, -1);
          const r = evalChecksig(sig, key, script, beginCodeHash, exec, flags, checker, sv);
          if (typeof r === 'string') return r;
          stack.length -= 2;
          stack.push(r ? TRUE : EMPTY);
          if (opcode === OP.OP_CHECKSIGVERIFY) {
            if (!r) return 'CHECKSIGVERIFY';
            stack.pop();
          }
          break;
        }
        case OP.OP_CHECKSIGADD: {
          // OP_CHECKSIGADD is only available in tapscript (BIP342).
          if (sv === SigVersion.BASE || sv === SigVersion.WITNESS_V0) return 'BAD_OPCODE';
          if (stack.length < 3) return 'INVALID_STACK_OPERATION';
          const sig = top(stack, -3);
          const n = decodeScriptNum(top(stack, -2), requireMinimal, 4);
          const key = top(stack, -1);
          const r = evalChecksig(sig, key, script, beginCodeHash, exec, flags, checker, sv);
          if (typeof r === 'string') return r;
          stack.length -= 3;
          stack.push(encodeScriptNum(n + (r ? 1 : 0)));
          break;
        }
        case OP.OP_CHECKMULTISIG: case OP.OP_CHECKMULTISIGVERIFY: {
          const r = evalCheckMultisig(opcode, stack, script, beginCodeHash, flags, checker, sv, requireMinimal, opCount);
          if (typeof r === 'string') return r;
          opCount = r;
          break;
        }
        default:
          return 'BAD_OPCODE';
      }
    }
    if (tracer) tracer.step(pc, opcode, fExec, stack, alt, condSize, firstFalse);
    if (stack.length + alt.length > MAX_STACK_SIZE) return 'STACK_SIZE';
  }
  if (condSize !== 0) return 'UNBALANCED_CONDITIONAL';
  return undefined;
}
