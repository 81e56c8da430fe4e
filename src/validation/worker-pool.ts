/**
 * The sharded validation pool: transactions are routed by txid prefix to 64 logical shards
 * mapped onto N Web Workers (so a re-submitted transaction meets its own cache entries),
 * jobs travel in batches of about 10 ms of the worker's work (postMessage costs 130–175 µs a
 * round trip but 6–20 µs pipelined), an idle worker takes jobs still waiting for another,
 * queues are bounded, and a crashed or stuck worker is replaced while the jobs it held fail
 * with an error — never a hang.
 *
 * Web APIs only: the runtime layer supplies `spawn` (global Worker on Bun/Deno, a
 * worker_threads adapter on Node).
 */
import type { WorkerStats } from './jobs.ts';
import { decodeResults, packBatch, type Job, type JobInput, type JobResult } from './wire.ts';
import { HEAVY_COST, QueueFullError, SHARDS, shardOf, WorkerFailedError, type SubmitOptions } from './pool-jobs.ts';

export { HEAVY_COST, QueueFullError, scriptsAsJobs, WorkerFailedError, type SubmitOptions } from './pool-jobs.ts';

export type { JobInput, JobResult } from './wire.ts';

/** Batches a worker may have in flight before new jobs wait for the next one (pipelining depth). */
const MAX_OUTSTANDING = 2;
/**
 * Batch size by worker time: a batch carries about this many milliseconds of work, judged by
 * the worker's own timing of its recent batches (`ms` in its answers). Long enough that the
 * messages (6–20 µs each pipelined, more on a busy main thread) are noise; short enough that
 * a worker never holds much more than MAX_OUTSTANDING × this while the rest waits in the
 * pool, where an idle worker can take it — work can be stolen only before it is posted. With
 * batches sized by count alone (the whole outbox, or 32 jobs), a worker with slow jobs (noble
 * signatures: ~1.5 ms a transaction) held 50–100 ms of them while the other ran dry: under
 * load, in process, one of two workers sat idle 4–17 % of the time (bench/README.md,
 * "Batches sized by the workers' time"). 4 ms did as well for balance but cost Node's main
 * thread ~25 % more per transaction in messages.
 */
const BATCH_TARGET_MS = 10;
/** Jobs per batch before the worker has timed any (and the most ever). */
const DEFAULT_BATCH_JOBS = 32;
const MAX_BATCH_JOBS = 64;
/**
 * While a batch is in flight, a second one leaves only once this many jobs wait; fewer wait
 * for the answer and leave with it in one message. Under load, one request per transaction
 * would otherwise mean one message per transaction each way (each a structured clone, a
 * wake-up of the other thread and an event dispatch: bench/request-path.bench.ts); an idle
 * worker still gets a lone job at once.
 */
const PIPELINE_MIN_JOBS = 16;
/**
 * A caller that queues many jobs in one synchronous run (a block's script checks, queued as
 * ConnectBlock walks the block) gets them sent in batches of this many at once, so the
 * workers verify while the caller is still queuing instead of after it returns (the pool
 * cannot answer a worker until that run ends, so these batches are not sized by time).
 */
const EAGER_JOBS = 32;
/**
 * Batches a worker may have in flight when they leave eagerly (a long outbox): enough queued
 * work to keep it busy (3 × 32 transactions), while the rest waits in the pool where an idle
 * worker can take it (see steal).
 */
const MAX_EAGER_OUTSTANDING = 3;
/** A worker about to run dry takes jobs still waiting for another worker once that many wait. */
const STEAL_MIN_JOBS = 4;

/** The part of the Web Worker interface the pool uses. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (ev: unknown) => void): void;
  terminate(): void | Promise<unknown>;
  /** Node: whether the worker keeps the process alive (the pool refs it only while busy). */
  ref?(): void;
  unref?(): void;
}

/** Sent once to every new worker; the worker answers `{ type: 'ready', backend }`. */
export interface InitMessage {
  type: 'init';
  [k: string]: unknown;
}

export interface PoolOptions {
  workers: number;
  spawn: () => WorkerLike;
  /** The init message, or one per worker position (0 … workers-1; a replacement gets its predecessor's). */
  init: InitMessage | ((index: number) => InitMessage);
  /**
   * Called once a worker that failed has been terminated, with its position, before its
   * replacement starts (e.g. to free the UTXO reader slots it may have held).
   */
  onWorkerGone?: (index: number) => void;
  /** Jobs in flight per worker before QueueFullError (default 4096). */
  maxQueuePerWorker?: number;
  /**
   * A worker holding posted batches that answers none of them for this many ms is stuck
   * (default 60 s). Counted from its last answer, not from each batch's posting: a batch
   * queued behind others in a slow worker is not a sign of a hang.
   */
  batchTimeoutMs?: number;
  /** Heavy jobs (HEAVY_COST) waiting in the heavy lane before QueueFullError (default 16 per worker). */
  maxHeavyQueue?: number;
}

interface Pending {
  resolve(r: JobResult): void;
  reject(e: Error): void;
}

class Slot {
  constructor(readonly index: number) {}
  worker!: WorkerLike;
  ready!: Promise<string>;
  backend = '';
  generation = 0;
  inFlight = new Map<number, Pending>();
  /** Jobs waiting to be posted (packed into one buffer per batch). */
  outbox: Job[] = [];
  /** Block connection's jobs waiting to be posted: they leave before the outbox. */
  urgent: Job[] = [];
  /** Heavy jobs posted and not answered, and how many each batch holds. */
  heavyOut = 0;
  heavyBatches = new Map<number, number>();
  flushScheduled = false;
  /** Armed while batches are outstanding: fires when the worker has answered none for batchTimeoutMs. */
  watchdog: ReturnType<typeof setTimeout> | undefined;
  /** Batches posted and not yet answered. */
  outstanding = 0;
  /** Jobs submitted since the last flush: the length of the caller's current synchronous run. */
  sinceFlush = 0;
  /** Moving averages of the worker's busy ms per batch and jobs per batch (its own timing). */
  avgMs = 0;
  avgJobs = 0;
  /** Between a failure and the replacement's start: jobs wait in the outbox. */
  down = false;
  stats?: WorkerStats;
  statsWaiters: ((s: WorkerStats) => void)[] = [];
}

export class ValidationPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private nextBatch = 1;
  private closed = false;
  replaced = 0;
  /** Jobs moved from one worker's outbox to another's (work stealing). */
  stolen = 0;
  readonly maxQueue: number;
  private readonly maxHeavyQueue: number;
  /** The heavy lane: heavy jobs not yet given to a worker, first come first served. */
  private readonly heavy: { job: Job; pending: Pending }[] = [];

  constructor(private readonly opts: PoolOptions) {
    if (!(opts.workers >= 1)) throw new RangeError('a pool needs at least one worker');
    this.maxQueue = opts.maxQueuePerWorker ?? 4096;
    this.maxHeavyQueue = opts.maxHeavyQueue ?? 16 * opts.workers;
    for (let i = 0; i < opts.workers; i++) {
      const s = new Slot(i);
      this.slots.push(s);
      this.boot(s);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Resolves with each worker's crypto backend name once all have loaded. */
  async ready(): Promise<string[]> {
    return Promise.all(this.slots.map((s) => s.ready));
  }

  private boot(slot: Slot): void {
    const gen = ++slot.generation;
    const w = this.opts.spawn();
    slot.worker = w;
    let markReady!: (b: string) => void;
    let failReady!: (e: Error) => void;
    slot.ready = new Promise<string>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    // Avoid an unhandled rejection when nobody awaits ready() on a replacement.
    slot.ready.catch(() => {});
    // Busy workers keep the process alive; idle ones must not (a server or test can exit).
    w.ref?.();
    slot.ready.then(() => this.idle(slot, gen), () => {});
    w.addEventListener('message', (ev) => {
      if (gen !== slot.generation) return;
      const msg = ev.data as { type: string; backend?: string; results?: unknown[]; batch?: number; ms?: number; jobs?: number; stats?: WorkerStats; message?: string };
      if (msg.type === 'ready') {
        slot.backend = msg.backend ?? '';
        markReady(slot.backend);
      } else if (msg.type === 'results') {
        clearTimeout(slot.watchdog);
        slot.watchdog = undefined;
        slot.outstanding = Math.max(0, slot.outstanding - 1);
        if (slot.outstanding > 0) this.arm(slot, gen);
        const heavy = slot.heavyBatches.get(msg.batch!);
        if (heavy !== undefined) {
          slot.heavyBatches.delete(msg.batch!);
          slot.heavyOut -= heavy;
        }
        if (typeof msg.ms === 'number' && (msg.jobs ?? 0) > 0 && msg.ms >= 0) {
          slot.avgMs = slot.avgJobs === 0 ? msg.ms : slot.avgMs * 0.75 + msg.ms * 0.25;
          slot.avgJobs = slot.avgJobs === 0 ? msg.jobs! : slot.avgJobs * 0.75 + msg.jobs! * 0.25;
        }
        // Jobs that queued while the worker was busy go out now; a worker with none left
        // takes some that wait for another.
        if (queued(slot) > 0 && !slot.flushScheduled) this.pump(slot);
        if (queued(slot) === 0 && slot.outstanding < MAX_OUTSTANDING) this.steal(slot);
        if (heavy !== undefined) this.dispatchHeavy();
        decodeResults(msg.results!, (r) => {
          const p = slot.inFlight.get(r.id);
          if (!p) return;
          slot.inFlight.delete(r.id);
          p.resolve(r);
        });
        this.idle(slot, gen);
      } else if (msg.type === 'stats') {
        slot.stats = msg.stats!;
        for (const f of slot.statsWaiters.splice(0)) f(msg.stats!);
        this.idle(slot, gen);
      } else if (msg.type === 'fatal') {
        failReady(new WorkerFailedError(msg.message ?? 'worker failed to start'));
        this.fail(slot, gen, new WorkerFailedError(`validation worker failed: ${msg.message}`));
      }
    });
    w.addEventListener('error', (ev) => {
      const m = (ev as { message?: string })?.message ?? String(ev);
      failReady(new WorkerFailedError(m));
      this.fail(slot, gen, new WorkerFailedError(`validation worker crashed: ${m}`));
    });
    const init = this.opts.init;
    w.postMessage(typeof init === 'function' ? init(slot.index) : init);
    slot.down = false;
    // Jobs submitted while the worker was being replaced go out now.
    if (queued(slot) > 0 && !slot.flushScheduled) this.flush(slot);
    this.dispatchHeavy();
  }

  /**
   * Fails every job the worker held and replaces it. Race: a late message from the dead
   * worker is ignored because its generation no longer matches.
   */
  private fail(slot: Slot, gen: number, err: Error): void {
    if (gen !== slot.generation) return;
    slot.generation++;
    slot.down = true;
    clearTimeout(slot.watchdog);
    slot.watchdog = undefined;
    slot.outstanding = 0;
    slot.heavyOut = 0;
    slot.heavyBatches.clear();
    const held = [...slot.inFlight.values()];
    slot.inFlight.clear();
    slot.outbox = [];
    slot.urgent = [];
    let gone: void | Promise<unknown> = undefined;
    try {
      gone = slot.worker.terminate();
    } catch {
      // already gone
    }
    for (const p of held) p.reject(err);
    // The replacement starts once the old worker is terminated (where terminate tells when),
    // so nothing of the old one still runs when its resources are handed on.
    if (!this.closed) this.replaced++;
    const next = (): void => {
      this.opts.onWorkerGone?.(slot.index);
      if (!this.closed) this.boot(slot);
    };
    if (gone instanceof Promise) gone.then(next, next);
    else next();
  }

  /** Lets the process exit while this worker has nothing to do. */
  private idle(slot: Slot, gen: number): void {
    if (gen === slot.generation && slot.inFlight.size === 0 && slot.statsWaiters.length === 0) slot.worker.unref?.();
  }

  /** Shard of a txid (internal byte order): its first byte, 64 ways. */
  static shardOf(txid: Uint8Array): number {
    return shardOf(txid);
  }

  queueDepth(): number {
    let n = this.heavy.length;
    for (const s of this.slots) n += s.inFlight.size;
    return n;
  }

  /**
   * Submits a job: block connection's (`priority`) to the worker owning `shard`, ahead of
   * everything else and never refused; a heavy one (`cost` ≥ HEAVY_COST) to the heavy lane;
   * any other to the worker owning `shard`, or to one running no heavy job when that one is.
   * Throws QueueFullError when the queue it would join is full.
   */
  submit(shard: number, job: JobInput, opts: SubmitOptions = {}): Promise<JobResult> {
    if (this.closed) return Promise.reject(new WorkerFailedError('validation pool is closed'));
    // Ids travel as uint32 (wire.ts WireBatch.head): they wrap, and only jobs in flight must differ.
    const id = this.nextId;
    this.nextId = id === 0xffffffff ? 1 : id + 1;
    const numbered: Job = { ...job, id };
    if (!opts.priority && (opts.cost ?? 0) >= HEAVY_COST) {
      if (this.heavy.length >= this.maxHeavyQueue) throw new QueueFullError();
      return new Promise<JobResult>((resolve, reject) => {
        this.heavy.push({ job: numbered, pending: { resolve, reject } });
        this.dispatchHeavy();
      });
    }
    const own = this.slots[(shard % SHARDS) % this.slots.length]!;
    const slot = opts.priority ? own : this.route(own);
    if (!opts.priority && slot.inFlight.size >= this.maxQueue) throw new QueueFullError();
    const list = opts.priority ? slot.urgent : slot.outbox;
    return new Promise<JobResult>((resolve, reject) => {
      if (slot.inFlight.size === 0) slot.worker.ref?.();
      slot.inFlight.set(id, { resolve, reject });
      list.push(numbered);
      const most = opts.priority ? MAX_EAGER_OUTSTANDING + 1 : MAX_EAGER_OUTSTANDING;
      if (++slot.sinceFlush >= EAGER_JOBS && list.length >= EAGER_JOBS && !slot.down && slot.outstanding < most) {
        slot.sinceFlush = 0;
        this.post(slot, EAGER_JOBS, list);
      } else if (!slot.flushScheduled) {
        slot.flushScheduled = true;
        queueMicrotask(() => this.flush(slot));
      }
    });
  }

  /**
   * Posts what the caller's synchronous run queued, then lets idle workers take what is
   * left over (work stealing).
   */
  private flush(slot: Slot): void {
    slot.flushScheduled = false;
    slot.sinceFlush = 0;
    if (queued(slot) === 0 || slot.down) return;
    this.pump(slot);
    // Jobs still wait here while another worker has nothing at all: it takes some.
    if (queued(slot) >= STEAL_MIN_JOBS) {
      for (const s of this.slots) if (s !== slot && !s.down && s.outstanding === 0 && queued(s) === 0) this.steal(s);
    }
  }

  /** Where a cheap job goes: its shard's worker, unless that one runs a heavy job and another runs none. */
  private route(own: Slot): Slot {
    if (own.heavyOut === 0 || own.down) return own;
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (!s.down && s.heavyOut === 0 && (!best || s.inFlight.size < best.inFlight.size)) best = s;
    }
    return best ?? own;
  }

  /**
   * The heavy lane: heavy jobs go, one per batch and one per worker, to workers running no
   * heavy job, while fewer than workers − 1 (at least 1) run one.
   */
  private dispatchHeavy(): void {
    const cap = Math.max(1, this.slots.length - 1);
    let running = 0;
    for (const s of this.slots) if (s.heavyOut > 0) running++;
    while (this.heavy.length > 0 && running < cap && !this.closed) {
      let best: Slot | undefined;
      for (const s of this.slots) {
        if (!s.down && s.heavyOut === 0 && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      }
      if (!best) return;
      const { job, pending } = this.heavy.shift()!;
      if (best.inFlight.size === 0) best.worker.ref?.();
      best.inFlight.set(job.id, pending);
      best.heavyOut = 1;
      running++;
      this.post(best, 1, [job]);
    }
  }

  /** Jobs per batch for this worker: about BATCH_TARGET_MS of its recent work. */
  private batchJobs(slot: Slot): number {
    if (slot.avgJobs === 0) return DEFAULT_BATCH_JOBS;
    const msPerJob = slot.avgMs / slot.avgJobs;
    return msPerJob <= 0 ? MAX_BATCH_JOBS : Math.max(1, Math.min(MAX_BATCH_JOBS, Math.floor(BATCH_TARGET_MS / msPerJob)));
  }

  /**
   * Adaptive batching: posts the outbox in batches of `batchJobs`, up to MAX_OUTSTANDING in
   * flight; while one is in flight, a second leaves only once a batch's worth (at most
   * PIPELINE_MIN_JOBS) waits, and the rest leaves as answers come back — one message for
   * many requests under load, no added latency when idle.
   */
  private pump(slot: Slot): void {
    const max = this.batchJobs(slot);
    // Block connection's jobs first, with one more batch in flight than the rest may have.
    while (slot.urgent.length > 0 && !slot.down && slot.outstanding <= MAX_EAGER_OUTSTANDING) this.post(slot, max, slot.urgent);
    const second = Math.min(PIPELINE_MIN_JOBS, max);
    while (slot.outbox.length > 0 && !slot.down && slot.outstanding < MAX_OUTSTANDING && !(slot.outstanding > 0 && slot.outbox.length < second)) {
      this.post(slot, max);
    }
  }

  /**
   * Work stealing: `slot` has nothing left to post; jobs waiting (not yet posted) for the
   * worker with the longest outbox move to it: the last half of them, which that worker
   * would have reached last. Routing by txid is only for cache affinity (a re-submitted
   * transaction meets its own cache entries), never for correctness: every job carries or
   * reads all it needs, so any worker may run it. Without this, a block's checks are split
   * between the workers once, up front, and the faster one (the OS runs them on cores of
   * unequal load) idles while the other finishes.
   */
  private steal(slot: Slot): void {
    // A worker running a heavy job would only make the stolen jobs wait behind it.
    if (slot.down || this.closed || slot.heavyOut > 0) return;
    let from: Slot | undefined;
    for (const s of this.slots) {
      if (s !== slot && queued(s) >= STEAL_MIN_JOBS && (!from || queued(s) > queued(from))) from = s;
    }
    if (!from) return;
    // Block connection's jobs are taken first.
    const urgent = from.urgent.length >= STEAL_MIN_JOBS;
    const source = urgent ? from.urgent : from.outbox;
    const n = Math.min(2 * this.batchJobs(slot), source.length >> 1);
    const jobs = source.splice(source.length - n, n);
    if (slot.inFlight.size === 0) slot.worker.ref?.();
    for (const j of jobs) {
      const p = from.inFlight.get(j.id);
      if (!p) continue;
      from.inFlight.delete(j.id);
      slot.inFlight.set(j.id, p);
    }
    (urgent ? slot.urgent : slot.outbox).push(...jobs);
    this.stolen += n;
    this.idle(from, from.generation);
    this.pump(slot);
  }

  /** Starts the slot's hang detector: the worker must answer a batch within batchTimeoutMs. */
  private arm(slot: Slot, gen: number): void {
    const timeout = this.opts.batchTimeoutMs ?? 60_000;
    slot.watchdog = setTimeout(() => this.fail(slot, gen, new WorkerFailedError(`validation worker answered nothing within ${timeout} ms`)), timeout);
  }

  /** Posts the first `max` jobs of `from` (the outbox, the urgent jobs or a heavy job) as one batch now. */
  private post(slot: Slot, max = Infinity, from: Job[] = slot.outbox): void {
    slot.outstanding++;
    const jobs = from.splice(0, Math.min(max, from.length));
    const batch = this.nextBatch++;
    if (slot.heavyOut > 0 && from !== slot.outbox && from !== slot.urgent) slot.heavyBatches.set(batch, jobs.length);
    const gen = slot.generation;
    if (slot.watchdog === undefined) this.arm(slot, gen);
    try {
      slot.worker.postMessage(packBatch(batch, jobs));
    } catch (e) {
      this.fail(slot, gen, new WorkerFailedError(`could not post to validation worker: ${String(e)}`));
    }
  }

  /**
   * Each worker's cache statistics, taken after every batch already posted to it (jobs
   * still waiting in the outbox come after: call it on an idle pool for a clean cut). With
   * `clear`, each worker then empties its signature and script-execution caches (the
   * counters are kept): what a benchmark needs to time cold caches on JIT-warm workers.
   */
  async stats(opts: { clear?: boolean } = {}): Promise<WorkerStats[]> {
    return Promise.all(this.slots.map((s) => new Promise<WorkerStats>((res) => {
      s.statsWaiters.push(res);
      s.worker.ref?.();
      s.worker.postMessage(opts.clear ? { type: 'stats', clear: true } : { type: 'stats' });
      setTimeout(() => res(s.stats ?? { sigCache: { hits: 0, misses: 0, size: 0 }, execCache: { hits: 0, misses: 0, size: 0 }, validated: 0 }), 1000);
    })));
  }

  /** Test hook and admin: terminate one worker abruptly, as a crash would. */
  crash(index: number): void {
    const slot = this.slots[index];
    if (slot) this.fail(slot, slot.generation, new WorkerFailedError('validation worker was terminated'));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.heavy.splice(0)) h.pending.reject(new WorkerFailedError('validation pool is closed'));
    for (const s of this.slots) {
      clearTimeout(s.watchdog);
      s.watchdog = undefined;
      for (const p of s.inFlight.values()) p.reject(new WorkerFailedError('validation pool is closed'));
      s.inFlight.clear();
      s.generation++;
      await s.worker.terminate();
    }
  }
}

/** Jobs waiting in `slot` to be posted. */
function queued(slot: Slot): number {
  return slot.urgent.length + slot.outbox.length;
}

