/**
 * Persistence of the UTXO set and the chain tip in a data directory, crash-safe.
 *
 *   <dir>/utxo-<seq>.dat   the set, in Core's dumptxoutset format (snapshot.ts)
 *   <dir>/CURRENT          JSON {format, seq, bytes, coins, meta}: the one good state
 *
 * save(): write utxo-<seq+1>.dat (temp file, fsync, rename, fsync dir), then replace
 * CURRENT the same way, then delete older .dat files. A crash at any point leaves CURRENT
 * naming a complete, fsynced file: the previous state or the new one.
 */
import { ensureDir, fileSize, joinPath, listDir, readFileChunks, readText, removeFile, writeFileAtomic } from '../runtime/fs.ts';
import { loadSnapshot, snapshotChunks, type SnapshotMeta } from '../utxo/snapshot.ts';
import type { UtxoSet, UtxoSetOptions } from '../utxo/set.ts';

const FORMAT = 'txgate-utxo-1';

interface Current {
  format: string;
  seq: number;
  bytes: number;
  coins: number;
  networkMagic: string;
  baseBlockHash: string;
  meta: unknown;
}

export interface StoreOptions {
  /** Network magic written in the snapshot header (default regtest fabfb5da). */
  networkMagic?: Uint8Array;
  set?: UtxoSetOptions;
}

export interface SaveOptions {
  /** Block hash for the snapshot header (internal order); zeros when omitted. */
  baseBlockHash?: Uint8Array;
  onProgress?: (bytes: number) => void | Promise<void>;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export class UtxoStore {
  private constructor(readonly dir: string, private readonly opts: StoreOptions, private seq: number) {}

  /** Opens (creating) the data directory and removes leftovers of interrupted saves. */
  static async open(dir: string, opts: StoreOptions = {}): Promise<UtxoStore> {
    await ensureDir(dir);
    const cur = await UtxoStore.readCurrent(dir);
    const store = new UtxoStore(dir, opts, cur?.seq ?? 0);
    for (const name of await listDir(dir)) {
      const m = /^utxo-(\d+)\.dat(\.tmp)?$/.exec(name);
      if ((m && (m[2] || Number(m[1]) !== cur?.seq)) || name === 'CURRENT.tmp') await removeFile(joinPath(dir, name));
    }
    return store;
  }

  private static async readCurrent(dir: string): Promise<Current | undefined> {
    const text = await readText(joinPath(dir, 'CURRENT'));
    if (text === undefined) return undefined;
    const c = JSON.parse(text) as Current;
    if (c.format !== FORMAT) throw new Error(`UtxoStore: unknown format ${String(c.format)} in ${dir}/CURRENT`);
    return c;
  }

  /** The saved state, or undefined for an empty directory. */
  async load(opts: { onProgress?: (loaded: number, total: number) => void } = {}): Promise<{ set: UtxoSet; meta: unknown } | undefined> {
    const cur = await UtxoStore.readCurrent(this.dir);
    if (!cur) return undefined;
    const path = joinPath(this.dir, `utxo-${cur.seq}.dat`);
    const size = await fileSize(path);
    if (size !== cur.bytes) throw new Error(`UtxoStore: ${path} has ${size ?? 'no'} bytes, CURRENT says ${cur.bytes}`);
    const { set, meta } = await loadSnapshot(readFileChunks(path), { networkMagic: unhex(cur.networkMagic), onProgress: opts.onProgress, set: this.opts.set });
    if (meta.coinsCount !== cur.coins) throw new Error('UtxoStore: coin count differs from CURRENT');
    return { set, meta: cur.meta };
  }

  /**
   * Saves the set (at the version current when called; later batches do not show) with
   * the caller's JSON-able metadata (chain tip: hash, height, ...).
   */
  async save(set: UtxoSet, meta: unknown, opts: SaveOptions = {}): Promise<void> {
    const seq = this.seq + 1;
    const snapMeta: SnapshotMeta = {
      networkMagic: this.opts.networkMagic ?? new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]),
      baseBlockHash: opts.baseBlockHash ?? new Uint8Array(32),
    };
    // the coin count is the one in the snapshot header (the version pinned by the writer)
    let coins = -1;
    const chunks = snapshotChunks(set, snapMeta);
    const counted = (function* () {
      for (const c of chunks) {
        if (coins < 0) coins = Number(new DataView(c.buffer, c.byteOffset, c.byteLength).getBigUint64(43, true));
        yield c;
      }
    })();
    const path = joinPath(this.dir, `utxo-${seq}.dat`);
    const bytes = await writeFileAtomic(path, counted, { onProgress: opts.onProgress });
    const cur: Current = { format: FORMAT, seq, bytes, coins, networkMagic: hex(snapMeta.networkMagic), baseBlockHash: hex(snapMeta.baseBlockHash), meta };
    await writeFileAtomic(joinPath(this.dir, 'CURRENT'), [new TextEncoder().encode(JSON.stringify(cur))]);
    const prev = this.seq;
    this.seq = seq;
    if (prev > 0) await removeFile(joinPath(this.dir, `utxo-${prev}.dat`));
  }
}
