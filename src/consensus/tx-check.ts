/**
 * Context-free transaction checks: Core's CheckTransaction (consensus/tx_check.cpp).
 */
import { isCoinBase, isNullOutPoint, type Transaction } from '../primitives/tx.ts';
import { equalBytes } from '../primitives/bytes.ts';
import { MAX_BLOCK_WEIGHT, MAX_MONEY, WITNESS_SCALE_FACTOR, moneyRange } from './constants.ts';
import { OutpointMap } from './outpoint-map.ts';

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

/**
 * Whether two inputs spend the same outpoint (CheckTransaction's std::set of prevouts):
 * pairwise for a few inputs, an OutpointMap (no key built per input) for more.
 */
function hasDuplicateInputs(tx: Transaction): boolean {
  const ins = tx.inputs;
  const n = ins.length;
  if (n < 2) return false;
  if (n <= 8) {
    for (let i = 1; i < n; i++) {
      const a = ins[i]!.prevout;
      for (let j = 0; j < i; j++) {
        const b = ins[j]!.prevout;
        if (a.vout === b.vout && equalBytes(a.txid, b.txid)) return true;
      }
    }
    return false;
  }
  const seen = new OutpointMap<true>(n);
  for (const input of ins) {
    const p = input.prevout;
    if (seen.has(p.txid, p.vout)) return true;
    seen.set(p.txid, p.vout, true);
  }
  return false;
}
