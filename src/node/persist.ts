/**
 * The node's data directory: the UTXO set (Core's dumptxoutset format, src/node/utxo-store.ts),
 * the active chain's headers, and the mempool (like Core's mempool.dat), every file
 * replaced crash-safely (temp file, fsync, rename, fsync of the directory).
 *
 *   <datadir>/utxo/…         UtxoStore: the set and its CURRENT pointer (meta: tip height/hash)
 *   <datadir>/headers.dat    80-byte headers of heights 1..n, written BEFORE the set
 *   <datadir>/mempool.dat    "txgm" ‖ u32 version ‖ CompactSize count ‖ (u64 time ‖ i64 delta ‖ tx)*
 *
 * Order matters: headers are saved first, then the set whose metadata names its tip. A crash
 * between the two leaves headers ahead of the set; load() cuts them back to the set's tip
 * (and checks the hash), so the state that loads is always the last complete save.
 */
import { ByteReader, ByteWriter } from '../primitives/codec.ts';
import { hashToHex } from '../primitives/bytes.ts';
import { hash256 } from '../primitives/hash.ts';
import { ensureDir, joinPath, readFileChunks, writeFileAtomic } from '../runtime/fs.ts';
import { UtxoStore } from './utxo-store.ts';
import type { UtxoSet } from '../utxo/set.ts';
import type { SnapshotBase } from '../chain/snapshot-base.ts';

interface TipMeta {
  height: number;
  /** Display order. */
  tip: string;
  /** The set came from a snapshot at `tip` whose header chain is not known yet (headers.dat is empty). */
  awaitingHeaders?: SnapshotBase;
}

export interface SavedChain {
  set: UtxoSet;
  headers: Uint8Array[];
  /** Set when the saved set is at a snapshot base whose headers are still missing. */
  awaitingHeaders?: SnapshotBase;
}

export interface MempoolRecord {
  tx: Uint8Array;
  /** Entry time, unix seconds. */
  time: number;
  /** prioritisetransaction delta (sats). */
  feeDelta: number;
}

/** A whole file's bytes, or undefined when it does not exist. */
export async function readAll(path: string): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const c of readFileChunks(path)) {
      parts.push(c.slice());
      n += c.length;
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const MEMPOOL_MAGIC = 0x6d677874; // "txgm" little-endian
const MEMPOOL_VERSION = 1;

export class NodeStore {
  private constructor(readonly datadir: string, private readonly utxo: UtxoStore) {}

  static async open(datadir: string, networkMagic: Uint8Array): Promise<NodeStore> {
    await ensureDir(datadir);
    const utxo = await UtxoStore.open(joinPath(datadir, 'utxo'), { networkMagic });
    return new NodeStore(datadir, utxo);
  }

  /** The last complete save, or undefined for a new data directory. */
  async load(onProgress?: (loaded: number, total: number) => void): Promise<SavedChain | undefined> {
    const saved = await this.utxo.load(onProgress ? { onProgress } : {});
    if (!saved) return undefined;
    const meta = saved.meta as TipMeta;
    if (meta.awaitingHeaders) return { set: saved.set, headers: [], awaitingHeaders: meta.awaitingHeaders };
    const raw = (await readAll(joinPath(this.datadir, 'headers.dat'))) ?? new Uint8Array(0);
    if (raw.length < 80 * meta.height) throw new Error(`data directory: headers.dat has ${Math.floor(raw.length / 80)} headers, the UTXO set is at height ${meta.height}`);
    const headers: Uint8Array[] = [];
    for (let h = 0; h < meta.height; h++) headers.push(raw.subarray(80 * h, 80 * h + 80));
    const last = headers[headers.length - 1];
    if (last && hashToHex(hash256(last)) !== meta.tip) throw new Error(`data directory: headers.dat does not lead to the UTXO set's tip ${meta.tip}`);
    return { set: saved.set, headers };
  }

  /**
   * Saves the chain (headers of heights 1..n, 80 bytes each, in chunks of any number of
   * headers, written one after another) and the set: headers first, then the set whose
   * CURRENT names the tip. The caller keeps the chain still until this resolves (the node
   * holds block connection back meanwhile), so headers and set describe the same tip.
   */
  async save(set: UtxoSet, headers: Uint8Array[], tip: { height: number; hash: string; hashInternal: Uint8Array }, awaitingHeaders?: SnapshotBase): Promise<void> {
    await writeFileAtomic(joinPath(this.datadir, 'headers.dat'), headers);
    const meta: TipMeta = { height: tip.height, tip: tip.hash, ...(awaitingHeaders ? { awaitingHeaders } : {}) };
    await this.utxo.save(set, meta, { baseBlockHash: tip.hashInternal });
  }

  async saveMempool(records: MempoolRecord[], opts: { onProgress?: (bytes: number) => void | Promise<void> } = {}): Promise<void> {
    const w = new ByteWriter(1024);
    w.u32(MEMPOOL_MAGIC).u32(MEMPOOL_VERSION).compactSize(records.length);
    for (const r of records) w.i64(BigInt(r.time)).i64(BigInt(r.feeDelta)).varBytes(r.tx);
    const bytes = w.finish();
    // Written in 64 KiB chunks (progress per chunk); the rename makes it all-or-nothing.
    const chunks: Uint8Array[] = [];
    for (let o = 0; o < bytes.length; o += 65536) chunks.push(bytes.subarray(o, o + 65536));
    await writeFileAtomic(joinPath(this.datadir, 'mempool.dat'), chunks, opts.onProgress ? { onProgress: opts.onProgress } : {});
  }

  async loadMempool(): Promise<MempoolRecord[]> {
    const raw = await readAll(joinPath(this.datadir, 'mempool.dat'));
    if (!raw) return [];
    const r = new ByteReader(raw, 'mempool.dat');
    if (r.u32() !== MEMPOOL_MAGIC || r.u32() !== MEMPOOL_VERSION) throw new Error('mempool.dat: unknown format');
    const n = r.compactSize();
    const out: MempoolRecord[] = [];
    for (let i = 0; i < n; i++) {
      const time = Number(r.i64());
      const feeDelta = Number(r.i64());
      out.push({ time, feeDelta, tx: r.varBytes('transaction').slice() });
    }
    r.end();
    return out;
  }
}
