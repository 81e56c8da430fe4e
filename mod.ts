/**
 * txgate's public library API, shaped like libbitcoinconsensus. Imports unchanged on Bun
 * and Deno; on Node 20 through the tsx loader (`node --import tsx`).
 */
import { DecodeError } from './src/primitives/decode-error.ts';
import { decodeTx, type Transaction } from './src/primitives/tx.ts';
import { checkTransaction as checkTx } from './src/consensus/tx-check.ts';
import { verifyInput } from './src/script/verify.ts';
import { traceInput, TraceBudget, type InputTrace } from './src/script/trace.ts';
import { STANDARD_SCRIPT_VERIFY_FLAGS } from './src/policy/constants.ts';
import type { TxOut } from './src/primitives/tx.ts';
export { TraceBudgetError, type InputTrace, type PhaseTrace, type StepTrace, type SigCheckTrace } from './src/script/trace.ts';
export { STANDARD_SCRIPT_VERIFY_FLAGS } from './src/policy/constants.ts';
export { parseFlags, formatFlags, SCRIPT_VERIFY, ALL_FLAGS } from './src/script/flags.ts';
export { DecodeError } from './src/primitives/decode-error.ts';
export type { Transaction, TxIn, TxOut, OutPoint } from './src/primitives/tx.ts';
export { encodeTx, txidHex, wtxidHex } from './src/primitives/tx.ts';
export { decodeBlock } from './src/primitives/block.ts';
export { toHex, fromHex } from './src/primitives/bytes.ts';
export type { SigVerifier } from './src/script/sigcheck.ts';
export { setDefaultVerifier } from './src/script/verify.ts';
export { scriptErrorString } from './src/script/script-error.ts';

/** Decodes a serialized transaction (with or without witness). Throws DecodeError. */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  return decodeTx(bytes);
}

/**
 * Verifies input `index` of the serialized transaction `tx` (scriptSig and witness are read
 * from `tx`) against every spent output, given in input order. `error` is Core's
 * ScriptError name without the SCRIPT_ERR_ prefix (e.g. `EVAL_FALSE`). A transaction that
 * does not decode gives `TX_DESERIALIZE`, an index out of range `TX_INDEX` and a prevout
 * list of the wrong length `TX_INPUTS_NOT_SPENT` (libbitcoinconsensus' error names).
 */
export function verifyScript(input: {
  tx: Uint8Array;
  index: number;
  prevouts: { scriptPubKey: Uint8Array; amount: bigint }[];
  flags: number;
}): { ok: true } | { ok: false; error: string } {
  const d = decodeInput(input);
  if ('error' in d) return d;
  const r = verifyInput(d.tx, input.index, d.spent, input.flags >>> 0);
  return r.ok ? r : { ok: false, error: r.error };
}

type InputError = { ok: false; error: 'TX_DESERIALIZE' | 'TX_INDEX' | 'TX_INPUTS_NOT_SPENT' };

/** The transaction and spent outputs of a verifyScript / traceScript call, or libbitcoinconsensus' error. */
function decodeInput(input: { tx: Uint8Array; index: number; prevouts: { scriptPubKey: Uint8Array; amount: bigint }[] }): { tx: Transaction; spent: TxOut[] } | InputError {
  let tx: Transaction;
  try {
    tx = decodeTx(input.tx);
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, error: 'TX_DESERIALIZE' };
    throw e;
  }
  if (!Number.isInteger(input.index) || input.index < 0 || input.index >= tx.inputs.length) return { ok: false, error: 'TX_INDEX' };
  if (input.prevouts.length !== tx.inputs.length) return { ok: false, error: 'TX_INPUTS_NOT_SPENT' };
  return { tx, spent: input.prevouts.map((p) => ({ value: p.amount, scriptPubKey: p.scriptPubKey })) };
}

/**
 * verifyScript with a trace: the same verification, returned as JSON-friendly data — each
 * phase (scriptSig, scriptPubKey, redeemScript, witnessScript, p2wpkh, taprootKeyPath,
 * tapscript with its control block and merkle path), each opcode with the stacks after it,
 * each signature check with its sighash parts, and Core's ScriptError where it stopped
 * (src/script/trace.ts InputTrace). `flags` defaults to the standard (mempool) flags.
 * `budget` bounds the steps and stack bytes recorded (default: none); past it a
 * TraceBudgetError is thrown. Argument errors as verifyScript's.
 */
export function traceScript(input: {
  tx: Uint8Array;
  index: number;
  prevouts: { scriptPubKey: Uint8Array; amount: bigint }[];
  flags?: number;
  budget?: { steps: number; bytes: number };
}): InputTrace | InputError {
  const d = decodeInput(input);
  if ('error' in d) return d;
  const budget = input.budget && new TraceBudget(input.budget.steps, input.budget.bytes);
  return traceInput(d.tx, input.index, d.spent, (input.flags ?? STANDARD_SCRIPT_VERIFY_FLAGS) >>> 0, budget ? { budget } : {});
}

/**
 * Core's context-free CheckTransaction with its reason strings. A transaction that does not
 * decode is rejected with Core's decode failure reason, `TX decode failed` followed by what
 * is wrong.
 */
export function checkTransaction(tx: Uint8Array): { ok: true } | { ok: false; reason: string } {
  let decoded: Transaction;
  try {
    decoded = decodeTx(tx);
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: `TX decode failed: ${e.message}` };
    throw e;
  }
  return checkTx(decoded);
}

import { validateBlock as validateBlockImpl, type ValidateBlockInput } from './src/chain/validate-block.ts';
import type { CheckInputs } from './src/consensus/script-check.ts';
import { scriptsAsJobs, ValidationPool } from './src/validation/worker-pool.ts';

let blockChecker: { pool: ValidationPool; check: CheckInputs } | undefined;

/** A signature (and SHA-256) backend by name, as the server's --crypto and --sha256 take them. */
export interface CryptoBackendSpec {
  crypto: 'noble' | 'wasm' | 'ffi' | 'napi';
  sha256?: 'js' | 'noble' | 'node' | 'node-large' | 'bun';
  libPath?: string;
}

/**
 * Starts `workers` validation workers (Web Workers; worker_threads on Node) that
 * validateBlock then uses for its script checks, in parallel by txid shard. `crypto` names
 * the backends every worker loads; without it, the fastest backends available on this
 * runtime that pass the known-answer vectors are chosen, as the server's `--crypto auto`
 * does. Returns the backends the workers use.
 */
export async function startWorkers(workers: number, crypto?: CryptoBackendSpec): Promise<CryptoBackendSpec> {
  await stopWorkers();
  const { spawnValidator } = await import('./src/runtime/spawn.ts');
  let spec: CryptoBackendSpec;
  if (crypto) spec = { sha256: 'js', ...crypto };
  else {
    const { selectCrypto } = await import('./src/runtime/crypto/select.ts');
    spec = (await selectCrypto({ crypto: 'auto', sha256: 'auto' })).spec as CryptoBackendSpec;
  }
  const pool = new ValidationPool({ workers, spawn: spawnValidator, init: { type: 'init', crypto: spec } });
  await pool.ready();
  blockChecker = { pool, check: scriptsAsJobs((shard, job) => pool.submit(shard, job), { block: true }) };
  return spec;
}

export async function stopWorkers(): Promise<void> {
  const b = blockChecker;
  blockChecker = undefined;
  await b?.pool.close();
}

/**
 * Validates a block whose spent outputs the caller supplies (compact-state and bridge
 * nodes): `spent` lists the outputs spent by every non-coinbase input in block order
 * (outputs created earlier in the same block included); `height` is the block's height;
 * `mtp` the median time past of its parent (time checks that need it are skipped when it is
 * omitted). Applies that network's rules and script flags at that height; proof of work is
 * checked against the header's own bits. Uses the workers when startWorkers() ran.
 * A block that does not decode is rejected with reason `block decode failed: ...`.
 */
export async function validateBlock(input: {
  block: Uint8Array;
  spent: { scriptPubKey: Uint8Array; amount: bigint; height: number; coinbase: boolean }[];
  network: 'mainnet' | 'testnet3' | 'testnet4' | 'signet' | 'regtest';
  height: number;
  mtp?: number;
}): Promise<{ ok: true; fees: bigint } | { ok: false; reason: string; txid?: string; input?: number }> {
  const args: ValidateBlockInput = { ...input, ...(blockChecker ? { checkInputs: blockChecker.check } : {}) } as ValidateBlockInput;
  try {
    return await validateBlockImpl(args);
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: `block decode failed: ${e.message}` };
    if (e instanceof RangeError) return { ok: false, reason: `bad-spent-outputs: ${e.message}` };
    throw e;
  }
}
