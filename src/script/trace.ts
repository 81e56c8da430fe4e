/**
 * Script traces: one input verified by the same VerifyScript and EvalScript as validation
 * (verify.ts, interpreter.ts), with a ScriptTracer (exec.ts) recording every phase, every
 * opcode with the stacks after it, every signature check (trace-checker.ts) and where the
 * run stopped with Core's ScriptError. The result is plain JSON (hex strings, numbers).
 * A TraceBudget bounds the steps and the stack bytes recorded; past it the run is aborted
 * with a TraceBudgetError.
 */
import { toHex } from '../primitives/bytes.ts';
import type { Transaction, TxFields, TxOut } from '../primitives/tx.ts';
import { SigVersion, type EvalResult, type ScriptTracer, type TapscriptPathInfo, type TracePhaseKind } from './exec.ts';
import { formatFlags } from './flags.ts';
import { OP } from './opcodes.ts';
import { scriptErrorString, type ScriptError } from './script-error.ts';
import { precomputeTxData, type PrecomputedTxData } from './sighash.ts';
import type { SigVerifier } from './sigcheck.ts';
import { TracingChecker, type SigCheckTrace } from './trace-checker.ts';
import { getDefaultVerifier, verifyScriptWith } from './verify.ts';

export type { SigCheckTrace } from './trace-checker.ts';

/** One opcode: its offset in the script, whether its branch ran, and the state after it. */
export interface StepTrace {
  offset: number;
  opcode: string;
  executed: boolean;
  /** Stack bottom first, hex. */
  stack: string[];
  altstack: string[];
  /** The condition stack (OP_IF nesting), outermost first: true where the branch runs. */
  conditions: boolean[];
}

/** The taproot script path checks before the leaf runs (BIP341). */
export interface TapscriptPathTrace {
  leafVersion: number;
  controlBlock: string;
  internalKey: string;
  /** The output key's Y parity the control block states. */
  parity: number;
  leafHash: string;
  /** The merkle path from the control block, leaf side first. */
  merklePath: string[];
  merkleRoot: string;
  outputKey: string;
  /** Whether internal key + TapTweak(merkle root) gives the output key (CheckTapTweak). */
  committed: boolean;
}

export interface PhaseTrace {
  phase: TracePhaseKind;
  sigversion: 'base' | 'witness_v0' | 'taproot' | 'tapscript';
  /** The script run in this phase, hex (absent on the key path and before a failed path check). */
  script?: string;
  /** The stack the script started with. */
  stackBefore?: string[];
  steps: StepTrace[];
  sigchecks: SigCheckTrace[];
  tapscript?: TapscriptPathTrace;
  /** EvalScript's outcome for this phase's script: "ok" or the ScriptError. */
  result?: 'ok' | ScriptError;
  /** Where the script stopped on an error: the opcode that failed (offset = script length: its end). */
  stoppedAt?: { offset: number; opcode: string | null };
}

export interface InputTrace {
  input: number;
  ok: boolean;
  /** Core's ScriptError name (script_tests.json spelling) and ScriptErrorString. */
  error?: ScriptError;
  message?: string;
  flags: string;
  spent: { scriptPubKey: string; amount: number };
  phases: PhaseTrace[];
  /** Steps and stack bytes this trace used of the budget. */
  steps: number;
  bytes: number;
}

export class TraceBudgetError extends Error {
  constructor(readonly limit: 'steps' | 'bytes', readonly max: number) {
    super(limit === 'steps' ? `the trace needs more than ${max} steps (the step budget)` : `the trace needs more than ${max} bytes of stack snapshots (the byte budget)`);
    this.name = 'TraceBudgetError';
  }
}

/**
 * How much a trace (or every trace of one request) may record: opcodes stepped, and bytes
 * of stack and altstack elements over all snapshots (hex in JSON doubles them).
 */
export class TraceBudget {
  steps = 0;
  bytes = 0;
  constructor(readonly maxSteps: number, readonly maxBytes: number) {}

  charge(steps: number, bytes: number): void {
    this.steps += steps;
    this.bytes += bytes;
    if (this.steps > this.maxSteps) throw new TraceBudgetError('steps', this.maxSteps);
    if (this.bytes > this.maxBytes) throw new TraceBudgetError('bytes', this.maxBytes);
  }
}

const SIGVERSION_NAMES = ['base', 'witness_v0', 'taproot', 'tapscript'] as const;

const OPCODE_NAMES: string[] = (() => {
  const names: string[] = new Array(256);
  for (const [k, v] of Object.entries(OP)) names[v] ??= k;
  for (let i = 1; i < OP.OP_PUSHDATA1; i++) names[i] = `OP_PUSHBYTES_${i}`;
  for (let i = 0; i < 256; i++) names[i] ??= `OP_UNKNOWN_0x${i.toString(16).padStart(2, '0')}`;
  return names;
})();

/** The opcode's name: Core's OP_ names, OP_PUSHBYTES_n for direct pushes. */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode]!;
}

const hexAll = (items: readonly Uint8Array[]): string[] => items.map(toHex);
const sizeOf = (items: readonly Uint8Array[]): number => {
  let n = 0;
  for (const x of items) n += x.length;
  return n;
};

class Recorder implements ScriptTracer {
  readonly phases: PhaseTrace[] = [];
  private script: Uint8Array | undefined;
  private pc = 0;
  private lastOffset = 0;
  private startSteps: number;
  private startBytes: number;

  constructor(private readonly budget: TraceBudget) {
    this.startSteps = budget.steps;
    this.startBytes = budget.bytes;
  }

  private get current(): PhaseTrace {
    return this.phases[this.phases.length - 1]!;
  }

  phase(kind: TracePhaseKind, sv: SigVersion, info?: TapscriptPathInfo): void {
    const p: PhaseTrace = { phase: kind, sigversion: SIGVERSION_NAMES[sv], steps: [], sigchecks: [] };
    if (info) p.tapscript = pathTrace(info);
    this.phases.push(p);
  }

  begin(script: Uint8Array, stack: readonly Uint8Array[]): void {
    this.budget.charge(0, sizeOf(stack));
    this.script = script;
    this.pc = 0;
    const p = this.current;
    p.script = toHex(script);
    p.stackBefore = hexAll(stack);
  }

  step(pc: number, opcode: number, executed: boolean, stack: readonly Uint8Array[], alt: readonly Uint8Array[], condSize: number, firstFalse: number): void {
    this.budget.charge(1, sizeOf(stack) + sizeOf(alt));
    const conditions: boolean[] = new Array(condSize);
    for (let i = 0; i < condSize; i++) conditions[i] = firstFalse === -1 || i < firstFalse;
    this.current.steps.push({ offset: this.pc, opcode: opcodeName(opcode), executed, stack: hexAll(stack), altstack: hexAll(alt), conditions });
    this.lastOffset = this.pc;
    this.pc = pc;
  }

  end(result: EvalResult): void {
    const p = this.current;
    p.result = result ?? 'ok';
    if (!result) return;
    // The step hook runs before the stack size check: STACK_SIZE stops at the last step.
    const offset = result === 'STACK_SIZE' ? this.lastOffset : this.pc;
    const script = this.script!;
    p.stoppedAt = { offset, opcode: offset < script.length ? opcodeName(script[offset]!) : null };
  }

  sigcheck(check: SigCheckTrace): void {
    const p = this.current;
    if (p.phase !== 'taprootKeyPath') check.step = p.steps.length;
    p.sigchecks.push(check);
  }

  used(): { steps: number; bytes: number } {
    return { steps: this.budget.steps - this.startSteps, bytes: this.budget.bytes - this.startBytes };
  }
}

function pathTrace(info: TapscriptPathInfo): TapscriptPathTrace {
  const c = info.controlBlock;
  const merklePath: string[] = [];
  for (let o = 33; o + 32 <= c.length; o += 32) merklePath.push(toHex(c.subarray(o, o + 32)));
  return {
    leafVersion: info.leafVersion, controlBlock: toHex(c), internalKey: toHex(c.subarray(1, 33)), parity: c[0]! & 1,
    leafHash: toHex(info.leafHash), merklePath, merkleRoot: toHex(info.merkleRoot), outputKey: toHex(info.outputKey), committed: info.committed,
  };
}

export interface TraceOptions {
  /** Shared by every trace of one request; default: unbounded. */
  budget?: TraceBudget;
  verifier?: SigVerifier;
  /** The transaction's precomputed sighash parts, shared across its inputs. */
  txdata?: PrecomputedTxData;
}

/**
 * Verifies input nIn of `tx` spending `spent[nIn]` under `flags`, as verifyInput does, and
 * returns the run as a trace. Throws TraceBudgetError past the budget.
 */
export function traceInput(tx: Transaction | TxFields, nIn: number, spent: TxOut[], flags: number, opts: TraceOptions = {}): InputTrace {
  const input = tx.inputs[nIn];
  const prev = spent[nIn];
  if (!input || !prev) throw new RangeError(`input ${nIn} out of range`);
  const rec = new Recorder(opts.budget ?? new TraceBudget(Infinity, Infinity));
  const txdata = opts.txdata ?? precomputeTxData(tx, spent);
  if (!txdata.spent) txdata.spent = spent;
  const checker = new TracingChecker(tx, nIn, prev.value, txdata, opts.verifier ?? getDefaultVerifier(), (c) => rec.sigcheck(c));
  const r = verifyScriptWith(input.scriptSig, prev.scriptPubKey, input.witness, flags, checker, rec);
  const out: InputTrace = {
    input: nIn, ok: r.ok, flags: formatFlags(flags), spent: { scriptPubKey: toHex(prev.scriptPubKey), amount: Number(prev.value) },
    phases: rec.phases, ...rec.used(),
  };
  if (!r.ok) {
    out.error = r.error;
    out.message = scriptErrorString(r.error);
  }
  return out;
}
