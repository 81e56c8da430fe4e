/**
 * Loading a Core `dumptxoutset` file as the node's UTXO set (`--load-snapshot`, JSON-RPC
 * `loadtxoutset`), as Core's ChainstateManager::ActivateSnapshot and
 * PopulateAndValidateSnapshot do it:
 *
 *   - the header: magic, version 2, this network's magic (src/utxo/snapshot.ts);
 *   - the base block must be one of the network's assumeutxo bases (src/chain/params.ts
 *     m_assumeutxo_data), else the load is refused before any coin is read — unless
 *     `trust` (--trust-snapshot);
 *   - the coins stream into a fresh UtxoSet (bounded memory besides the set), with Core's
 *     per-coin checks, while Core's hash_serialized_3 is computed (src/utxo/snapshot-hash.ts)
 *     on a worker that parses the same chunks in parallel (snapshot-hash-worker.ts; on this
 *     thread for a small file);
 *   - at an assumeutxo base the hash must be the chain parameters' one ("Bad snapshot
 *     content hash"), unless `trust`.
 *
 * The caller switches to the new set only when this resolves: a refused or broken snapshot
 * leaves the node as it was. A progress line (coins, MB/s, ETA) goes to the log.
 */
import { assumeutxoForBlockhash, type ChainParams } from '../chain/params.ts';
import type { BlockIndex } from '../chain/block-index.ts';
import type { SnapshotBase } from '../chain/snapshot-base.ts';
import { hashToHex } from '../primitives/bytes.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { fileSize, readFileChunks } from '../runtime/fs.ts';
import type { UtxoSet, UtxoSetOptions } from '../utxo/set.ts';
import { loadSnapshot } from '../utxo/snapshot.ts';
import { SnapshotHashWorker } from './snapshot-hash-worker.ts';

/** Why a snapshot was refused; the message is the one to show (RPC error, start-up failure). */
export class SnapshotLoadError extends Error {
  override readonly name = 'SnapshotLoadError';
  /** open: the file cannot be read; metadata: the header is bad; activation: the rest (Core's three RPC errors). */
  constructor(message: string, readonly kind: 'open' | 'metadata' | 'activation' = 'activation') {
    super(message);
  }
}

export interface SnapshotLoadOptions {
  params: ChainParams;
  /** Accept a base that is no assumeutxo base, or a hash that differs from it (--trust-snapshot). */
  trust?: boolean;
  /** Height of a block whose header the node knows (display hash), for a trusted non-assumeutxo base. */
  knownHeight?: (blockHash: string) => number | undefined;
  /** Why the node refuses this base before any coin is read (ActivateSnapshot's chain checks), if it does. */
  refuseBase?: (blockHash: string) => string | undefined;
  log?: (line: string) => void;
  /** Seconds between progress lines (default 10). */
  progressSeconds?: number;
  set?: UtxoSetOptions;
  now?: () => number;
  /** Hash on a worker (default: for files of HASH_WORKER_BYTES and more). */
  hashWorker?: boolean | undefined;
}

/** Below this file size the hash is computed on the loading thread (a worker's start-up costs more). */
export const HASH_WORKER_BYTES = 16_000_000;

export interface LoadedBase {
  set: UtxoSet;
  base: SnapshotBase;
  /** The base is one of the network's assumeutxo bases and the hash matched. */
  assumeutxo: boolean;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

export async function loadSnapshotFile(path: string, o: SnapshotLoadOptions): Promise<LoadedBase> {
  const size = await fileSize(path);
  if (size === undefined) throw new SnapshotLoadError(`Couldn't open file ${path} for reading.`, 'open');
  const log = o.log ?? (() => {});
  const now = o.now ?? (() => performance.now());
  let bytes = 0;
  const hw = (o.hashWorker ?? size >= HASH_WORKER_BYTES) ? new SnapshotHashWorker() : undefined;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of readFileChunks(path)) {
      bytes += c.length;
      if (hw) await hw.room();
      yield c;
    }
  }
  const names = o.params.assumeutxo.map((a) => a.height).join(', ') || 'none';
  let entry: ReturnType<typeof assumeutxoForBlockhash>;
  let baseHeight: number | undefined;
  const t0 = now();
  let lastLine = t0;
  const every = (o.progressSeconds ?? 10) * 1000;
  let loaded;
  let headerRead = false;
  try {
    loaded = await loadSnapshot(counted(), {
      networkMagic: o.params.magic,
      hash: !hw,
      ...(hw ? { onChunkDone: (c: Uint8Array) => hw.send(c) } : {}),
      progressEvery: 250_000,
      ...(o.set ? { set: o.set } : {}),
      onHeader: (h) => {
        headerRead = true;
        const hash = hashToHex(h.baseBlockHash);
        entry = assumeutxoForBlockhash(o.params, hash);
        baseHeight = entry?.height ?? o.knownHeight?.(hash);
        const refused = o.refuseBase?.(hash);
        if (refused) throw new SnapshotLoadError(refused);
        if (!entry && !o.trust) {
          throw new SnapshotLoadError(`assumeutxo block hash in snapshot metadata not recognized (hash: ${hash}). The following snapshot heights are available: ${names}. Start with --trust-snapshot to load it anyway.`);
        }
        log(`txgate: loading UTXO snapshot ${path}: ${h.coinsCount.toLocaleString('en')} coins at ${baseHeight !== undefined ? `height ${baseHeight}, ` : ''}block ${hash}${entry ? ' (an assumeutxo base)' : ' (trusted: not an assumeutxo base)'}`);
        return baseHeight !== undefined ? { baseHeight } : {};
      },
      onProgress: (n, total) => {
        const t = now();
        if (t - lastLine < every || n === total) return;
        lastLine = t;
        const s = (t - t0) / 1000;
        const rate = bytes / s;
        const eta = rate > 0 ? (size - bytes) / rate : 0;
        log(`txgate: snapshot ${n.toLocaleString('en')} / ${total.toLocaleString('en')} coins (${((100 * n) / total).toFixed(1)}%), ${mb(bytes)} of ${mb(size)} MB at ${(rate / 1e6).toFixed(1)} MB/s, ETA ${Math.ceil(eta)} s`);
      },
    });
    if (hw) {
      const h = await hw.finish();
      if (h.coins !== loaded.meta.coinsCount) throw new SnapshotLoadError('snapshot hash worker: coin count differs from the load');
      loaded.meta.hashSerialized = h.hash;
      loaded.meta.ordered = h.ordered;
    }
  } catch (e) {
    if (e instanceof SnapshotLoadError) throw e;
    if (e instanceof DecodeError) {
      throw headerRead ? new SnapshotLoadError(e.message) : new SnapshotLoadError(e.message.startsWith('Unable to parse metadata') ? e.message : `Unable to parse metadata: ${e.message}`, 'metadata');
    }
    throw e;
  } finally {
    await hw?.close();
  }
  const { set, meta } = loaded;
  const hash = hashToHex(meta.hashSerialized!);
  const blockHash = hashToHex(meta.baseBlockHash);
  let assumeutxo = false;
  if (entry) {
    const problem = !meta.ordered
      ? 'coins are not in txid, vout order, so its content hash cannot be checked'
      : hash !== entry.hashSerialized ? `Bad snapshot content hash: expected ${entry.hashSerialized}, got ${hash}.` : undefined;
    if (problem && !o.trust) throw new SnapshotLoadError(problem);
    if (problem) log(`txgate: WARNING: snapshot at assumeutxo height ${entry.height}: ${problem} Loaded anyway (--trust-snapshot).`);
    assumeutxo = !problem;
  }
  // a trusted base the node knows nothing of: the highest coin is the base block's coinbase
  const height = baseHeight ?? meta.maxHeight;
  const s = (now() - t0) / 1000;
  log(`txgate: snapshot loaded: ${meta.coinsCount.toLocaleString('en')} coins in ${s.toFixed(1)} s (${(meta.coinsCount / s / 1e6).toFixed(2)} M coins/s, ${(size / s / 1e6).toFixed(0)} MB/s), hash_serialized_3 ${hash}`);
  return { set, base: { blockHash, height, hashSerialized: hash, coins: meta.coinsCount }, assumeutxo };
}

/** The raw headers of heights 1..h leading to a known block (display hash), or undefined when it is not known. */
export function baseHeaders(index: { get(hashHex: string): BlockIndex | undefined }, blockHash: string): Uint8Array[] | undefined {
  const idx = index.get(blockHash);
  if (!idx || idx.status === 'failed') return undefined;
  return idx.store.branchHeaders(idx.id);
}
