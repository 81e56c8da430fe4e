/**
 * The node's mempool: the one acceptance path (src/mempool/accept.ts) over the UTXO set and
 * the mempool, plus what surrounds admission in Core's net_processing and validation: the
 * orphan pool, package submission, block connect/disconnect and reorgs, expiry.
 */
import type { PackageOutcome, TestAcceptItem } from '../api/deps.ts';
import { decodeTx, isCoinBase, type Transaction } from '../primitives/tx.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { Block } from '../primitives/block.ts';
import { isRejection, MemPoolAccept, mempoolFor, type AcceptResult, type Candidate, type ScriptChecker } from '../mempool/accept.ts';
import { reject as mreject } from '../mempool/admit.ts';
import { addBackDisconnected, removeForBlock } from '../mempool/block.ts';
import { SpendableCoinView } from '../mempool/coin-view.ts';
import { Orphanage } from '../mempool/orphanage.ts';
import { acceptPackage, isWellFormedPackage } from '../mempool/package.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { MempoolOptions, MempoolRejectKind } from '../mempool/types.ts';
import type { PolicyOptions } from '../policy/constants.ts';
import type { CoinView } from '../utxo/coin.ts';
import type { ChainContext } from '../validation/prechecks.ts';
import type { MempoolRecord } from './persist.ts';

export interface MempoolServiceDeps {
  /** The confirmed UTXO set. */
  chainCoins: CoinView;
  /** Chain context of the tip (height, mtp, mtpAt). */
  chainContext(): ChainContext;
  policy: PolicyOptions;
  /** Runs every input's scripts under `flags` (a worker job). */
  runScripts: ScriptChecker;
  mempool?: Partial<MempoolOptions>;
}

function ids(tx: Transaction) {
  return { txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid) };
}

/** testmempoolaccept's item for a verdict (effective fee rate in sat/kvB). */
function testItem(r: AcceptResult): TestAcceptItem {
  if (!r.allowed) return { txid: r.txid, wtxid: r.wtxid, allowed: false, reason: r.reason!, ...(r.details ? { details: r.details } : {}) };
  const fee = r.fee ?? 0n;
  return {
    txid: r.txid, wtxid: r.wtxid, allowed: true, vsize: r.vsize, fee,
    effectiveFeeRate: Math.floor(Number(fee) * 1000 / r.vsize), effectiveIncludes: [r.wtxid],
  };
}

export class MempoolService {
  readonly mempool: Mempool;
  readonly orphans = new Orphanage();
  /** The acceptance path every entry point uses. */
  readonly accept: MemPoolAccept;
  private disconnected: Transaction[] = [];

  constructor(private readonly d: MempoolServiceDeps) {
    this.mempool = mempoolFor(d.policy, d.mempool);
    this.accept = new MemPoolAccept({
      mempool: this.mempool, coins: d.chainCoins, chain: () => d.chainContext(), policy: d.policy, scripts: d.runScripts,
    });
  }

  /**
   * The saved mempool at start-up (Core's LoadMempool): every transaction submitted again
   * with its entry time and prioritisetransaction delta, in the saved order (parents first);
   * undecodable records are skipped. Returns how many were accepted.
   */
  async reload(records: readonly MempoolRecord[]): Promise<number> {
    let ok = 0;
    for (const r of records) {
      let tx: Transaction;
      try {
        tx = decodeTx(r.tx);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        continue;
      }
      if (r.feeDelta) this.mempool.prioritise(hashToHex(tx.txid), r.feeDelta);
      if ((await this.submit(tx, { entryTime: r.time })).allowed) ok++;
    }
    return ok;
  }

  /** The mempool as saved (Core's DumpMempool): parents before children (fewer in-mempool ancestors first). */
  records(): MempoolRecord[] {
    const entries = [...this.mempool.entries()].sort((a, b) => a.ancCount - b.ancCount);
    return entries.map((e) => ({ tx: e.tx.raw, time: e.time, feeDelta: e.feeDelta }));
  }

  /**
   * AcceptToMemoryPool (sendrawtransaction, POST /tx, the mempool reload): a transaction
   * whose parents are missing is kept as an orphan (bounded, expiring: TxOrphanage) and says
   * so; orphans waiting for an accepted transaction get another chance.
   */
  async submit(tx: Transaction, opts: { maxFeeRate?: number; entryTime?: number } = {}): Promise<AcceptResult> {
    const r = await this.accept.acceptSingle(tx, { testOnly: false, ...opts });
    if (r.allowed) {
      if (!r.alreadyInMempool) await this.resolveOrphans(tx);
    } else if (r.kind === 'missing-inputs') {
      this.orphans.add(tx);
      this.orphans.limit();
      if (this.orphans.has(r.wtxid)) r.orphan = true;
    }
    return r;
  }

  private async resolveOrphans(parent: Transaction): Promise<void> {
    const queue = [parent];
    while (queue.length) {
      const p = queue.shift()!;
      for (const child of this.orphans.childrenOf(p)) {
        this.orphans.erase(hashToHex(child.wtxid));
        const r = await this.accept.acceptSingle(child, { testOnly: false });
        if (r.allowed) queue.push(child);
      }
    }
  }

  /**
   * testmempoolaccept: one transaction (AcceptSingleTransaction with test_accept), or a
   * well-formed package judged transaction by transaction (each sees the earlier ones'
   * outputs). The caller applies maxfeerate, as Core's RPC does.
   */
  async testAccept(txs: Transaction[]): Promise<TestAcceptItem[]> {
    if (txs.length === 1) return [testItem(await this.accept.acceptSingle(txs[0]!, { testOnly: true }))];
    const wf = isWellFormedPackage(txs);
    if (!wf.ok) return txs.map((tx) => ({ ...ids(tx), packageError: wf.reason }));
    const results = await this.accept.testPackage(txs, {});
    return txs.map((tx, i) => (results[i] ? testItem(results[i]!) : ids(tx)));
  }

  /** submitpackage: AcceptPackage over the same stages. */
  async submitPackage(txs: Transaction[]): Promise<PackageOutcome> {
    const accept = this.accept;
    const result = await acceptPackage(this.mempool, txs, {
      chain: this.d.chainCoins,
      // PreChecks proper; the package code applies the fee floors with its own switches.
      preCheck: async (tx, view) => {
        const c = accept.preChecks(tx, view, PACKAGE_PRECHECK_ARGS);
        return isRejection(c) ? mreject(packageKind(c.kind), c.reason, c.details) : c;
      },
      checkScripts: async (c) => {
        // Every candidate here came from preChecks above, with the outputs it spends.
        const r = await accept.scriptChecks(c as Candidate);
        return r ? mreject(packageKind(r.kind), r.reason, r.details) : undefined;
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

  /** After a reorg settles: disconnected transactions return through the acceptance path (bypass_limits). */
  async afterReorg(): Promise<void> {
    if (this.disconnected.length === 0) return;
    const txs = this.disconnected;
    this.disconnected = [];
    await addBackDisconnected(this.mempool, txs, async (tx) => {
      const r = await this.accept.acceptSingle(tx, { testOnly: false, bypassLimits: true });
      return r.allowed ? undefined : r.reason;
    });
    this.mempool.limitSize();
  }

  /** Expiry (Core: every time the mempool is trimmed after a block, and on a timer). */
  expire(nowMs = Date.now()): number {
    const cutoff = Math.floor(nowMs / 1000) - this.mempool.opts.expirySeconds;
    return this.mempool.expire(cutoff);
  }
}

/** PreChecks' switches inside a package (replacement allowed; the package code applies fee floors and replacement rules itself). */
const PACKAGE_PRECHECK_ARGS = Object.freeze({
  allowReplacement: true, allowSiblingEviction: false, allowCarveouts: false, packageFeerates: false, bypassLimits: false,
});

function packageKind(kind: string): MempoolRejectKind {
  return kind === 'policy' || kind === 'fee' || kind === 'conflict' || kind === 'missing-inputs' ? kind : 'consensus';
}
