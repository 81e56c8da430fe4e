/**
 * EvalScript (script/interpreter.cpp): every opcode with Core's semantics and limits.
 * Signature checks go through a SignatureChecker (below: the transaction checker, Core's
 * GenericTransactionSignatureChecker), which in turn uses an injected SigVerifier.
 */
import { concatBytes, equalBytes } from '../primitives/bytes.ts';
import { hash160, hash256, ripemd160, sha1, sha256 } from '../primitives/hash.ts';
import type { ScriptError } from './script-error.ts';
import { SCRIPT_VERIFY as F } from './flags.ts';
import { OP } from './opcodes.ts';
import { castToBool, decodeScriptNum, encodeScriptNum, ScriptNumError } from './scriptnum.ts';
import {
  checkMinimalPush, MAX_OPS_PER_SCRIPT, MAX_PUBKEYS_PER_MULTISIG, MAX_SCRIPT_ELEMENT_SIZE,
  MAX_SCRIPT_SIZE, MAX_STACK_SIZE, pushData, readOp,
} from './script.ts';
import {
  isCompressedOrUncompressedPubKey, isCompressedPubKey, isDefinedHashtype, isLowS,
  isValidSignatureEncoding,
} from './ecdsa.ts';

export const enum SigVersion {
  BASE = 0,
  WITNESS_V0 = 1,
  TAPROOT = 2,
  TAPSCRIPT = 3,
}

/** BIP342 validation weight per passing signature check. */
export const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
export const VALIDATION_WEIGHT_OFFSET = 50;

/** Core's ScriptExecutionData. */
export interface ExecData {
  codesepPos: number;
  tapleafHash?: Uint8Array;
  annexHash?: Uint8Array;
  validationWeightLeft?: number;
}

/** Result of a signature check that may fail with a specific error (Schnorr). */
export type SigCheckResult = true | false | ScriptError;

export interface SignatureChecker {
  checkEcdsa(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, sigversion: SigVersion): boolean;
  /** true, or the ScriptError Core's CheckSchnorrSignature sets. */
  checkSchnorr(sig: Uint8Array, pubkey32: Uint8Array, sigversion: SigVersion, exec: ExecData): true | ScriptError;
  checkLockTime(lockTime: number): boolean;
  checkSequence(sequence: number): boolean;
}

export type EvalResult = ScriptError | undefined;

const EMPTY = new Uint8Array(0);
const TRUE = new Uint8Array([1]);


/**
 * FindAndDelete(script, CScript() << sig): removes every op-aligned occurrence of the
 * serialized push. Returns the new script and how many were found.
 */
export function findAndDelete(script: Uint8Array, sig: Uint8Array): { script: Uint8Array; found: number } {
  const b = pushData(sig);
  let found = 0;
  const parts: Uint8Array[] = [];
  let pc = 0, pc2 = 0;
  const end = script.length;
  for (;;) {
    if (pc > pc2) parts.push(script.subarray(pc2, pc));
    while (end - pc >= b.length && equalBytes(script.subarray(pc, pc + b.length), b)) {
      pc += b.length;
      found++;
    }
    pc2 = pc;
    const op = readOp(script, pc);
    if (!op) break;
    pc = op.end;
  }
  if (found === 0) return { script, found };
  parts.push(script.subarray(pc2, end));
  return { script: concatBytes(...parts), found };
}

/** CheckSignatureEncoding. */
function checkSignatureEncoding(sig: Uint8Array, flags: number): EvalResult {
  if (sig.length === 0) return undefined;
  if ((flags & (F.DERSIG | F.LOW_S | F.STRICTENC)) !== 0 && !isValidSignatureEncoding(sig)) return 'SIG_DER';
  if ((flags & F.LOW_S) !== 0 && !isLowS(sig.subarray(0, sig.length - 1))) return 'SIG_HIGH_S';
  if ((flags & F.STRICTENC) !== 0 && !isDefinedHashtype(sig)) return 'SIG_HASHTYPE';
  return undefined;
}

/** CheckPubKeyEncoding. */
function checkPubKeyEncoding(key: Uint8Array, flags: number, sv: SigVersion): EvalResult {
  if ((flags & F.STRICTENC) !== 0 && !isCompressedOrUncompressedPubKey(key)) return 'PUBKEYTYPE';
  if ((flags & F.WITNESS_PUBKEYTYPE) !== 0 && sv === SigVersion.WITNESS_V0 && !isCompressedPubKey(key)) return 'WITNESS_PUBKEYTYPE';
  return undefined;
}

/** Disabled opcodes (1 = disabled), indexed by opcode. */
const DISABLED = (() => {
  const t = new Uint8Array(256);
  for (const op of [
    OP.OP_CAT, OP.OP_SUBSTR, OP.OP_LEFT, OP.OP_RIGHT, OP.OP_INVERT, OP.OP_AND, OP.OP_OR, OP.OP_XOR,
    OP.OP_2MUL, OP.OP_2DIV, OP.OP_MUL, OP.OP_DIV, OP.OP_MOD, OP.OP_LSHIFT, OP.OP_RSHIFT,
  ]) t[op] = 1;
  return t;
})();

/** The stack element at depth -i (top(-1) is the top), as Core's stacktop(i). */
function top(stack: Uint8Array[], i: number): Uint8Array {
  return stack[stack.length + i]!;
}

/**
 * EvalScript: runs `script` on `stack` (mutated in place). Returns undefined on success or
 * the ScriptError.
 */
export function evalScript(stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sv: SigVersion, exec: ExecData): EvalResult {
  if ((sv === SigVersion.BASE || sv === SigVersion.WITNESS_V0) && script.length > MAX_SCRIPT_SIZE) return 'SCRIPT_SIZE';
  try {
    return run(stack, script, flags, checker, sv, exec);
  } catch (e) {
    if (e instanceof ScriptNumError) return 'SCRIPTNUM';
    throw e;
  }
}

function run(stack: Uint8Array[], script: Uint8Array, flags: number, checker: SignatureChecker, sv: SigVersion, exec: ExecData): EvalResult {
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

        // Stack ops
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
          if (sv === SigVersion.TAPSCRIPT) return 'TAPSCRIPT_CHECKMULTISIG';
          let i = 1;
          if (stack.length < i) return 'INVALID_STACK_OPERATION';
          let nKeys = decodeScriptNum(top(stack, -i), requireMinimal, 4);
          if (nKeys < 0 || nKeys > MAX_PUBKEYS_PER_MULTISIG) return 'PUBKEY_COUNT';
          opCount += nKeys;
          if (opCount > MAX_OPS_PER_SCRIPT) return 'OP_COUNT';
          let ikey = ++i;
          // ikey2 is the position of the last non-signature item in the stack. Top stack item = 1.
          // With SCRIPT_VERIFY_NULLFAIL, this is used for cleanup if operation fails.
          let ikey2 = nKeys + 2;
          i += nKeys;
          if (stack.length < i) return 'INVALID_STACK_OPERATION';
          let nSigs = decodeScriptNum(top(stack, -i), requireMinimal, 4);
          if (nSigs < 0 || nSigs > nKeys) return 'SIG_COUNT';
          let isig = ++i;
          i += nSigs;
          if (stack.length < i) return 'INVALID_STACK_OPERATION';
          let code = script.subarray(beginCodeHash);
          // Drop the signatures in pre-segwit scripts but not segwit scripts.
          for (let k = 0; k < nSigs; k++) {
            if (sv === SigVersion.BASE) {
              const fd = findAndDelete(code, top(stack, -isig - k));
              if (fd.found > 0 && (flags & F.CONST_SCRIPTCODE)) return 'SIG_FINDANDDELETE';
              code = fd.script;
            }
          }
          let success = true;
          while (success && nSigs > 0) {
            const sig = top(stack, -isig), key = top(stack, -ikey);
            // Note how this makes the exact order of pubkey/signature evaluation distinguishable
            // by CHECKMULTISIG NOT if the STRICTENC flag is set (as Core).
            const e = checkSignatureEncoding(sig, flags) ?? checkPubKeyEncoding(key, flags, sv);
            if (e) return e;
            if (checker.checkEcdsa(sig, key, code, sv)) {
              isig++;
              nSigs--;
            }
            ikey++;
            nKeys--;
            // If there are more signatures left than keys left, then too many signatures have failed.
            if (nSigs > nKeys) success = false;
          }
          // Clean up stack of actual arguments.
          while (i-- > 1) {
            // If the operation failed, we require that all signatures must be empty vector.
            if (!success && (flags & F.NULLFAIL) && !ikey2 && top(stack, -1).length) return 'NULLFAIL';
            if (ikey2 > 0) ikey2--;
            stack.pop();
          }
          // A bug causes CHECKMULTISIG to consume one extra argument whose contents were not
          // checked in any way; NULLDUMMY requires it to be empty (BIP147).
          if (stack.length < 1) return 'INVALID_STACK_OPERATION';
          if ((flags & F.NULLDUMMY) && top(stack, -1).length) return 'SIG_NULLDUMMY';
          stack.pop();
          stack.push(success ? TRUE : EMPTY);
          if (opcode === OP.OP_CHECKMULTISIGVERIFY) {
            if (!success) return 'CHECKMULTISIGVERIFY';
            stack.pop();
          }
          break;
        }
        default:
          return 'BAD_OPCODE';
      }
    }
    if (stack.length + alt.length > MAX_STACK_SIZE) return 'STACK_SIZE';
  }
  if (condSize !== 0) return 'UNBALANCED_CONDITIONAL';
  return undefined;
}

/**
 * EvalChecksig: true/false for the signature check result, or the ScriptError that aborts
 * the script.
 */
function evalChecksig(sig: Uint8Array, key: Uint8Array, script: Uint8Array, beginCodeHash: number, exec: ExecData, flags: number, checker: SignatureChecker, sv: SigVersion): boolean | ScriptError {
  if (sv === SigVersion.BASE || sv === SigVersion.WITNESS_V0) {
    let code = script.subarray(beginCodeHash);
    // Drop the signature in pre-segwit scripts but not segwit scripts.
    if (sv === SigVersion.BASE) {
      const fd = findAndDelete(code, sig);
      if (fd.found > 0 && (flags & F.CONST_SCRIPTCODE)) return 'SIG_FINDANDDELETE';
      code = fd.script;
    }
    const e = checkSignatureEncoding(sig, flags) ?? checkPubKeyEncoding(key, flags, sv);
    if (e) return e;
    const ok = checker.checkEcdsa(sig, key, code, sv);
    if (!ok && (flags & F.NULLFAIL) && sig.length) return 'NULLFAIL';
    return ok;
  }
  // Tapscript (EvalChecksigTapscript, BIP342).
  const success = sig.length !== 0;
  if (success) {
    // The sigops/witness-size ratio test.
    exec.validationWeightLeft! -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
    if (exec.validationWeightLeft! < 0) return 'TAPSCRIPT_VALIDATION_WEIGHT';
  }
  if (key.length === 0) return 'TAPSCRIPT_EMPTY_PUBKEY';
  if (key.length === 32) {
    if (success) {
      const r = checker.checkSchnorr(sig, key, sv, exec);
      if (r !== true) return r;
    }
  } else if (flags & F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE) {
    return 'DISCOURAGE_UPGRADABLE_PUBKEYTYPE';
  }
  return success;
}
