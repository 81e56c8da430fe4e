/**
 * Script checking for block connection (Core's CheckInputScripts / CScriptCheck). The checker
 * is a function so the node can swap the in-thread default for the worker pool.
 */
import type { Transaction, TxOut } from '../primitives/tx.ts';
import { verifyInputs, type InputsResult } from '../script/verify.ts';

export type InputsCheckResult = InputsResult;

/**
 * Checks every input script of `tx` (`spent[i]` is the output input i spends) with `flags`.
 * May answer synchronously or with a promise; connectBlock awaits the answers of all
 * transactions and reports the first failure in block order.
 */
export type CheckInputs = (tx: Transaction, spent: TxOut[], flags: number) => InputsCheckResult | Promise<InputsCheckResult>;

/** The default: in this thread. */
export const checkInputsSync: CheckInputs = (tx, spent, flags) => verifyInputs(tx, spent, flags);
