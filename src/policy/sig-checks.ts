/**
 * An upper bound on the elliptic-curve checks validating a transaction's scripts can run,
 * computed before running any: what a server with a CPU budget per request (an edge
 * platform) compares with its budget. The counts follow Core's sigop accounting
 * (GetTransactionSigOpCost: CScript::GetSigOpCount, GetP2SHSigOpCount, WitnessSigOps), made
 * exact enough to bound execution, plus BIP342's validation weight for tapscript:
 *
 * - every CHECKSIG/CHECKSIGVERIFY runs at most once (Script has no loops); a
 *   CHECKMULTISIG(VERIFY) right after OP_n checks at most n keys, otherwise at most 20;
 * - P2SH: the redeem script (last push of scriptSig) counts too; P2WPKH is one check,
 *   P2WSH counts its witness script;
 * - taproot key path: one check; script path: one for the commitment (a point
 *   multiplication, as costly as a signature check) plus the tapscript's CHECKSIG,
 *   CHECKSIGVERIFY and CHECKSIGADD ops, at most (witness size + 50) / 50 of them
 *   (VALIDATION_WEIGHT_OFFSET and VALIDATION_WEIGHT_PER_SIGOP_PASSED);
 * - an input whose spent output is unknown runs no script.
 *
 * A transaction failing under the standard flags is checked again under the mandatory ones
 * (policy/script-failure.ts tells consensus from policy that way), so a failing
 * transaction can run up to twice its bound.
 */
import { OP } from '../script/opcodes.ts';
import { getP2SHSigOpCount, getSigOpCount, isP2SH, readOp, witnessProgram } from '../script/script.ts';
import type { Transaction } from '../primitives/tx.ts';
import { compactSizeLength } from '../primitives/codec.ts';

const TAPROOT_LEAF_MASK = 0xfe;
const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
const ANNEX_TAG = 0x50;
const VALIDATION_WEIGHT_OFFSET = 50;
const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;

/** The last push of a scriptSig (the P2SH redeem script), or undefined. */
function lastPush(scriptSig: Uint8Array): Uint8Array | undefined {
  let data: Uint8Array | undefined;
  let pc = 0;
  while (pc < scriptSig.length) {
    const op = readOp(scriptSig, pc);
    if (!op) return data;
    data = op.data;
    pc = op.end;
  }
  return data;
}

/** CHECKSIG, CHECKSIGVERIFY and CHECKSIGADD ops of a tapscript (to a truncated push). */
function tapscriptSigOps(script: Uint8Array): number {
  let n = 0;
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) break;
    if (op.opcode === OP.OP_CHECKSIG || op.opcode === OP.OP_CHECKSIGVERIFY || op.opcode === OP.OP_CHECKSIGADD) n++;
    pc = op.end;
  }
  return n;
}

/** GetSerializeSize of a witness stack (the tapscript validation weight budget's base). */
function witnessSize(stack: readonly Uint8Array[]): number {
  let n = compactSizeLength(stack.length);
  for (const s of stack) n += compactSizeLength(s.length) + s.length;
  return n;
}

function witnessChecks(version: number, program: Uint8Array, witness: readonly Uint8Array[], nested: boolean): number {
  if (version === 0) {
    if (program.length === 20) return 1;
    if (program.length === 32 && witness.length > 0) return getSigOpCount(witness[witness.length - 1]!, true);
    return 0;
  }
  // Taproot is native only (BIP341): a P2SH-wrapped v1 program is unencumbered.
  if (version !== 1 || program.length !== 32 || nested) return 0;
  let stack = witness;
  if (stack.length >= 2 && stack[stack.length - 1]!.length > 0 && stack[stack.length - 1]![0] === ANNEX_TAG) {
    stack = stack.slice(0, -1);
  }
  if (stack.length === 1) return 1;
  if (stack.length < 2) return 0;
  const control = stack[stack.length - 1]!;
  if (control.length === 0 || (control[0]! & TAPROOT_LEAF_MASK) !== TAPROOT_LEAF_TAPSCRIPT) return 1;
  const byWeight = Math.floor((witnessSize(witness) + VALIDATION_WEIGHT_OFFSET) / VALIDATION_WEIGHT_PER_SIGOP_PASSED);
  return 1 + Math.min(tapscriptSigOps(stack[stack.length - 2]!), byWeight);
}

/**
 * The most signature (and taproot commitment) checks the scripts of `tx` can run;
 * `spent[i]` is the scriptPubKey input i spends, undefined when not known.
 */
export function maxSignatureChecks(tx: Transaction, spent: readonly (Uint8Array | undefined)[]): number {
  let n = 0;
  tx.inputs.forEach((input, i) => {
    const spk = spent[i];
    if (!spk) return;
    // scriptSig, then scriptPubKey (P2SH: its redeem script, accurately counted).
    n += getSigOpCount(input.scriptSig, true) + getP2SHSigOpCount(spk, input.scriptSig);
    const native = witnessProgram(spk);
    if (native) {
      n += witnessChecks(native.version, native.program, input.witness, false);
    } else if (isP2SH(spk)) {
      const redeem = lastPush(input.scriptSig);
      const inner = redeem && witnessProgram(redeem);
      if (inner) n += witnessChecks(inner.version, inner.program, input.witness, true);
    }
  });
  return n;
}
