/**
 * Contextual transaction checks: Core's consensus/tx_verify.cpp — IsFinalTx, BIP68 sequence
 * locks, sigop counting and CheckTxInputs.
 */
import { formatMoney } from '../primitives/amount.ts';
import { isCoinBase, type Transaction, type TxOut } from '../primitives/tx.ts';
import { SCRIPT_VERIFY } from '../script/flags.ts';
import { getP2SHSigOpCount as scriptP2SHSigOps, getSigOpCount, isP2SH } from '../script/script.ts';
import type { Coin } from '../utxo/coin.ts';
import {
  COINBASE_MATURITY, LOCKTIME_THRESHOLD, LOCKTIME_VERIFY_SEQUENCE, SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG, SEQUENCE_LOCKTIME_GRANULARITY, SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG, WITNESS_SCALE_FACTOR, moneyRange,
} from './constants.ts';
import { countWitnessSigOps } from './witness-sigops.ts';

/**
 * IsFinalTx: nLockTime 0, or below the height/time cutoff, or every input's sequence final.
 * `blockTime` is the cutoff for time locks (the previous block's MTP once BIP113 is active).
 */
export function isFinalTx(tx: Transaction, blockHeight: number, blockTime: number): boolean {
  if (tx.locktime === 0) return true;
  if (tx.locktime < (tx.locktime < LOCKTIME_THRESHOLD ? blockHeight : blockTime)) return true;
  // Even if nLockTime isn't satisfied, a transaction is final if all inputs' nSequence == SEQUENCE_FINAL.
  for (const input of tx.inputs) if (input.sequence !== SEQUENCE_FINAL) return false;
  return true;
}

export interface SequenceLock {
  /** The last invalid height (-1: none). */
  minHeight: number;
  /** The last invalid MTP (-1: none). */
  minTime: number;
}

/**
 * CalculateSequenceLocks (BIP68). `prevHeights[i]` is the height of the coin input i spends;
 * entries of inputs with the disable flag are set to 0, as Core does. `ancestorMtp(h)` gives
 * the median time past of the ancestor at height h of the block being validated (Core's
 * block.GetAncestor(max(coinHeight-1, 0))->GetMedianTimePast()); when it returns undefined
 * that input's time lock cannot be evaluated and is left out.
 */
export function calculateSequenceLocks(
  tx: Transaction,
  flags: number,
  prevHeights: number[],
  ancestorMtp: (height: number) => number | undefined,
): SequenceLock {
  let minHeight = -1;
  let minTime = -1;
  // tx.version is a uint32 (Core v28+), so this comparison is unsigned as in Core.
  const enforceBIP68 = tx.version >= 2 && (flags & LOCKTIME_VERIFY_SEQUENCE) !== 0;
  if (!enforceBIP68) return { minHeight, minTime };
  for (let i = 0; i < tx.inputs.length; i++) {
    const seq = tx.inputs[i]!.sequence;
    // Sequence numbers with the most significant bit set are not treated as relative lock-times.
    if (seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) {
      prevHeights[i] = 0;
      continue;
    }
    const coinHeight = prevHeights[i]!;
    if (seq & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      const coinTime = ancestorMtp(Math.max(coinHeight - 1, 0));
      if (coinTime === undefined) continue;
      minTime = Math.max(minTime, coinTime + (seq & SEQUENCE_LOCKTIME_MASK) * (1 << SEQUENCE_LOCKTIME_GRANULARITY) - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + (seq & SEQUENCE_LOCKTIME_MASK) - 1);
    }
  }
  return { minHeight, minTime };
}

/**
 * EvaluateSequenceLocks: the block at `blockHeight` whose parent has MTP `prevMtp` satisfies
 * the lock. With prevMtp undefined the time part is not evaluated.
 */
export function evaluateSequenceLocks(blockHeight: number, prevMtp: number | undefined, lock: SequenceLock): boolean {
  if (lock.minHeight >= blockHeight) return false;
  if (prevMtp !== undefined && lock.minTime >= prevMtp) return false;
  return true;
}

/** SequenceLocks = EvaluateSequenceLocks(CalculateSequenceLocks(...)). */
export function sequenceLocks(
  tx: Transaction, flags: number, prevHeights: number[], blockHeight: number,
  prevMtp: number | undefined, ancestorMtp: (height: number) => number | undefined,
): boolean {
  return evaluateSequenceLocks(blockHeight, prevMtp, calculateSequenceLocks(tx, flags, prevHeights, ancestorMtp));
}

/** GetLegacySigOpCount: inaccurate count over every scriptSig and scriptPubKey. */
export function getLegacySigOpCount(tx: Transaction): number {
  let n = 0;
  for (const input of tx.inputs) n += getSigOpCount(input.scriptSig, false);
  for (const out of tx.outputs) n += getSigOpCount(out.scriptPubKey, false);
  return n;
}

/** GetP2SHSigOpCount: accurate counts of the redeem scripts of P2SH inputs. `spent` aligns with inputs. */
export function getP2SHSigOpCount(tx: Transaction, spent: readonly TxOut[]): number {
  if (isCoinBase(tx)) return 0;
  let n = 0;
  for (let i = 0; i < tx.inputs.length; i++) {
    const spk = spent[i]!.scriptPubKey;
    if (isP2SH(spk)) n += scriptP2SHSigOps(spk, tx.inputs[i]!.scriptSig);
  }
  return n;
}

/** GetTransactionSigOpCost: legacy and P2SH sigops weigh WITNESS_SCALE_FACTOR, witness sigops 1. */
export function getTransactionSigOpCost(tx: Transaction, spent: readonly TxOut[], flags: number): number {
  let cost = getLegacySigOpCount(tx) * WITNESS_SCALE_FACTOR;
  if (isCoinBase(tx)) return cost;
  if (flags & SCRIPT_VERIFY.P2SH) cost += getP2SHSigOpCount(tx, spent) * WITNESS_SCALE_FACTOR;
  for (let i = 0; i < tx.inputs.length; i++) {
    const input = tx.inputs[i]!;
    cost += countWitnessSigOps(input.scriptSig, spent[i]!.scriptPubKey, input.witness, flags);
  }
  return cost;
}

export type TxInputsResult = { ok: true; fee: bigint } | { ok: false; reason: string; debug?: string };

/**
 * Consensus::CheckTxInputs: every input exists, coinbase outputs are mature, amounts in range,
 * inputs cover outputs; returns the fee. `coins[i]` is the coin input i spends (undefined: missing).
 */
export function checkTxInputs(tx: Transaction, coins: readonly (Coin | undefined)[], spendHeight: number): TxInputsResult {
  // are the actual inputs available?
  for (let i = 0; i < tx.inputs.length; i++) {
    if (!coins[i]) return { ok: false, reason: 'bad-txns-inputs-missingorspent', debug: 'CheckTxInputs: inputs missing/spent' };
  }
  let valueIn = 0n;
  for (let i = 0; i < tx.inputs.length; i++) {
    const coin = coins[i]!;
    // If prev is coinbase, check that it's matured
    if (coin.coinbase && spendHeight - coin.height < COINBASE_MATURITY) {
      return { ok: false, reason: 'bad-txns-premature-spend-of-coinbase', debug: `tried to spend coinbase at depth ${spendHeight - coin.height}` };
    }
    // Check for negative or overflow input values
    valueIn += coin.value;
    if (!moneyRange(coin.value) || !moneyRange(valueIn)) return { ok: false, reason: 'bad-txns-inputvalues-outofrange' };
  }
  let valueOut = 0n;
  for (const out of tx.outputs) valueOut += out.value;
  if (valueIn < valueOut) {
    return { ok: false, reason: 'bad-txns-in-belowout', debug: `value in (${formatMoney(valueIn)}) < value out (${formatMoney(valueOut)})` };
  }
  // Tally transaction fees
  const fee = valueIn - valueOut;
  if (!moneyRange(fee)) return { ok: false, reason: 'bad-txns-fee-outofrange' };
  return { ok: true, fee };
}
