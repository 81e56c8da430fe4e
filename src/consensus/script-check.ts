/**
 * Script checking for block connection (Core's CheckInputScripts / CScriptCheck). The checker
 * is a function so the pipeline can swap the in-thread default for a worker pool.
 */
import type { Transaction, TxOut } from '../primitives/tx.ts';
import type { ScriptError } from '../script/errors.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { verifyInput } from '../script/verify.ts';

export type InputsCheckResult = { ok: true } | { ok: false; error: ScriptError; input: number };

/**
 * Checks every input script of `tx` (`spent[i]` is the output input i spends) with `flags`.
 * May answer synchronously or with a promise; connectBlock awaits the answers of all
 * transactions and reports the first failure in block order.
 */
export type CheckInputs = (tx: Transaction, spent: TxOut[], flags: number) => InputsCheckResult | Promise<InputsCheckResult>;

/** The default: in this thread, the sighash midstates computed once per transaction. */
export const checkInputsSync: CheckInputs = (tx, spent, flags) => {
  const txdata = precomputeTxData(tx, spent);
  for (let i = 0; i < tx.inputs.length; i++) {
    const r = verifyInput(tx, i, spent, flags, { txdata });
    if (!r.ok) return { ok: false, error: r.error, input: i };
  }
  return { ok: true };
};
