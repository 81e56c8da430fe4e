/**
 * UTXO snapshots in Bitcoin Core's `dumptxoutset` format, version 2
 * (node/utxo_snapshot.h SnapshotMetadata, rpc/blockchain.cpp WriteUTXOSnapshot,
 * validation.cpp PopulateAndValidateSnapshot):
 *
 *   "utxo\xff" | u16 version=2 | 4-byte network magic | 32-byte base block hash | u64 coins
 *   then per txid (ascending, as LevelDB orders the coins): txid | CompactSize(n) |
 *   n x ( CompactSize(vout) | Coin )
 *   Coin = VARINT(height*2+coinbase) | VARINT(CompressAmount(value)) | ScriptCompression
 *
 * Loading streams (bounded memory besides the set itself); writing streams too, from a
 * version pinned for the whole dump, so batches may be applied meanwhile.
 */
import { DecodeError } from '../primitives/errors.ts';
import { MAX_SIZE } from '../primitives/codec.ts';
import {
  decompressAmount, decompressAmountNum, decompressPubKeyXY, KIND_P2PK_FULL, KIND_P2TR, KIND_P2WPKH, KIND_P2WSH, KIND_PAYLOAD, KIND_RAW, MAX_MONEY, MAX_SCRIPT_SIZE,
  N_SPECIAL_SCRIPTS, readVarIntAt, writeVarInt,
} from './compress.ts';
import { emptyRawRecord, UtxoSet, type UtxoSetOptions } from './set.ts';

export const SNAPSHOT_MAGIC = new Uint8Array([0x75, 0x74, 0x78, 0x6f, 0xff]);
export const SNAPSHOT_VERSION = 2;

/** pchMessageStart of the networks Core knows (kernel/chainparams.cpp), for messages. */
export const NETWORK_MAGIC: Readonly<Record<string, string>> = {
  f9beb4d9: 'main',
  '0b110907': 'test',
  '1c163f28': 'testnet4',
  '0a03cf40': 'signet',
  fabfb5da: 'regtest',
};

export interface SnapshotMeta {
  /** 4 bytes (pchMessageStart). */
  networkMagic: Uint8Array;
  /** Internal byte order. */
  baseBlockHash: Uint8Array;
}
export interface SnapshotHeader extends SnapshotMeta {
  coinsCount: number;
}

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

/** Refilling byte window over an async chunk source. */
class Window {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  eof = false;
  consumed = 0; // bytes dropped before buf[0]
  constructor(private readonly it: AsyncGenerator<Uint8Array>) {}
  /** Tries to make at least n bytes available; returns whether it could. */
  async fill(n: number): Promise<boolean> {
    while (this.end - this.pos < n && !this.eof) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        break;
      }
      const c = r.value;
      const left = this.end - this.pos;
      if (left === 0) {
        this.consumed += this.end;
        this.buf = c;
        this.pos = 0;
        this.end = c.length;
      } else {
        const nb = new Uint8Array(left + c.length);
        nb.set(this.buf.subarray(this.pos, this.end));
        nb.set(c, left);
        this.consumed += this.pos;
        this.buf = nb;
        this.pos = 0;
        this.end = nb.length;
      }
    }
    return this.end - this.pos >= n;
  }
}

/** Bytes that always suffice for one coin with a script up to MAX_SCRIPT_SIZE. */
const LOW_WATER = MAX_SCRIPT_SIZE + 64;

class Truncated extends Error {}

/**
 * Loads a snapshot into a new UtxoSet (one version). Throws DecodeError with Core's
 * messages on malformed input.
 */
export async function loadSnapshot(src: ByteSource, opts: LoadOptions = {}): Promise<{ set: UtxoSet; meta: SnapshotHeader }> {
  const it = chunksOf(src);
  const w = new Window(it);
  try {
    return await load(w, opts);
  } finally {
    await it.return(undefined);
  }
}

async function load(w: Window, opts: LoadOptions): Promise<{ set: UtxoSet; meta: SnapshotHeader }> {
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

  const set = UtxoSet.create(opts.set);
  const sink = set.beginLoad(coinsCount);
  const every = opts.progressEvery ?? 100_000;
  const onProgress = opts.onProgress;
  const baseHeight = opts.baseHeight;
  const txid = new Uint8Array(32);
  const OP_RETURN = new Uint8Array([0x6a]);
  const cur: Cursor = { pos: 0, big: undefined };
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
      txid.set(b.subarray(p, p + 32));
      p += 32;
      // CompactSize coins_per_txid (range-checked like ReadCompactSize)
      cur.pos = p;
      const n = compactSizeCur(b, cur, end);
      p = cur.pos;
      if (n > coinsLeft) throw new DecodeError('invalid', 'Mismatch in coins count in snapshot metadata and actual snapshot data');
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
        const amountStart = cur.pos;
        const camount = varIntCur(b, cur, end, 64);
        const amountEnd = cur.pos;
        const nSize = varIntCur(b, cur, end, 32);
        p = cur.pos;
        // PopulateAndValidateSnapshot: MoneyRange(coin.out.nValue)
        const badValue = camount > 8e15 ? decompressAmount(cur.big ?? camount) > MAX_MONEY : decompressAmountNum(camount) > 2.1e15;
        if (code >= 2 ** 32) throw new DecodeError('invalid', `Bad snapshot data after deserializing ${processed} coins`);
        if (code !== groupCode) {
          sink.beginGroup(txid, 0, code);
          groupCode = code;
        }
        if (nSize < N_SPECIAL_SCRIPTS) {
          const len = KIND_PAYLOAD[nSize]!;
          if (end - p < len) throw new Truncated();
          if (nSize >= 4) {
            // DecompressScript: recover y now (reads stay cheap); off the curve, Core's
            // script stays empty
            const xy = decompressPubKeyXY(nSize, b, p);
            if (xy) sink.addCoin(vout, b, amountStart, amountEnd - amountStart, KIND_P2PK_FULL, xy, 0, 64);
            else sink.addCoin(vout, b, amountStart, amountEnd - amountStart, KIND_RAW, b, p, 0);
          } else sink.addCoin(vout, b, amountStart, amountEnd - amountStart, nSize, b, p, len);
          p += len;
        } else {
          const len = nSize - N_SPECIAL_SCRIPTS;
          if (len > MAX_SCRIPT_SIZE) {
            // ScriptCompression::Unserialize: overly long script, replaced by OP_RETURN
            sink.addCoin(vout, b, amountStart, amountEnd - amountStart, KIND_RAW, OP_RETURN, 0, 1);
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
            if (kind === KIND_RAW) sink.addCoin(vout, b, amountStart, amountEnd - amountStart, KIND_RAW, b, p, len);
            else sink.addCoin(vout, b, amountStart, amountEnd - amountStart, kind, b, p + 2, KIND_PAYLOAD[kind]!);
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
  set.finishLoad(processed);
  onProgress?.(processed, coinsCount);
  return { set, meta: { networkMagic, baseBlockHash, coinsCount } };
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

function writeCompactSize(b: Uint8Array, p: number, n: number): number {
  if (n < 0xfd) {
    b[p] = n;
    return p + 1;
  }
  if (n <= 0xffff) {
    b[p] = 0xfd;
    b[p + 1] = n & 0xff;
    b[p + 2] = n >>> 8;
    return p + 3;
  }
  b[p] = 0xfe;
  b[p + 1] = n & 0xff;
  b[p + 2] = (n >>> 8) & 0xff;
  b[p + 3] = (n >>> 16) & 0xff;
  b[p + 4] = n >>> 24;
  return p + 5;
}

const OUT_CHUNK = 1 << 20;
/** The most one coin (with its txid group header) can take. */
const MAX_COIN_BYTES = 32 + 9 + 9 + 5 + 10 + 5 + MAX_SCRIPT_SIZE;

/**
 * Streams the set as a Core snapshot (version 2), from a version pinned at the call:
 * batches applied while the chunks are consumed do not show. Chunks are fresh arrays.
 */
export function* snapshotChunks(set: UtxoSet, meta: SnapshotMeta): Generator<Uint8Array> {
  if (meta.networkMagic.length !== 4 || meta.baseBlockHash.length !== 32) throw new Error('snapshotChunks: bad metadata');
  const snap = set.pin();
  try {
    const refs = set.refsAt(snap.version);
    const order = sortRefs(set, refs);
    let out = new Uint8Array(OUT_CHUNK);
    out.set(SNAPSHOT_MAGIC, 0);
    out[5] = SNAPSHOT_VERSION;
    out[6] = 0;
    out.set(meta.networkMagic, 7);
    out.set(meta.baseBlockHash, 11);
    let cnt = BigInt(refs.length);
    for (let i = 0; i < 8; i++) {
      out[43 + i] = Number(cnt & 0xffn);
      cnt >>= 8n;
    }
    let p = 51;
    let i = 0;
    const n = order.length;
    const first = emptyRawRecord();
    const r = emptyRawRecord();
    while (i < n) {
      // the run of coins with this txid
      set.readRaw(refs[order[i]!]!, first);
      let j = i + 1;
      while (j < n) {
        set.readRaw(refs[order[j]!]!, r);
        if (!sameTxid(first.b, first.g, r.b, r.g)) break;
        j++;
      }
      if (out.length - p < MAX_COIN_BYTES) {
        yield out.subarray(0, p);
        out = new Uint8Array(OUT_CHUNK);
        p = 0;
      }
      out.set(first.b.subarray(first.g, first.g + 32), p);
      p = writeCompactSize(out, p + 32, j - i);
      for (let k = i; k < j; k++) {
        if (out.length - p < MAX_COIN_BYTES) {
          yield out.subarray(0, p);
          out = new Uint8Array(OUT_CHUNK);
          p = 0;
        }
        set.readRaw(refs[order[k]!]!, r);
        p = writeCompactSize(out, p, r.vout);
        p = writeVarInt(out, p, r.code);
        out.set(r.b.subarray(r.amountStart, r.amountEnd), p);
        p += r.amountEnd - r.amountStart;
        const s = r.scriptStart;
        switch (r.kind) {
          case KIND_RAW:
            p = writeVarInt(out, p, r.scriptLen + N_SPECIAL_SCRIPTS);
            out.set(r.b.subarray(s, s + r.scriptLen), p);
            p += r.scriptLen;
            break;
          case KIND_P2WPKH:
          case KIND_P2WSH:
          case KIND_P2TR:
            p = writeVarInt(out, p, r.scriptLen + 2 + N_SPECIAL_SCRIPTS);
            out[p++] = r.kind === KIND_P2TR ? 0x51 : 0;
            out[p++] = r.scriptLen;
            out.set(r.b.subarray(s, s + r.scriptLen), p);
            p += r.scriptLen;
            break;
          case KIND_P2PK_FULL:
            // Core's type 4 | (y & 1), then x
            out[p++] = 4 | (r.b[s + 63]! & 1);
            out.set(r.b.subarray(s, s + 32), p);
            p += 32;
            break;
          default:
            out[p++] = r.kind;
            out.set(r.b.subarray(s, s + r.scriptLen), p);
            p += r.scriptLen;
        }
      }
      i = j;
    }
    if (p > 0) yield out.subarray(0, p);
  } finally {
    snap.release();
  }
}

/** The whole snapshot as one array (tests, small sets). */
export function writeSnapshot(set: UtxoSet, meta: SnapshotMeta): Uint8Array {
  const parts = [...snapshotChunks(set, meta)];
  let n = 0;
  for (const c of parts) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function sameTxid(a: Uint8Array, ga: number, b: Uint8Array, gb: number): boolean {
  for (let i = 0; i < 32; i++) if (a[ga + i] !== b[gb + i]) return false;
  return true;
}

/**
 * Order of refs by (txid bytes, vout) as LevelDB iterates Core's coins: counting sort on
 * the first two txid bytes, then a comparison sort inside each bucket.
 */
function sortRefs(set: UtxoSet, refs: Uint32Array): Uint32Array {
  const n = refs.length;
  const top = new Uint16Array(n);
  const key = new Float64Array(n); // txid bytes 2..5, big-endian
  const counts = new Uint32Array(65537);
  const r = emptyRawRecord();
  const rx = emptyRawRecord();
  const ry = emptyRawRecord();
  for (let i = 0; i < n; i++) {
    set.readRaw(refs[i]!, r);
    const b = r.b;
    const g = r.g;
    const t = (b[g]! << 8) | b[g + 1]!;
    top[i] = t;
    key[i] = ((b[g + 2]! << 24) >>> 0) + (b[g + 3]! << 16) + (b[g + 4]! << 8) + b[g + 5]!;
    counts[t + 1]!++;
  }
  for (let t = 0; t < 65536; t++) counts[t + 1]! += counts[t]!;
  const order = new Uint32Array(n);
  const fillPos = counts.slice(0, 65536);
  for (let i = 0; i < n; i++) order[fillPos[top[i]!]!++] = i;
  const cmp = (x: number, y: number): number => {
    const kx = key[x]!;
    const ky = key[y]!;
    if (kx !== ky) return kx - ky;
    set.readRaw(refs[x]!, rx);
    set.readRaw(refs[y]!, ry);
    for (let i = 6; i < 32; i++) {
      const d = rx.b[rx.g + i]! - ry.b[ry.g + i]!;
      if (d !== 0) return d;
    }
    return rx.vout - ry.vout;
  };
  for (let t = 0; t < 65536; t++) {
    const a = counts[t]!;
    const e = counts[t + 1]!;
    if (e - a > 1) order.subarray(a, e).sort(cmp);
  }
  return order;
}

