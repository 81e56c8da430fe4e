/**
 * What an EvalScript run works with besides the script and its stack: the signature
 * version, the execution data of a taproot spend, and the signature checker (Core's
 * BaseSignatureChecker) that the signature opcodes call.
 */
import type { ScriptError } from './script-error.ts';

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
