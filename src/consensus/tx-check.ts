/**
 * Context-free transaction checks: Core's CheckTransaction (consensus/tx_check.cpp).
 */
import { isCoinBase, isNullOutPoint, type Transaction } from '../primitives/tx.ts';
import { MAX_BLOCK_WEIGHT, MAX_MONEY, WITNESS_SCALE_FACTOR, moneyRange } from './constants.ts';

export type TxCheckResult = { ok: true } | { ok: false; reason: string };

/** CheckTransaction: the rules that need neither the UTXO set nor the chain. */
export function checkTransaction(tx: Transaction): TxCheckResult {
  // Basic checks that don't depend on any context
  if (tx.inputs.length === 0) return { ok: false, reason: 'bad-txns-vin-empty' };
  if (tx.outputs.length === 0) return { ok: false, reason: 'bad-txns-vout-empty' };
  // Size limits (this doesn't take the witness into account, as that hasn't been checked for malleability)
  if (tx.baseSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) return { ok: false, reason: 'bad-txns-oversize' };

  // Check for negative or overflow output values (see CVE-2010-5139)
  let valueOut = 0n;
  for (const out of tx.outputs) {
    if (out.value < 0n) return { ok: false, reason: 'bad-txns-vout-negative' };
    if (out.value > MAX_MONEY) return { ok: false, reason: 'bad-txns-vout-toolarge' };
    valueOut += out.value;
    if (!moneyRange(valueOut)) return { ok: false, reason: 'bad-txns-txouttotal-toolarge' };
  }

  // Check for duplicate inputs (see CVE-2018-17144)
  if (hasDuplicateInputs(tx)) return { ok: false, reason: 'bad-txns-inputs-duplicate' };

  if (isCoinBase(tx)) {
    const n = tx.inputs[0]!.scriptSig.length;
    if (n < 2 || n > 100) return { ok: false, reason: 'bad-cb-length' };
  } else {
    for (const input of tx.inputs) {
      if (isNullOutPoint(input.prevout)) return { ok: false, reason: 'bad-txns-prevout-null' };
    }
  }
  return { ok: true };
}

function hasDuplicateInputs(tx: Transaction): boolean {
  const n = tx.inputs.length;
  if (n < 2) return false;
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const p = input.prevout;
    let k = p.vout.toString(36) + ':';
    for (let i = 0; i < 32; i++) k += String.fromCharCode(p.txid[i]!);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}
