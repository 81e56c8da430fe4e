/**
 * The in-thread ScriptRunner: verifies every input of one transaction in order (Core's
 * CheckInputScripts without a check queue), sharing the per-transaction sighash data.
 * The pipeline may replace it with a worker-pool runner of the same shape.
 */
import type { Transaction, TxOut } from '../primitives/tx.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { verifyInput, type VerifyOptions } from '../script/verify.ts';
import type { ScriptRunner, TxScriptResult } from '../policy/script-failure.ts';

export function localScriptRunner(tx: Transaction, spent: TxOut[], opts: Omit<VerifyOptions, 'txdata'> = {}): ScriptRunner {
  // Sighash midstates do not depend on the flags, so both runs (standard, then mandatory) share them.
  const txdata = precomputeTxData(tx, spent);
  return (flags: number): TxScriptResult => {
    for (let i = 0; i < tx.inputs.length; i++) {
      const r = verifyInput(tx, i, spent, flags, { ...opts, txdata });
      if (!r.ok) return { ok: false, error: r.error, input: i };
    }
    return { ok: true };
  };
}
