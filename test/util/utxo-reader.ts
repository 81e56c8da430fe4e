/**
 * Test and benchmark worker for the shared UTXO table: attaches to the posted segments,
 * then checks pinned snapshots against test/utxo/model.ts or times lookups.
 * Messages: {cmd:'attach', shared} | {cmd:'check', until, holdMs} | {cmd:'bench', txids,
 * vouts, rounds, batch?} (batch > 0: Snapshot.getMany over consecutive slices of `batch`
 * keys, else getCoin per key) | {cmd:'stages', txids, vouts, rounds} (the anatomy of a hit: the
 * first steps of a lookup, timed stage by stage) | {cmd:'memlat', rounds: buffer bytes} | {cmd:'chase', rounds:
 * buffer bytes} (one dependent random read, as in bench/memory-latency.bench.ts) | {cmd:'throw'} |
 * {cmd:'echo', value}.
 */
import { workerPort } from '../../src/runtime/worker-self.ts';
import { UtxoReader, type TableViews } from '../../src/utxo/reader.ts';
import {
  AMOUNT_BYTES, BUCKET_MASK, BUCKET_SLOTS, CHUNK_UNITS, K_BITS, K_MASK, PAGES_PER_SEGMENT, PAGES_PER_SEGMENT_SHIFT, PAGE_SHIFT_WORDS,
  REF_EMPTY, REF_TOMB, UNITS_PER_SEGMENT_SHIFT, UNIT_MASK, V_MASK, W_DIR, W_SALT0, W_SALT1, W_SCALE, dirIndex, hashKey, recordEnd,
  type UtxoShared,
} from '../../src/utxo/layout.ts';
import type { Coin } from '../../src/utxo/coin.ts';
import { checkVersion } from '../utxo/model.ts';
import { applyRuntimeTuning } from '../../src/runtime/tuning.ts';
import { chaseNs } from '../../bench/chase.ts';

applyRuntimeTuning();

let reader: UtxoReader | undefined;

interface Msg {
  cmd: string;
  shared?: UtxoShared;
  until?: number;
  holdMs?: number;
  txids?: Uint8Array;
  vouts?: Uint32Array;
  rounds?: number;
  value?: unknown;
  seed?: number;
  batch?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The first `stage` steps of lookupCoin (src/utxo/reader.ts), for the anatomy of a hit in
 * bench/utxo.bench.ts: 1 = hash, directory, bucket probe up to the candidate's heap ref (the
 * index read); 2 = also the group's txid compared (the heap read); 3 = also the header's
 * VARINTs, the records before k, the vout and the amount's bytes (no allocation). Returns
 * non-zero when the key was found that far (a live candidate; no version checks: the
 * bench's table has one version).
 */
function partialLookup(t: TableViews, s0: number, s1: number, scale: number, h: Int32Array, txid: Uint8Array, vout: number, stage: number): number {
  hashKey(txid, 0, vout, s0, s1, h);
  const h1 = h[0]!;
  const fp = h[1]! >>> 7;
  const dw = Atomics.load(t.idx[0]!, W_DIR);
  const dirPage = dw >>> 5;
  const dword = ((dirPage & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS) + dirIndex(h1, dw & 31, scale);
  const page = Atomics.load(t.words(dirPage >>> PAGES_PER_SEGMENT_SHIFT, dword), dword);
  const base = (page & (PAGES_PER_SEGMENT - 1)) << PAGE_SHIFT_WORDS;
  const arr = t.words(page >>> PAGES_PER_SEGMENT_SHIFT, base + 127);
  let s = h1 & BUCKET_MASK;
  for (let n = 0; n < BUCKET_SLOTS; n++) {
    const o = base + (s << 1);
    const ref = arr[o + 1]!;
    if (ref === REF_EMPTY) return 0;
    const w0 = arr[o]!;
    if (ref !== REF_TOMB && w0 >= 0 && w0 >>> K_BITS === fp) {
      const r = Atomics.load(arr, o + 1);
      if (stage === 1) return r;
      const gw = r & UNIT_MASK;
      const last = gw | (CHUNK_UNITS - 1);
      const w = t.heapWords(r >>> UNITS_PER_SEGMENT_SHIFT, last);
      if (w[gw] !== h[2] || w[gw + 1] !== h[3] || w[gw + 2] !== h[4] || w[gw + 3] !== h[5] ||
          w[gw + 4] !== h[6] || w[gw + 5] !== h[7] || w[gw + 6] !== h[8] || w[gw + 7] !== h[9]) return 0;
      if (stage === 2) return 1;
      const b = t.bytes(r >>> UNITS_PER_SEGMENT_SHIFT, last * 4 + 3);
      let p = gw * 4 + 33;
      while (b[p++]! & 0x80);
      while (b[p++]! & 0x80);
      for (let j = 0; j < (w0 & K_MASK); j++) p = recordEnd(b, p);
      const tag = b[p++]!;
      let rv = 0;
      for (;;) {
        const ch = b[p++]!;
        rv = rv * 128 + (ch & 0x7f);
        if (ch & 0x80) rv++;
        else break;
      }
      let x = 1;
      for (let i = 0; i < AMOUNT_BYTES[tag & 15]!; i++) x += b[p + i]!;
      return rv === vout ? x : 0;
    }
    s = (s + 1) & BUCKET_MASK;
  }
  return 0;
}

workerPort.onMessage((data) => {
  const m = data as Msg;
  switch (m.cmd) {
    case 'attach':
      reader = UtxoReader.attach(m.shared!);
      workerPort.postMessage({ ok: true, version: reader.version });
      return;
    case 'check': {
      const r = reader!;
      let checks = 0;
      const versions = new Set<number>();
      const errors: string[] = [];
      let seed = m.seed ?? 1;
      let last = -1;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const snap = r.pin();
        const v = snap.version;
        versions.add(v);
        if (v >= 1) {
          errors.push(...checkVersion(snap, v, seed++));
          // hold the pin while the writer moves on, then check the same version again
          if (m.holdMs) Atomics.wait(sleeper, 0, 0, (seed % 3) * m.holdMs);
          errors.push(...checkVersion(snap, v, seed++));
          checks += 2;
        }
        snap.release();
        if (errors.length > 20 || v >= m.until!) break;
        if (v === last) r.waitForVersion(v, 50);
        last = v;
      }
      workerPort.postMessage({ checks, versions: versions.size, errors: errors.slice(0, 20), errorCount: errors.length });
      return;
    }
    case 'bench': {
      const r = reader!;
      const txids = m.txids!;
      const vouts = m.vouts!;
      const n = vouts.length;
      const snap = r.pin();
      const keys: { txid: Uint8Array; vout: number }[] = [];
      for (let i = 0; i < n; i++) keys.push({ txid: txids.subarray(i * 32, i * 32 + 32), vout: vouts[i]! });
      const batch = m.batch ?? 0;
      let found = 0;
      let ms: number;
      if (batch > 0) {
        const batches: { txid: Uint8Array; vout: number }[][] = [];
        for (let i = 0; i < n; i += batch) batches.push(keys.slice(i, i + batch));
        const out: (Coin | undefined)[] = [];
        const nb = batches.length;
        for (let i = 0; i < Math.min(nb, Math.ceil(20000 / batch)); i++) snap.getMany(batches[i]!, out); // warm-up
        const t0 = performance.now();
        for (let k = 0; k < (m.rounds ?? 1); k++) {
          for (let i = 0; i < nb; i++) {
            snap.getMany(batches[i]!, out);
            for (let j = 0; j < out.length; j++) if (out[j]) found++;
          }
        }
        ms = performance.now() - t0;
      } else {
        for (let i = 0; i < Math.min(n, 20000); i++) if (snap.getCoin(keys[i]!.txid, keys[i]!.vout)) found++; // warm-up
        found = 0;
        const t0 = performance.now();
        for (let k = 0; k < (m.rounds ?? 1); k++) for (let i = 0; i < n; i++) if (snap.getCoin(keys[i]!.txid, keys[i]!.vout)) found++;
        ms = performance.now() - t0;
      }
      snap.release();
      workerPort.postMessage({ nsPerLookup: (ms * 1e6) / (n * (m.rounds ?? 1)), found, lookups: n * (m.rounds ?? 1) });
      return;
    }
    case 'stages': {
      // the anatomy of a hit: µs per lookup of the sample keys up to each stage of
      // partialLookup, then a full getCoin; rounds alternate the stages (best of `rounds`)
      const r = reader!;
      const txids = m.txids!;
      const vouts = m.vouts!;
      const n = vouts.length;
      const keys: Uint8Array[] = [];
      for (let i = 0; i < n; i++) keys.push(txids.subarray(i * 32, i * 32 + 32));
      const i0 = r.views.idx[0]!;
      const [s0, s1, scale] = [i0[W_SALT0]!, i0[W_SALT1]!, i0[W_SCALE]!];
      const h = new Int32Array(10);
      const snap = r.pin();
      const best = [Infinity, Infinity, Infinity, Infinity];
      let bad = 0;
      for (let k = 0; k < (m.rounds ?? 3) + 1; k++) {
        for (let stage = 1; stage <= 4; stage++) {
          let found = 0;
          const t0 = performance.now();
          if (stage === 4) for (let i = 0; i < n; i++) found += snap.getCoin(keys[i]!, vouts[i]!) ? 1 : 0;
          else for (let i = 0; i < n; i++) found += partialLookup(r.views, s0, s1, scale, h, keys[i]!, vouts[i]!, stage) !== 0 ? 1 : 0;
          const ns = ((performance.now() - t0) * 1e6) / n;
          if (found !== n) bad++;
          if (k > 0) best[stage - 1] = Math.min(best[stage - 1]!, ns); // round 0 warms the JIT
        }
      }
      snap.release();
      workerPort.postMessage({ nsPerStage: best, bad });
      return;
    }
    case 'memlat': {
      // baseline: one random 32-byte read in a buffer of `bytes` (DRAM latency + TLB here)
      const a = new Uint8Array(m.rounds!);
      for (let i = 0; i < a.length; i += 4096) a[i] = 1;
      const n = 200_000;
      const idx = new Float64Array(n);
      let x = 12345;
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        idx[i] = (x >>> 0) % (a.length - 64);
      }
      let sum = 0;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const o = idx[i]!;
        for (let k = 0; k < 32; k++) sum += a[o + k]!;
      }
      workerPort.postMessage({ nsPerRead: ((performance.now() - t0) * 1e6) / n, sum });
      return;
    }
    case 'chase': {
      // one dependent random read in a buffer of `bytes` (bench/chase.ts)
      workerPort.postMessage({ nsPerRead: chaseNs(new SharedArrayBuffer(m.rounds!)) });
      return;
    }
    case 'throw':
      throw new Error('boom from worker');
    case 'echo':
      workerPort.postMessage(m.value);
      return;
  }
});
