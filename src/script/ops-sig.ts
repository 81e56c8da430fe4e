/**
 * The signature opcodes of EvalScript (script/interpreter.cpp): EvalChecksig for
 * OP_CHECKSIG(VERIFY) and OP_CHECKSIGADD (ECDSA before segwit v1, BIP342 tapscript
 * after), OP_CHECKMULTISIG(VERIFY), and the encoding checks and FindAndDelete they apply.
 */
import { concatBytes, equalBytes } from '../primitives/bytes.ts';
import { isCompressedOrUncompressedPubKey, isCompressedPubKey, isDefinedHashtype, isLowS, isValidSignatureEncoding } from './ecdsa.ts';
import type { ScriptError } from './script-error.ts';
import { SigVersion, VALIDATION_WEIGHT_PER_SIGOP_PASSED, type EvalResult, type ExecData, type SignatureChecker } from './exec.ts';
import { SCRIPT_VERIFY as F } from './flags.ts';
import { EMPTY, top, TRUE } from './ops-stack.ts';
import { OP } from './opcodes.ts';
import { decodeScriptNum } from './scriptnum.ts';
import { MAX_OPS_PER_SCRIPT, MAX_PUBKEYS_PER_MULTISIG, pushData, readOp } from './script.ts';

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

/**
 * OP_CHECKMULTISIG and OP_CHECKMULTISIGVERIFY on `stack`, with the script's op count
 * before it. Returns the ScriptError, or the op count with the keys counted in.
 */
export function evalCheckMultisig(
  opcode: number, stack: Uint8Array[], script: Uint8Array, beginCodeHash: number, flags: number, checker: SignatureChecker, sv: SigVersion,
  requireMinimal: boolean, opCount: number,
): ScriptError | number {
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
  return opCount;
}

/**
 * EvalChecksig: true/false for the signature check result, or the ScriptError that aborts
 * the script.
 */
export function evalChecksig(sig: Uint8Array, key: Uint8Array, script: Uint8Array, beginCodeHash: number, exec: ExecData, flags: number, checker: SignatureChecker, sv: SigVersion): boolean | ScriptError {
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
