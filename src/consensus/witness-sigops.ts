/**
 * Witness sigop counting: Core's CountWitnessSigOps / WitnessSigOps (script/interpreter.cpp).
 */
import { SCRIPT_VERIFY } from '../script/flags.ts';
import { OP } from '../script/opcodes.ts';
import { getSigOpCount, isP2SH, isPushOnly, readOp } from '../script/script.ts';

const WITNESS_V0_KEYHASH_SIZE = 20;
const WITNESS_V0_SCRIPTHASH_SIZE = 32;

/**
 * WitnessSigOps of the witness program `s` (IsWitnessProgram, then the count): P2WPKH counts
 * 1, P2WSH the accurate count of its witness script, other programs 0; -1 when `s` is not a
 * witness program. Reads the program in place (no views: this runs for every input).
 */
function programSigOps(s: Uint8Array, witness: Uint8Array[]): number {
  const n = s.length;
  if (n < 4 || n > 42 || s[1]! + 2 !== n) return -1;
  const v = s[0]!;
  if (v === OP.OP_0) {
    if (n - 2 === WITNESS_V0_KEYHASH_SIZE) return 1;
    if (n - 2 === WITNESS_V0_SCRIPTHASH_SIZE && witness.length > 0) return getSigOpCount(witness[witness.length - 1]!, true);
    return 0;
  }
  // Future versions may be counted here (taproot sigops are budgeted, not counted).
  return v >= OP.OP_1 && v <= OP.OP_16 ? 0 : -1;
}

/** CountWitnessSigOps: native witness programs and P2SH-wrapped ones (last push of a push-only scriptSig). */
export function countWitnessSigOps(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number): number {
  if ((flags & SCRIPT_VERIFY.WITNESS) === 0) return 0;
  const direct = programSigOps(scriptPubKey, witness);
  if (direct >= 0) return direct;
  if (isP2SH(scriptPubKey) && isPushOnly(scriptSig)) {
    // The redeem script is the data of the last op (GetOp clears the data for non-push ops).
    let data: Uint8Array | undefined;
    let pc = 0;
    while (pc < scriptSig.length) {
      const op = readOp(scriptSig, pc);
      if (!op) break;
      data = op.data;
      pc = op.end;
    }
    if (data) return Math.max(0, programSigOps(data, witness));
  }
  return 0;
}
