/**
 * Witness sigop counting: Core's CountWitnessSigOps / WitnessSigOps (script/interpreter.cpp).
 */
import { SCRIPT_VERIFY } from '../script/flags.ts';
import { getSigOpCount, isP2SH, isPushOnly, readOp, witnessProgram } from '../script/script.ts';

const WITNESS_V0_KEYHASH_SIZE = 20;
const WITNESS_V0_SCRIPTHASH_SIZE = 32;

/** WitnessSigOps: P2WPKH counts 1, P2WSH the accurate count of its witness script; others 0. */
function witnessSigOps(version: number, program: Uint8Array, witness: Uint8Array[]): number {
  if (version === 0) {
    if (program.length === WITNESS_V0_KEYHASH_SIZE) return 1;
    if (program.length === WITNESS_V0_SCRIPTHASH_SIZE && witness.length > 0) {
      return getSigOpCount(witness[witness.length - 1]!, true);
    }
  }
  // Future flags may be implemented here (taproot sigops are budgeted, not counted).
  return 0;
}

/** CountWitnessSigOps: native witness programs and P2SH-wrapped ones (last push of a push-only scriptSig). */
export function countWitnessSigOps(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number): number {
  if ((flags & SCRIPT_VERIFY.WITNESS) === 0) return 0;
  const wp = witnessProgram(scriptPubKey);
  if (wp) return witnessSigOps(wp.version, wp.program, witness);
  if (isP2SH(scriptPubKey) && isPushOnly(scriptSig)) {
    // The redeem script is the data of the last op (GetOp clears the data for non-push ops).
    let data: Uint8Array = new Uint8Array(0);
    let pc = 0;
    while (pc < scriptSig.length) {
      const op = readOp(scriptSig, pc);
      if (!op) break;
      data = op.data ?? new Uint8Array(0);
      pc = op.end;
    }
    const inner = witnessProgram(data);
    if (inner) return witnessSigOps(inner.version, inner.program, witness);
  }
  return 0;
}
