/**
 * getrawmempool true (rpc/mempool.cpp MempoolToJSON + entryToJSON) written as bytes: every
 * entry in Core's entryAll order, the fields in Core's order and formats.
 *
 * At 100,000 entries the answer is ~45 MB. Built as JS strings it cost 1.6 s; built as one
 * set of buffers it kept 45 MB of external memory alive, which makes V8 run a full
 * mark-compact of the whole (large) mempool heap on nearly every call. So the answer is a
 * snapshot taken synchronously (the values of every entry, consistent as Core's answer under
 * the mempool lock: nothing can change the pool while it is taken) and written lazily, one
 * short-lived chunk per pull of the response stream (bench/mempool.bench.ts).
 */
import { compareBytes } from '../primitives/bytes.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { MempoolEntry } from '../mempool/types.ts';
import { rbfOptInChecker } from '../mempool/rbf-optin.ts';
import { ascii, CHUNK, JsonWriter } from './json-writer.ts';
import { RawJsonBytes } from './rpc-json.ts';

/** getrawmempool true: `{ txid: entry, ... }` in entryAll order. */
export function rawMempoolVerbose(pool: Mempool): RawJsonBytes {
  // Read the entries in the pool's own order (allocation order: far fewer cache misses than
  // reading them in score order), then sort indices by the copied keys.
  const s = snapshot([...pool.entries()]);
  s.order = dumpOrder(s);
  return new RawJsonBytes(() => writeChunks(s));
}

/** CTxMemPool::entryAll order of the pool (getrawmempool without verbose). */
export function sortedForDump(pool: Mempool): MempoolEntry[] {
  const entries = [...pool.entries()];
  const s = snapshot(entries, false);
  const order = dumpOrder(s);
  returnBuffers(s.bufs);
  return order.map((i) => entries[i]!);
}

/** `{ txid: entry, ... }` for these entries in this order (getmempoolancestors verbose...). */
export function entriesJson(entries: readonly MempoolEntry[]): RawJsonBytes {
  const s = snapshot(entries);
  return new RawJsonBytes(() => writeChunks(s));
}

/** entryToJSON for one entry (getmempoolentry): the same bytes getrawmempool true holds. */
export function entryJsonBytes(e: MempoolEntry): RawJsonBytes {
  const w = new JsonWriter(2048);
  writeEntry(w, snapshot([e]), 0);
  const bytes = w.take();
  return new RawJsonBytes(() => [bytes]);
}

/** entryJsonBytes as text. */
export function entryJsonText(e: MempoolEntry): string {
  const [bytes] = entryJsonBytes(e).chunks() as Uint8Array[];
  return new TextDecoder().decode(bytes);
}

/** Numbers kept per entry in a snapshot, in entryToJSON's order. */
const NUMS = 13; // vsize, weight, time, height, descendantcount/size, ancestorcount/size, 4 fees, bip125-replaceable
const VSIZE = 0;
const ANC_COUNT = 6;
const MOD_FEE = 9;
const NONE: readonly string[] = [];

/** Everything entryToJSON prints for a list of entries, copied out of the pool. */
interface Snapshot {
  n: number;
  entries: readonly MempoolEntry[];
  /** Where hex, nums and prefix live (given back when the answer is written). */
  bufs: Buffers;
  /** Written once: the buffers may serve another answer afterwards. */
  written: boolean;
  /** Display hex of every txid and wtxid as ASCII, 64 bytes each: one cache line to read. */
  hex: Uint8Array;
  nums: Float64Array;
  /** First 6 bytes of each internal txid (the tie-break before a full compare). */
  prefix: Float64Array;
  depends: (readonly string[])[];
  spentby: (readonly string[])[];
  /** Output order: indices into the arrays above. */
  order: readonly number[] | undefined;
}

/** A snapshot's typed arrays, for `cap` entries. */
interface Buffers {
  cap: number;
  hex: Uint8Array;
  nums: Float64Array;
  prefix: Float64Array;
}

/**
 * One set of snapshot buffers kept between answers. At 100,000 entries they are ~22 MB: new
 * ones per call would be external memory that outlives a scavenge and so brings on a full
 * mark-compact of the (large) mempool heap every few calls. Taken by one answer at a time;
 * a concurrent answer allocates its own. Never handed outside this module.
 */
let spare: Buffers | undefined;
const POOLED_MIN = 1024;

function takeBuffers(n: number): Buffers {
  if (spare !== undefined && spare.cap >= n) {
    const b = spare;
    spare = undefined;
    return b;
  }
  const cap = n < POOLED_MIN ? n : Math.ceil(n * 1.25);
  return { cap, hex: new Uint8Array(cap * 128), nums: new Float64Array(cap * NUMS), prefix: new Float64Array(cap) };
}

function returnBuffers(b: Buffers): void {
  if (b.cap >= POOLED_MIN && (spare === undefined || spare.cap < b.cap)) spare = b;
}

/** Copies what entryToJSON prints (only the sort keys when `full` is false). */
function snapshot(entries: readonly MempoolEntry[], full = true): Snapshot {
  const n = entries.length;
  const rbf = rbfOptInChecker();
  const bufs = takeBuffers(n);
  const nums = bufs.nums;
  const s: Snapshot = {
    n, entries, bufs, written: false, hex: bufs.hex, nums, prefix: bufs.prefix,
    depends: new Array<readonly string[]>(full ? n : 0), spentby: new Array<readonly string[]>(full ? n : 0), order: undefined,
  };
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    s.prefix[i] = e.txidPrefix;
    if (!full) {
      nums[i * NUMS + VSIZE] = e.vsize;
      nums[i * NUMS + ANC_COUNT] = e.ancCount;
      nums[i * NUMS + MOD_FEE] = e.modFee;
      continue;
    }
    copyAscii(s.hex, i * 128, e.txid);
    copyAscii(s.hex, i * 128 + 64, e.wtxid);
    let k = i * NUMS;
    nums[k++] = e.vsize; nums[k++] = e.weight; nums[k++] = e.time; nums[k++] = e.height;
    nums[k++] = e.descCount; nums[k++] = e.descSize; nums[k++] = e.ancCount; nums[k++] = e.ancSize;
    nums[k++] = e.fee; nums[k++] = e.modFee; nums[k++] = e.ancFee; nums[k++] = e.descFee;
    nums[k] = rbf(e) ? 1 : 0;
    s.depends[i] = ids(e.parents, byDisplayHex);
    s.spentby[i] = ids(e.children, byInternal);
  }
  return s;
}

/**
 * CTxMemPool::entryAll order (DepthAndScoreComparator: ancestor count, then
 * CompareTxMemPoolEntryByScore: modified fee rate, then the greater txid first), sorting
 * indices by the snapshot's keys.
 */
function dumpOrder(s: Snapshot): number[] {
  const { nums, prefix, entries } = s;
  const order = new Array<number>(s.n);
  for (let i = 0; i < s.n; i++) order[i] = i;
  return order.sort((x, y) => {
    const kx = x * NUMS;
    const ky = y * NUMS;
    const ax = nums[kx + ANC_COUNT]!;
    const ay = nums[ky + ANC_COUNT]!;
    if (ax !== ay) return ax - ay;
    const f1 = nums[kx + MOD_FEE]! * nums[ky + VSIZE]!;
    const f2 = nums[ky + MOD_FEE]! * nums[kx + VSIZE]!;
    if (f1 !== f2) return f1 > f2 ? -1 : 1;
    if (prefix[x] !== prefix[y]) return prefix[y]! - prefix[x]!;
    return compareBytes(entries[y]!.tx.txid, entries[x]!.tx.txid);
  });
}

function copyAscii(dst: Uint8Array, at: number, s: string): void {
  for (let i = 0; i < 64; i++) dst[at + i] = s.charCodeAt(i);
}

/** The txids of these entries, sorted (display hex for depends, internal order for spentby). */
function ids(set: Set<MempoolEntry>, order: (a: MempoolEntry, b: MempoolEntry) => number): readonly string[] {
  if (set.size === 0) return NONE;
  if (set.size === 1) for (const x of set) return [x.txid];
  return [...set].sort(order).map((x) => x.txid);
}

/** std::set<std::string> of display hex (setDepends). */
const byDisplayHex = (a: MempoolEntry, b: MempoolEntry): number => (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : 0);
/** CompareIteratorByHash: the children set in uint256 (internal byte) order. */
export const byInternal = (a: MempoolEntry, b: MempoolEntry): number => compareBytes(a.tx.txid, b.tx.txid);

/** The snapshot's JSON, one chunk of about CHUNK bytes at a time. */
function* writeChunks(s: Snapshot): Generator<Uint8Array<ArrayBuffer>> {
  if (s.written) throw new Error('a mempool JSON answer is written once');
  s.written = true;
  try {
    const w = new JsonWriter();
    const order = s.order;
    w.byte(0x7b);
    for (let j = 0; j < s.n; j++) {
      const i = order ? order[j]! : j;
      if (j > 0) w.byte(0x2c);
      w.asciiBytes(s.hex, i * 128, 64);
      w.byte(0x3a);
      writeEntry(w, s, i);
      if (w.pos > CHUNK - 4096) yield w.take();
    }
    w.byte(0x7d);
    yield w.take();
  } finally {
    // Finished or cancelled (the stream's cancel calls return()): the buffers can serve the next answer.
    returnBuffers(s.bufs);
  }
}

const K = {
  vsize: ascii('{"vsize":'),
  weight: ascii(',"weight":'),
  time: ascii(',"time":'),
  height: ascii(',"height":'),
  descCount: ascii(',"descendantcount":'),
  descSize: ascii(',"descendantsize":'),
  ancCount: ascii(',"ancestorcount":'),
  ancSize: ascii(',"ancestorsize":'),
  wtxid: ascii(',"wtxid":'),
  base: ascii(',"fees":{"base":'),
  modified: ascii(',"modified":'),
  ancestor: ascii(',"ancestor":'),
  descendant: ascii(',"descendant":'),
  depends: ascii('},"depends":['),
  spentby: ascii('],"spentby":['),
  rbf: ascii('],"bip125-replaceable":'),
  end: ascii(',"unbroadcast":false}'),
};

function writeList(w: JsonWriter, list: readonly string[]): void {
  for (let i = 0; i < list.length; i++) {
    if (i > 0) w.byte(0x2c);
    w.asciiString(list[i]!);
  }
}

/** entryToJSON (Core v29/v30 fields, in Core's order) for snapshot entry i. */
function writeEntry(w: JsonWriter, s: Snapshot, i: number): void {
  const nums = s.nums;
  let k = i * NUMS;
  w.raw(K.vsize); w.int(nums[k++]!);
  w.raw(K.weight); w.int(nums[k++]!);
  w.raw(K.time); w.int(nums[k++]!);
  w.raw(K.height); w.int(nums[k++]!);
  w.raw(K.descCount); w.int(nums[k++]!);
  w.raw(K.descSize); w.int(nums[k++]!);
  w.raw(K.ancCount); w.int(nums[k++]!);
  w.raw(K.ancSize); w.int(nums[k++]!);
  w.raw(K.wtxid); w.asciiBytes(s.hex, i * 128 + 64, 64);
  w.raw(K.base); w.btc(nums[k++]!);
  w.raw(K.modified); w.btc(nums[k++]!);
  w.raw(K.ancestor); w.btc(nums[k++]!);
  w.raw(K.descendant); w.btc(nums[k++]!);
  w.raw(K.depends); writeList(w, s.depends[i]!);
  w.raw(K.spentby); writeList(w, s.spentby[i]!);
  w.raw(K.rbf); w.bool(nums[k] === 1);
  w.raw(K.end);
}
