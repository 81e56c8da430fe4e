/**
 * Shared-memory UTXO table benchmark: snapshot load rate (coins/s), bytes of memory per
 * coin for a realistic script mix (test/utxo/synthetic.ts), lookup latency from a worker
 * (hits and misses, one getCoin after the other) and on the writer's thread, the cost per
 * lookup of batched lookups (Snapshot.getMany over N keys: a throughput figure, not a
 * latency), snapshot write rate, and as baselines in the same run one random 32-byte
 * memory read (lookups are memory-latency bound), one dependent random read and the CPU
 * part of a hit (lookups of 16 cached keys), the anatomy of a hit (the same lookups stopped
 * after the index read, the heap read and the record's parsing), and the first touch of fresh memory as
 * large as the table (page faults, which the load pays for every page it fills).
 * Usage: <runtime> bench/utxo.bench.ts [sizes, default 1000000,10000000]
 */
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { createWorker, request } from '../src/runtime/worker.ts';
import { loadSnapshot, snapshotChunks } from '../src/utxo/snapshot.ts';
import { encodeSnapshot, KeySample, synthGroups, Rng } from '../test/utxo/synthetic.ts';

const arg = (globalThis as { process?: { argv: string[] } }).process?.argv[2];
const sizes = (arg ?? '1000000,10000000').split(',').map(Number);
const SAMPLE = 200_000;

console.log(`utxo bench — ${runtimeLabel()}`);
for (const N of sizes) {
  // a sample of keys to look up, taken while encoding
  const ks = new KeySample(N, SAMPLE);
  const sTxids = ks.txids;
  const sVouts = ks.vouts;
  let t = performance.now();
  const chunks = [...encodeSnapshot(ks.tee(synthGroups(N, 42)), N, new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]), new Uint8Array(32))];
  const sn = ks.n;
  const fileBytes = chunks.reduce((a, c) => a + c.length, 0);
  const encMs = performance.now() - t;
  // shuffle the sample so lookups are random accesses
  const r = new Rng(5);
  for (let i = sn - 1; i > 0; i--) {
    const j = r.below(i + 1);
    const tv = sVouts[i]!;
    sVouts[i] = sVouts[j]!;
    sVouts[j] = tv;
    const a = sTxids.slice(i * 32, i * 32 + 32);
    sTxids.copyWithin(i * 32, j * 32, j * 32 + 32);
    sTxids.set(a, j * 32);
  }
  t = performance.now();
  const { set, meta } = await loadSnapshot(chunks);
  const loadMs = performance.now() - t;
  // baseline: first touch of as much fresh shared memory as the table uses (one write per 4 KiB page)
  const fresh = new SharedArrayBuffer(0, { maxByteLength: 2 ** 31 });
  fresh.grow(Math.min(2 ** 31, set.usedBytes));
  const fw = new Int32Array(fresh);
  t = performance.now();
  for (let i = 0; i < fw.length; i += 1024) fw[i] = 1;
  const touchMs = performance.now() - t;
  chunks.length = 0;
  console.log(`\n${N.toLocaleString('en')} coins (snapshot ${(fileBytes / 1e6).toFixed(0)} MB, encoded in ${(encMs / 1000).toFixed(1)} s)`);
  console.log(`  snapshot load:   ${(loadMs / 1000).toFixed(2)} s = ${((N / loadMs) * 1000 / 1e6).toFixed(2)} M coins/s`);
  console.log(`  baseline: first touch of ${(fw.length / 2 ** 18).toFixed(0)} MiB of fresh memory (page faults) = ${(touchMs / 1000).toFixed(2)} s = ${((100 * touchMs) / loadMs).toFixed(0)}% of the load time`);
  const st = set.stats();
  const idxB = ((st.pages - st.freePages) * 512) / N;
  console.log(`  memory per coin: ${(set.usedBytes / N).toFixed(1)} B in use (index ${idxB.toFixed(1)} + heap ${(set.usedBytes / N - idxB).toFixed(1)}), ${(set.memoryBytes / N).toFixed(1)} B committed`);
  t = performance.now();
  let outBytes = 0;
  for (const c of snapshotChunks(set, meta)) outBytes += c.length;
  const wMs = performance.now() - t;
  console.log(`  snapshot write:  ${(wMs / 1000).toFixed(2)} s = ${((N / wMs) * 1000 / 1e6).toFixed(2)} M coins/s (${outBytes === fileBytes ? 'same size' : 'SIZE DIFFERS'})`);

  // lookups on this thread
  const txids: Uint8Array[] = [];
  for (let i = 0; i < sn; i++) txids.push(sTxids.subarray(i * 32, i * 32 + 32));
  const snap = set.pin();
  for (let i = 0; i < Math.min(sn, 20000); i++) snap.getCoin(txids[i]!, sVouts[i]!);
  t = performance.now();
  let found = 0;
  for (let i = 0; i < sn; i++) if (snap.getCoin(txids[i]!, sVouts[i]!)) found++;
  const mainNs = ((performance.now() - t) * 1e6) / sn;
  snap.release();

  // lookups from a worker: hits, then misses (random txids)
  const w = createWorker(new URL('../test/util/utxo-reader.ts', import.meta.url));
  try {
    await request(w, { cmd: 'attach', shared: set.shared() });
    const hit = await request<{ nsPerLookup: number; found: number; lookups: number }>(w, { cmd: 'bench', txids: sTxids.subarray(0, sn * 32), vouts: sVouts.subarray(0, sn), rounds: 3 }, 600_000);
    const missT = new Uint8Array(sn * 32);
    r.bytes(missT, 0, missT.length);
    const miss = await request<{ nsPerLookup: number; found: number }>(w, { cmd: 'bench', txids: missT, vouts: sVouts.subarray(0, sn), rounds: 3 }, 600_000);
    const many: string[] = [];
    for (const batch of [4, 32, 256]) {
      const b = await request<{ nsPerLookup: number; found: number; lookups: number }>(w, { cmd: 'bench', txids: sTxids.subarray(0, sn * 32), vouts: sVouts.subarray(0, sn), rounds: 2, batch }, 600_000);
      if (b.found !== b.lookups) throw new Error(`getMany found ${b.found} of ${b.lookups}`);
      many.push(`${(b.nsPerLookup / 1000).toFixed(3)} (N=${batch}, ${(hit.nsPerLookup / b.nsPerLookup).toFixed(1)}x)`);
    }
    // the CPU part of a hit: the same lookups for 16 keys whose lines stay cached
    const cpu = await request<{ nsPerLookup: number; found: number; lookups: number }>(w, { cmd: 'bench', txids: sTxids.subarray(0, 16 * 32), vouts: sVouts.subarray(0, 16), rounds: 20_000 }, 600_000);
    const memBytes = Math.min(1 << 30, Math.max(64 << 20, set.usedBytes));
    const mem = await request<{ nsPerRead: number }>(w, { cmd: 'memlat', rounds: memBytes }, 600_000);
    const chase = await request<{ nsPerRead: number }>(w, { cmd: 'chase', rounds: memBytes }, 600_000);
    const st = await request<{ nsPerStage: number[]; bad: number }>(w, { cmd: 'stages', txids: sTxids.subarray(0, sn * 32), vouts: sVouts.subarray(0, sn), rounds: 3 }, 600_000);
    if (st.bad) throw new Error(`stages: ${st.bad} passes did not find every key`);
    console.log(`  lookup, worker:  ${(hit.nsPerLookup / 1000).toFixed(3)} µs per hit (${hit.found}/${hit.lookups} found), ${(miss.nsPerLookup / 1000).toFixed(3)} µs per miss (${miss.found} found)`);
    console.log(`  baseline: one random 32-byte read in ${(Math.min(1 << 30, Math.max(64 << 20, set.usedBytes)) / 2 ** 20).toFixed(0)} MiB = ${(mem.nsPerRead / 1000).toFixed(3)} µs; hit = ${(hit.nsPerLookup / mem.nsPerRead).toFixed(1)} reads, miss = ${(miss.nsPerLookup / mem.nsPerRead).toFixed(1)} reads`);
    console.log(`  one dependent random read in ${(memBytes / 2 ** 20).toFixed(0)} MiB = ${(chase.nsPerRead / 1000).toFixed(3)} µs; CPU part of a hit (16 cached keys) = ${(cpu.nsPerLookup / 1000).toFixed(3)} µs; ` +
      `a layout with one read per hit could reach at best ${((chase.nsPerRead + cpu.nsPerLookup) / 1000).toFixed(3)} µs`);
    const [sRef, sHdr, sRec, sAll] = st.nsPerStage.map((x) => x / 1000) as [number, number, number, number];
    console.log(`  anatomy of a hit (worker, best of 3 passes per stage), µs per lookup up to: the heap ref ${sRef.toFixed(3)} → the group's txid compared ${sHdr.toFixed(3)} → ` +
      `the record parsed ${sRec.toFixed(3)} → the coin built (getCoin) ${sAll.toFixed(3)}; so index read + hash ${sRef.toFixed(3)}, heap read ${(sHdr - sRef).toFixed(3)}, ` +
      `parse ${(sRec - sHdr).toFixed(3)}, amount + script + object ${(sAll - sRec).toFixed(3)}`);
    console.log(`  getMany, worker, per-lookup cost in a batch of N hits (not latency), µs: ${many.join(', ')}`);
    console.log(`  lookup, writer thread: ${(mainNs / 1000).toFixed(3)} µs per hit (${found}/${sn}); worker/writer ratio ${(hit.nsPerLookup / mainNs).toFixed(2)}`);
  } finally {
    await w.terminate();
  }
}
