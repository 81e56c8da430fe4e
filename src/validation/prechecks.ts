/**
 * The parts of Core v30's MemPoolAccept::PreChecks (validation.cpp) that need no mempool:
 * the context-free and chain-context checks before the coins are looked up, and the
 * checks of the coins a transaction spends. Pure: the transaction, its coins and the chain
 * context come in, a value comes out. The mempool's acceptance function (src/mempool/
 * accept.ts) runs them in Core's order around its own checks.
 */
import { hashToHex } from '../primitives/bytes.ts';
import { isCoinBase, type Transaction, type TxOut } from '../primitives/tx.ts';
import { checkTransaction } from '../consensus/tx-check.ts';
import { checkTxInputs, getTransactionSigOpCost, isFinalTx, sequenceLocks } from '../consensus/tx-verify.ts';
import { LOCKTIME_VERIFY_SEQUENCE } from '../consensus/constants.ts';
import { MEMPOOL_HEIGHT, type Coin } from '../utxo/coin.ts';
import {
  MAX_STANDARD_TX_SIGOPS_COST, MIN_STANDARD_TX_NONWITNESS_SIZE, STANDARD_SCRIPT_VERIFY_FLAGS, type PolicyOptions,
} from '../policy/constants.ts';
import { areInputsStandard, isWitnessStandard } from '../policy/inputs.ts';
import { isStandardTx, preCheckEphemeralTx } from '../policy/standard.ts';
import { virtualSize } from '../policy/vsize.ts';

/**
 * What a rejection means for the submitter. 'conflict' is Core's TX_CONFLICT (already in
 * the mempool, already confirmed, a conflicting mempool transaction). 'error' is no verdict
 * at all: the server failed while validating (a worker crashed); the same request may be
 * retried.
 */
export type RejectKind = 'malformed' | 'consensus' | 'policy' | 'missing-inputs' | 'fee' | 'conflict' | 'error';

/** The chain the transaction is checked against: it must be valid in the block after the tip. */
export interface ChainContext {
  /** Height of the current tip (the transaction is checked for block height + 1). */
  height: number;
  /** Median time past of the tip: the BIP113 cutoff for nLockTime and the BIP68 reference. */
  mtp: number;
  /**
   * MTP of the block at a given height ≤ tip, for BIP68 time locks. When absent or it
   * returns undefined, the tip's MTP is used: MTP never decreases along a chain, so this can
   * only make a relative time lock look less mature than it is (never accept too early).
   */
  mtpAt?: (height: number) => number | undefined;
}

/** A failed check: Core's reject reason, its debug text, and what is known of the tx so far. */
export interface Rejection {
  ok: false;
  kind: RejectKind;
  reason: string;
  details?: string;
  /** Sigop-adjusted virtual size, once known. */
  vsize?: number;
  /** Fee in satoshis, once the inputs are known. */
  fee?: bigint;
}

export function rejection(kind: RejectKind, reason: string, details?: string, known: { vsize?: number; fee?: bigint } = {}): Rejection {
  const r: Rejection = { ok: false, kind, reason };
  if (details !== undefined && details !== '') r.details = details;
  if (known.vsize !== undefined) r.vsize = known.vsize;
  if (known.fee !== undefined) r.fee = known.fee;
  return r;
}

const PASS = Object.freeze({ ok: true as const });

/**
 * PreChecks up to the coins: CheckTransaction, coinbase, IsStandardTx, tx-size-small
 * (CVE-2017-12842) and CheckFinalTxAtTip (BIP113), in Core's order.
 */
export function contextChecks(tx: Transaction, chain: ChainContext, policy: PolicyOptions): { ok: true } | Rejection {
  const checked = checkTransaction(tx);
  if (!checked.ok) return rejection('consensus', checked.reason);
  // Coinbase is only valid in a block, not as a loose transaction.
  if (isCoinBase(tx)) return rejection('consensus', 'coinbase');
  if (policy.requireStandard) {
    const std = isStandardTx(tx, policy);
    if (!std.ok) return rejection('policy', std.reason, std.details);
  }
  // Transactions smaller than 65 non-witness bytes are not relayed, whatever the policy.
  if (tx.baseSize < MIN_STANDARD_TX_NONWITNESS_SIZE) return rejection('policy', 'tx-size-small');
  // Final in the next block, with the tip's MTP as the time cutoff.
  if (!isFinalTx(tx, chain.height + 1, chain.mtp)) return rejection('consensus', 'non-final');
  return PASS;
}

/** Everything the coin checks learn about an acceptable transaction. */
export interface InputsChecked {
  ok: true;
  fee: bigint;
  sigOpCost: number;
  /** GetVirtualTransactionSize: weight and sigop cost together. */
  vsize: number;
  /** The spent outputs in input order (for script verification). */
  spent: TxOut[];
  /** Whether an input spends a coinbase output. */
  spendsCoinbase: boolean;
}

/**
 * PreChecks from the coins on, for a transaction whose every input has a coin: BIP68
 * (CheckSequenceLocksAtTip), Consensus::CheckTxInputs, AreInputsStandard, IsWitnessStandard,
 * the sigop-adjusted size, PreCheckEphemeralTx and the standard sigop limit. Coins at
 * MEMPOOL_HEIGHT count as confirming in the next block, as in CalculateLockPointsAtTip.
 * The fee-rate floors and TRUC rules follow in the mempool's checks.
 */
export function inputChecks(tx: Transaction, coins: readonly Coin[], chain: ChainContext, policy: PolicyOptions): InputsChecked | Rejection {
  const nextHeight = chain.height + 1;
  const prevHeights: number[] = new Array(coins.length);
  let spendsCoinbase = false;
  for (let i = 0; i < coins.length; i++) {
    const c = coins[i]!;
    prevHeights[i] = c.height === MEMPOOL_HEIGHT ? nextHeight : c.height;
    if (c.coinbase) spendsCoinbase = true;
  }
  if (!sequenceLocks(tx, LOCKTIME_VERIFY_SEQUENCE, prevHeights, nextHeight, chain.mtp, ancestorMtpOf(chain))) {
    return rejection('consensus', 'non-BIP68-final');
  }
  const inputs = checkTxInputs(tx, coins, nextHeight);
  if (!inputs.ok) return rejection('consensus', inputs.reason, inputs.debug);
  const fee = inputs.fee;
  const spent: TxOut[] = new Array(coins.length);
  for (let i = 0; i < coins.length; i++) spent[i] = { value: coins[i]!.value, scriptPubKey: coins[i]!.scriptPubKey };

  if (policy.requireStandard && !areInputsStandard(tx, spent)) {
    return rejection('policy', 'bad-txns-nonstandard-inputs', undefined, { fee });
  }
  if (tx.hasWitness && policy.requireStandard && !isWitnessStandard(tx, spent)) {
    return rejection('policy', 'bad-witness-nonstandard', undefined, { fee });
  }
  const sigOpCost = getTransactionSigOpCost(tx, spent, STANDARD_SCRIPT_VERIFY_FLAGS);
  const vsize = virtualSize(tx.weight, sigOpCost, policy.bytesPerSigop);
  // Dust is only allowed in a zero-fee transaction (ephemeral dust): no incentive to mine it alone.
  if (policy.requireStandard) {
    const eph = preCheckEphemeralTx(tx, policy.dustRelayFeeRate, fee);
    if (!eph.ok) return rejection('policy', eph.reason, eph.details, { vsize, fee });
  }
  if (sigOpCost > MAX_STANDARD_TX_SIGOPS_COST) {
    return rejection('policy', 'bad-txns-too-many-sigops', String(sigOpCost), { vsize, fee });
  }
  return { ok: true, fee, sigOpCost, vsize, spent, spendsCoinbase };
}

/** The MTP of the block at height h for BIP68 (the tip's MTP at and above the tip). */
function ancestorMtpOf(chain: ChainContext): (h: number) => number {
  return (h) => (h >= chain.height ? chain.mtp : chain.mtpAt?.(h) ?? chain.mtp);
}

/** Core's CScriptCheck debug text for a failing input. */
export function describeInput(tx: Transaction, input: number): string {
  const prev = tx.inputs[input]!.prevout;
  return `input ${input} of ${hashToHex(tx.txid)} (wtxid ${hashToHex(tx.wtxid)}), spending ${hashToHex(prev.txid)}:${prev.vout}`;
}
