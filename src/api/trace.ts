/**
 * Script traces for POST /validate: `?trace=1` (every input) or `?trace=failed` (the inputs
 * whose scripts fail), or `"trace": true | "failed"` in a JSON item. The trace runs after
 * the verdict is known, on this thread, with the outputs the verdict's PreChecks found (or
 * the request's prevouts) and the standard script flags the verdict used; it never changes
 * the verdict. One budget of steps and stack bytes covers every trace of a request; past it
 * the request is answered 413.
 */
import { STANDARD_SCRIPT_VERIFY_FLAGS } from '../policy/constants.ts';
import type { TxOut } from '../primitives/tx.ts';
import type { AcceptResult } from '../mempool/accept.ts';
import { precomputeTxData } from '../script/sighash.ts';
import { traceInput, TraceBudget, TraceBudgetError, type InputTrace } from '../script/trace.ts';
import { verifyInput } from '../script/verify.ts';
import type { ValidateItem } from './deps.ts';
import { ApiError } from './http-error.ts';

export type TraceMode = 'all' | 'failed';

/** Per request: opcode steps, and bytes of stack snapshots (hex in the JSON doubles them). */
export interface TraceLimits {
  steps: number;
  bytes: number;
}
export const DEFAULT_TRACE_LIMITS: Readonly<TraceLimits> = Object.freeze({ steps: 10_000, bytes: 1_000_000 });

/** A transaction's trace: its traced inputs, or why none could run. */
export interface TxTrace {
  inputs: InputTrace[];
  /** Set when the spent outputs are unknown (the verdict came before the coins were found). */
  unavailable?: string;
}

/** The `trace` query parameter: 1/true/all, failed, 0/false; anything else is a 400. */
export function traceQuery(value: string | undefined): TraceMode | undefined {
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case '': case '1': case 'true': case 'all': return 'all';
    case 'failed': return 'failed';
    case '0': case 'false': return undefined;
  }
  throw new ApiError(400, 'bad-request', `trace must be 1, true, all, failed, 0 or false, not "${value}"`);
}

/** A JSON item's `trace` field, else the query's mode. */
export function traceField(value: boolean | 'failed' | undefined, fallback: TraceMode | undefined): TraceMode | undefined {
  if (value === undefined) return fallback;
  return value === 'failed' ? 'failed' : value ? 'all' : undefined;
}

/**
 * The traces of the items that asked for one (undefined for the others; none at all when no
 * item asked), against one budget. Throws ApiError 413 past the budget.
 */
export function traceItems(items: readonly ValidateItem[], results: readonly AcceptResult[], limits: TraceLimits): (TxTrace | undefined)[] {
  if (!items.some((item) => item.trace)) return [];
  const budget = new TraceBudget(limits.steps, limits.bytes);
  try {
    return items.map((item, i) => (item.trace ? traceTx(item, results[i]!, item.trace, budget) : undefined));
  } catch (e) {
    if (!(e instanceof TraceBudgetError)) throw e;
    throw new ApiError(413, 'payload-too-large', `${e.message} of this request; trace fewer inputs (trace=failed) or fewer transactions`);
  }
}

function traceTx(item: ValidateItem, result: AcceptResult, mode: TraceMode, budget: TraceBudget): TxTrace {
  const spent: TxOut[] | undefined = result.spent ?? item.prevouts?.map((p) => ({ value: p.amount, scriptPubKey: p.scriptPubKey }));
  if (!spent) return { inputs: [], unavailable: `the spent outputs are not known (${result.reason ?? 'no coins'})` };
  const tx = item.tx;
  const flags = STANDARD_SCRIPT_VERIFY_FLAGS;
  const txdata = precomputeTxData(tx, spent);
  const inputs: InputTrace[] = [];
  for (let i = 0; i < tx.inputs.length; i++) {
    if (mode === 'failed' && verifyInput(tx, i, spent, flags, { txdata }).ok) continue;
    inputs.push(traceInput(tx, i, spent, flags, { budget, txdata }));
  }
  return { inputs };
}
