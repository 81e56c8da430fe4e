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

/** The phases of VerifyScript and VerifyWitnessProgram a trace tells apart. */
export type TracePhaseKind =
  | 'scriptSig' | 'scriptPubKey' | 'redeemScript' | 'witnessScript' | 'p2wpkh' | 'taprootKeyPath' | 'tapscript';

/** What VerifyWitnessProgram knows of a taproot script path before it runs the leaf. */
export interface TapscriptPathInfo {
  leafVersion: number;
  controlBlock: Uint8Array;
  leafHash: Uint8Array;
  merkleRoot: Uint8Array;
  /** The output key (witness program) the merkle root and internal key must commit to. */
  outputKey: Uint8Array;
  /** CheckTapTweak's answer. */
  committed: boolean;
}

/**
 * An observer of one input's verification: the same interpreter calls it when given one
 * (tracing), and never otherwise. `step` comes after every opcode read while the script
 * runs, executed or skipped; `pc` is the offset just past the opcode and its data. The
 * condition stack is Core's ConditionStack (its size and the first false entry, -1 when
 * none). A tracer may throw to abort the run (a budget); the error leaves evalScript as is.
 */
export interface ScriptTracer {
  phase(kind: TracePhaseKind, sv: SigVersion, info?: TapscriptPathInfo): void;
  begin(script: Uint8Array, stack: readonly Uint8Array[]): void;
  step(pc: number, opcode: number, executed: boolean, stack: readonly Uint8Array[], alt: readonly Uint8Array[], condSize: number, firstFalse: number): void;
  end(result: EvalResult): void;
}
