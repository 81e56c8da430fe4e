/**
 * Single-transaction mempool acceptance without a mempool: the ordered checks of Core v30's
 * MemPoolAccept::PreChecks (validation.cpp) and PolicyScriptChecks, then testmempoolaccept's
 * maxfeerate check (rpc/mempool.cpp). Pure: coins and chain context come in, scripts run
 * through an injected callback (so they can run on worker threads), a result value comes out.
 *
 * Not covered here (they need a mempool): txn-already-in-mempool, txn-same-nonwitness-data-
 * in-mempool, txn-mempool-conflict / RBF, txn-already-known, mempool min fee, ancestor and
 * cluster limits, TRUC ancestry rules.
 */
import { hashToHex } from '../primitives/bytes.ts';
import { isCoinBase, type Transaction, type TxOut } from '../primitives/tx.ts';
import { checkTransaction } from '../consensus/tx-check.ts';
import { checkTxInputs, getTransactionSigOpCost, isFinalTx, sequenceLocks } from '../consensus/tx-verify.ts';
import { LOCKTIME_VERIFY_SEQUENCE } from '../consensus/constants.ts';
import { MEMPOOL_HEIGHT, type Coin } from '../utxo/coin.ts';
import {
  MAX_STANDARD_TX_SIGOPS_COST, MIN_STANDARD_TX_NONWITNESS_SIZE, policyOptions, STANDARD_SCRIPT_VERIFY_FLAGS,
  TRUC_MAX_VSIZE, TRUC_VERSION, type PolicyOptions,
} from '../policy/constants.ts';
import { feeForVsize, feeRateSatPerVb } from '../policy/feerate.ts';
import { areInputsStandard, isWitnessStandard } from '../policy/inputs.ts';
import { checkInputScripts, checkInputScriptsSync, type ScriptRunner, type ScriptVerdict, type SyncScriptRunner } from '../policy/script-failure.ts';
import { isStandardTx, preCheckEphemeralTx } from '../policy/standard.ts';
import { virtualSize } from '../policy/vsize.ts';

/**
 * What a rejection means for the submitter. 'error' is no verdict at all: the server failed
 * while validating (a worker crashed); the same request may be retried.
 */
export type RejectKind = 'malformed' | 'consensus' | 'policy' | 'missing-inputs' | 'fee' | 'error';

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

export interface AcceptResult {
  txid: string;
  wtxid: string;
  allowed: boolean;
  /** Virtual size; sigop-adjusted (GetVirtualTransactionSize) once the sigop cost is known. */
  vsize: number;
  weight: number;
  /** Fee in satoshis, once the inputs are known. */
  fee: bigint | null;
  /** fee / vsize in sat/vB. */
  feerate: number | null;
  /** Core's reject-reason (testmempoolaccept). */
  reason?: string;
  /** Core's debug text (testmempoolaccept's reject-details minus the leading reason). */
  details?: string;
  kind?: RejectKind;
}

/** Everything PreChecks learns about an acceptable transaction. */
export interface PreChecked {
  ok: true;
  fee: bigint;
  sigOpCost: number;
  vsize: number;
  /** The spent outputs in input order (for script verification). */
  spent: TxOut[];
}

export type PreCheckResult = PreChecked | { ok: false; result: AcceptResult };

export interface AcceptOptions {
  policy?: Partial<PolicyOptions>;
  /** Re-run failed scripts with the mandatory flags to set kind consensus vs policy (default true). */
  classifyScripts?: boolean;
}

function reject(
  tx: Transaction, kind: RejectKind, reason: string, details?: string,
  extra: { vsize?: number; fee?: bigint } = {},
): { ok: false; result: AcceptResult } {
  const vsize = extra.vsize ?? tx.vsize;
  const fee = extra.fee ?? null;
  const result: AcceptResult = {
    txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid), allowed: false, vsize, weight: tx.weight,
    fee, feerate: fee === null ? null : feeRateSatPerVb(fee, vsize), reason, kind,
  };
  if (details !== undefined && details !== '') result.details = details;
  return { ok: false, result };
}

/**
 * MemPoolAccept::PreChecks for one transaction, in Core v30's order. `coins[i]` is the coin
 * input i spends, undefined when missing or spent. Coins at MEMPOOL_HEIGHT count as
 * confirming in the next block, as in CalculateLockPointsAtTip.
 */
export function preChecks(
  tx: Transaction, coins: readonly (Coin | undefined)[], chain: ChainContext, policy: PolicyOptions,
  opts: { packageFeerates?: boolean } = {},
): PreCheckResult {
  const checked = checkTransaction(tx);
  if (!checked.ok) return reject(tx, 'consensus', checked.reason);
  // Coinbase is only valid in a block, not as a loose transaction.
  if (isCoinBase(tx)) return reject(tx, 'consensus', 'coinbase');
  if (policy.requireStandard) {
    const std = isStandardTx(tx, policy);
    if (!std.ok) return reject(tx, 'policy', std.reason, std.details);
  }
  // Transactions smaller than 65 non-witness bytes are not relayed (CVE-2017-12842), always.
  if (tx.baseSize < MIN_STANDARD_TX_NONWITNESS_SIZE) return reject(tx, 'policy', 'tx-size-small');
  // CheckFinalTxAtTip: final in the next block, with the tip's MTP as the time cutoff (BIP113).
  const nextHeight = chain.height + 1;
  if (!isFinalTx(tx, nextHeight, chain.mtp)) return reject(tx, 'consensus', 'non-final');

  // Do all inputs exist? (Core: TX_MISSING_INPUTS; testmempoolaccept reports "missing-inputs".)
  for (let i = 0; i < tx.inputs.length; i++) {
    if (!coins[i]) return reject(tx, 'missing-inputs', 'bad-txns-inputs-missingorspent');
  }
  const have = coins as readonly Coin[];

  // CheckSequenceLocksAtTip (BIP68, STANDARD_LOCKTIME_VERIFY_FLAGS).
  const prevHeights: number[] = new Array(have.length);
  for (let i = 0; i < have.length; i++) {
    const h = have[i]!.height;
    prevHeights[i] = h === MEMPOOL_HEIGHT ? nextHeight : h;
  }
  if (!sequenceLocks(tx, LOCKTIME_VERIFY_SEQUENCE, prevHeights, nextHeight, chain.mtp, ancestorMtpOf(chain))) {
    return reject(tx, 'consensus', 'non-BIP68-final');
  }

  // Consensus::CheckTxInputs at height tip + 1.
  const inputs = checkTxInputs(tx, have, nextHeight);
  if (!inputs.ok) return reject(tx, 'consensus', inputs.reason, inputs.debug);
  const fee = inputs.fee;
  const spent: TxOut[] = new Array(have.length);
  for (let i = 0; i < have.length; i++) spent[i] = { value: have[i]!.value, scriptPubKey: have[i]!.scriptPubKey };

  if (policy.requireStandard && !areInputsStandard(tx, spent)) {
    return reject(tx, 'policy', 'bad-txns-nonstandard-inputs', undefined, { fee });
  }
  if (tx.hasWitness && policy.requireStandard && !isWitnessStandard(tx, spent)) {
    return reject(tx, 'policy', 'bad-witness-nonstandard', undefined, { fee });
  }

  const sigOpCost = getTransactionSigOpCost(tx, spent, STANDARD_SCRIPT_VERIFY_FLAGS);
  const vsize = virtualSize(tx.weight, sigOpCost, policy.bytesPerSigop);

  // Enforces 0-fee for dust transactions: no incentive to be mined alone (ephemeral dust).
  if (policy.requireStandard) {
    const eph = preCheckEphemeralTx(tx, policy.dustRelayFeeRate, fee);
    if (!eph.ok) return reject(tx, 'policy', eph.reason, eph.details, { vsize, fee });
  }
  if (sigOpCost > MAX_STANDARD_TX_SIGOPS_COST) {
    return reject(tx, 'policy', 'bad-txns-too-many-sigops', String(sigOpCost), { vsize, fee });
  }
  // Below the min relay feerate: Core checks non-TRUC txs first, then CheckFeeRate checks
  // every tx outside a package (TRUC included), with the same reason and debug text.
  const minFee = feeForVsize(policy.minRelayFeeRate, vsize);
  // In a package (package fee rates), a TRUC transaction may pay less: the package is
  // checked as a whole later (Core: !args.m_package_feerates && !CheckFeeRate).
  const trucInPackage = opts.packageFeerates === true && tx.version === TRUC_VERSION;
  if (fee < minFee && !trucInPackage) return reject(tx, 'fee', 'min relay fee not met', `${fee} < ${minFee}`, { vsize, fee });
  // SingleTRUCChecks: the size rule is the only one a lone transaction can break.
  if (tx.version === TRUC_VERSION && vsize > TRUC_MAX_VSIZE) {
    return reject(tx, 'policy', 'TRUC-violation',
      `version=3 tx ${hashToHex(tx.txid)} (wtxid=${hashToHex(tx.wtxid)}) is too big: ${vsize} > ${TRUC_MAX_VSIZE} virtual bytes`,
      { vsize, fee });
  }
  return { ok: true, fee, sigOpCost, vsize, spent };
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

/**
 * PreChecks, then the scripts under STANDARD_SCRIPT_VERIFY_FLAGS (via `runScripts`, which
 * receives the spent outputs from the prechecks), then testmempoolaccept's maxfeerate.
 */
export async function acceptTransaction(
  tx: Transaction,
  coins: readonly (Coin | undefined)[],
  chain: ChainContext,
  runScripts: (spent: TxOut[]) => ScriptRunner,
  opts: AcceptOptions = {},
): Promise<AcceptResult> {
  const policy = policyOptions(opts.policy);
  const pre = preChecks(tx, coins, chain, policy);
  if (!pre.ok) return pre.result;
  const verdict = await checkInputScripts(runScripts(pre.spent), {
    flags: STANDARD_SCRIPT_VERIFY_FLAGS,
    classify: opts.classifyScripts ?? true,
  });
  return afterScripts(tx, pre, verdict, policy.maxFeeRate);
}

/** acceptTransaction with scripts verified synchronously in this thread (no promises). */
export function acceptTransactionSync(
  tx: Transaction,
  coins: readonly (Coin | undefined)[],
  chain: ChainContext,
  runScripts: (spent: TxOut[]) => SyncScriptRunner,
  opts: AcceptOptions = {},
): AcceptResult {
  const policy = policyOptions(opts.policy);
  const pre = preChecks(tx, coins, chain, policy);
  if (!pre.ok) return pre.result;
  const verdict = checkInputScriptsSync(runScripts(pre.spent), {
    flags: STANDARD_SCRIPT_VERIFY_FLAGS,
    classify: opts.classifyScripts ?? true,
  });
  return afterScripts(tx, pre, verdict, policy.maxFeeRate);
}

function afterScripts(tx: Transaction, pre: PreChecked, verdict: ScriptVerdict, maxFeeRate: number): AcceptResult {
  if (!verdict.ok) {
    return reject(tx, verdict.kind, verdict.reason, describeInput(tx, verdict.input), { vsize: pre.vsize, fee: pre.fee }).result;
  }
  return finishAccept(tx, pre, maxFeeRate);
}

/**
 * testmempoolaccept / sendrawtransaction's maxfeerate (sat/kvB, 0 = no limit): the debug
 * text ("fee > max") when the fee is above it, else undefined.
 */
export function maxFeeExceeded(fee: bigint, vsize: number, maxFeeRate: number): string | undefined {
  if (maxFeeRate <= 0) return undefined;
  const maxFee = feeForVsize(maxFeeRate, vsize);
  return fee > maxFee ? `${fee} > ${maxFee}` : undefined;
}

/** testmempoolaccept's last step for a valid tx: "max-fee-exceeded" above maxfeerate (0 = off). */
export function finishAccept(tx: Transaction, pre: PreChecked, maxFeeRate: number): AcceptResult {
  const { fee, vsize } = pre;
  const over = maxFeeExceeded(fee, vsize, maxFeeRate);
  if (over) return reject(tx, 'fee', 'max-fee-exceeded', over, { vsize, fee }).result;
  return {
    txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid), allowed: true, vsize, weight: tx.weight,
    fee, feerate: feeRateSatPerVb(fee, vsize),
  };
}
