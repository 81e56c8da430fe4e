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
import { DecodeError } from '../primitives/decode-error.ts';
import { MAX_SIZE } from '../primitives/codec.ts';
import {
  compressAmount, compressAmountNum, decodeVarIntTrusted, decompressAmount, decompressAmountNum, decompressPubKeyXY, KIND_P2PK_FULL, KIND_P2TR,
  KIND_P2WPKH, KIND_P2WSH, KIND_PAYLOAD, KIND_RAW, MAX_MONEY, MAX_SCRIPT_SIZE, N_SPECIAL_SCRIPTS, readVarIntAt, writeVarInt, writeVarIntBig,
} from './compress.ts';
import { AMOUNT_BYTES, AMOUNT_RAW_CODE, PAYLOAD_BYTES, recordEnd } from './layout.ts';
import { emptyGroupView, UtxoSet, type UtxoSetOptions } from './set.ts';

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

/**
 * Refilling byte window over an async chunk source, without copying the chunks: buf is a
 * source chunk itself, or at a chunk boundary a small stitch of the previous chunk's
 * unread tail and the start of the next one (then `next` is that chunk, and once pos
 * passes the tail the window continues in `next` at the same stream position).
 */
class Window {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  eof = false;
  private next: Uint8Array | undefined;
  /** While buf is a stitch: bytes of it that came from the previous chunk. */
  private tail = 0;
  constructor(private readonly it: AsyncGenerator<Uint8Array>) {}
  /** Tries to make at least n bytes (n <= STITCH) available; returns whether it could. */
  async fill(n: number): Promise<boolean> {
    for (;;) {
      if (this.end - this.pos >= n) return true;
      const nx = this.next;
      if (nx !== undefined) {
        // a stitch holds STITCH bytes of nx: being short here means the tail is consumed
        this.pos -= this.tail;
        this.buf = nx;
        this.end = nx.length;
        this.next = undefined;
        this.tail = 0;
        continue;
      }
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return this.end - this.pos >= n;
      }
      const c = r.value;
      const left = this.end - this.pos;
      if (left === 0) {
        this.buf = c;
        this.pos = 0;
        this.end = c.length;
        continue;
      }
      const take = Math.min(c.length, STITCH);
      const st = new Uint8Array(left + take);
      st.set(this.buf.subarray(this.pos, this.end));
      st.set(take === c.length ? c : c.subarray(0, take), left);
      this.buf = st;
      this.pos = 0;
      this.end = st.length;
      if (take < c.length) {
        this.next = c;
        this.tail = left;
      }
    }
  }
}

/** Bytes that always suffice for one coin with a script up to MAX_SCRIPT_SIZE. */
const LOW_WATER = MAX_SCRIPT_SIZE + 64;
/** Bytes of the next chunk a stitch takes (>= LOW_WATER: every fill(n <= LOW_WATER) fits). */
const STITCH = LOW_WATER;

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
      for (let i = 0; i < 32; i++) txid[i] = b[p + i]!;
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
          } else sink.addCoin(vout, value, nSize, b, p, len, ca);
          p += len;
        } else {
          const len = nSize - N_SPECIAL_SCRIPTS;
          if (len > MAX_SCRIPT_SIZE) {
            // ScriptCompression::Unserialize: overly long script, replaced by OP_RETURN
            sink.addCoin(vout, value, KIND_RAW, OP_RETURN, 0, 1, ca);
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
    const hs = set.handlesAt(snap.version);
    const n = hs.length;
    // groups: runs of handles with the same ref (heap order, records by index)
    const gRef = new Float64Array(n + 1);
    const gStart = new Uint32Array(n + 1);
    let ng = 0;
    let lastRef = -1;
    for (let i = 0; i < n; i++) {
      const ref = Math.floor(hs[i]! / 64);
      if (ref !== lastRef) {
        gRef[ng] = ref;
        gStart[ng++] = i;
        lastRef = ref;
      }
    }
    gStart[ng] = n;
    const order = groupOrder(set, gRef, ng);
    let out = new Uint8Array(OUT_CHUNK);
    out.set(SNAPSHOT_MAGIC, 0);
    out[5] = SNAPSHOT_VERSION;
    out[6] = 0;
    out.set(meta.networkMagic, 7);
    out.set(meta.baseBlockHash, 11);
    let cnt = BigInt(n);
    for (let i = 0; i < 8; i++) {
      out[43 + i] = Number(cnt & 0xffn);
      cnt >>= 8n;
    }
    let p = 51;
    const a = emptyGroupView();
    const c = emptyGroupView();
    // one txid's coins: record offsets, their groups' code and segment, vouts
    let rb: Uint8Array[] = [];
    let rp = new Float64Array(64);
    let rc = new Float64Array(64);
    let rv = new Float64Array(64);
    let ri = new Uint32Array(64);
    let i = 0;
    while (i < ng) {
      const g0 = order[i]!;
      set.groupAt(gRef[g0]!, a);
      let j = i + 1;
      while (j < ng && sameTxid(a.b, a.g, set.groupAt(gRef[order[j]!]!, c).b, c.g)) j++;
      let m = 0;
      for (let x = i; x < j; x++) m += gStart[order[x]! + 1]! - gStart[order[x]!]!;
      if (m > rp.length) {
        let sz = rp.length;
        while (sz < m) sz *= 2;
        rp = new Float64Array(sz);
        rc = new Float64Array(sz);
        rv = new Float64Array(sz);
        ri = new Uint32Array(sz);
      }
      // collect the records (walking each group once) and their vouts
      let t = 0;
      let sorted = true;
      for (let x = i; x < j; x++) {
        const gi = order[x]!;
        const gv = x === i ? a : set.groupAt(gRef[gi]!, c);
        const b = gv.b;
        let q = gv.rec;
        let k = 0;
        for (let y = gStart[gi]!; y < gStart[gi + 1]!; y++) {
          const want = hs[y]! % 64;
          while (k < want) {
            q = recordEnd(b, q);
            k++;
          }
          rb[t] = b;
          rp[t] = q;
          rc[t] = gv.code;
          rv[t] = decodeVarIntTrusted(b, q + 1);
          ri[t] = t;
          if (t > 0 && rv[t]! <= rv[t - 1]!) sorted = false;
          t++;
        }
      }
      // Core orders a txid's coins by vout (LevelDB keys; VARINT preserves the order)
      const idx = sorted ? ri.subarray(0, m) : ri.subarray(0, m).sort((x, y) => rv[x]! - rv[y]!);
      if (out.length - p < MAX_COIN_BYTES) {
        yield out.subarray(0, p);
        out = new Uint8Array(OUT_CHUNK);
        p = 0;
      }
      out.set(a.b.subarray(a.g, a.g + 32), p);
      p = writeCompactSize(out, p + 32, m);
      for (let x = 0; x < m; x++) {
        if (out.length - p < MAX_COIN_BYTES) {
          yield out.subarray(0, p);
          out = new Uint8Array(OUT_CHUNK);
          p = 0;
        }
        const r = idx[x]!;
        p = writeCoreRecord(out, p, rb[r]!, rp[r]!, rv[r]!, rc[r]!);
      }
      i = j;
    }
    rb = [];
    if (p > 0) yield out.subarray(0, p);
  } finally {
    snap.release();
  }
}

/** Writes the table record at b[q] (layout.ts) as Core's vout | Coin; returns the new offset. */
function writeCoreRecord(out: Uint8Array, p: number, b: Uint8Array, q: number, vout: number, code: number): number {
  const tag = b[q++]!;
  while (b[q++]! & 0x80);
  p = writeCompactSize(out, p, vout);
  p = writeVarInt(out, p, code);
  const ac = tag & 15;
  const nb = AMOUNT_BYTES[ac]!;
  if (nb <= 6) {
    let x = 0;
    let mul = 1;
    for (let i = 0; i < nb; i++) {
      x += b[q + i]! * mul;
      mul *= 256;
    }
    const ca = ac < AMOUNT_RAW_CODE ? x : x <= 9e14 ? compressAmountNum(x) : compressAmount(BigInt(x));
    p = typeof ca === 'number' ? writeVarInt(out, p, ca) : writeVarIntBig(out, p, ca);
  } else {
    let x = 0n;
    for (let i = nb - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[q + i]!);
    const ca = ac < AMOUNT_RAW_CODE ? x : compressAmount(x);
    p = typeof ca === 'number' ? writeVarInt(out, p, ca) : writeVarIntBig(out, p, ca);
  }
  q += nb;
  const kind = tag >>> 4;
  switch (kind) {
    case KIND_RAW: {
      const len = decodeVarIntTrusted(b, q);
      while (b[q++]! & 0x80);
      p = writeVarInt(out, p, len + N_SPECIAL_SCRIPTS);
      for (let i = 0; i < len; i++) out[p + i] = b[q + i]!;
      return p + len;
    }
    case KIND_P2WPKH:
    case KIND_P2WSH:
    case KIND_P2TR: {
      const len = PAYLOAD_BYTES[kind]!;
      p = writeVarInt(out, p, len + 2 + N_SPECIAL_SCRIPTS);
      out[p++] = kind === KIND_P2TR ? 0x51 : 0;
      out[p++] = len;
      for (let i = 0; i < len; i++) out[p + i] = b[q + i]!;
      return p + len;
    }
    case KIND_P2PK_FULL:
      // Core's type 4 | (y & 1), then x
      out[p++] = 4 | (b[q + 63]! & 1);
      for (let i = 0; i < 32; i++) out[p + i] = b[q + i]!;
      return p + 32;
    default: {
      const len = PAYLOAD_BYTES[kind]!;
      out[p++] = kind;
      for (let i = 0; i < len; i++) out[p + i] = b[q + i]!;
      return p + len;
    }
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

function compareTxid(a: Uint8Array, ga: number, b: Uint8Array, gb: number): number {
  for (let i = 0; i < 32; i++) {
    const d = a[ga + i]! - b[gb + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Order of the groups by txid bytes as LevelDB iterates Core's coins (equal txids stay in
 * heap order, next to each other). A freshly loaded set is already in that order; else a
 * counting sort on the first two txid bytes, then a comparison sort inside each bucket.
 */
function groupOrder(set: UtxoSet, gRef: Float64Array, ng: number): Uint32Array {
  const order = new Uint32Array(ng);
  const x = emptyGroupView();
  const y = emptyGroupView();
  let sorted = true;
  for (let i = 0; i < ng; i++) {
    order[i] = i;
    if (sorted && i > 0) {
      set.groupAt(gRef[i - 1]!, x);
      set.groupAt(gRef[i]!, y);
      if (compareTxid(x.b, x.g, y.b, y.g) > 0) sorted = false;
    }
  }
  if (sorted) return order;
  const top = new Uint16Array(ng);
  const key = new Float64Array(ng); // txid bytes 2..7, big-endian
  const counts = new Uint32Array(65537);
  for (let i = 0; i < ng; i++) {
    const { b, g } = set.groupAt(gRef[i]!, x);
    const t = (b[g]! << 8) | b[g + 1]!;
    top[i] = t;
    key[i] = ((b[g + 2]! << 8) | b[g + 3]!) * 2 ** 32 + (((b[g + 4]! << 24) | (b[g + 5]! << 16) | (b[g + 6]! << 8) | b[g + 7]!) >>> 0);
    counts[t + 1]!++;
  }
  for (let t = 0; t < 65536; t++) counts[t + 1]! += counts[t]!;
  const fillPos = counts.slice(0, 65536);
  for (let i = 0; i < ng; i++) order[fillPos[top[i]!]!++] = i;
  const cmp = (i: number, j: number): number => {
    const ki = key[i]!;
    const kj = key[j]!;
    if (ki !== kj) return ki - kj;
    set.groupAt(gRef[i]!, x);
    set.groupAt(gRef[j]!, y);
    return compareTxid(x.b, x.g, y.b, y.g) || i - j;
  };
  for (let t = 0; t < 65536; t++) {
    const a = counts[t]!;
    const e = counts[t + 1]!;
    if (e - a > 1) order.subarray(a, e).sort(cmp);
  }
  return order;
}
