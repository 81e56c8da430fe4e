/**
 * The mempool wired to validation: Core's AcceptToMemoryPool order for one transaction —
 * duplicate checks, PreChecks (cheap, this thread), the mempool's replacement and limit
 * checks (prepare), then the scripts (a worker, with the caches), then commit (re-checked if
 * the mempool changed meanwhile) — plus packages, orphans, block connect/disconnect and
 * testmempoolaccept (the same without commit).
 */
import type { ChainInfo, PackageOutcome, SubmitTxOutcome, TestAcceptItem, TestAcceptOutcome } from '../api/deps.ts';
import { isCoinBase, type Transaction, type TxOut } from '../primitives/tx.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { Block } from '../primitives/block.ts';
import { addBackDisconnected, removeForBlock } from '../mempool/block.ts';
import { checkKnown, commit, prepare, reject as mreject } from '../mempool/admit.ts';
import { MempoolCoinView, SpendableCoinView } from '../mempool/coin-view.ts';
import { Orphanage } from '../mempool/orphanage.ts';
import { acceptPackage } from '../mempool/package.ts';
import { Mempool } from '../mempool/pool.ts';
import type { AdmissionCandidate, MempoolOptions, MempoolReject, MempoolRejectKind } from '../mempool/types.ts';
import { SINGLE_ACCEPT } from '../mempool/types.ts';
import type { PolicyOptions } from '../policy/constants.ts';
import { STANDARD_SCRIPT_VERIFY_FLAGS } from '../policy/constants.ts';
import { checkInputScripts, type TxScriptResult } from '../policy/script-failure.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import { describeInput, maxFeeExceeded, preChecks, type ChainContext, type RejectKind } from '../validation/accept.ts';

export interface MempoolServiceDeps {
  /** The confirmed UTXO set. */
  chainCoins: CoinView;
  /** Chain context of the tip (height, mtp, mtpAt). */
  chainContext(): ChainContext;
  policy: PolicyOptions;
  /** Runs every input's scripts under `flags` (a worker job). */
  runScripts(tx: Transaction, spent: TxOut[], flags: number): Promise<TxScriptResult>;
  mempool?: Partial<MempoolOptions>;
}

type Rejected = { ok: false; reason: string; details?: string; kind: RejectKind | MempoolRejectKind };

function ids(tx: Transaction) {
  return { txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid) };
}

export class MempoolService {
  readonly mempool: Mempool;
  readonly orphans = new Orphanage();
  private disconnected: Transaction[] = [];

  constructor(private readonly d: MempoolServiceDeps) {
    this.mempool = new Mempool({
      minRelayFeeRate: d.policy.minRelayFeeRate,
      dustRelayFeeRate: d.policy.dustRelayFeeRate,
      requireStandard: d.policy.requireStandard,
      ...d.mempool,
    });
  }

  /** Core's view for validation: chain coins plus mempool outputs (spent ones included). */
  view(): MempoolCoinView {
    return new MempoolCoinView(this.mempool, this.d.chainCoins);
  }

  /** PreChecks against `view`; an AdmissionCandidate or the rejection. */
  preCheck(tx: Transaction, view: CoinView, packageFeerates = false, maxFeeRate?: number): AdmissionCandidate & { spent: TxOut[] } | Rejected {
    const coins = tx.inputs.map((i) => view.getCoin(i.prevout.txid, i.prevout.vout));
    const pre = preChecks(tx, coins, this.d.chainContext(), this.d.policy, { packageFeerates });
    if (!pre.ok) return { ok: false, reason: pre.result.reason!, ...(pre.result.details ? { details: pre.result.details } : {}), kind: pre.result.kind ?? 'policy' };
    const over = maxFeeExceeded(pre.fee, pre.vsize, maxFeeRate ?? this.d.policy.maxFeeRate);
    if (over) return { ok: false, reason: 'max-fee-exceeded', details: over, kind: 'fee' };
    return {
      tx, fee: pre.fee, vsize: pre.vsize, weight: tx.weight, sigOpCost: pre.sigOpCost,
      spendsCoinbase: coins.some((c) => c?.coinbase === true), spent: pre.spent,
    };
  }

  /** PolicyScriptChecks with Core v30's reason strings; undefined when every input passes. */
  async checkScripts(c: AdmissionCandidate & { spent?: TxOut[] }, view: CoinView): Promise<Rejected | undefined> {
    const spent = c.spent ?? c.tx.inputs.map((i) => {
      const coin = view.getCoin(i.prevout.txid, i.prevout.vout)!;
      return { value: coin.value, scriptPubKey: coin.scriptPubKey };
    });
    const v = await checkInputScripts((flags) => this.d.runScripts(c.tx, spent, flags), {
      flags: STANDARD_SCRIPT_VERIFY_FLAGS,
      describeInput: (i) => describeInput(c.tx, i),
    });
    return v.ok ? undefined : { ok: false, reason: v.reason, details: v.details, kind: v.kind };
  }

  /** AcceptToMemoryPool for one transaction (sendrawtransaction, POST /tx). */
  async submit(tx: Transaction, opts: { maxFeeRate?: number } = {}): Promise<SubmitTxOutcome> {
    const r = await this.acceptSingle(tx, opts.maxFeeRate, false);
    if (r.ok) {
      // Orphans waiting for this transaction get another chance.
      await this.resolveOrphans(tx);
    }
    return r;
  }

  private async acceptSingle(tx: Transaction, maxFeeRate: number | undefined, testOnly: boolean): Promise<SubmitTxOutcome & { busy: false }> {
    const id = ids(tx);
    const fail = (r: Rejected | MempoolReject) => ({
      busy: false as const, ok: false as const, ...id, reason: r.reason,
      ...(r.details ? { details: r.details } : {}), kind: r.kind,
      ...(r.kind === 'missing-inputs' ? { missingInputs: true } : {}),
    });
    const known = checkKnown(this.mempool, tx);
    if (known) {
      if (known.reason === 'txn-already-in-mempool') {
        const e = this.mempool.getByWtxid(id.wtxid)!;
        if (!testOnly) return { busy: false, ok: true, ...id, fee: BigInt(e.fee), vsize: e.vsize, replaced: [], alreadyInMempool: true };
      }
      return fail(known);
    }
    const view = this.view();
    const cand = this.preCheck(tx, view, false, maxFeeRate);
    if ('ok' in cand && cand.ok === false) {
      if (cand.kind === 'missing-inputs') {
        if (this.alreadyKnown(tx)) return fail({ ok: false, reason: 'txn-already-known', kind: 'conflict' });
        // Kept as an orphan until its parent arrives (bounded, expiring: TxOrphanage).
        if (!testOnly) {
          this.orphans.add(tx);
          this.orphans.limit();
        }
      }
      return fail(cand);
    }
    const c = cand as AdmissionCandidate & { spent: TxOut[] };
    const plan = prepare(this.mempool, c, SINGLE_ACCEPT);
    if (!plan.ok) return fail(plan);
    const bad = await this.checkScripts(c, view);
    if (bad) return fail(bad);
    if (testOnly) return { busy: false, ok: true, ...id, fee: c.fee, vsize: c.vsize, replaced: [...plan.allConflicts].map((e) => e.txid) };
    const done = commit(this.mempool, plan);
    if (!done.ok) return fail(done);
    return { busy: false, ok: true, ...id, fee: c.fee, vsize: c.vsize, replaced: done.replaced.map((e) => e.txid) };
  }

  /**
   * PreChecks' "txn-already-known": inputs look missing because this very transaction is
   * already confirmed (its outputs are in the UTXO set).
   */
  private alreadyKnown(tx: Transaction): boolean {
    for (let n = 0; n < tx.outputs.length; n++) if (this.d.chainCoins.getCoin(tx.txid, n)) return true;
    return false;
  }

  private async resolveOrphans(parent: Transaction): Promise<void> {
    const queue = [parent];
    while (queue.length) {
      const p = queue.shift()!;
      for (const child of this.orphans.childrenOf(p)) {
        this.orphans.erase(hashToHex(child.wtxid));
        const r = await this.acceptSingle(child, undefined, false);
        if (r.ok) queue.push(child);
      }
    }
  }

  /** testmempoolaccept: one transaction, or several checked in order (each sees the earlier ones' outputs). */
  async testAccept(txs: Transaction[], opts: { maxFeeRate?: number } = {}): Promise<TestAcceptOutcome> {
    if (txs.length === 1) {
      const r = await this.acceptSingle(txs[0]!, opts.maxFeeRate, true);
      return { busy: false, results: [this.testItem(txs[0]!, r)] };
    }
    // Core's package testmempoolaccept (ProcessNewPackage, test_accept): well-formed package,
    // each transaction judged on its own against chain + mempool + earlier package outputs.
    const { isWellFormedPackage } = await import('../mempool/package.ts');
    const wf = isWellFormedPackage(txs);
    if (!wf.ok) return { busy: false, results: txs.map((tx) => ({ ...ids(tx), packageError: wf.reason })) };
    const view = this.view();
    const results: TestAcceptItem[] = [];
    let failed = false;
    for (const tx of txs) {
      if (failed) {
        results.push({ ...ids(tx) });
        continue;
      }
      const known = checkKnown(this.mempool, tx);
      let r: Rejected | MempoolReject | undefined = known;
      let cand: (AdmissionCandidate & { spent: TxOut[] }) | undefined;
      if (!r) {
        const c = this.preCheck(tx, view, false, opts.maxFeeRate);
        if ('ok' in c && c.ok === false) r = c;
        else {
          cand = c as AdmissionCandidate & { spent: TxOut[] };
          const plan = prepare(this.mempool, cand, SINGLE_ACCEPT);
          r = plan.ok ? await this.checkScripts(cand, view) : plan;
        }
      }
      if (r) {
        failed = true;
        results.push({ ...ids(tx), allowed: false, reason: r.reason, ...(r.details ? { details: r.details } : {}) });
      } else {
        view.addPackageTx(tx);
        results.push({ ...ids(tx), allowed: true, vsize: cand!.vsize, fee: cand!.fee, effectiveFeeRate: Math.floor(Number(cand!.fee) * 1000 / cand!.vsize), effectiveIncludes: [hashToHex(tx.wtxid)] });
      }
    }
    return { busy: false, results };
  }

  private testItem(tx: Transaction, r: SubmitTxOutcome & { busy: false }): TestAcceptItem {
    if (r.ok) {
      return { ...ids(tx), allowed: true, vsize: r.vsize, fee: r.fee, effectiveFeeRate: Math.floor(Number(r.fee) * 1000 / r.vsize), effectiveIncludes: [hashToHex(tx.wtxid)] };
    }
    return { ...ids(tx), allowed: false, reason: r.reason, ...(r.details ? { details: r.details } : {}) };
  }

  /** submitpackage. */
  async submitPackage(txs: Transaction[], _opts: { maxFeeRate?: number } = {}): Promise<PackageOutcome> {
    const result = await acceptPackage(this.mempool, txs, {
      chain: this.d.chainCoins,
      preCheck: async (tx, view, o) => {
        const c = this.preCheck(tx, view, o.packageFeerates, 0);
        if ('ok' in c && c.ok === false) {
          const k = c.kind === 'malformed' ? 'consensus' : c.kind;
          return mreject(k as MempoolRejectKind, c.reason, c.details, c.kind === 'fee');
        }
        return c as AdmissionCandidate;
      },
      checkScripts: async (c, view) => {
        const r = await this.checkScripts(c, view);
        return r ? mreject(r.kind === 'consensus' ? 'consensus' : 'policy', r.reason, r.details) : undefined;
      },
    });
    return { busy: false, result };
  }

  /** gettxout with include_mempool: chain + mempool outputs minus what the mempool spends. */
  spendableView(): CoinView {
    return new SpendableCoinView(this.mempool, this.d.chainCoins);
  }

  // ---- blocks ----

  /** After a block joins the active chain: drop confirmed and conflicting transactions. */
  blockConnected(block: Block, height: number): void {
    removeForBlock(this.mempool, block.txs, height);
    this.orphans.eraseForBlock(block.txs);
  }

  /** A block left the active chain: remember its transactions (re-added after the reorg). */
  blockDisconnected(block: Block): void {
    for (const tx of block.txs) if (!isCoinBase(tx)) this.disconnected.push(tx);
  }

  /** After a reorg settles: disconnected transactions return (revalidated, no fee floors). */
  async afterReorg(): Promise<void> {
    if (this.disconnected.length === 0) return;
    // Transactions confirmed again on the new branch are already gone from the UTXO view's inputs.
    const txs = this.disconnected;
    this.disconnected = [];
    await addBackDisconnected(this.mempool, txs, async (tx) => {
      const view = this.view();
      const c = this.preCheck(tx, view, false, 0);
      if ('ok' in c && c.ok === false) return mreject('consensus', c.reason, c.details);
      const bad = await this.checkScripts(c as AdmissionCandidate & { spent: TxOut[] }, view);
      return bad ? mreject('consensus', bad.reason, bad.details) : (c as AdmissionCandidate);
    });
    this.mempool.limitSize();
  }

  /** Expiry (Core: every time the mempool is trimmed after a block, and on a timer). */
  expire(nowMs = Date.now()): number {
    const cutoff = Math.floor(nowMs / 1000) - this.mempool.opts.expirySeconds;
    return this.mempool.expire(cutoff);
  }
}

export type { ChainInfo, Coin };
