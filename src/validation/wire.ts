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
  /**
   * The wtxid of `tx` (internal byte order), as the caller computed it decoding `tx`: the
   * worker then does not hash the transaction again. It keys the script-execution cache, so
   * it must be the hash of exactly these bytes. Without it the worker computes it.
   */
  wtxid?: Uint8Array;
  /**
   * Block connection (Core's ConnectBlock): the caches are consulted but nothing is added
   * to them — a block's signatures and scripts are not checked again (CheckInputScripts with
   * cacheSigStore and cacheFullScriptStore false).
   */
  block?: boolean;
}

export type Job = ScriptsJob;

export type JobResult =
  | { id: number; kind: 'scripts'; result: InputsResult }
  /** No verdict: the job could not run (undecodable bytes, a mismatch, a worker fault). */
  | { id: number; kind: 'error'; message: string };

/** A job before the pool numbers it. */
export type JobInput = Omit<ScriptsJob, 'id'>;

/**
 * One batch as posted: one ArrayBuffer, so the structured clone copies a single block of
 * memory rather than an object per job. Its layout, in order:
 *   head    uint32 × 4 per job: id, flags, count of spent outputs, options (OPT_*);
 *   ends    uint32 per piece: where each piece of `bytes` ends (a piece starts where the
 *           previous one ended, the first at 0); the pieces are, job after job, the
 *           transaction and then each spent script;
 *   values  int64 (Core's CAmount) per spent output, in input order, 8-byte aligned;
 *   wtxids  32 bytes per job (zeros when the job has none);
 *   bytes   the pieces.
 * Scripts are copied into the buffer: posting a view of a 2 MB block would clone all of it.
 */
export interface WireBatch {
  type: 'batch';
  batch: number;
  jobs: number;
  inputs: number;
  buf: ArrayBuffer;
}

/** Numbers per job in the head. */
const HEAD = 4;
/** Options word: the job carries its wtxid; it is block connection's. */
const OPT_WTXID = 1;
const OPT_BLOCK = 2;

/** Byte offsets of the parts of a batch of `jobs` jobs and `inputs` spent outputs. */
function layout(jobs: number, inputs: number): { ends: number; values: number; wtxids: number; bytes: number } {
  const ends = jobs * HEAD * 4;
  const values = (ends + (jobs + inputs) * 4 + 7) & ~7;
  const wtxids = values + inputs * 8;
  return { ends, values, wtxids, bytes: wtxids + jobs * 32 };
}

/** Packs jobs (their transactions' bytes and spent scripts) into one batch message. */
export function packBatch(batch: number, jobs: readonly ScriptsJob[]): WireBatch {
  let total = 0;
  let inputs = 0;
  for (const j of jobs) {
    total += j.tx.length;
    inputs += j.spent.length;
    for (const o of j.spent) total += o.scriptPubKey.length;
  }
  const at = layout(jobs.length, inputs);
  const buf = new ArrayBuffer(at.bytes + total);
  const head = new Uint32Array(buf, 0, jobs.length * HEAD);
  const ends = new Uint32Array(buf, at.ends, jobs.length + inputs);
  const values = new BigInt64Array(buf, at.values, inputs);
  const wtxids = new Uint8Array(buf, at.wtxids, jobs.length * 32);
  const bytes = new Uint8Array(buf, at.bytes);
  let o = 0;
  let e = 0;
  let v = 0;
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i]!;
    bytes.set(j.tx, o);
    o += j.tx.length;
    ends[e++] = o;
    head[i * HEAD] = j.id;
    head[i * HEAD + 1] = j.flags;
    head[i * HEAD + 2] = j.spent.length;
    let opts = j.block ? OPT_BLOCK : 0;
    if (j.wtxid) {
      if (j.wtxid.length !== 32) throw new RangeError('a wtxid is 32 bytes');
      wtxids.set(j.wtxid, 32 * i);
      opts |= OPT_WTXID;
    }
    head[i * HEAD + 3] = opts;
    for (let k = 0; k < j.spent.length; k++) {
      const out = j.spent[k]!;
      values[v++] = out.value;
      bytes.set(out.scriptPubKey, o);
      o += out.scriptPubKey.length;
      ends[e++] = o;
    }
  }
  return { type: 'batch', batch, jobs: jobs.length, inputs, buf };
}

/** The jobs of a batch, each with its transaction and spent scripts as views into the batch's buffer. */
export function unpackBatch(msg: WireBatch): Job[] {
  const n = msg.jobs;
  const at = layout(n, msg.inputs);
  const head = new Uint32Array(msg.buf, 0, n * HEAD);
  const ends = new Uint32Array(msg.buf, at.ends, n + msg.inputs);
  const values = new BigInt64Array(msg.buf, at.values, msg.inputs);
  const wtxids = new Uint8Array(msg.buf, at.wtxids, n * 32);
  const bytes = new Uint8Array(msg.buf, at.bytes);
  const out: Job[] = new Array(n);
  let start = 0;
  let e = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[e++]!;
    const tx = bytes.subarray(start, end);
    start = end;
    const count = head[i * HEAD + 2]!;
    const spent: ScriptsJob['spent'] = new Array(count);
    for (let k = 0; k < count; k++) {
      const end2 = ends[e++]!;
      spent[k] = { value: values[v++]!, scriptPubKey: bytes.subarray(start, end2) };
      start = end2;
    }
    const job: Job = { kind: 'scripts', id: head[i * HEAD]!, tx, spent, flags: head[i * HEAD + 1]! };
    const opts = head[i * HEAD + 3]!;
    if (opts & OPT_WTXID) job.wtxid = wtxids.subarray(32 * i, 32 * i + 32);
    if (opts & OPT_BLOCK) job.block = true;
    out[i] = job;
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
