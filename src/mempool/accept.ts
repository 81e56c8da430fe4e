/**
 * MemPoolAccept: the one acceptance path (Core v30's validation.cpp MemPoolAccept, btcd's
 * checkMempoolAcceptance). Every entry point — POST /validate, POST /tx, JSON-RPC
 * testmempoolaccept / sendrawtransaction / submitpackage, Esplora POST /api/tx, the mempool
 * reload at start-up, transactions returning after a reorg — goes through the stages here,
 * in Core's order:
 *
 *   preChecks        CheckTransaction … finality, already in the mempool, coins, BIP68,
 *                    CheckTxInputs, input standardness, sigops   (src/validation/prechecks.ts)
 *   mempoolChecks    fee-rate floors, ancestor/descendant limits, TRUC, ephemeral spends,
 *                    replacement (BIP125 / full RBF) checks        (admit.ts prepare)
 *   scriptChecks     PolicyScriptChecks (+ the consensus/policy classification), on the
 *                    worker pool through the `scripts` dependency
 *   finalize         add to the mempool (admit.ts commit), unless testOnly
 *
 * Everything that needs the mempool runs on the calling thread against the mempool as it
 * is at that moment; a plan made before the scripts ran is re-checked at commit if the
 * mempool changed meanwhile. Stateless validation (caller-supplied coins and chain
 * context) is the same path over a coins view holding only the supplied coins and an empty
 * mempool (`acceptWithSuppliedCoins`).
 */
import type { Transaction, TxOut } from '../primitives/tx.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import { STANDARD_SCRIPT_VERIFY_FLAGS, type PolicyOptions } from '../policy/constants.ts';
import { feeForVsize, feeRateSatPerVb } from '../policy/feerate.ts';
import { checkInputScripts, type TxScriptResult } from '../policy/script-failure.ts';
import {
  contextChecks, describeInput, inputChecks, rejection, type ChainContext, type RejectKind, type Rejection,
} from '../validation/prechecks.ts';
import { checkKnown, commit, findConflicts, prepare } from './admit.ts';
import { MempoolCoinView, SuppliedCoins } from './coin-view.ts';
import { txKeys } from './keys.ts';
import { Mempool } from './mempool.ts';
import { SINGLE_ACCEPT, type AcceptArgs, type AdmissionCandidate, type MempoolOptions, type MempoolReject } from './types.ts';

/** Runs every input's scripts under `flags`: a worker-pool job, or this thread. */
export type ScriptChecker = (tx: Transaction, spent: TxOut[], flags: number) => Promise<TxScriptResult> | TxScriptResult;

/** The verdict on one transaction (testmempoolaccept's fields, and what admission did). */
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
  /** Core's reject reason. */
  reason?: string;
  /** Core's debug text (reject-details minus the leading reason). */
  details?: string;
  kind?: RejectKind;
  /** txids of the mempool transactions this one replaces (replaced, or would replace under testOnly). */
  replaced?: string[];
  /** The transaction was already in the mempool (an admission that changes nothing). */
  alreadyInMempool?: true;
  /** Kept in the orphan pool until a parent arrives (set by the caller that keeps orphans). */
  orphan?: true;
  /** The outputs the inputs spend, as PreChecks found them (with `keepSpent`, once PreChecks passed). */
  spent?: TxOut[];
}

export interface AcceptRequest {
  /** testmempoolaccept: every stage, nothing added. */
  testOnly: boolean;
  /**
   * maxfeerate in sat/kvB: above it the verdict is "max-fee-exceeded". An RPC-level check
   * in Core (testmempoolaccept, sendrawtransaction), applied after every stage; absent or 0
   * means no limit (mempool reload, reorgs, relay).
   */
  maxFeeRate?: number;
  /** Transactions from disconnected blocks: no fee floors, no trimming (ATMPArgs bypass_limits). */
  bypassLimits?: boolean;
  /** Entry time in seconds (a reload keeps the saved one); default now. */
  entryTime?: number;
  /** Chain context other than the tip's (a caller's `at`). */
  chain?: ChainContext;
  /** Return the spent outputs with the verdict (a script trace re-runs the scripts on them). */
  keepSpent?: boolean;
}

export interface MemPoolAcceptDeps {
  mempool: Mempool;
  /** The confirmed coins (the UTXO set, or the caller's coins). */
  coins: CoinView;
  /** The tip's chain context. */
  chain(): ChainContext;
  policy: PolicyOptions;
  scripts: ScriptChecker;
}

/** A transaction that passed PreChecks, with the outputs it spends. */
export type Candidate = AdmissionCandidate & { spent: TxOut[] };

const BYPASS_ACCEPT: Readonly<AcceptArgs> = Object.freeze({ ...SINGLE_ACCEPT, bypassLimits: true });

function fromMempool(r: MempoolReject): Rejection {
  return rejection(r.kind, r.reason, r.details);
}

export function isRejection(x: Candidate | Rejection): x is Rejection {
  return (x as Rejection).ok === false;
}

/** sendrawtransaction / testmempoolaccept's max fee: the debug text when `fee` is above it. */
export function maxFeeExceeded(fee: bigint, vsize: number, maxFeeRate: number | undefined): string | undefined {
  if (!maxFeeRate || maxFeeRate <= 0) return undefined;
  const maxFee = feeForVsize(maxFeeRate, vsize);
  return fee > maxFee ? `${fee} > ${maxFee}` : undefined;
}

/** The result for a rejected transaction. */
function rejectedResult(tx: Transaction, r: Rejection): AcceptResult {
  const vsize = r.vsize ?? tx.vsize;
  const fee = r.fee ?? null;
  const out: AcceptResult = {
    txid: txKeys(tx).txid, wtxid: txKeys(tx).wtxid, allowed: false, vsize, weight: tx.weight,
    fee, feerate: fee === null ? null : feeRateSatPerVb(fee, vsize), reason: r.reason, kind: r.kind,
  };
  if (r.details !== undefined) out.details = r.details;
  return out;
}

function allowedResult(tx: Transaction, fee: bigint, vsize: number, replaced: readonly { txid: string }[]): AcceptResult {
  const out: AcceptResult = {
    txid: txKeys(tx).txid, wtxid: txKeys(tx).wtxid, allowed: true, vsize, weight: tx.weight,
    fee, feerate: feeRateSatPerVb(fee, vsize),
  };
  if (replaced.length) out.replaced = replaced.map((e) => e.txid);
  return out;
}

export class MemPoolAccept {
  constructor(readonly d: MemPoolAcceptDeps) {}

  get mempool(): Mempool {
    return this.d.mempool;
  }

  /** Core's view for validation: the confirmed coins plus mempool outputs. */
  view(): MempoolCoinView {
    return new MempoolCoinView(this.d.mempool, this.d.coins);
  }

  /**
   * PreChecks: the context checks, the mempool's duplicate checks, the coins (missing ones
   * are "txn-already-known" when this very transaction is confirmed), then the coin checks.
   */
  preChecks(tx: Transaction, view: CoinView, args: AcceptArgs, chain: ChainContext = this.d.chain()): Candidate | Rejection {
    const ctx = contextChecks(tx, chain, this.d.policy);
    if (!ctx.ok) return ctx;
    const known = checkKnown(this.d.mempool, tx);
    if (known) return fromMempool(known);
    if (!args.allowReplacement && findConflicts(this.d.mempool, tx).size) return rejection('policy', 'bip125-replacement-disallowed');
    const n = tx.inputs.length;
    const coins: Coin[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = tx.inputs[i]!.prevout;
      const c = view.getCoin(p.txid, p.vout);
      if (!c) return this.missingInputs(tx);
      coins[i] = c;
    }
    const checked = inputChecks(tx, coins, chain, this.d.policy);
    if (!checked.ok) return checked;
    return {
      tx, fee: checked.fee, vsize: checked.vsize, weight: tx.weight, sigOpCost: checked.sigOpCost,
      spendsCoinbase: checked.spendsCoinbase, spent: checked.spent,
    };
  }

  /** Inputs look missing: "txn-already-known" if the transaction's own outputs are confirmed. */
  private missingInputs(tx: Transaction): Rejection {
    for (let n = 0; n < tx.outputs.length; n++) {
      if (this.d.coins.getCoin(tx.txid, n)) return rejection('conflict', 'txn-already-known');
    }
    return rejection('missing-inputs', 'bad-txns-inputs-missingorspent');
  }

  /** PolicyScriptChecks with Core v30's reason strings; undefined when every input passes. */
  async scriptChecks(c: Candidate): Promise<Rejection | undefined> {
    // The first run (standard flags) decides alone when every input passes: no closures,
    // one await. A failure goes to checkInputScripts with that run's answer.
    const first = await this.d.scripts(c.tx, c.spent, STANDARD_SCRIPT_VERIFY_FLAGS);
    if (first.ok) return undefined;
    const v = await checkInputScripts((flags) => (flags === STANDARD_SCRIPT_VERIFY_FLAGS ? first : this.d.scripts(c.tx, c.spent, flags)), {
      flags: STANDARD_SCRIPT_VERIFY_FLAGS,
      describeInput: (i) => describeInput(c.tx, i),
    });
    return v.ok ? undefined : rejection(v.kind, v.reason, v.details, { vsize: c.vsize, fee: c.fee });
  }

  /** A PreChecks failure as a verdict; an admission of a transaction the mempool holds succeeds, changing nothing. */
  private preChecksFailed(tx: Transaction, r: Rejection, testOnly: boolean): AcceptResult {
    if (testOnly || r.reason !== 'txn-already-in-mempool') return rejectedResult(tx, r);
    const e = this.d.mempool.getByWtxid(txKeys(tx).wtxid)!;
    return { ...allowedResult(tx, BigInt(e.fee), e.vsize, []), alreadyInMempool: true };
  }

  /** AcceptSingleTransaction, then the caller's max fee. */
  async acceptSingle(tx: Transaction, req: AcceptRequest): Promise<AcceptResult> {
    const args = req.bypassLimits ? BYPASS_ACCEPT : SINGLE_ACCEPT;
    const pool = this.d.mempool;
    const c = this.preChecks(tx, this.view(), args, req.chain);
    if (isRejection(c)) return this.preChecksFailed(tx, c, req.testOnly);
    const r = await this.acceptCandidate(c, args, req);
    if (req.keepSpent) r.spent = c.spent;
    return r;
  }

  /** AcceptSingleTransaction past PreChecks: the mempool checks, the scripts, the max fee, the commit. */
  private async acceptCandidate(c: Candidate, args: Readonly<AcceptArgs>, req: AcceptRequest): Promise<AcceptResult> {
    const tx = c.tx, pool = this.d.mempool;
    const plan = prepare(pool, c, args);
    if (!plan.ok) return rejectedResult(tx, { ...fromMempool(plan), vsize: c.vsize, fee: c.fee });
    const bad = await this.scriptChecks(c);
    if (bad) return rejectedResult(tx, bad);
    const over = maxFeeExceeded(c.fee, c.vsize, req.maxFeeRate);
    if (over) return rejectedResult(tx, rejection('fee', 'max-fee-exceeded', over, { vsize: c.vsize, fee: c.fee }));
    if (req.testOnly) return allowedResult(tx, c.fee, c.vsize, [...plan.allConflicts]);
    // The scripts ran asynchronously: a block (or another admission) may have spent an input
    // meanwhile. PreChecks again against the coins as they are now; commit re-checks the
    // mempool's part when the mempool changed.
    const again = this.preChecks(tx, this.view(), args, req.chain);
    if (isRejection(again)) return this.preChecksFailed(tx, again, false);
    const done = commit(pool, plan, req.entryTime === undefined ? {} : { entryTime: req.entryTime });
    if (!done.ok) return rejectedResult(tx, { ...fromMempool(done), vsize: c.vsize, fee: c.fee });
    return allowedResult(tx, c.fee, c.vsize, done.replaced);
  }

  /**
   * testmempoolaccept of several transactions (AcceptMultipleTransactions with test_accept):
   * each judged on its own fee rate against the chain, the mempool and the earlier package
   * transactions' outputs; the first failure ends the evaluation (later ones get no verdict).
   */
  async testPackage(txs: readonly Transaction[], req: { maxFeeRate?: number }): Promise<(AcceptResult | undefined)[]> {
    const view = this.view();
    const out: (AcceptResult | undefined)[] = new Array(txs.length).fill(undefined);
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      const c = this.preChecks(tx, view, SINGLE_ACCEPT);
      if (isRejection(c)) {
        out[i] = rejectedResult(tx, c);
        return out;
      }
      const plan = prepare(this.d.mempool, c, SINGLE_ACCEPT);
      if (!plan.ok) {
        out[i] = rejectedResult(tx, { ...fromMempool(plan), vsize: c.vsize, fee: c.fee });
        return out;
      }
      const bad = await this.scriptChecks(c);
      if (bad) {
        out[i] = rejectedResult(tx, bad);
        return out;
      }
      const over = maxFeeExceeded(c.fee, c.vsize, req.maxFeeRate);
      if (over) {
        out[i] = rejectedResult(tx, rejection('fee', 'max-fee-exceeded', over, { vsize: c.vsize, fee: c.fee }));
        return out;
      }
      view.addPackageTx(tx);
      out[i] = allowedResult(tx, c.fee, c.vsize, [...plan.allConflicts]);
    }
    return out;
  }
}

/** A mempool whose fee floors and standardness follow `policy`. */
export function mempoolFor(policy: PolicyOptions, opts: Partial<MempoolOptions> = {}): Mempool {
  return new Mempool({
    minRelayFeeRate: policy.minRelayFeeRate,
    dustRelayFeeRate: policy.dustRelayFeeRate,
    requireStandard: policy.requireStandard,
    ...opts,
  });
}

/**
 * testmempoolaccept for a transaction whose spent coins the caller supplies, in the chain
 * context the caller gives: the one acceptance path over a view holding only those coins
 * and `empty`, a mempool that stays empty (nothing is ever added under testOnly).
 */
export function acceptWithSuppliedCoins(
  tx: Transaction, coins: readonly (Coin | undefined)[], chain: ChainContext,
  d: { empty: Mempool; policy: PolicyOptions; scripts: ScriptChecker; maxFeeRate?: number },
): Promise<AcceptResult> {
  if (d.empty.size !== 0) throw new Error('acceptWithSuppliedCoins needs an empty mempool');
  const accept = new MemPoolAccept({ mempool: d.empty, coins: new SuppliedCoins(tx, coins), chain: () => chain, policy: d.policy, scripts: d.scripts });
  return accept.acceptSingle(tx, { testOnly: true, ...(d.maxFeeRate === undefined ? {} : { maxFeeRate: d.maxFeeRate }) });
}
