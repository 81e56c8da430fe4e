/**
 * Signature verification and SHA-256 per backend on the current runtime.
 *   npx tsx bench/verify.bench.ts
 *   npx bun bench/verify.bench.ts
 *   npx deno run -A --unstable-ffi bench/verify.bench.ts
 * Prints µs per ECDSA verify and per Schnorr (BIP340, 32-byte message) verify for every
 * signature backend that loads here and gives every known answer, the ratio to noble from
 * the same run, and SHA-256 MB/s (1 MiB one-shot and streamed), ns per 64-byte hash and
 * µs per round of the start-up selection's mixed workload. Options: --ms=N per measurement
 * (default 500, best of five rounds), --lib=PATH for the ffi backend.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { Sha256Backend } from '../src/primitives/hash.ts';
import type { SigVerifier } from '../src/script/sigcheck.ts';
import { runSha256Kat, runSigKat } from '../src/runtime/crypto/kat.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { loadSha256Backend, loadSigBackend, timeSha256 } from '../src/runtime/crypto/select.ts';
import { CryptoBackendError, SHA256_BACKENDS, SIG_BACKENDS } from '../src/runtime/crypto/types.ts';

const args = (globalThis as unknown as { process?: { argv: string[] }; Deno?: { args: string[] } });
const argv = args.Deno?.args ?? args.process?.argv.slice(2) ?? [];
const opt = (k: string) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const MS = Number(opt('ms') ?? 500);
const LIB = opt('lib');

const enc = new TextEncoder();
const why = (e: unknown) => (e instanceof CryptoBackendError ? e.reason : e instanceof Error ? e.message : String(e));

/**
 * µs per call: after a warm-up of a quarter of `ms`, five rounds of ms/5 each; the best
 * round's mean is reported (the machine is shared, and interference only ever adds time).
 */
function timeUs(fn: (i: number) => unknown, ms: number): number {
  let i = 0;
  const w = performance.now();
  while (performance.now() - w < ms / 4) fn(i++);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    let t = t0;
    let n = 0;
    do {
      for (let k = 0; k < 4; k++) fn(i++);
      n += 4;
      t = performance.now();
    } while (t - t0 < ms / 5);
    best = Math.min(best, ((t - t0) * 1000) / n);
  }
  return best;
}

// 16 distinct valid signatures of each kind, verified round-robin.
const K = 16;
const ecdsa = Array.from({ length: K }, (_, i) => {
  const sk = nobleSha256(enc.encode(`bench ecdsa key ${i}`));
  const msg = nobleSha256(enc.encode(`bench ecdsa msg ${i}`));
  return { sig: secp256k1.sign(msg, sk, { prehash: false }), msg, key: secp256k1.getPublicKey(sk, true) };
});
const schn = Array.from({ length: K }, (_, i) => {
  const sk = nobleSha256(enc.encode(`bench schnorr key ${i}`));
  const msg = nobleSha256(enc.encode(`bench schnorr msg ${i}`));
  return { sig: schnorr.sign(msg, sk, new Uint8Array(32)), msg, key: schnorr.getPublicKey(sk) };
});

const runtime = runtimeLabel();
console.log(`# verify.bench: ${runtime} (${MS} ms per measurement, best of 5 rounds)\n`);

interface SigRow { name: string; ecdsa: number; schnorr: number; note: string }
const sigRows: SigRow[] = [];
const skipped: string[] = [];
for (const name of SIG_BACKENDS) {
  let v: SigVerifier;
  try {
    v = await loadSigBackend(name, LIB);
  } catch (e) {
    skipped.push(`${name}: ${why(e)}`);
    continue;
  }
  const kat = runSigKat(v);
  if (!kat.passed) {
    skipped.push(`${name}: REJECTED, ${kat.failures.length} wrong known answers (${kat.failures[0]})`);
    continue;
  }
  let ok = true;
  const e = timeUs((i) => { const c = ecdsa[i % K]!; ok &&= v.verifyEcdsa(c.sig, c.msg, c.key); }, MS);
  const s = timeUs((i) => { const c = schn[i % K]!; ok &&= v.verifySchnorr(c.sig, c.msg, c.key); }, MS);
  if (!ok) throw new Error(`${name} refused a valid signature during the benchmark`);
  const ext = v as SigVerifier & { libPath?: string; schnorrFrom?: string };
  const note = ext.libPath ? ext.libPath : ext.schnorrFrom ? `Schnorr via ${ext.schnorrFrom}` : '';
  sigRows.push({ name, ecdsa: e, schnorr: s, note });
}
const base = sigRows.find((r) => r.name === 'noble');
const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
console.log('| backend | ECDSA µs/verify | Schnorr µs/verify | ECDSA × noble | Schnorr × noble | note |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of sigRows) {
  const re = base ? `${(base.ecdsa / r.ecdsa).toFixed(1)}×` : '-';
  const rs = base ? `${(base.schnorr / r.schnorr).toFixed(1)}×` : '-';
  console.log(`| ${r.name} | ${f(r.ecdsa)} | ${f(r.schnorr)} | ${re} | ${rs} | ${r.note} |`);
}

console.log('');
const big = new Uint8Array(1 << 20).fill(0xa5);
const small = new Uint8Array(64).fill(0x5a);
const chunk = big.subarray(0, 16384);
interface ShaRow { name: string; mbps: number; streamMbps: number; ns64: number; round: number }
const shaRows: ShaRow[] = [];
for (const name of SHA256_BACKENDS) {
  let b: Sha256Backend;
  try {
    b = await loadSha256Backend(name);
  } catch (e) {
    skipped.push(`sha256 ${name}: ${why(e)}`);
    continue;
  }
  const kat = runSha256Kat(b);
  if (!kat.passed) {
    skipped.push(`sha256 ${name}: REJECTED (${kat.failures[0]})`);
    continue;
  }
  const us1m = timeUs(() => b.sha256(big), MS);
  const usStream = timeUs(() => {
    const h = b.create();
    for (let o = 0; o < big.length; o += chunk.length) h.update(chunk);
    h.digest();
  }, MS);
  const us64 = timeUs(() => b.sha256(small), MS);
  shaRows.push({ name, mbps: big.length / us1m, streamMbps: big.length / usStream, ns64: us64 * 1000, round: Math.min(timeSha256(b, MS / 3), timeSha256(b, MS / 3), timeSha256(b, MS / 3)) });
}
const sb = shaRows.find((r) => r.name === 'noble');
console.log('| sha256 backend | MB/s (1 MiB one-shot) | MB/s (1 MiB in 16 KiB updates) | ns per 64-byte hash | µs per mixed round | mixed round × noble |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of shaRows) {
  console.log(`| ${r.name} | ${r.mbps.toFixed(0)} | ${r.streamMbps.toFixed(0)} | ${r.ns64.toFixed(0)} | ${f(r.round)} | ${sb ? (sb.round / r.round).toFixed(1) + '×' : '-'} |`);
}
if (skipped.length) console.log(`\nnot measured on ${runtime}:\n${skipped.map((s) => `- ${s}`).join('\n')}`);
