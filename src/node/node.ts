/**
 * The stateful node: the composition root between the mempool/validation layers and the
 * API. It owns the chain state (headers, active chain, UTXO set), the sharded validation
 * pool, and answers the HTTP app's questions (src/api/deps.ts).
 *
 * Validation flow for one transaction (cheap first, scripts last, all in a worker):
 *   API decode (400 on bad input) → route by txid to a shard's worker → decode, resolve coins
 *   (caller's prevouts, else the UTXO snapshot) → PreChecks → scripts (caches) → result.
 */
import { READER_SLOTS, SHARED_READER_SLOTS } from '../utxo/layout.ts';
import type { AppDeps, BlockOutcome, ChainInfo, MempoolDeps, PackageOutcome, SubmitTxOutcome, TestAcceptOutcome, TipInfo, ValidateItem, ValidateOutcome } from '../api/deps.ts';
import { decodeTx, type Transaction, type TxOut } from '../primitives/tx.ts';
import type { Block } from '../primitives/block.ts';
import type { BlockIndex } from '../chain/block-index.ts';
import { NodeStore } from './persist.ts';
import type { MempoolOptions } from '../mempool/types.ts';
import { MempoolService } from './mempool-service.ts';
import { ChainState } from '../chain/chainstate.ts';
import type { CoinStore } from '../chain/coin-store.ts';
import { UtxoSet } from '../utxo/set.ts';
import { chainParams, type ChainParams } from '../chain/params.ts';
import type { NetworkName } from '../consensus/params.ts';
import type { CheckInputs } from '../consensus/script-check.ts';
import { DecodeError } from '../primitives/errors.ts';
import { decodeBlock } from '../primitives/block.ts';
import { hashToHex, toHex } from '../primitives/bytes.ts';
import { ByteWriter } from '../primitives/codec.ts';
import { sha256 } from '../primitives/hash.ts';
import { LRUCache } from 'lru-cache';
import { policyOptions, type PolicyOptions } from '../policy/constants.ts';
import { MEMPOOL_HEIGHT, type Coin } from '../utxo/coin.ts';
import type { AcceptResult } from '../validation/accept.ts';
import { MtpTable } from '../validation/mtp-table.ts';
import { QueueFullError, ValidationPool, WorkerFailedError, type JobInput, type WorkerLike } from '../validation/pool.ts';
import { ValidatorCore, type Job, type JobResult, type WireCoin } from '../validation/worker-core.ts';
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
  info?: Record<string, unknown>;
  now?: () => number;
}

/** One place that runs jobs: the worker pool, or a ValidatorCore on this thread. */
interface Runner {
  run(shard: number, job: JobInput): Promise<JobResult>;
  queueDepth(): number;
  close(): Promise<void>;
}

export class TxgateNode implements AppDeps, MempoolDeps {
  readonly params: ChainParams;
  readonly chain: ChainState;
  readonly coins: CoinStore;
  readonly policy: PolicyOptions;
  readonly mtp = new MtpTable();
  private readonly runner: Runner;
  readonly pool?: ValidationPool;
  private readonly local?: ValidatorCore;
  private inFlight = 0;
  readonly started = Date.now();
  readonly mempoolService: MempoolService;
  readonly datadir?: string;

  private constructor(readonly opts: NodeOptions, restored?: { set: UtxoSet; headers: Uint8Array[] }, private readonly store?: NodeStore) {
    this.params = chainParams(opts.network);
    this.policy = policyOptions(opts.policy);
    this.coins = restored?.set ?? opts.coins ?? UtxoSet.create();
    if (opts.workers > 0) {
      if (!opts.spawn) throw new Error('workers > 0 needs a spawn function');
      const set = this.coins instanceof UtxoSet ? this.coins : undefined;
      // Each worker pins UTXO versions in reader slots of its own, freed if it dies holding one.
      const range = Math.floor((READER_SLOTS - SHARED_READER_SLOTS) / opts.workers);
      const slotsOf = (i: number) => (range >= 2 ? { from: SHARED_READER_SLOTS + i * range, count: range } : undefined);
      const pool = new ValidationPool({
        workers: opts.workers, spawn: opts.spawn,
        init: (i) => {
          const readerSlots = slotsOf(i);
          return {
            type: 'init', ...opts.workerInit, mtp: this.mtp.buffer, policy: this.policy,
            // Workers map the same memory and read coins themselves.
            ...(set ? { utxo: set.shared(), ...(readerSlots ? { readerSlots } : {}) } : {}),
          };
        },
        onWorkerGone: (i) => {
          const r = slotsOf(i);
          if (set && r) set.releaseReaderSlots(r.from, r.count);
        },
        ...(opts.maxQueuePerWorker ? { maxQueuePerWorker: opts.maxQueuePerWorker } : {}),
      });
      this.pool = pool;
      this.runner = { run: (shard, job) => pool.submit(shard, job), queueDepth: () => pool.queueDepth(), close: () => pool.close() };
    } else {
      const local = new ValidatorCore({ ...(opts.verifier ? { verifier: opts.verifier } : {}), mtp: this.mtp, policy: this.policy });
      this.local = local;
      let id = 0;
      this.runner = {
        run: (_shard, job) => local.run({ ...job, id: ++id } as Job),
        queueDepth: () => this.inFlight,
        close: async () => {},
      };
    }
    const checkInputs: CheckInputs = (tx, spent, flags) => this.runScripts(tx, spent, flags);
    if (opts.datadir !== undefined) this.datadir = opts.datadir;
    this.mempoolService = new MempoolService({
      chainCoins: this.coins,
      chainContext: () => {
        const t = this.chain.tip;
        return { height: t.height, mtp: t.medianTimePast(), mtpAt: (h: number) => this.chain.chain[h]?.medianTimePast() };
      },
      policy: this.policy,
      runScripts: (tx, spent, flags) => this.runScripts(tx, spent, flags),
      ...(opts.mempool ? { mempool: opts.mempool } : {}),
    });
    const chainOpts = {
      checkInputs,
      ...(opts.now ? { now: opts.now } : {}),
      onConnected: (block: Block, idx: BlockIndex) => this.mempoolService.blockConnected(block, idx.height),
      onDisconnected: (block: Block) => this.mempoolService.blockDisconnected(block),
    };
    this.chain = restored
      ? ChainState.restore(this.params, this.coins, restored.headers, chainOpts)
      : new ChainState(this.params, this.coins, chainOpts);
    this.recordMtps();
  }

  /**
   * Starts a node. With a data directory, the last saved UTXO set, chain and mempool are
   * loaded (mempool transactions revalidated, as Core's LoadMempool).
   */
  static async start(opts: NodeOptions, log: (line: string) => void = () => {}): Promise<TxgateNode> {
    let store: NodeStore | undefined;
    let restored: { set: UtxoSet; headers: Uint8Array[] } | undefined;
    if (opts.datadir !== undefined) {
      store = await NodeStore.open(opts.datadir, chainParams(opts.network).magic);
      restored = await store.load();
      if (restored) log(`txgate: loaded ${restored.set.size} coins at height ${restored.headers.length} from ${opts.datadir}`);
    }
    const node = new TxgateNode(opts, restored, store);
    if (node.pool) await node.pool.ready();
    if (store) {
      let ok = 0;
      const records = await store.loadMempool();
      for (const r of records) {
        try {
          const res = await node.mempoolService.submit(decodeTx(r.tx));
          if (!res.busy && res.ok) ok++;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
      if (records.length) log(`txgate: mempool: ${ok} of ${records.length} saved transactions accepted again`);
      node.mempoolTimer = setInterval(() => void node.saveMempool(), 60_000);
    }
    return node;
  }

  /** Every input's scripts under `flags` on the worker owning the txid's shard. */
  private async runScripts(tx: Transaction, spent: TxOut[], flags: number) {
    const r = await this.runner.run(ValidationPool.shardOf(tx.txid), { kind: 'scripts', tx: tx.raw, spent, flags });
    if (r.kind === 'scripts') return r.result;
    // A worker failure is not a verdict: surface it as an error.
    throw new WorkerFailedError(r.kind === 'error' ? r.message : 'unexpected worker answer');
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
    const store = this.store;
    if (!store) return;
    await this.serial(async () => {
      if (this.dirty && this.coins instanceof UtxoSet) {
        this.dirty = false;
        const t = this.chain.tip;
        await store.save(this.coins, this.chain.activeHeaders(), { height: t.height, hash: t.hashHex, hashInternal: t.hash });
      }
    });
    await this.saveMempool();
  }

  private async saveMempool(): Promise<void> {
    if (!this.store) return;
    // Parents before children: fewer in-mempool ancestors first.
    const entries = [...this.mempool.entries()].sort((a, b) => a.ancCount - b.ancCount);
    await this.store.saveMempool(entries.map((e) => ({ tx: e.tx.raw, time: e.time, feeDelta: e.feeDelta })));
  }

  /** Active-chain blocks whose MTP is published, by height. */
  private published: unknown[] = [];
  /**
   * Publishes the MTP of every active-chain block that changed since the last call: walks
   * down from the tip to the first height still holding the same block (the fork point).
   */
  private recordMtps(): void {
    const chain = this.chain.chain;
    let h = Math.min(chain.length, this.published.length) - 1;
    while (h >= 0 && chain[h] !== this.published[h]) h--;
    this.published.length = h + 1;
    for (let k = h + 1; k < chain.length; k++) {
      this.mtp.set(k, chain[k]!.medianTimePast());
      this.published.push(chain[k]);
    }
  }

  tip(): TipInfo {
    const t = this.chain.tip;
    return { height: t.height, hash: t.hashHex, mtp: t.medianTimePast(), time: t.time };
  }

  getUtxo(txid: Uint8Array, vout: number): Coin | undefined {
    return this.coins.getCoin(txid, vout);
  }

  async validate(items: ValidateItem[]): Promise<ValidateOutcome> {
    const tip = this.chain.tip;
    const chainCtx = { height: tip.height, mtp: tip.medianTimePast() };
    this.inFlight += items.length;
    try {
      const pending: Promise<JobResult>[] = [];
      const keys: (string | undefined)[] = [];
      for (const item of items) {
        // The same question asked again (same transaction, same tip, same options, no
        // unconfirmed parent) gets the same answer, without a worker round trip.
        const key = this.verdictKey(item, tip.hashHex);
        keys.push(key);
        const cached = key === undefined ? undefined : this.verdicts.get(key);
        if (key !== undefined) this.verdictLookups++;
        if (cached) {
          this.verdictHits++;
          pending.push(Promise.resolve({ id: 0, kind: 'validate', result: cached }));
          continue;
        }
        const at = item.at ?? chainCtx;
        const coins: (WireCoin | null)[] | undefined = item.prevouts?.map((p) => ({
          value: p.amount, scriptPubKey: p.scriptPubKey, height: p.height ?? at.height, coinbase: p.coinbase ?? false,
        }));
        const wire = coins ?? this.resolveCoins(item);
        // The node's policy went to every worker at start; a job carries one only to override it.
        pending.push(this.runner.run(ValidationPool.shardOf(item.tx.txid), {
          kind: 'validate', tx: item.tx.raw, ...(wire ? { coins: wire } : {}), chain: at,
          ...(item.maxFeeRate === undefined ? {} : { policy: { ...this.policy, maxFeeRate: item.maxFeeRate } }),
        }));
      }
      const settled = await Promise.allSettled(pending);
      const results: AcceptResult[] = [];
      for (let i = 0; i < settled.length; i++) {
        const s = settled[i]!;
        const tx = items[i]!.tx;
        if (s.status === 'fulfilled' && s.value.kind === 'validate') {
          results.push(s.value.result);
          const key = keys[i];
          if (key !== undefined && s.value.result.kind !== 'error') this.verdicts.set(key, s.value.result);
        } else {
          const message = s.status === 'rejected' ? (s.reason instanceof Error ? s.reason.message : String(s.reason)) : s.value.kind === 'error' ? s.value.message : 'unexpected answer';
          results.push({
            txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid), allowed: false, vsize: tx.vsize, weight: tx.weight,
            fee: null, feerate: null, reason: 'validation-error', details: message, kind: 'error',
          });
        }
      }
      return { busy: false, results };
    } catch (e) {
      if (e instanceof QueueFullError) return { busy: true, retryAfter: e.retryAfterSeconds };
      throw e;
    } finally {
      this.inFlight -= items.length;
    }
  }

  private readonly verdicts = new LRUCache<string, AcceptResult>({ max: 50_000 });
  verdictHits = 0;
  verdictLookups = 0;

  /**
   * Everything a verdict depends on: the transaction (wtxid), the chain (tip hash or the
   * caller's `at`), the options and caller-supplied coins. Undefined (never cached) when an
   * input spends an unconfirmed output: the mempool changes without the tip changing.
   */
  private verdictKey(item: ValidateItem, tipHash: string): string | undefined {
    const pool = this.mempoolService.mempool;
    let key = toHex(item.tx.wtxid) + '|' + (item.at ? `${item.at.height}:${item.at.mtp}` : tipHash) + '|' + (item.maxFeeRate ?? '');
    if (item.prevouts) {
      const w = new ByteWriter(64 * item.prevouts.length);
      for (const p of item.prevouts) w.i64(p.amount).varBytes(p.scriptPubKey).u32(p.height ?? 0xffffffff).u8(p.coinbase ? 1 : 0);
      key += '|' + toHex(sha256(w.finish()));
    } else if (pool.size > 0) {
      for (const inp of item.tx.inputs) if (pool.get(hashToHex(inp.prevout.txid))) return undefined;
    }
    return key;
  }

  /**
   * Coins from this thread's UTXO view, shipped with the job (until workers read the shared
   * set themselves, a coin costs one structured clone).
   */
  private resolveCoins(item: ValidateItem): (WireCoin | null)[] | undefined {
    // Unconfirmed parents' outputs come from the mempool (testmempoolaccept's view); when the
    // workers map the shared UTXO set they read confirmed coins themselves (null here),
    // otherwise the coin is shipped with the job.
    const pool = this.mempoolService.mempool;
    const shared = this.pool !== undefined && this.coins instanceof UtxoSet;
    // Nothing to ship (the job's coins absent = every input looked up by the worker).
    if (shared && pool.size === 0) return undefined;
    return item.tx.inputs.map((inp) => {
      const parent = pool.get(hashToHex(inp.prevout.txid));
      if (parent) {
        const o = parent.tx.outputs[inp.prevout.vout];
        return o ? { value: o.value, scriptPubKey: o.scriptPubKey, height: MEMPOOL_HEIGHT, coinbase: false } : null;
      }
      return shared ? null : this.coins.getCoin(inp.prevout.txid, inp.prevout.vout) ?? null;
    });
  }

  // ---- MempoolDeps ----

  get mempool() {
    return this.mempoolService.mempool;
  }

  private async guard<T>(f: () => Promise<T>): Promise<T | { busy: true; retryAfter: number }> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof QueueFullError) return { busy: true, retryAfter: e.retryAfterSeconds };
      throw e;
    }
  }

  submitTx(tx: Transaction, opts: { maxFeeRate?: number } = {}): Promise<SubmitTxOutcome> {
    return this.guard(() => this.mempoolService.submit(tx, opts));
  }

  testAccept(txs: Transaction[], opts: { maxFeeRate?: number } = {}): Promise<TestAcceptOutcome> {
    return this.guard(() => this.mempoolService.testAccept(txs, opts));
  }

  submitPackage(txs: Transaction[], opts: { maxFeeRate?: number } = {}): Promise<PackageOutcome> {
    return this.guard(() => this.mempoolService.submitPackage(txs, opts));
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
    const t = this.chain.tip;
    const names = { mainnet: 'main', testnet3: 'test', testnet4: 'testnet4', signet: 'signet', regtest: 'regtest' } as const;
    const bits = t.header.bits;
    // GetDifficulty: pow limit of difficulty 1 (0x1d00ffff) over the tip's target.
    const exp = bits >>> 24, mant = bits & 0xffffff;
    let diff = 0x0000ffff / mant;
    for (let e = exp; e < 29; e++) diff *= 256;
    for (let e = exp; e > 29; e--) diff /= 256;
    let headers = 0;
    for (const idx of this.chain.index.values()) if (idx.height > headers && idx.status !== 'failed') headers = idx.height;
    return {
      chain: names[this.opts.network], blocks: t.height, headers, bestblockhash: t.hashHex,
      bits: bits.toString(16).padStart(8, '0'), time: t.time, mediantime: t.medianTimePast(),
      chainwork: t.chainWork.toString(16).padStart(64, '0'), difficulty: diff, pruned: true,
    };
  }

  async submitBlock(raw: Uint8Array): Promise<BlockOutcome> {
    let hash: string;
    try {
      hash = hashToHex(decodeBlock(raw).header.hash);
    } catch (e) {
      if (e instanceof DecodeError) return { busy: false, hash: '', accepted: false, malformed: true, reason: 'block decode failed', details: e.message };
      throw e;
    }
    let r;
    try {
      r = await this.serial(() => this.chain.submitBlock(raw));
    } catch (e) {
      if (e instanceof QueueFullError) return { busy: true, retryAfter: e.retryAfterSeconds };
      throw e;
    }
    // A reorg may have replaced heights below the old tip: republish from the fork point.
    this.recordMtps();
    await this.mempoolService.afterReorg();
    if (r.ok && !r.duplicate) this.scheduleSave();
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
    const t = this.chain.tip;
    return {
      version: '0.1.0', network: this.opts.network, mode: 'stateful',
      tip: { height: t.height, hash: t.hashHex },
      workers: this.pool?.size ?? 0, coins: this.coinCount(), policy: { ...this.policy },
      ...this.opts.info,
    };
  }

  coinCount(): number | undefined {
    const c = this.coins as { size?: number };
    return typeof c.size === 'number' ? c.size : undefined;
  }

  health(): { ok: boolean; detail?: Record<string, unknown> } {
    return { ok: true, detail: { tip: this.chain.height, queueDepth: this.runner.queueDepth(), workersReplaced: this.pool?.replaced ?? 0 } };
  }

  gauges() {
    const g: { queueDepth: number; coinCount?: number; cacheHitRate?: Record<string, number> } = { queueDepth: this.runner.queueDepth() };
    const n = this.coinCount();
    if (n !== undefined) g.coinCount = n;
    g.cacheHitRate = { verdicts: this.verdictLookups ? this.verdictHits / this.verdictLookups : 0 };
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
    await this.runner.close();
  }
}
