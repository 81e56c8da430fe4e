/**
 * The stateful node: the composition root between the mempool/validation layers and the
 * API. It owns the chain state (headers, active chain, UTXO set), the worker pool that
 * verifies scripts, and the mempool with its one acceptance path, and answers the HTTP
 * app's questions (src/api/deps.ts).
 *
 * A POST /validate item: the verdict cache (verdicts.ts), else MemPoolAccept.acceptSingle
 * with testOnly (src/mempool/accept.ts) — PreChecks and the mempool's checks on this thread,
 * the scripts as a job on the worker owning the txid's shard.
 */
import type {
  AppDeps, BlockOutcome, LoadTxOutSetResult, ChainInfo, MempoolDeps, PackageOutcome, SubmitTxOutcome, TestAcceptOutcome, TipInfo, ValidateItem, ValidateOutcome,
} from '../api/deps.ts';
import type { Transaction } from '../primitives/tx.ts';
import { decodeBlock, type Block } from '../primitives/block.ts';
import type { BlockIndex } from '../chain/block-index.ts';
import { NodeStore, type SavedChain } from './persist.ts';
import { ActiveCoins } from './active-coins.ts';
import { joinPath } from '../runtime/fs.ts';
import { baseHeaders, loadSnapshotFile, SnapshotLoadError } from './snapshot-load.ts';
import { BlockJournal } from './block-journal.ts';
import type { MempoolOptions } from '../mempool/types.ts';
import { MempoolService } from './mempool-service.ts';
import { VerdictCache } from './verdicts.ts';
import { ChainState } from '../chain/chainstate.ts';
import type { CoinStore } from '../chain/coin-store.ts';
import { chainInfo, TipContext } from './chain-info.ts';
import { UtxoSet } from '../utxo/set.ts';
import { chainParams, type ChainParams } from '../chain/params.ts';
import type { NetworkName } from '../consensus/params.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { hashToHex, hexToHash } from '../primitives/bytes.ts';
import { policyOptions, type PolicyOptions } from '../policy/constants.ts';
import { MEMPOOL_HEIGHT, type Coin } from '../utxo/coin.ts';
import { acceptWithSuppliedCoins, mempoolFor, type AcceptResult, type ScriptChecker } from '../mempool/accept.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { ChainContext } from '../validation/prechecks.ts';
import { QueueFullError, scriptsAsJobs, ValidationPool, WorkerFailedError, type WorkerLike } from '../validation/worker-pool.ts';
import { ValidatorCore } from '../validation/jobs.ts';
import type { SigVerifier } from '../script/sigcheck.ts';

export interface NodeOptions {
  network: NetworkName;
  policy?: Partial<PolicyOptions>;
  /** Validation workers; 0 runs everything on the calling thread. */
  workers: number;
  /** Starts a validation worker (the runtime layer's spawnValidator). Needed when workers > 0. */
  spawn?: () => WorkerLike;
  /** Sent to every worker at start (crypto backend spec, cache sizes...). */
  workerInit?: Record<string, unknown>;
  /** Verifier for in-thread validation (workers: 0). */
  verifier?: SigVerifier;
  maxQueuePerWorker?: number;
  coins?: CoinStore;
  mempool?: Partial<MempoolOptions>;
  datadir?: string;
  /** A Core dumptxoutset file to start from (--load-snapshot). */
  loadSnapshot?: string;
  /** Load snapshots whose base is no assumeutxo base or whose hash differs (--trust-snapshot). */
  trustSnapshot?: boolean;
  snapshotHashWorker?: boolean | undefined; // a loaded snapshot's hash on a worker (default: by file size)
  info?: Record<string, unknown>;
  now?: () => number;
}

/** Where script jobs run: the worker pool, or a ValidatorCore on this thread. */
interface Scripts {
  check: ScriptChecker;
  /** Block connection's checks: ahead of every other job in the pool, never refused for a full queue. */
  blockCheck: ScriptChecker;
  queueDepth(): number;
  close(): Promise<void>;
}

export class TxgateNode implements AppDeps, MempoolDeps {
  readonly params: ChainParams;
  /** Replaced when a snapshot is loaded (loadTxOutSet). */
  chain: ChainState;
  readonly coins: ActiveCoins;
  readonly policy: PolicyOptions;
  private readonly scripts: Scripts;
  readonly pool?: ValidationPool;
  private readonly local?: ValidatorCore;
  private inFlight = 0;
  readonly started = Date.now();
  readonly mempoolService: MempoolService;
  readonly datadir?: string;
  verdicts = new VerdictCache();
  private readonly chainOpts: ConstructorParameters<typeof ChainState>[2];
  private loadingSnapshot = false;
  private readonly tipContext = new TipContext(() => this.chain);
  private log: (line: string) => void = () => {};
  /** The mempool of stateless items (caller-supplied coins): always empty. */
  private readonly emptyMempool: Mempool;

  /** Blocks acknowledged since the last save (block-journal.ts); with a data directory. */
  private readonly journal?: BlockJournal;

  private constructor(readonly opts: NodeOptions, restored?: SavedChain, private readonly store?: NodeStore) {
    if (store) this.journal = new BlockJournal(store.datadir);
    this.params = chainParams(opts.network);
    this.policy = policyOptions(opts.policy);
    this.coins = new ActiveCoins(restored?.set ?? opts.coins ?? UtxoSet.create());
    if (opts.workers > 0) {
      if (!opts.spawn) throw new Error('workers > 0 needs a spawn function');
      const pool = new ValidationPool({
        workers: opts.workers, spawn: opts.spawn, init: { type: 'init', ...opts.workerInit },
        ...(opts.maxQueuePerWorker ? { maxQueuePerWorker: opts.maxQueuePerWorker } : {}),
      });
      this.pool = pool;
      this.scripts = {
        check: scriptsAsJobs((shard, job, o) => pool.submit(shard, job, o)),
        blockCheck: scriptsAsJobs((shard, job, o) => pool.submit(shard, job, o), { priority: true }),
        queueDepth: () => pool.queueDepth(), close: () => pool.close(),
      };
    } else {
      const local = new ValidatorCore(opts.verifier ? { verifier: opts.verifier } : {});
      this.local = local;
      let id = 0;
      const check = scriptsAsJobs((_shard, job) => local.run({ ...job, id: ++id }));
      this.scripts = {
        check, blockCheck: check,
        queueDepth: () => this.inFlight,
        close: async () => {},
      };
    }
    if (opts.datadir !== undefined) this.datadir = opts.datadir;
    this.emptyMempool = mempoolFor(this.policy);
    this.mempoolService = new MempoolService({
      chainCoins: this.coins,
      chainContext: () => this.chainContext(),
      policy: this.policy,
      runScripts: this.scripts.check,
      ...(opts.mempool ? { mempool: opts.mempool } : {}),
    });
    const chainOpts = {
      checkInputs: this.scripts.blockCheck,
      ...(opts.now ? { now: opts.now } : {}),
      onConnected: (block: Block, idx: BlockIndex) => this.mempoolService.blockConnected(block, idx.height),
      onDisconnected: (block: Block) => this.mempoolService.blockDisconnected(block),
    };
    this.chainOpts = chainOpts;
    this.chain = restored?.awaitingHeaders
      ? ChainState.atSnapshotBase(this.params, this.coins, restored.awaitingHeaders, chainOpts)
      : restored
        ? ChainState.restore(this.params, this.coins, restored.headers, chainOpts)
        : new ChainState(this.params, this.coins, chainOpts);
    // Entries made from now on (a reloaded mempool included) record the tip they entered at.
    this.mempool.tipHeight = this.chain.height;
  }

  /** The tip's chain context: the next block's height and MTP rules, BIP68's MTPs by height. */
  private chainContext(): ChainContext {
    const waiting = this.chain.awaitingBase;
    if (waiting) {
      throw new Error(`the UTXO set is at snapshot base ${waiting.blockHash} (height ${waiting.height}) whose header chain is not synced yet: no chain context to validate against`);
    }
    return this.tipContext.get();
  }

  /**
   * Starts a node. With a data directory, the last saved UTXO set, chain and mempool are
   * loaded (LoadMempool: each saved transaction through the acceptance path again, with
   * its saved entry time and fee delta, and no maxfeerate — that is an RPC-level check).
   */
  static async start(opts: NodeOptions, log: (line: string) => void = () => {}): Promise<TxgateNode> {
    let store: NodeStore | undefined;
    let restored: SavedChain | undefined;
    if (opts.datadir !== undefined) {
      store = await NodeStore.open(opts.datadir, chainParams(opts.network).magic);
      restored = await store.load();
      if (restored) log(`txgate: loaded ${restored.set.size} coins at height ${restored.headers.length} from ${opts.datadir}`);
    }
    const node = new TxgateNode(opts, restored, store);
    if (node.pool) await node.pool.ready();
    node.log = log;
    if (node.journal) {
      // Blocks acknowledged after the last save: connected again (those already in the
      // saved state are duplicates), then saved, which empties the journal.
      const raws = await node.journal.read();
      const from = node.chain.height;
      for (const raw of raws) await node.serial(() => node.chain.submitBlock(raw));
      if (raws.length) {
        log(`txgate: block journal: ${raws.length} blocks after the last save, tip ${from} -> ${node.chain.height}`);
        node.dirty = true;
        await node.saveChain();
      }
    }
    // a data directory with a saved chain (a restart with the same flags) keeps it
    if (opts.loadSnapshot !== undefined && restored) log(`txgate: --load-snapshot ignored: ${opts.datadir} already holds a chain (tip ${node.tip().height} ${node.tip().hash})`);
    else if (opts.loadSnapshot !== undefined) await node.loadTxOutSet(opts.loadSnapshot);
    if (store) {
      const records = await store.loadMempool();
      const ok = await node.mempoolService.reload(records);
      if (records.length) log(`txgate: mempool: ${ok} of ${records.length} saved transactions accepted again`);
      node.mempoolTimer = setInterval(() => void node.saveMempool().catch((e) => log(`txgate: saving the mempool failed: ${(e as Error).message}`)), 60_000);
    }
    return node;
  }

  // ---- serialisation of chain changes and persistence ----

  /** Block connection and saves run one at a time, in order (ChainState is not re-entrant). */
  private chainQueue: Promise<unknown> = Promise.resolve();
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chainQueue.then(f, f);
    this.chainQueue = run.catch(() => {});
    return run;
  }
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private mempoolTimer: ReturnType<typeof setInterval> | undefined;
  private dirty = false;

  /** Saves the chain and UTXO set a moment after the last block (coalescing bursts). */
  private scheduleSave(): void {
    if (!this.store) return;
    this.dirty = true;
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.saveNow();
    }, 1000);
  }

  /** Writes the chain state (if changed) and the mempool to the data directory. */
  async saveNow(): Promise<void> {
    if (!this.store) return;
    await this.saveChain();
    await this.saveMempool();
  }

  /** Writes the chain and UTXO set if they changed, then empties the block journal. */
  private async saveChain(): Promise<void> {
    const store = this.store;
    if (!store) return;
    await this.serial(async () => {
      const set = this.coins.current;
      if (this.dirty && set instanceof UtxoSet) {
        this.dirty = false;
        const waiting = this.chain.awaitingBase;
        if (waiting) {
          await store.save(set, [], { height: waiting.height, hash: waiting.blockHash, hashInternal: hexToHash(waiting.blockHash) }, waiting);
        } else {
          const t = this.chain.tip;
          await store.save(set, [this.chain.activeHeaderBytes()], { height: t.height, hash: t.hashHex, hashInternal: t.hash });
        }
        await this.journal?.clear();
      }
    });
  }

  private mempoolSaving: Promise<unknown> = Promise.resolve();
  /**
   * Writes mempool.dat, one write at a time: the minute timer, the save after blocks and
   * shutdown can overlap, and two writes at once would share the file's `.tmp`.
   */
  private saveMempool(): Promise<void> {
    const run = this.mempoolSaving.then(() => this.store?.saveMempool(this.mempoolService.records()));
    this.mempoolSaving = run.catch(() => {});
    return run;
  }

  /**
   * loadtxoutset (rpc/blockchain.cpp): loads a Core dumptxoutset file into a fresh set and,
   * only once it is complete and checked (snapshot-load.ts), makes it the node's set with
   * the tip at the snapshot base: on the base's header chain when the node knows it, else
   * waiting for those headers (ChainState.atSnapshotBase). Refused, changing nothing, while
   * the mempool is not empty (as Core's ActivateSnapshot) or another load runs.
   */
  async loadTxOutSet(path: string): Promise<LoadTxOutSetResult> {
    // Core: a relative path is taken from the data directory
    if (this.datadir !== undefined && !/^([/\\]|[A-Za-z]:)/.test(path)) path = joinPath(this.datadir, path);
    if (this.loadingSnapshot) throw new SnapshotLoadError('Another snapshot is being loaded.');
    if (this.mempool.size > 0) throw new SnapshotLoadError("Can't activate a snapshot when mempool not empty.");
    this.loadingSnapshot = true;
    try {
      return await this.serial(async () => {
        const index = this.chain.index;
        const r = await loadSnapshotFile(path, {
          params: this.params, trust: this.opts.trustSnapshot ?? false, knownHeight: (h) => index.get(h)?.height, log: this.log, hashWorker: this.opts.snapshotHashWorker,
          refuseBase: (h) => {
            // ActivateSnapshot: a base on an invalid branch, or no more work than the active tip
            const b = index.get(h);
            if (b?.status === 'failed') return `The base block header (${h}) is part of an invalid chain.`;
            if (b && b.chainWork <= this.chain.tip.chainWork) return 'work does not exceed active chainstate';
            return undefined;
          },
        });
        if (this.mempool.size > 0) throw new SnapshotLoadError("Can't activate a snapshot when mempool not empty.");
        const headers = baseHeaders(index, r.base.blockHash);
        this.coins.switchTo(r.set);
        this.chain = headers
          ? ChainState.restore(this.params, this.coins, headers, { ...this.chainOpts, headers: this.chain.headers })
          : ChainState.atSnapshotBase(this.params, this.coins, r.base, { ...this.chainOpts, headers: this.chain.headers });
        this.mempool.tipHeight = r.base.height;
        this.verdicts = new VerdictCache();
        this.dirty = true;
        this.scheduleSave();
        return { coins_loaded: r.base.coins, tip_hash: r.base.blockHash, base_height: r.base.height, path };
      });
    } finally {
      this.loadingSnapshot = false;
    }
  }

  /**
   * The header chain (heights 1..base) of the snapshot base the set waits at, from a header
   * sync: checked (ChainState.attachBaseHeaders), then the tip is the base and it is saved.
   */
  attachSnapshotHeaders(headers: Uint8Array[]): void {
    this.chain.attachBaseHeaders(headers);
    this.dirty = true;
    this.scheduleSave();
  }

  tip(): TipInfo {
    const waiting = this.chain.awaitingBase;
    // the base's time and median time past come with its header
    if (waiting) return { height: waiting.height, hash: waiting.blockHash, mtp: 0 };
    const t = this.chain.tip;
    return { height: t.height, hash: t.hashHex, mtp: t.medianTimePast(), time: t.time };
  }

  getUtxo(txid: Uint8Array, vout: number): Coin | undefined {
    return this.coins.getCoin(txid, vout);
  }

  /**
   * POST /validate: independent testmempoolaccept verdicts, each against the chain and the
   * mempool as they are now (nothing is admitted).
   */
  async validate(items: ValidateItem[]): Promise<ValidateOutcome> {
    this.inFlight += items.length;
    try {
      return await this.verdicts.answer(items, this.chain.tip.hashHex, this.mempool, (item) => this.testAcceptItem(item));
    } finally {
      this.inFlight -= items.length;
    }
  }

  /** One /validate item through the acceptance path: the node's coins and mempool, or the caller's coins. */
  private testAcceptItem(item: ValidateItem): Promise<AcceptResult> {
    const maxFeeRate = item.maxFeeRate ?? this.policy.maxFeeRate;
    const at = item.at ? { height: item.at.height, mtp: item.at.mtp } : undefined;
    if (!item.prevouts) {
      return this.mempoolService.accept.acceptSingle(item.tx, { testOnly: true, maxFeeRate, keepSpent: item.trace !== undefined, ...(at ? { chain: at } : {}) });
    }
    const chain = at ?? this.chainContext();
    const coins: Coin[] = item.prevouts.map((p) => ({
      value: p.amount, scriptPubKey: p.scriptPubKey, height: p.height ?? chain.height, coinbase: p.coinbase ?? false,
    }));
    return acceptWithSuppliedCoins(item.tx, coins, chain, { empty: this.emptyMempool, policy: this.policy, scripts: this.scripts.check, maxFeeRate });
  }

  // ---- MempoolDeps ----

  get mempool() {
    return this.mempoolService.mempool;
  }

  /** A full validation queue is an answer ("busy", retry later), not an exception. */
  private async guard<T>(f: () => Promise<T>): Promise<T | { busy: true; retryAfter: number }> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof QueueFullError) return { busy: true, retryAfter: e.retryAfterSeconds };
      throw e;
    }
  }

  submitTx(tx: Transaction, opts: { maxFeeRate?: number } = {}): Promise<SubmitTxOutcome> {
    const maxFeeRate = opts.maxFeeRate ?? this.policy.maxFeeRate;
    return this.guard(async () => ({ busy: false as const, ...(await this.mempoolService.submit(tx, { maxFeeRate })) }));
  }

  testAccept(txs: Transaction[]): Promise<TestAcceptOutcome> {
    return this.guard(async () => ({ busy: false as const, results: await this.mempoolService.testAccept(txs) }));
  }

  submitPackage(txs: Transaction[]): Promise<PackageOutcome> {
    return this.guard(() => this.mempoolService.submitPackage(txs));
  }

  orphans(): { txid: string; wtxid: string }[] {
    const out: { txid: string; wtxid: string }[] = [];
    for (const o of this.mempoolService.orphans.entries()) out.push({ txid: hashToHex(o.tx.txid), wtxid: o.wtxid });
    return out;
  }

  getTxOut(txid: Uint8Array, vout: number, includeMempool: boolean) {
    const view = includeMempool ? this.mempoolService.spendableView() : this.coins;
    const coin = view.getCoin(txid, vout);
    if (!coin) return undefined;
    const tip = this.chain.tip;
    const confirmations = coin.height === MEMPOOL_HEIGHT ? 0 : tip.height - coin.height + 1;
    return { coin, confirmations, bestblock: tip.hashHex };
  }

  chainInfo(): ChainInfo {
    return chainInfo(this.chain, this.opts.network);
  }

  /** A block as bytes (POST /blocks, submitblock), or already decoded (P2P: decoded once, with the message). */
  async submitBlock(data: Uint8Array | Block): Promise<BlockOutcome> {
    let block: Block;
    try {
      block = data instanceof Uint8Array ? decodeBlock(data) : data;
    } catch (e) {
      if (e instanceof DecodeError) return { busy: false, hash: '', accepted: false, malformed: true, reason: 'block decode failed', details: e.message };
      throw e;
    }
    const hash = hashToHex(block.header.hash);
    let r;
    let changed = false;
    try {
      r = await this.serial(async () => {
        const before = this.chain.tip;
        const res = await this.chain.submitBlock(block);
        // Durable before it is acknowledged: a new block, or a known one this call connected.
        changed = res.ok && (!res.duplicate || this.chain.tip !== before);
        if (changed) await this.journal?.append(block.raw);
        return res;
      });
    } catch (e) {
      // The block's checks did not all run (a worker was lost): no verdict. The block stays
      // stored, not failed; the same block sent again is connected then (ChainState.submitBlock).
      if (e instanceof QueueFullError || e instanceof WorkerFailedError) return { busy: true, retryAfter: 1 };
      throw e;
    } finally {
      await this.mempoolService.afterReorg();
    }
    if (changed) this.scheduleSave();
    if (!r.ok) {
      return { busy: false, hash, accepted: false, reason: r.reason, ...(r.txid ? { details: `tx ${r.txid}${r.input !== undefined ? ` input ${r.input}` : ''}` } : {}) };
    }
    const idx = this.chain.index.get(hash);
    // r.tip is the active tip after activation: a block on a lighter side branch is not it.
    return {
      busy: false, hash, accepted: true, tip: r.tip === hash,
      ...(idx ? { height: idx.height } : {}), ...(r.duplicate ? { reason: 'duplicate' as const } : {}),
    };
  }

  info(): Record<string, unknown> {
    const t = this.tip();
    return {
      version: '0.1.0', network: this.opts.network, mode: 'stateful',
      tip: { height: t.height, hash: t.hash },
      workers: this.pool?.size ?? 0, coins: this.coinCount(), policy: { ...this.policy },
      ...this.opts.info,
    };
  }

  coinCount(): number | undefined {
    const c = this.coins as { size?: number };
    return typeof c.size === 'number' ? c.size : undefined;
  }

  health(): { ok: boolean; detail?: Record<string, unknown> } {
    return { ok: true, detail: { tip: this.chain.height, queueDepth: this.scripts.queueDepth(), workersReplaced: this.pool?.replaced ?? 0 } };
  }

  gauges() {
    const g: { queueDepth: number; coinCount?: number; cacheHitRate?: Record<string, number> } = { queueDepth: this.scripts.queueDepth() };
    const n = this.coinCount();
    if (n !== undefined) g.coinCount = n;
    g.cacheHitRate = { verdicts: this.verdicts.hitRate() };
    if (this.local) {
      const rate = (s: { hits: number; misses: number }) => (s.hits + s.misses ? s.hits / (s.hits + s.misses) : 0);
      g.cacheHitRate = { ...g.cacheHitRate, sigcache: rate(this.local.sigCache.stats()), scriptcache: rate(this.local.execCache.stats()) };
    }
    return g;
  }

  /** Stops the workers after saving the state (when there is a data directory). */
  async close(): Promise<void> {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.mempoolTimer !== undefined) clearInterval(this.mempoolTimer);
    await this.saveNow();
    await this.scripts.close();
  }
}
