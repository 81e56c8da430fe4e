/**
 * Reject reasons for script failures, as Core v30's CheckInputScripts words them
 * (validation.cpp, #33050 and #33183): a failure while checking with flags that include
 * any standard-but-not-mandatory flag (mempool acceptance) is
 * "mempool-script-verify-flag-failed (<ScriptErrorString>)"; a failure under block flags
 * is "block-script-verify-flag-failed (<ScriptErrorString>)".
 *
 * Core v30 no longer re-runs a failed mempool check with the mandatory flags (#33050), so
 * the mempool reason string never says whether the failure is consensus or policy. This
 * module can still tell (an extra, optional run with MANDATORY_SCRIPT_VERIFY_FLAGS) and
 * reports it as `kind`, keeping Core's reason string unchanged.
 */
import { scriptErrorString, type ScriptError } from '../script/script-error.ts';
import type { InputsResult } from '../script/verify.ts';
import { MANDATORY_SCRIPT_VERIFY_FLAGS, STANDARD_NOT_MANDATORY_VERIFY_FLAGS, STANDARD_SCRIPT_VERIFY_FLAGS } from './constants.ts';

/** The outcome of verifying every input of one transaction under `flags`. */
export type TxScriptResult = InputsResult;

/** Runs every input's script under `flags` (possibly on worker threads). */
export type ScriptRunner = (flags: number) => TxScriptResult | Promise<TxScriptResult>;
/** A ScriptRunner that answers on the spot (in this thread). */
export type SyncScriptRunner = (flags: number) => TxScriptResult;

export type ScriptVerdict =
  | { ok: true }
  | { ok: false; reason: string; details: string; kind: 'policy' | 'consensus'; error: ScriptError; input: number };

export interface ScriptCheckOptions {
  /** Flags of the first run (default STANDARD_SCRIPT_VERIFY_FLAGS). */
  flags?: number;
  /** Re-run a failure with MANDATORY_SCRIPT_VERIFY_FLAGS to tell consensus from policy (default true). */
  classify?: boolean;
  /** Core's debug text for a failing input, e.g. "input 0 of <txid> (wtxid <wtxid>), spending <txid>:<n>". */
  describeInput?: (input: number) => string;
}

/** The reason string Core gives a failure found under `flags`. */
export function scriptFailureReason(flags: number, error: ScriptError): string {
  const prefix = flags & STANDARD_NOT_MANDATORY_VERIFY_FLAGS ? 'mempool' : 'block';
  return `${prefix}-script-verify-flag-failed (${scriptErrorString(error)})`;
}

/**
 * Core's CheckInputScripts for mempool acceptance (PolicyScriptChecks), plus the optional
 * consensus/policy classification: fails under the standard flags → if it also fails
 * under the mandatory flags it is consensus-invalid, otherwise only non-standard.
 */
export async function checkInputScripts(run: ScriptRunner, opts: ScriptCheckOptions = {}): Promise<ScriptVerdict> {
  const flags = opts.flags ?? STANDARD_SCRIPT_VERIFY_FLAGS;
  const first = await run(flags);
  if (first.ok) return PASSED;
  let kind: 'policy' | 'consensus' = flags & STANDARD_NOT_MANDATORY_VERIFY_FLAGS ? 'policy' : 'consensus';
  if (kind === 'policy' && (opts.classify ?? true)) {
    const mandatory = await run(flags & MANDATORY_SCRIPT_VERIFY_FLAGS);
    if (!mandatory.ok) kind = 'consensus';
  }
  return failed(first, flags, kind, opts);
}


const PASSED: ScriptVerdict = Object.freeze({ ok: true as const });

function failed(
  first: { error: ScriptError; input: number }, flags: number, kind: 'policy' | 'consensus', opts: ScriptCheckOptions,
): ScriptVerdict {
  const reason = scriptFailureReason(flags, first.error);
  const details = opts.describeInput ? opts.describeInput(first.input) : `input ${first.input}`;
  return { ok: false, reason, details, kind, error: first.error, input: first.input };
}
