/**
 * EvalScript (src/script/interpreter.ts) on its own, for the opcode tests of test/script:
 * a script in Core's asm dialect (or bytes) run on a given stack under given flags and
 * signature version, with a stub SignatureChecker that records every call and answers as
 * told. The stub never computes a signature hash: what the interpreter hands the checker
 * (signature, key, scriptCode, lock values) is itself the observable.
 */
import { toHex } from '../../src/primitives/bytes.ts';
import { evalScript, SigVersion, type ExecData, type SignatureChecker } from '../../src/script/interpreter.ts';
import type { ScriptError } from '../../src/script/script-error.ts';
import { parseAsm } from './asm.ts';

export interface StubCalls {
  ecdsa: { sig: string; key: string; code: string; sv: SigVersion }[];
  schnorr: { sig: string; key: string; sv: SigVersion; codesepPos: number }[];
  lockTime: number[];
  sequence: number[];
}

export interface StubAnswers {
  /** ECDSA answer per call (default: a signature is valid when its first byte is 0x30). */
  ecdsa?: (sig: Uint8Array, key: Uint8Array) => boolean;
  schnorr?: (sig: Uint8Array, key: Uint8Array) => true | ScriptError;
  lockTime?: boolean;
  sequence?: boolean;
}

export function stubChecker(a: StubAnswers = {}): SignatureChecker & { calls: StubCalls } {
  const calls: StubCalls = { ecdsa: [], schnorr: [], lockTime: [], sequence: [] };
  return {
    calls,
    checkEcdsa(sig, key, code, sv) {
      calls.ecdsa.push({ sig: toHex(sig), key: toHex(key), code: toHex(code), sv });
      return a.ecdsa ? a.ecdsa(sig, key) : sig[0] === 0x30;
    },
    checkSchnorr(sig, key, sv, exec) {
      calls.schnorr.push({ sig: toHex(sig), key: toHex(key), sv, codesepPos: exec.codesepPos });
      return a.schnorr ? a.schnorr(sig, key) : true;
    },
    checkLockTime(v) {
      calls.lockTime.push(v);
      return a.lockTime ?? true;
    },
    checkSequence(v) {
      calls.sequence.push(v);
      return a.sequence ?? true;
    },
  };
}

export interface EvalOptions {
  flags?: number;
  sv?: SigVersion;
  /** Initial stack, bottom first. */
  stack?: Uint8Array[];
  checker?: SignatureChecker;
  exec?: ExecData;
}

/** Runs `script` and returns the error ('OK' for success) and the final stack as hex, bottom first. */
export function evalAsm(script: string | Uint8Array, o: EvalOptions = {}): { result: ScriptError | 'OK'; stack: string[] } {
  const bytes = typeof script === 'string' ? parseAsm(script) : script;
  const stack = (o.stack ?? []).slice();
  const exec = o.exec ?? { codesepPos: 0xffffffff, validationWeightLeft: 1_000_000 };
  const r = evalScript(stack, bytes, o.flags ?? 0, o.checker ?? stubChecker(), o.sv ?? SigVersion.BASE, exec);
  return { result: r ?? 'OK', stack: stack.map(toHex) };
}

/** Just the outcome: 'OK' or the ScriptError. */
export function evalResult(script: string | Uint8Array, o: EvalOptions = {}): ScriptError | 'OK' {
  return evalAsm(script, o).result;
}
