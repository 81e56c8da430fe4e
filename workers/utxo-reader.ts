/**
 * Test and benchmark worker for the shared UTXO table: attaches to the posted segments,
 * then checks pinned snapshots against test/utxo/model.ts or times lookups.
 * Messages: {cmd:'attach', shared} | {cmd:'check', until, holdMs} | {cmd:'bench', txids,
 * vouts, rounds, batch?} (batch > 0: Snapshot.getMany over consecutive slices of `batch`
 * keys, else getCoin per key) | {cmd:'memlat', rounds: buffer bytes} | {cmd:'chase', rounds:
 * buffer bytes} (one dependent random read, as in bench/memory-latency.bench.ts) | {cmd:'throw'} |
 * {cmd:'echo', value}.
 */
import { workerPort } from '../src/runtime/worker-self.ts';
import { UtxoReader } from '../src/utxo/reader.ts';
import type { UtxoShared } from '../src/utxo/layout.ts';
import type { Coin } from '../src/utxo/coin.ts';
import { checkVersion } from '../test/utxo/model.ts';
import { applyRuntimeTuning } from '../src/runtime/tuning.ts';
import { chaseNs } from '../bench/chase.ts';

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
