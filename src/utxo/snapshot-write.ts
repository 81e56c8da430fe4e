/**
 * Writes a UtxoSet as a Core `dumptxoutset` snapshot, version 2 (snapshot-format.ts), in
 * Core's order (coins by ascending txid, then vout), streaming from a version pinned for
 * the whole dump, so batches may be applied meanwhile.
 */
import {
  compressAmount, compressAmountNum, decodeVarIntTrusted, KIND_P2PK_FULL, KIND_P2TR, KIND_P2WPKH, KIND_P2WSH, KIND_RAW, MAX_SCRIPT_SIZE,
  N_SPECIAL_SCRIPTS, writeVarInt, writeVarIntBig,
} from './compress.ts';
import { AMOUNT_BYTES, AMOUNT_RAW_CODE, PAYLOAD_BYTES, recordEnd } from './layout.ts';
import { emptyGroupView, type UtxoSet } from './set.ts';
import { SNAPSHOT_MAGIC, SNAPSHOT_VERSION, type SnapshotMeta } from './snapshot-format.ts';

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
/** Coins per pass of the writer: its memory, about 20 bytes per coin of a pass, whatever the set's size. */
export const PASS_COINS = 1 << 23;

/** The chunk being filled. */
interface Out {
  out: Uint8Array;
  p: number;
}

/**
 * Streams the set as a Core snapshot (version 2), from a version pinned at the call:
 * batches applied while the chunks are consumed do not show. Chunks are fresh arrays.
 *
 * Core's order (txid, then vout) in bounded memory: the set is walked in passes over
 * ranges of the txid's first two bytes, each of about `passCoins` coins, sorted within the
 * pass. The ranges are sized at the call from the live slots per heap chunk and the txid
 * range of each chunk's groups (a set loaded from a snapshot lies in txid order in its
 * heap, so a pass reads the groups of its own chunks only).
 */
export function* snapshotChunks(set: UtxoSet, meta: SnapshotMeta, passCoins = PASS_COINS): Generator<Uint8Array> {
  if (meta.networkMagic.length !== 4 || meta.baseBlockHash.length !== 32) throw new Error('snapshotChunks: bad metadata');
  const snap = set.pin();
  try {
    const v = snap.version;
    // at the call v is the latest version: every live slot is a coin of v
    const per = set.slotsPerChunk(v);
    let n = 0;
    for (let c = 0; c < per.length; c++) n += per[c]!;
    const { minBin, maxBin } = set.txidBins();
    const o: Out = { out: new Uint8Array(OUT_CHUNK), p: 51 };
    const out = o.out;
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
    let written = 0;
    for (const [lo, hi, expect] of passRanges(per, minBin, maxBin, passCoins)) {
      const hs = set.handlesAt(v, { lo, hi, minBin, maxBin, expect: Math.ceil(expect * 1.25) });
      written += hs.length;
      yield* writeCoins(set, hs, o);
    }
    if (written !== n) throw new Error(`snapshotChunks: ${written} coins written, ${n} counted`);
    if (o.p > 0) yield o.out.subarray(0, o.p);
  } finally {
    snap.release();
  }
}

/**
 * Txid ranges [lo, hi) of the first two bytes with about `budget` coins each (estimated:
 * each chunk's live slots spread evenly over its groups' range, or over all of them when
 * it is not known), and each range's estimate.
 */
function passRanges(per: Float64Array, minBin: Int32Array, maxBin: Int32Array, budget: number): [number, number, number][] {
  const diff = new Float64Array(65537);
  for (let c = 0; c < per.length; c++) {
    const k = per[c]!;
    if (k === 0) continue;
    const known = (minBin[c] ?? -1) >= 0;
    const a = known ? minBin[c]! : 0;
    const b = known ? maxBin[c]! : 65535;
    diff[a] = diff[a]! + k / (b - a + 1);
    diff[b + 1] = diff[b + 1]! - k / (b - a + 1);
  }
  const ranges: [number, number, number][] = [];
  let lo = 0;
  let acc = 0;
  let rate = 0;
  for (let bin = 0; bin < 65536; bin++) {
    rate += diff[bin]!;
    if (acc > 0 && acc + rate > budget) {
      ranges.push([lo, bin, acc]);
      lo = bin;
      acc = 0;
    }
    acc += rate;
  }
  ranges.push([lo, 65536, acc]);
  return ranges;
}

/** Writes the coins of `hs` (handles in heap order) in Core's order into o, yielding full chunks. */
function* writeCoins(set: UtxoSet, hs: Float64Array, o: Out): Generator<Uint8Array> {
  const n = hs.length;
  // groups: runs of handles with the same ref (heap order, records by index); counted
  // first so the two arrays take 8 bytes per group, not 12 per coin
  let ng = 0;
  let lastRef = -1;
  for (let i = 0; i < n; i++) {
    const ref = Math.floor(hs[i]! / 64);
    if (ref !== lastRef) {
      ng++;
      lastRef = ref;
    }
  }
  // refs are u32 heap unit addresses (layout.ts)
  const gRef = new Uint32Array(ng + 1);
  const gStart = new Uint32Array(ng + 1);
  ng = 0;
  lastRef = -1;
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
  let { out, p } = o;
  const a = emptyGroupView();
  const c = emptyGroupView();
  // one txid's coins: record offsets, their groups' code and segment, vouts
  const rb: Uint8Array[] = [];
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
  o.out = out;
  o.p = p;
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
function groupOrder(set: UtxoSet, gRef: Uint32Array, ng: number): Uint32Array {
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
