/**
 * VerifyScript and VerifyWitnessProgram (script/interpreter.cpp), with the transaction
 * signature checker (GenericTransactionSignatureChecker) on an injected SigVerifier.
 */
import { allocBytes, equalBytes } from '../primitives/bytes.ts';
import { ByteWriter, compactSizeLength } from '../primitives/codec.ts';
import { sha256, taggedHash } from '../primitives/hash.ts';
import type { Transaction, TxFields, TxOut } from '../primitives/tx.ts';
import type { ScriptError } from './script-error.ts';
import { SCRIPT_VERIFY as F } from './flags.ts';
import {
  evalScript, SigVersion, VALIDATION_WEIGHT_OFFSET, type ExecData, type ScriptTracer, type SignatureChecker,
} from './interpreter.ts';
import { isOpSuccess, OP } from './opcodes.ts';
import { castToBool } from './scriptnum.ts';
import { isP2SH, isPayToAnchor, isPushOnly, MAX_SCRIPT_ELEMENT_SIZE, MAX_STACK_SIZE, pushData, readOp, witnessProgram } from './script.ts';
import { annexHash as computeAnnexHash, precomputeTxData, type PrecomputedTxData } from './sighash.ts';
import type { SigVerifier } from './sigcheck.ts';
import { nobleVerifier } from './sigcheck-noble.ts';
import { checkTapTweak } from './taproot.ts';
import { TxSignatureChecker, type SigCache } from './tx-checker.ts';

export type { SigCache } from './tx-checker.ts';

export type ScriptResult = { ok: true } | { ok: false; error: ScriptError };

export interface VerifyOptions {
  verifier?: SigVerifier;
  txdata?: PrecomputedTxData;
  sigCache?: SigCache;
}

let defaultVerifier: SigVerifier = nobleVerifier;
/** Process-wide default backend (the runtime layer installs the fastest one at start-up). */
export function setDefaultVerifier(v: SigVerifier): void {
  defaultVerifier = v;
}
export function getDefaultVerifier(): SigVerifier {
  return defaultVerifier;
}

const fail = (error: ScriptError): ScriptResult => ({ ok: false, error });
const OK: ScriptResult = { ok: true };

/** GetSerializeSize of a witness stack (BIP342 validation weight budget). */
function witnessSize(stack: Uint8Array[]): number {
  let n = compactSizeLength(stack.length);
  for (const s of stack) n += compactSizeLength(s.length) + s.length;
  return n;
}

/** ComputeTapleafHash. */
export function tapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  const w = new ByteWriter(script.length + 6);
  w.u8(leafVersion).varBytes(script);
  return taggedHash('TapLeaf', w.finish());
}

/** ComputeTaprootMerkleRoot from a control block and a leaf hash. */
export function taprootMerkleRoot(control: Uint8Array, leaf: Uint8Array): Uint8Array {
  let k = leaf;
  const pathLen = (control.length - 33) / 32;
  for (let i = 0; i < pathLen; i++) {
    const node = control.subarray(33 + 32 * i, 65 + 32 * i);
    let lt = false;
    for (let j = 0; j < 32; j++) {
      if (k[j] !== node[j]) {
        lt = k[j]! < node[j]!;
        break;
      }
    }
    k = lt ? taggedHash('TapBranch', k, node) : taggedHash('TapBranch', node, k);
  }
  return k;
}

/** ExecuteWitnessScript. */
function executeWitnessScript(
  stack: Uint8Array[], script: Uint8Array, flags: number, sv: SigVersion, checker: SignatureChecker, exec: ExecData, tracer: ScriptTracer | undefined,
): ScriptResult {
  if (sv === SigVersion.TAPSCRIPT) {
    // OP_SUCCESSx processing overrides everything, including stack element size limits.
    for (let pc = 0; pc < script.length; ) {
      const op = readOp(script, pc);
      if (!op) return fail('BAD_OPCODE');
      if (isOpSuccess(op.opcode)) {
        if (flags & F.DISCOURAGE_OP_SUCCESS) return fail('DISCOURAGE_OP_SUCCESS');
        return OK;
      }
      pc = op.end;
    }
    // Tapscript enforces initial stack size limits (altstack is empty here).
    if (stack.length > MAX_STACK_SIZE) return fail('STACK_SIZE');
  }
  // Disallow stack item size > MAX_SCRIPT_ELEMENT_SIZE in witness stack.
  for (const e of stack) if (e.length > MAX_SCRIPT_ELEMENT_SIZE) return fail('PUSH_SIZE');
  const err = evalScript(stack, script, flags, checker, sv, exec, tracer);
  if (err) return fail(err);
  // Scripts inside witness implicitly require cleanstack behaviour.
  if (stack.length !== 1) return fail('CLEANSTACK');
  if (!castToBool(stack[0]!)) return fail('EVAL_FALSE');
  return OK;
}

function p2wpkhScript(program: Uint8Array): Uint8Array {
  const s = allocBytes(25);
  s[0] = OP.OP_DUP; s[1] = OP.OP_HASH160; s[2] = 0x14;
  s.set(program, 3);
  s[23] = OP.OP_EQUALVERIFY; s[24] = OP.OP_CHECKSIG;
  return s;
}

/** VerifyWitnessProgram. */
function verifyWitnessProgram(
  witness: Uint8Array[], version: number, program: Uint8Array, flags: number, checker: SignatureChecker, isP2sh: boolean, tracer: ScriptTracer | undefined,
): ScriptResult {
  const stack = witness.slice();
  const exec: ExecData = { codesepPos: 0xffffffff };
  if (version === 0) {
    if (program.length === 32) {
      // BIP141 P2WSH: the program is SHA256(witnessScript).
      if (tracer) tracer.phase('witnessScript', SigVersion.WITNESS_V0);
      if (stack.length === 0) return fail('WITNESS_PROGRAM_WITNESS_EMPTY');
      const script = stack.pop()!;
      const h = sha256(script);
      for (let i = 0; i < 32; i++) if (h[i] !== program[i]) return fail('WITNESS_PROGRAM_MISMATCH');
      return executeWitnessScript(stack, script, flags, SigVersion.WITNESS_V0, checker, exec, tracer);
    }
    if (program.length === 20) {
      // BIP141 P2WPKH: exactly two witness items.
      if (tracer) tracer.phase('p2wpkh', SigVersion.WITNESS_V0);
      if (stack.length !== 2) return fail('WITNESS_PROGRAM_MISMATCH');
      return executeWitnessScript(stack, p2wpkhScript(program), flags, SigVersion.WITNESS_V0, checker, exec, tracer);
    }
    return fail('WITNESS_PROGRAM_WRONG_LENGTH');
  }
  if (version === 1 && program.length === 32 && !isP2sh) {
    // BIP341 Taproot.
    if (!(flags & F.TAPROOT)) return OK;
    if (stack.length === 0) return fail('WITNESS_PROGRAM_WITNESS_EMPTY');
    if (stack.length >= 2 && stack[stack.length - 1]!.length > 0 && stack[stack.length - 1]![0] === 0x50) {
      // Drop the annex (non-standard; see IsWitnessStandard).
      exec.annexHash = computeAnnexHash(stack.pop()!);
    }
    if (stack.length === 1) {
      // Key path spending.
      if (tracer) tracer.phase('taprootKeyPath', SigVersion.TAPROOT);
      const r = checker.checkSchnorr(stack[0]!, program, SigVersion.TAPROOT, exec);
      return r === true ? OK : fail(r);
    }
    // Script path spending.
    const control = stack.pop()!;
    const script = stack.pop()!;
    if (control.length < 33 || control.length > 33 + 32 * 128 || (control.length - 33) % 32 !== 0) {
      if (tracer) tracer.phase('tapscript', SigVersion.TAPSCRIPT);
      return fail('TAPROOT_WRONG_CONTROL_SIZE');
    }
    const leafVersion = control[0]! & 0xfe;
    exec.tapleafHash = tapleafHash(leafVersion, script);
    const root = taprootMerkleRoot(control, exec.tapleafHash);
    const committed = checkTapTweak(program, control.subarray(1, 33), root, control[0]! & 1);
    if (tracer) tracer.phase('tapscript', SigVersion.TAPSCRIPT, { leafVersion, controlBlock: control, leafHash: exec.tapleafHash, merkleRoot: root, outputKey: program, committed });
    if (!committed) return fail('WITNESS_PROGRAM_MISMATCH');
    if (leafVersion === 0xc0) {
      exec.validationWeightLeft = witnessSize(witness) + VALIDATION_WEIGHT_OFFSET;
      return executeWitnessScript(stack, script, flags, SigVersion.TAPSCRIPT, checker, exec, tracer);
    }
    if (flags & F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) return fail('DISCOURAGE_UPGRADABLE_TAPROOT_VERSION');
    return OK;
  }
  if (!isP2sh && version === 1 && isPayToAnchor(pushProgram(version, program))) return OK;
  if (flags & F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) return fail('DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
  // Other version/size/p2sh combinations succeed for future soft-fork compatibility.
  return OK;
}

function pushProgram(version: number, program: Uint8Array): Uint8Array {
  const s = new Uint8Array(program.length + 2);
  s[0] = version === 0 ? 0 : OP.OP_1 + version - 1;
  s[1] = program.length;
  s.set(program, 2);
  return s;
}


/** VerifyScript; `tracer` observes every phase and opcode (tracing only). */
export function verifyScriptWith(
  scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], flags: number, checker: SignatureChecker, tracer?: ScriptTracer,
): ScriptResult {
  let hadWitness = false;
  if ((flags & F.SIGPUSHONLY) && !isPushOnly(scriptSig)) return fail('SIG_PUSHONLY');
  // scriptSig and scriptPubKey run in sequence on the same stack, not concatenated.
  let stack: Uint8Array[] = [];
  if (tracer) tracer.phase('scriptSig', SigVersion.BASE);
  let err = evalScript(stack, scriptSig, flags, checker, SigVersion.BASE, { codesepPos: 0xffffffff }, tracer);
  if (err) return fail(err);
  const stackCopy = flags & F.P2SH ? stack.slice() : [];
  if (tracer) tracer.phase('scriptPubKey', SigVersion.BASE);
  err = evalScript(stack, scriptPubKey, flags, checker, SigVersion.BASE, { codesepPos: 0xffffffff }, tracer);
  if (err) return fail(err);
  if (stack.length === 0 || !castToBool(stack[stack.length - 1]!)) return fail('EVAL_FALSE');

  // Bare witness programs.
  if (flags & F.WITNESS) {
    const wp = witnessProgram(scriptPubKey);
    if (wp) {
      hadWitness = true;
      // The scriptSig must be exactly empty, or malleability returns.
      if (scriptSig.length !== 0) return fail('WITNESS_MALLEATED');
      const r = verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false, tracer);
      if (!r.ok) return r;
      // Bypass the cleanstack check at the end.
      stack.length = 1;
    }
  }

  // BIP16 pay-to-script-hash.
  if ((flags & F.P2SH) && isP2SH(scriptPubKey)) {
    if (!isPushOnly(scriptSig)) return fail('SIG_PUSHONLY');
    stack = stackCopy;
    // Cannot be empty here: HASH160 <> EQUAL would have failed on an empty stack.
    const redeem = stack.pop()!;
    if (tracer) tracer.phase('redeemScript', SigVersion.BASE);
    err = evalScript(stack, redeem, flags, checker, SigVersion.BASE, { codesepPos: 0xffffffff }, tracer);
    if (err) return fail(err);
    if (stack.length === 0 || !castToBool(stack[stack.length - 1]!)) return fail('EVAL_FALSE');
    // P2SH witness program.
    if (flags & F.WITNESS) {
      const wp = witnessProgram(redeem);
      if (wp) {
        hadWitness = true;
        // The scriptSig must be exactly a single push of the redeem script.
        if (!equalBytes(scriptSig, pushData(redeem))) return fail('WITNESS_MALLEATED_P2SH');
        const r = verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, true, tracer);
        if (!r.ok) return r;
        stack.length = 1;
      }
    }
  }

  // CLEANSTACK only after P2SH and witness evaluation (Core asserts P2SH and WITNESS are set).
  if ((flags & F.CLEANSTACK) && stack.length !== 1) return fail('CLEANSTACK');
  if ((flags & F.WITNESS) && !hadWitness && witness.length > 0) return fail('WITNESS_UNEXPECTED');
  return OK;
}

/**
 * Verifies input nIn of `tx` spending `spent[nIn]`; `spent` lists every spent output in input
 * order (BIP341 signs all of them). Pass `opts.txdata` to share per-transaction hashes
 * across the inputs of one transaction.
 */
export function verifyInput(tx: Transaction | TxFields, nIn: number, spent: TxOut[], flags: number, opts: VerifyOptions = {}): ScriptResult {
  const input = tx.inputs[nIn];
  const prev = spent[nIn];
  if (!input || !prev) throw new RangeError(`input ${nIn} out of range`);
  const txdata = opts.txdata ?? { spent };
  if (!txdata.spent) txdata.spent = spent;
  const checker = new TxSignatureChecker(tx, nIn, prev.value, txdata, opts.verifier ?? defaultVerifier, opts.sigCache);
  return verifyScriptWith(input.scriptSig, prev.scriptPubKey, input.witness, flags, checker);
}

/** The outcome of checking every input of a transaction: the first failing input, in order. */
export type InputsResult = { ok: true } | { ok: false; error: ScriptError; input: number };

const INPUTS_OK: InputsResult = Object.freeze({ ok: true as const });

/**
 * Verifies every input of `tx` under `flags`, in order, and returns the first failure
 * (Core's CheckInputScripts without a check queue). The sighash midstates are computed once
 * per transaction unless the caller passes them.
 */
export function verifyInputs(tx: Transaction | TxFields, spent: TxOut[], flags: number, opts: VerifyOptions = {}): InputsResult {
  const o = opts.txdata ? opts : { ...opts, txdata: precomputeTxData(tx, spent) };
  for (let i = 0; i < tx.inputs.length; i++) {
    const r = verifyInput(tx, i, spent, flags, o);
    if (!r.ok) return { ok: false, error: r.error, input: i };
  }
  return INPUTS_OK;
}
