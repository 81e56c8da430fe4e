/**
 * The wire between the worker pool (main thread) and a validation worker: the jobs, their
 * answers, and how a batch of them travels. One job kind: verify every input of one
 * transaction under given flags (the script stages of mempool acceptance, and block
 * connection's CheckInputScripts).
 *
 * postMessage clones what it is given: an object per job with its own Uint8Array costs
 * several µs per transaction each way (bench/request-path.bench.ts). A batch therefore
 * travels as one buffer holding every transaction's bytes and spent scripts plus the jobs
 * without them, and its answers as one flat array of primitives.
 */
import type { ScriptError } from '../script/script-error.ts';
import type { InputsResult } from '../script/verify.ts';

/** Every input of `tx` under `flags`; `spent[i]` is the output input i spends. */
export interface ScriptsJob {
  kind: 'scripts';
  id: number;
  tx: Uint8Array;
  spent: { value: bigint; scriptPubKey: Uint8Array }[];
  flags: number;
}

export type Job = ScriptsJob;

export type JobResult =
  | { id: number; kind: 'scripts'; result: InputsResult }
  /** No verdict: the job could not run (undecodable bytes, a mismatch, a worker fault). */
  | { id: number; kind: 'error'; message: string };

/** A job before the pool numbers it. */
export type JobInput = Omit<ScriptsJob, 'id'>;

/** A job as posted: the spent outputs' values; its bytes are packed in WireBatch.bytes. */
export interface WireJob {
  kind: 'scripts';
  id: number;
  flags: number;
  spentValues: bigint[];
}

/**
 * One batch as posted: `bytes` holds, job after job, each transaction and then each spent
 * script; `ends` lists where each of those pieces ends, in order (a piece starts where the
 * previous one ended, the first at 0). Posting a Uint8Array view clones its whole
 * ArrayBuffer: a script that is a view into a 2 MB block would copy all of it with every
 * batch, so the pieces are copied into one buffer here.
 */
export interface WireBatch {
  type: 'batch';
  batch: number;
  jobs: WireJob[];
  bytes: Uint8Array;
  ends: number[];
}

/** Packs jobs (their transactions' bytes and spent scripts) into one batch message. */
export function packBatch(batch: number, jobs: readonly ScriptsJob[]): WireBatch {
  let total = 0;
  for (const j of jobs) {
    total += j.tx.length;
    for (const o of j.spent) total += o.scriptPubKey.length;
  }
  const bytes = new Uint8Array(total);
  const ends: number[] = [];
  const wire: WireJob[] = new Array(jobs.length);
  let o = 0;
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i]!;
    bytes.set(j.tx, o);
    o += j.tx.length;
    ends.push(o);
    const values: bigint[] = new Array(j.spent.length);
    for (let k = 0; k < j.spent.length; k++) {
      const out = j.spent[k]!;
      values[k] = out.value;
      bytes.set(out.scriptPubKey, o);
      o += out.scriptPubKey.length;
      ends.push(o);
    }
    wire[i] = { kind: 'scripts', id: j.id, flags: j.flags, spentValues: values };
  }
  return { type: 'batch', batch, jobs: wire, bytes, ends };
}

/** The jobs of a batch, each with its transaction and spent scripts as views into the batch's buffer. */
export function unpackBatch(msg: WireBatch): Job[] {
  const out: Job[] = new Array(msg.jobs.length);
  let start = 0;
  let e = 0;
  for (let i = 0; i < msg.jobs.length; i++) {
    const w = msg.jobs[i]!;
    const end = msg.ends[e++]!;
    const tx = msg.bytes.subarray(start, end);
    start = end;
    const spent: ScriptsJob['spent'] = new Array(w.spentValues.length);
    for (let k = 0; k < w.spentValues.length; k++) {
      const end2 = msg.ends[e++]!;
      spent[k] = { value: w.spentValues[k]!, scriptPubKey: msg.bytes.subarray(start, end2) };
      start = end2;
    }
    out[i] = { kind: 'scripts', id: w.id, tx, spent, flags: w.flags };
  }
  return out;
}

/** Slots per answer in the flat results array. */
const SLOTS = 3;
/** In the error slot of an answer that passed. */
const PASSED = 0;
/** In the input slot of a job that could not run: the error slot holds its message. */
const NOT_RUN = -1;

/**
 * Answers of a batch as one flat array, three slots each: the job id, then PASSED or the
 * ScriptError (or the message of a job that could not run), then the failing input (or
 * NOT_RUN).
 */
export function encodeResults(results: readonly JobResult[]): unknown[] {
  const out: unknown[] = new Array(results.length * SLOTS);
  let k = 0;
  for (const r of results) {
    out[k++] = r.id;
    if (r.kind === 'error') {
      out[k++] = r.message;
      out[k++] = NOT_RUN;
    } else if (r.result.ok) {
      out[k++] = PASSED;
      out[k++] = 0;
    } else {
      out[k++] = r.result.error;
      out[k++] = r.result.input;
    }
  }
  return out;
}

const OK: InputsResult = Object.freeze({ ok: true as const });

/** encodeResults reversed: calls `each` with every answer, in order. */
export function decodeResults(flat: readonly unknown[], each: (r: JobResult) => void): void {
  for (let i = 0; i + SLOTS <= flat.length; i += SLOTS) {
    const id = flat[i] as number;
    const what = flat[i + 1];
    const input = flat[i + 2] as number;
    if (input === NOT_RUN) each({ id, kind: 'error', message: what as string });
    else if (what === PASSED) each({ id, kind: 'scripts', result: OK });
    else each({ id, kind: 'scripts', result: { ok: false, error: what as ScriptError, input } });
  }
}
