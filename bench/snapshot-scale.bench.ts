/**
 * A UTXO snapshot at mainnet scale: writes a synthetic Core `dumptxoutset` file of N coins
 * (test/utxo/synthetic.ts: P2WPKH 45%, P2PKH 18%, P2TR 15%, P2SH 12%, P2WSH 6.7%, P2PK and
 * odd scripts; realistic amounts; ~1.8 coins per txid), then loads it as `--load-snapshot`
 * does (src/node/snapshot-load.ts: streamed from the file, Core's checks, hash_serialized_3
 * computed on the way) and measures: load rate (coins/s, MB/s), memory per coin, RSS and
 * peak RSS, lookups on the loaded set (random hits and misses), a block's UTXO changes
 * applied on top (3,000 spends and 6,000 new coins in one batch, as ConnectBlock hands them
 * to the set), and the save of the set into a data directory (src/node/utxo-store.ts).
 *
 *   <runtime> bench/snapshot-scale.bench.ts N [DIR]      generate, load, measure, save to DIR/datadir
 *   <runtime> bench/snapshot-scale.bench.ts restart DIR  restart: load DIR/datadir as a node does at start
 *   <runtime> bench/snapshot-scale.bench.ts compare DIR [ROUNDS]  DIR/snapshot.dat loaded with the hash on the
 *             loading thread and on the worker, alternately (ROUNDS pairs, default 2)
 *
 * DIR defaults to bench/out (never committed). Run the restart as its own process: the set
 * of the first run is then gone (a 180 M-coin set is ~11 GB). `--keep` keeps the files;
 * otherwise the restart deletes DIR's snapshot and data directory when it is done.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { MAINNET } from '../src/chain/params.ts';
import { loadSnapshotFile } from '../src/node/snapshot-load.ts';
import { UtxoStore } from '../src/node/utxo-store.ts';
import { setSha256Backend } from '../src/primitives/hash.ts';
import { selectCrypto } from '../src/runtime/crypto/select.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { ensureDir, fileSize, joinPath, removeFile, writeFileAtomic } from '../src/runtime/fs.ts';
import type { CoinBatch } from '../src/chain/coin-store.ts';
import type { UtxoSet } from '../src/utxo/set.ts';
import { snapshotChunks } from '../src/utxo/snapshot.ts';
import { encodeSnapshot, KeySample, makeScript, Rng, synthGroups } from '../test/utxo/synthetic.ts';
import { splitThreads, threadCpuMs } from './proc.ts';

const proc = (globalThis as { process?: { argv: string[]; pid: number; cpuUsage(): { user: number; system: number } } }).process;
const argv = proc?.argv.slice(2) ?? [];
/** CPU seconds this process used so far (user + system): rates per CPU second stay meaningful on a busy machine. */
const cpu = () => { const u = proc?.cpuUsage(); return u ? (u.user + u.system) / 1e6 : NaN; };
const perCpu = (n: number, c0: number) => `${(n / (cpu() - c0) / 1e6).toFixed(2)} M coins per CPU-second`;
const keep = argv.includes('--keep');
const args = argv.filter((a) => a !== '--keep');
const SAMPLE = 200_000;
/** Coins per synthetic template; larger sets are copies of it (generating 180 M coins one by one takes most of an hour here). */
const TEMPLATE = 10_000_000;

/** VmRSS and VmHWM (peak) of this process in MiB, from Linux /proc. */
function rss(): { now: number; peak: number } {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
const gib = (mib: number) => `${(mib / 1024).toFixed(2)} GiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const sel = await selectCrypto({ crypto: 'noble' });
setSha256Backend(sel.sha256);
console.log(`snapshot-scale bench — ${runtimeLabel()}, SHA-256 ${sel.sha256.name}, ${new Date().toISOString()}`);

/** Loads `file` as --load-snapshot does; prints wall and CPU rates, the loading thread's CPU and the busiest other thread's (the hash worker). */
async function timedLoad(file: string, N: number, bytes: number, hashWorker?: boolean) {
  const before = rss();
  const t = performance.now();
  const c0 = cpu();
  const th0 = threadCpuMs('self');
  // not an assumeutxo base: --trust-snapshot, as for any snapshot of a height Core has no hash for
  const r = await loadSnapshotFile(file, { params: MAINNET, trust: true, log: (l) => console.log(`  ${l}`), progressSeconds: 30, hashWorker });
  const ms = performance.now() - t;
  const th = splitThreads(th0, threadCpuMs('self'), proc!.pid, 1);
  const how = hashWorker === false ? 'hash on the loading thread' : 'hash on the worker';
  console.log(`  load (${how}): ${secs(ms)} = ${((N / ms) * 1000 / 1e6).toFixed(2)} M coins/s, ${((bytes / ms) * 1000 / 1e6).toFixed(0)} MB/s; ${perCpu(N, c0)}; ` +
    `loading thread ${(th.main / 1000).toFixed(1)} s CPU (${(N / th.main / 1e3).toFixed(2)} M coins per its CPU-second) (hash_serialized_3 ${r.base.hashSerialized.slice(0, 16)}…)`);
  const after = rss();
  console.log(`  memory per coin: ${(r.set.usedBytes / N).toFixed(1)} B in use, ${(r.set.memoryBytes / N).toFixed(1)} B committed; RSS ${gib(before.now)} before, ${gib(after.now)} after (${((after.now - before.now) * 2 ** 20 / N).toFixed(1)} B/coin), peak ${gib(after.peak)}`);
  return r;
}

if (args[0] === 'compare') {
  const out = args[1] ?? 'bench/out';
  const file = joinPath(out, 'snapshot.dat');
  const bytes = (await fileSize(file)) ?? 0;
  const head = new Uint8Array(51);
  const fd = openSync(file, 'r');
  readSync(fd, head, 0, 51, 0);
  closeSync(fd);
  const N = Number(new DataView(head.buffer).getBigUint64(43, true));
  // the sets are dropped between loads (two 10 M-coin sets fit; 180 M do not)
  for (let i = 0; i < Number(args[2] ?? 2); i++) for (const hw of [false, true]) await timedLoad(file, N, bytes, hw);
} else if (args[0] === 'restart') {
  const dir = joinPath(args[1] ?? 'bench/out', 'datadir');
  const t = performance.now();
  const c0 = cpu();
  const store = await UtxoStore.open(dir, { networkMagic: MAINNET.magic });
  const saved = await store.load();
  if (!saved) throw new Error(`nothing saved in ${dir}`);
  const ms = performance.now() - t;
  const n = saved.set.size;
  const r = rss();
  console.log(`restart from ${dir}: ${n.toLocaleString('en')} coins in ${secs(ms)} = ${((n / ms) * 1000 / 1e6).toFixed(2)} M coins/s (${perCpu(n, c0)}); RSS ${gib(r.now)}, peak ${gib(r.peak)}`);
  if (!keep) {
    await removeFile(joinPath(args[1] ?? 'bench/out', 'snapshot.dat'));
    for (const f of ['CURRENT', `utxo-1.dat`]) await removeFile(joinPath(dir, f));
  }
} else {
  const N = Number(args[0] ?? 1_000_000);
  const out = args[1] ?? 'bench/out';
  await ensureDir(out);
  const file = joinPath(out, 'snapshot.dat');
  // a sample of keys (every k-th coin) for the lookups and the block
  const copies = Math.ceil(N / TEMPLATE);
  const ks = new KeySample(N / copies, SAMPLE);
  let t = performance.now();
  const bytes = await writeFileAtomic(file, replicated(N, copies, ks));
  console.log(`${N.toLocaleString('en')} coins: snapshot file ${(bytes / 1e6).toFixed(0)} MB (${(bytes / N).toFixed(1)} B/coin; ${copies} cop${copies > 1 ? 'ies' : 'y'} of ${(N / copies).toLocaleString('en')} synthetic coins) written in ${secs(performance.now() - t)}`);
  // the sampled keys are the template's: spread them over the copies (txid byte 31)
  const rc = new Rng(3);
  if (copies > 1) for (let i = 0; i < ks.n; i++) ks.txids[i * 32 + 31] = rc.below(copies);

  const { set, base: loaded } = await timedLoad(file, N, bytes);
  lookups(set, ks.txids, ks.vouts, ks.n);
  block(set, ks.txids, ks.vouts, ks.n);
  const store = await UtxoStore.open(joinPath(out, 'datadir'), { networkMagic: MAINNET.magic });
  t = performance.now();
  const c0 = cpu();
  await store.save(set, { height: loaded.height, tip: loaded.blockHash });
  const saveMs = performance.now() - t;
  const saved = (await fileSize(joinPath(out, 'datadir', 'utxo-1.dat'))) ?? 0;
  console.log(`  save to the data directory: ${secs(saveMs)} = ${((set.size / saveMs) * 1000 / 1e6).toFixed(2)} M coins/s, ${perCpu(set.size, c0)} (${(saved / 1e6).toFixed(0)} MB); peak RSS ${gib(rss().peak)}`);
  // the writer alone, in passes (as the save) and in one pass (a list of every coin first:
  // the writer before passes); the peak only grows, so the passes go first
  for (const [how, passes] of [['in passes of 8 M coins', undefined], ['in one pass', Infinity]] as const) {
    if (passes === Infinity && N > 20_000_000) break;
    const peak0 = rss().peak;
    const t1 = performance.now();
    let n = 0;
    for (const c of snapshotChunks(set, { networkMagic: MAINNET.magic, baseBlockHash: new Uint8Array(32) }, passes)) n += c.length;
    console.log(`  the writer alone ${how}: ${secs(performance.now() - t1)} (${(n / 1e6).toFixed(0)} MB); peak RSS ${gib(rss().peak)}, +${(rss().peak - peak0).toFixed(0)} MiB over the peak before`);
  }
}

/**
 * A snapshot of N coins (N divisible by `copies`): `copies` copies of a synthetic set of
 * N / copies coins, copy c's txids being the template's with byte 31 set to c, emitted
 * txid by txid (the template's txids differ in bytes 0..3, so the file stays in Core's
 * order). Script mix, amounts and coins per txid are the template's.
 */
function* replicated(N: number, copies: number, ks: KeySample): Generator<Uint8Array> {
  const T = N / copies;
  if (!Number.isInteger(T)) throw new Error(`${N} coins are not ${copies} equal copies`);
  const base = new Uint8Array(32).fill(0x5a);
  const tpl = encodeSnapshot(ks.tee(synthGroups(T, 42)), T, MAINNET.magic, base);
  if (copies === 1) {
    yield* tpl;
    return;
  }
  const parts = [...tpl];
  const body = new Uint8Array(parts.reduce((a, c) => a + c.length, 0) - 51);
  let o = -51;
  for (const c of parts) {
    if (o < 0) body.set(c.subarray(-o), 0);
    else body.set(c, o);
    o += c.length;
  }
  const head = parts[0]!.slice(0, 51);
  new DataView(head.buffer).setBigUint64(43, BigInt(N), true);
  yield head;
  let out = new Uint8Array(1 << 22);
  let q = 0;
  for (let p = 0; p < body.length;) {
    const g = p;
    p = groupEnd(body, p);
    const len = p - g;
    for (let c = 0; c < copies; c++) {
      if (q + len > out.length) {
        yield out.subarray(0, q);
        out = new Uint8Array(Math.max(1 << 22, len));
        q = 0;
      }
      out.set(body.subarray(g, p), q);
      out[q + 31] = c;
      q += len;
    }
  }
  yield out.subarray(0, q);
}

/** The end of the txid group at b[p] in a snapshot body (snapshot-format.ts). */
function groupEnd(b: Uint8Array, p: number): number {
  p += 32;
  const cs = (): number => {
    const x = b[p++]!;
    if (x < 0xfd) return x;
    const n = x === 0xfd ? b[p]! | (b[p + 1]! << 8) : new DataView(b.buffer, b.byteOffset + p, 4).getUint32(0, true);
    p += x === 0xfd ? 2 : 4;
    return n;
  };
  const varint = (): number => {
    let n = 0;
    for (;;) {
      const x = b[p++]!;
      n = n * 128 + (x & 0x7f);
      if (!(x & 0x80)) return n;
      n++;
    }
  };
  const n = cs();
  for (let i = 0; i < n; i++) {
    cs(); // vout
    varint(); // height, coinbase
    varint(); // amount
    const size = varint();
    p += size < 6 ? [20, 20, 32, 32, 32, 32][size]! : size - 6;
  }
  return p;
}

function lookups(set: UtxoSet, txids: Uint8Array, vouts: Uint32Array, n: number): void {
  const r = new Rng(7);
  const order = new Uint32Array(n).map((_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.below(i + 1);
    const x = order[i]!;
    order[i] = order[j]!;
    order[j] = x;
  }
  const keys = Array.from(order, (i) => txids.subarray(i * 32, i * 32 + 32));
  for (let i = 0; i < Math.min(n, 20_000); i++) set.getCoin(keys[i]!, vouts[order[i]!]!);
  let t = performance.now();
  let c0 = cpu();
  let found = 0;
  for (let i = 0; i < n; i++) if (set.getCoin(keys[i]!, vouts[order[i]!]!)) found++;
  const hitUs = ((performance.now() - t) * 1000) / n;
  const hitCpuUs = ((cpu() - c0) * 1e6) / n;
  const miss = new Uint8Array(32);
  t = performance.now();
  c0 = cpu();
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    r.bytes(miss, 0, 32);
    if (set.getCoin(miss, 0)) wrong++;
  }
  const missUs = ((performance.now() - t) * 1000) / n;
  const missCpuUs = ((cpu() - c0) * 1e6) / n;
  console.log(`  lookups (writer thread, ${n.toLocaleString('en')} random keys): ${hitUs.toFixed(3)} µs per hit (${hitCpuUs.toFixed(3)} µs CPU; ${found} found), ` +
    `${missUs.toFixed(3)} µs per miss (${missCpuUs.toFixed(3)} µs CPU; ${wrong} found)`);
}

function block(set: UtxoSet, txids: Uint8Array, vouts: Uint32Array, n: number): void {
  const r = new Rng(11);
  const spend: CoinBatch['spend'] = [];
  const step = Math.max(1, Math.floor(n / 3000));
  for (let i = 0; i < n && spend.length < 3000; i += step) spend.push({ txid: txids.slice(i * 32, i * 32 + 32), vout: vouts[i]! });
  const add: CoinBatch['add'] = [];
  for (let i = 0; i < 3000; i++) {
    const txid = new Uint8Array(32);
    r.bytes(txid, 0, 32);
    for (let v = 0; v < 2; v++) add.push({ txid, vout: v, coin: { value: BigInt(1000 + r.below(1e8)), scriptPubKey: makeScript(r), height: 900_001, coinbase: false } });
  }
  const before = set.size;
  const t = performance.now();
  const c0 = cpu();
  set.applyBatch({ spend, add });
  const ms = performance.now() - t;
  const cpuMs = (cpu() - c0) * 1000;
  if (set.size !== before - spend.length + add.length) throw new Error('block batch: wrong coin count');
  console.log(`  a block's UTXO changes (${spend.length} spends + ${add.length} adds, one batch): ${ms.toFixed(1)} ms (${cpuMs.toFixed(1)} ms CPU)`);
}
