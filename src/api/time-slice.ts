/**
 * Time slices of the main thread. An admitted batch of 100 transactions is JSON items to
 * check, transactions to decode and pre-checks to run (PreChecks, the mempool's checks) on
 * this thread; run in one piece, each batch holds the event loop for its whole length and a
 * GET /health that arrives meanwhile waits behind every batch started before it. Here the
 * long runs pause between items: a pause returns at once while the running slice has time
 * left, else the task waits its turn in one queue, and the queue resumes one task per turn of
 * the event loop, after the loop has read its sockets (a task that is done hands the rest of
 * the slice to the next). However many batches are in flight, the sliced work between two
 * turns of the loop stays one slice (plus one item), and what is waiting on I/O — a probe, a
 * refusal — is answered in between. A slice is as long as the loop spent elsewhere since the
 * last one, within 4–50 ms: sliced work and the rest share the thread.
 */
import type { ValidateItem, ValidateOutcome } from './deps.ts';

type Later = (f: () => void) => void;

/** setImmediate where the runtime has it (Node, Bun and Deno do): after the loop's I/O, without a timer's clamp. */
const nextTurn: Later = (f) => {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (g.setImmediate) g.setImmediate(f);
  else setTimeout(f, 0);
};

export class TimeSlicer {
  private readonly waiting: (() => void)[] = [];
  private sliceEnd = -Infinity;
  /** When the running slice was found spent (the loop has been elsewhere since); undefined while it runs. */
  private spentAt: number | undefined;
  private scheduled = false;

  /**
   * A slice lasts as long as the loop spent elsewhere since the last one (half the thread for
   * sliced work when both wait), at least `budgetMs` and at most `maxSliceMs`: a flood of
   * cheap requests between two turns then does not starve the admitted batches.
   */
  constructor(
    readonly budgetMs = 4, readonly maxSliceMs = 50, private readonly later: Later = nextTurn, readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Between two pieces of work: undefined while the running slice has time left (go on),
   * else a promise resolved when it is this task's turn again.
   */
  pause(): Promise<void> | undefined {
    const now = this.now();
    if (now < this.sliceEnd) return undefined;
    this.spentAt ??= now;
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Milliseconds left in the running slice (0 once it is spent). */
  remaining(): number {
    return Math.max(0, this.sliceEnd - this.now());
  }

  /** A task that will not pause again hands what is left of the slice to the next waiting one. */
  release(): void {
    if (this.waiting.length && this.now() < this.sliceEnd) this.waiting.shift()!();
  }

  /** Tasks waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => this.resumeNext());
  }

  private resumeNext(): void {
    this.scheduled = false;
    const next = this.waiting.shift();
    if (!next) return;
    const now = this.now();
    this.sliceEnd = now + Math.min(this.maxSliceMs, Math.max(this.budgetMs, now - (this.spentAt ?? now)));
    this.spentAt = undefined;
    next();
    if (this.waiting.length) this.schedule();
  }
}

/** The process's main thread: one slicer shared by every app on it. */
export const mainThreadSlicer = new TimeSlicer();

/**
 * `validate` over `items` in slices: each call runs its items' synchronous part (the verdict
 * cache, PreChecks) before it returns, and a call takes as many items as the running slice
 * has time for at the cost per item of the calls so far (the first call takes one item), so
 * the pauses fall between items while their script checks proceed on the workers, and a
 * batch of cheap items costs a few calls rather than one per item. One busy answer makes the
 * whole outcome busy (the longest Retry-After), as one call over all items would.
 */
export async function validateInSlices(
  items: ValidateItem[], validate: (items: ValidateItem[]) => Promise<ValidateOutcome>, slicer: TimeSlicer,
): Promise<ValidateOutcome> {
  if (items.length <= 1) return validate(items);
  const parts: Promise<ValidateOutcome>[] = [];
  let done = 0;
  let spentMs = 0;
  for (let i = 0; i < items.length;) {
    // Awaited only when the slice is spent: an await per call would cost a turn of the
    // microtask queue each even when the slice has time left.
    const p = slicer.pause();
    if (p) await p;
    const n = done === 0 ? 1 : Math.max(1, Math.min(items.length - i, Math.floor(slicer.remaining() / Math.max(spentMs / done, 1e-3))));
    const t0 = slicer.now();
    parts.push(validate(items.slice(i, i + n)));
    spentMs += slicer.now() - t0;
    done += n;
    i += n;
  }
  slicer.release();
  const outcomes = await Promise.all(parts);
  let retryAfter = -1;
  for (const o of outcomes) if (o.busy) retryAfter = Math.max(retryAfter, o.retryAfter);
  if (retryAfter >= 0) return { busy: true, retryAfter };
  return { busy: false, results: outcomes.flatMap((o) => (o.busy ? [] : o.results)) };
}
