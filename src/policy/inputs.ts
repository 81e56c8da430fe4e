/**
 * Input standardness (policy/policy.cpp): AreInputsStandard with v30's BIP54 legacy sigop
 * limit, and IsWitnessStandard. Both run after IsStandardTx, so every scriptSig here is
 * push-only.
 */
import { isCoinBase, type Transaction, type TxOut } from '../primitives/tx.ts';
import { OP } from '../script/opcodes.ts';
import {
  getP2SHSigOpCount, getSigOpCount, isP2SH, isPayToAnchor, MAX_SCRIPT_ELEMENT_SIZE, MAX_SCRIPT_SIZE, MAX_STACK_SIZE,
  readOp, witnessProgram,
} from '../script/script.ts';
import {
  MAX_P2SH_SIGOPS, MAX_STANDARD_P2WSH_SCRIPT_SIZE, MAX_STANDARD_P2WSH_STACK_ITEM_SIZE, MAX_STANDARD_P2WSH_STACK_ITEMS,
  MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE, MAX_TX_LEGACY_SIGOPS,
} from './constants.ts';
import { commonOutputType, solver } from './solver.ts';

/** BIP341 annex tag and tapscript leaf version (script/interpreter.h). */
const ANNEX_TAG = 0x50;
const TAPROOT_LEAF_MASK = 0xfe;
const TAPROOT_LEAF_TAPSCRIPT = 0xc0;

/**
 * EvalScript(scriptSig, SCRIPT_VERIFY_NONE, BaseSignatureChecker, SigVersion::BASE) for a
 * push-only script: the resulting stack, or undefined where Core's EvalScript fails
 * (script too large, truncated push, push over 520 bytes, OP_RESERVED, stack over 1000).
 * A script with any non-push opcode also gives undefined: callers only pass scriptSigs that
 * already passed IsStandardTx's push-only rule.
 */
export function evalPushOnly(script: Uint8Array): Uint8Array[] | undefined {
  if (script.length > MAX_SCRIPT_SIZE) return undefined;
  const stack: Uint8Array[] = [];
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) return undefined;
    pc = op.end;
    const c = op.opcode;
    if (c <= OP.OP_PUSHDATA4) {
      if (op.data!.length > MAX_SCRIPT_ELEMENT_SIZE) return undefined;
      stack.push(op.data!);
    } else if (c === OP.OP_1NEGATE) stack.push(Uint8Array.of(0x81));
    else if (c >= OP.OP_1 && c <= OP.OP_16) stack.push(Uint8Array.of(c - (OP.OP_1 - 1)));
    else return undefined; // OP_RESERVED (BAD_OPCODE) or a non-push opcode
    if (stack.length > MAX_STACK_SIZE) return undefined;
  }
  return stack;
}

/** The P2SH redeem script: the last element of the scriptSig's stack. */
function redeemScriptOf(scriptSig: Uint8Array): Uint8Array | undefined {
  const stack = evalPushOnly(scriptSig);
  return stack && stack.length > 0 ? stack[stack.length - 1] : undefined;
}

/**
 * CheckSigopsBIP54 (v30, #32521): potentially executed legacy sigops — scriptSig,
 * spent scriptPubKey and P2SH redeem script, accurately counted — at most 2500 per tx.
 */
export function legacySigopsWithinBip54(tx: Transaction, spent: readonly TxOut[]): boolean {
  let sigops = 0;
  for (let i = 0; i < tx.inputs.length; i++) {
    const scriptSig = tx.inputs[i]!.scriptSig;
    sigops += getSigOpCount(scriptSig, true);
    sigops += getP2SHSigOpCount(spent[i]!.scriptPubKey, scriptSig);
    if (sigops > MAX_TX_LEGACY_SIGOPS) return false;
  }
  return true;
}

/**
 * AreInputsStandard → "bad-txns-nonstandard-inputs": the BIP54 legacy sigop limit, no
 * spends of NONSTANDARD or WITNESS_UNKNOWN outputs, and P2SH redeem scripts with at most
 * MAX_P2SH_SIGOPS sigops. `spent[i]` is the output input i spends.
 */
export function areInputsStandard(tx: Transaction, spent: readonly TxOut[]): boolean {
  if (isCoinBase(tx)) return true;
  if (!legacySigopsWithinBip54(tx, spent)) return false;
  for (let i = 0; i < tx.inputs.length; i++) {
    const spk = spent[i]!.scriptPubKey;
    const type = commonOutputType(spk) ?? solver(spk).type;
    if (type === 'nonstandard' || type === 'witness_unknown') return false;
    if (type === 'scripthash') {
      const redeem = redeemScriptOf(tx.inputs[i]!.scriptSig);
      if (!redeem) return false;
      if (getSigOpCount(redeem, true) > MAX_P2SH_SIGOPS) return false;
    }
  }
  return true;
}

/**
 * IsWitnessStandard → "bad-witness-nonstandard": no witness on P2A or non-witness
 * outputs; P2WSH script ≤ 3600 bytes with ≤ 100 items of ≤ 80 bytes; taproot (not
 * P2SH-wrapped): no annex, tapscript stack items ≤ 80 bytes, no empty witness stack.
 */
export function isWitnessStandard(tx: Transaction, spent: readonly TxOut[]): boolean {
  if (isCoinBase(tx)) return true;
  for (let i = 0; i < tx.inputs.length; i++) {
    const txin = tx.inputs[i]!;
    // An empty witness cannot be bloated; an invalid one fails script checks later.
    if (txin.witness.length === 0) continue;
    let prevScript = spent[i]!.scriptPubKey;
    // Witness stuffing on a pay-to-anchor output.
    if (isPayToAnchor(prevScript)) return false;
    let p2sh = false;
    if (isP2SH(prevScript)) {
      // The redeem script, extracted casually; push-only and hash are checked later.
      const redeem = redeemScriptOf(txin.scriptSig);
      if (!redeem) return false;
      prevScript = redeem;
      p2sh = true;
    }
    // A non-witness program must not carry a witness.
    const wp = witnessProgram(prevScript);
    if (!wp) return false;
    const stack = txin.witness;
    if (wp.version === 0 && wp.program.length === 32) {
      if (stack[stack.length - 1]!.length > MAX_STANDARD_P2WSH_SCRIPT_SIZE) return false;
      const items = stack.length - 1;
      if (items > MAX_STANDARD_P2WSH_STACK_ITEMS) return false;
      for (let j = 0; j < items; j++) if (stack[j]!.length > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE) return false;
    }
    if (wp.version === 1 && wp.program.length === 32 && !p2sh) {
      let end = stack.length;
      const last = stack[end - 1]!;
      // Annexes are nonstandard as long as no semantics are defined for them.
      if (end >= 2 && last.length > 0 && last[0] === ANNEX_TAG) return false;
      if (end >= 2) {
        // Script path: control block and script on top, the script's inputs below.
        const control = stack[end - 1]!;
        end -= 2;
        if (control.length === 0) return false;
        if ((control[0]! & TAPROOT_LEAF_MASK) === TAPROOT_LEAF_TAPSCRIPT) {
          for (let j = 0; j < end; j++) if (stack[j]!.length > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE) return false;
        }
      } else if (end === 0) {
        return false; // already invalid by consensus
      }
    }
  }
  return true;
}
