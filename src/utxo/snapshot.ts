/**
 * Loads UTXO snapshots in Bitcoin Core's `dumptxoutset` format, version 2
 * (snapshot-format.ts; validation.cpp PopulateAndValidateSnapshot), streaming: bounded
 * memory besides the set itself. Writing is in snapshot-write.ts.
 */
import { DecodeError } from '../primitives/decode-error.ts';
import { MAX_SIZE } from '../primitives/codec.ts';
import {
  decompressAmount, decompressAmountNum, decompressPubKeyXY, KIND_P2PK_FULL, KIND_P2TR, KIND_P2WPKH, KIND_P2WSH, KIND_PAYLOAD, KIND_RAW,
  MAX_MONEY, MAX_SCRIPT_SIZE, N_SPECIAL_SCRIPTS, readVarIntAt,
} from './compress.ts';
import { ByteWindow, STITCH } from './byte-window.ts';
import type { RawCoinSink } from './group-writer.ts';
import { UtxoSet, type UtxoSetOptions } from './set.ts';
import { NETWORK_MAGIC, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, type SnapshotHeader } from './snapshot-format.ts';
import { SerializedHasher } from './snapshot-hash.ts';

export { NETWORK_MAGIC, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, type SnapshotHeader, type SnapshotMeta } from './snapshot-format.ts';
export { snapshotChunks, writeSnapshot } from './snapshot-write.ts';

export type ByteSource = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface LoadOptions {
  /** Reject a snapshot of another network (Core's SnapshotMetadata::Unserialize check). */
  networkMagic?: Uint8Array;
  /** Reject coins above this height (PopulateAndValidateSnapshot's base height check). */
  baseHeight?: number;
  onProgress?: (coinsLoaded: number, coinsCount: number) => void;
  /** Progress callback period in coins (default 100 000). */
  progressEvery?: number;
  set?: UtxoSetOptions;
  /**
   * Called once the header is read, before any coin: may refuse the snapshot (throw) or
   * name its base height (then coins above it are refused, as baseHeight).
   */
  onHeader?: (header: SnapshotHeader) => { baseHeight?: number } | void;
  /** Compute Core's hash_serialized_3 while loading (snapshot-hash.ts). */
  hash?: boolean;
  /**
   * Receives every chunk of the source, in order, once the loader no longer reads it (it
   * may be transferred to a worker: hashSnapshot there, src/node/snapshot-load.ts).
   */
  onChunkDone?: (chunk: Uint8Array) => void;
}

/** What the load found besides the header. */
export interface LoadedSnapshot extends SnapshotHeader {
  /** hash_serialized_3, internal byte order (with `hash`). */
  hashSerialized?: Uint8Array;
  /** The coins came in LevelDB's order (txid, then vout): the streamed hash is Core's. */
  ordered?: boolean;
  /** The highest coin height (the base block's own coinbase is always among the coins). */
  maxHeight: number;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

async function* chunksOf(src: ByteSource): AsyncGenerator<Uint8Array> {
  if (src instanceof Uint8Array) {
    yield src;
    return;
  }
  if (typeof (src as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (src as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value && value.length) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const c of src as AsyncIterable<Uint8Array>) if (c.length) yield c;
}

/** Bytes that always suffice for one coin with a script up to MAX_SCRIPT_SIZE (ByteWindow.fill's limit). */
const LOW_WATER = STITCH;

class Truncated extends Error {}

/**
 * Loads a snapshot into a new UtxoSet (one version). Throws DecodeError with Core's
 * messages on malformed input.
 */
export async function loadSnapshot(src: ByteSource, opts: LoadOptions = {}): Promise<{ set: UtxoSet; meta: LoadedSnapshot }> {
  const it = chunksOf(src);
  const w = new ByteWindow(it, opts.onChunkDone);
  try {
    const r = await load(w, opts);
    w.releaseRest();
    return { set: r.set!, meta: r.meta };
  } finally {
    await it.return(undefined);
  }
}

/** A sink that keeps nothing: the coins are only parsed, checked and hashed. */
const NO_SET: RawCoinSink = { beginGroup() {}, addCoin() {}, endGroup() {} };

/**
 * Parses a snapshot with the loader's checks and computes its hash_serialized_3 without
 * building a set: the second consumer of a load's chunks (onChunkDone), on a worker.
 */
export async function hashSnapshot(src: ByteSource): Promise<LoadedSnapshot> {
  const it = chunksOf(src);
  try {
    return (await load(new ByteWindow(it), { hash: true }, NO_SET)).meta;
  } finally {
    await it.return(undefined);
  }
}

async function load(w: ByteWindow, opts: LoadOptions, noSet?: RawCoinSink): Promise<{ set: UtxoSet | undefined; meta: LoadedSnapshot }> {
  if (!(await w.fill(51))) throw new DecodeError('truncated', 'Unable to parse metadata: snapshot header truncated');
  let b = w.buf;
  let p = w.pos;
  for (let i = 0; i < 5; i++) {
    if (b[p + i] !== SNAPSHOT_MAGIC[i]) {
      throw new DecodeError('invalid', 'Invalid UTXO set snapshot magic bytes. Please check if this is indeed a snapshot file or if you are using an outdated snapshot format.');
    }
  }
  const version = b[p + 5]! | (b[p + 6]! << 8);
  if (version !== SNAPSHOT_VERSION) throw new DecodeError('invalid', `Version of snapshot ${version} does not match any of the supported versions.`);
  const networkMagic = b.slice(p + 7, p + 11);
  if (opts.networkMagic && hex(opts.networkMagic) !== hex(networkMagic)) {
    const theirs = NETWORK_MAGIC[hex(networkMagic)];
    const ours = NETWORK_MAGIC[hex(opts.networkMagic)] ?? hex(opts.networkMagic);
    throw new DecodeError('invalid', theirs
      ? `The network of the snapshot (${theirs}) does not match the network of this node (${ours}).`
      : 'This snapshot has been created for an unrecognized network. This could be a custom signet, a new testnet or possibly caused by data corruption.');
  }
  const baseBlockHash = b.slice(p + 11, p + 43);
  let coinsCountBig = 0n;
  for (let i = 7; i >= 0; i--) coinsCountBig = (coinsCountBig << 8n) | BigInt(b[p + 43 + i]!);
  if (coinsCountBig > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('invalid', 'Mismatch in coins count in snapshot metadata and actual snapshot data');
  const coinsCount = Number(coinsCountBig);
  w.pos = p + 51;

  const decided = opts.onHeader?.({ networkMagic, baseBlockHash, coinsCount });
  const set = noSet ? undefined : UtxoSet.create(opts.set);
  const sink = set ? set.beginLoad(coinsCount) : noSet!;
  const every = opts.progressEvery ?? 100_000;
  const onProgress = opts.onProgress;
  const baseHeight = decided?.baseHeight ?? opts.baseHeight;
  const txid = new Uint8Array(32);
  const OP_RETURN = new Uint8Array([0x6a]);
  const cur: Cursor = { pos: 0, big: undefined };
  const hasher = opts.hash ? new SerializedHasher() : undefined;
  let maxCode = 0;
  let coinsLeft = coinsCount;
  let processed = 0;
  const truncated = () => new DecodeError('truncated', `Bad snapshot format or truncated snapshot after deserializing ${processed} coins`);
  try {
    while (coinsLeft > 0) {
      if (w.end - w.pos < LOW_WATER && !w.eof) await w.fill(LOW_WATER);
      b = w.buf;
      p = w.pos;
      let end = w.end;
      if (end - p < 33) throw new Truncated();
      for (let i = 0; i < 32; i++) txid[i] = b[p + i]!;
      p += 32;
      // CompactSize coins_per_txid (range-checked like ReadCompactSize)
      cur.pos = p;
      const n = compactSizeCur(b, cur, end);
      p = cur.pos;
      if (n > coinsLeft) throw new DecodeError('invalid', 'Mismatch in coins count in snapshot metadata and actual snapshot data');
      hasher?.beginTxid(txid);
      let groupCode = -1;
      for (let k = 0; k < n; k++) {
        if (end - p < LOW_WATER && !w.eof) {
          w.pos = p;
          await w.fill(LOW_WATER);
          b = w.buf;
          p = w.pos;
          end = w.end;
        }
        cur.pos = p;
        const vout = compactSizeCur(b, cur, end);
        const code = varIntCur(b, cur, end, 32);
        const camount = varIntCur(b, cur, end, 64);
        // the amount (exact below 2^53, which covers MoneyRange)
        const value: number | bigint = camount > 8e15 ? decompressAmount(cur.big ?? camount) : decompressAmountNum(camount);
        // the table stores CompressAmount(value) = camount for these: no recompression
        const ca = typeof value === 'number' ? camount : -1;
        const nSize = varIntCur(b, cur, end, 32);
        p = cur.pos;
        // PopulateAndValidateSnapshot: MoneyRange(coin.out.nValue)
        const badValue = typeof value === 'bigint' ? value > MAX_MONEY : value > 2.1e15;
        if (code >= 2 ** 32) throw new DecodeError('invalid', `Bad snapshot data after deserializing ${processed} coins`);
        if (code !== groupCode) {
          sink.beginGroup(txid, 0, code);
          groupCode = code;
          if (code > maxCode) maxCode = code;
        }
        if (nSize < N_SPECIAL_SCRIPTS) {
          const len = KIND_PAYLOAD[nSize]!;
          if (end - p < len) throw new Truncated();
          if (nSize >= 4) {
            // DecompressScript: recover y now (reads stay cheap); off the curve, Core's
            // script stays empty
            const xy = decompressPubKeyXY(nSize, b, p);
            if (xy) sink.addCoin(vout, value, KIND_P2PK_FULL, xy, 0, 64, ca);
            else sink.addCoin(vout, value, KIND_RAW, b, p, 0, ca);
            hasher?.special(vout, code, value, nSize, b, p, xy);
          } else {
            sink.addCoin(vout, value, nSize, b, p, len, ca);
            hasher?.special(vout, code, value, nSize, b, p);
          }
          p += len;
        } else {
          const len = nSize - N_SPECIAL_SCRIPTS;
          if (len > MAX_SCRIPT_SIZE) {
            // ScriptCompression::Unserialize: overly long script, replaced by OP_RETURN
            sink.addCoin(vout, value, KIND_RAW, OP_RETURN, 0, 1, ca);
            hasher?.raw(vout, code, value, OP_RETURN, 0, 1);
            let skip = len;
            w.pos = p;
            for (;;) {
              const have = Math.min(skip, w.end - w.pos);
              w.pos += have;
              skip -= have;
              if (skip === 0) break;
              if (!(await w.fill(1))) throw new Truncated();
            }
            b = w.buf;
            p = w.pos;
            end = w.end;
          } else {
            if (end - p < len) throw new Truncated();
            let kind = KIND_RAW;
            if (len === 22 && b[p] === 0 && b[p + 1] === 20) kind = KIND_P2WPKH;
            else if (len === 34 && b[p + 1] === 32 && (b[p] === 0 || b[p] === 0x51)) kind = b[p] === 0 ? KIND_P2WSH : KIND_P2TR;
            if (kind === KIND_RAW) sink.addCoin(vout, value, KIND_RAW, b, p, len, ca);
            else sink.addCoin(vout, value, kind, b, p + 2, KIND_PAYLOAD[kind]!, ca);
            hasher?.raw(vout, code, value, b, p, len);
            p += len;
          }
        }
        // PopulateAndValidateSnapshot's per-coin checks
        if (badValue) throw new DecodeError('invalid', `Bad snapshot data after deserializing ${processed} coins - bad tx out value`);
        if (baseHeight !== undefined && Math.floor(code / 2) > baseHeight) throw new DecodeError('invalid', `Bad snapshot data after deserializing ${processed} coins`);
        processed++;
        coinsLeft--;
        if (onProgress && processed % every === 0) onProgress(processed, coinsCount);
      }
      w.pos = p;
    }
  } catch (e) {
    if (e instanceof Truncated || (e instanceof DecodeError && e.code === 'truncated')) throw truncated();
    if (e instanceof DecodeError && e.message.startsWith('ReadVarInt')) throw truncated();
    if (e instanceof DecodeError && (e.code === 'oversize' || e.code === 'non-canonical-compactsize')) throw truncated();
    throw e;
  }
  // Core reads one more byte: anything left is an error
  if (await w.fill(1)) throw new DecodeError('trailing-bytes', `Bad snapshot - coins left over after deserializing ${processed} coins`);
  set?.finishLoad(processed);
  onProgress?.(processed, coinsCount);
  const meta: LoadedSnapshot = { networkMagic, baseBlockHash, coinsCount, maxHeight: Math.floor(maxCode / 2) };
  if (hasher) {
    meta.hashSerialized = hasher.digest();
    meta.ordered = hasher.ordered;
  }
  return { set, meta };
}

interface Cursor {
  pos: number;
  /** Set by varIntCur when the value exceeded 2^53 (then the number returned is Infinity-ish). */
  big: bigint | undefined;
}

/** ReadVarInt (Core's checks for a `bits` field) at cur.pos; advances it. */
function varIntCur(b: Uint8Array, cur: Cursor, end: number, bits: 32 | 64): number {
  let p = cur.pos;
  let n = 0;
  cur.big = undefined;
  for (;;) {
    if (p >= end) throw new Truncated();
    const ch = b[p++]!;
    if (n >= 2 ** 45) {
      const r = readVarIntAt(b, cur.pos, end, bits);
      cur.pos = r.pos;
      if (typeof r.value === 'bigint') {
        cur.big = r.value;
        return Number(r.value);
      }
      return r.value;
    }
    if (bits === 32 && n > 0x1ffffff) throw new DecodeError('invalid', 'ReadVarInt(): size too large');
    n = n * 128 + (ch & 0x7f);
    if (ch & 0x80) {
      if (bits === 32 && n === 0xffffffff) throw new DecodeError('invalid', 'ReadVarInt(): size too large');
      n++;
    } else {
      cur.pos = p;
      return n;
    }
  }
}

function compactSizeCur(b: Uint8Array, cur: Cursor, end: number): number {
  const p = cur.pos;
  if (p < end && b[p]! < 0xfd) {
    cur.pos = p + 1;
    return b[p]!;
  }
  const [n, q] = compactSize(b, p, end);
  cur.pos = q;
  return n;
}

/** ReadCompactSize with Core's canonical and MAX_SIZE checks; returns [value, pos]. */
function compactSize(b: Uint8Array, p: number, end: number): [number, number] {
  if (p >= end) throw new Truncated();
  const first = b[p]!;
  if (first < 0xfd) return [first, p + 1];
  let n: number;
  if (first === 0xfd) {
    if (end - p < 3) throw new Truncated();
    n = b[p + 1]! | (b[p + 2]! << 8);
    if (n < 0xfd) throw new DecodeError('non-canonical-compactsize', 'non-canonical ReadCompactSize()');
    p += 3;
  } else if (first === 0xfe) {
    if (end - p < 5) throw new Truncated();
    n = (b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16) | (b[p + 4]! << 24)) >>> 0;
    if (n < 0x10000) throw new DecodeError('non-canonical-compactsize', 'non-canonical ReadCompactSize()');
    p += 5;
  } else {
    // 0xff: 8 bytes, always above MAX_SIZE once canonical
    if (end - p < 9) throw new Truncated();
    throw new DecodeError('oversize', 'ReadCompactSize(): size too large');
  }
  if (n > MAX_SIZE) throw new DecodeError('oversize', 'ReadCompactSize(): size too large');
  return [n, p];
}

