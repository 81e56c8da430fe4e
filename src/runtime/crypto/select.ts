/**
 * Start-up choice of the secp256k1 and SHA-256 backends.
 *
 * `auto`: every backend that loads on this runtime answers the known-answer set (kat.ts);
 * one wrong answer and it is never used. The survivors are timed briefly (about 60 ms for
 * signatures and 24 ms for SHA-256 in all) and the fastest is chosen. An explicit name
 * loads that backend, runs the same known answers, and fails with CryptoBackendError
 * (a clear message) when it is unavailable or wrong. Workers load the parent's choice with
 * loadCryptoByName(selection.spec...).
 */
import { jsSha256Backend, nobleSha256Backend, setSha256Backend, type Sha256Backend } from '../../primitives/hash.ts';
import type { SigVerifier } from '../../script/sigcheck.ts';
import { loadFfiVerifier } from './ffi.ts';
import { ecdsaCases, runSha256Kat, runSigKat, bip340Cases, type KatResult } from './kat.ts';
import { loadNapiVerifier } from './napi.ts';
import { checkedNobleVerifier } from './noble.ts';
import { runtimeLabel } from './runtime-info.ts';
import { loadBunSha256, loadNodeLargeSha256, loadNodeSha256 } from './sha256-native.ts';
import {
  CryptoBackendError,
  SHA256_BACKENDS,
  SIG_BACKENDS,
  type CryptoChoice,
  type Sha256BackendName,
  type Sha256Choice,
  type SigBackendName,
} from './types.ts';
import { loadWasmVerifier } from './wasm.ts';

export { CryptoBackendError } from './types.ts';
export type { CryptoChoice, Sha256BackendName, Sha256Choice, SigBackendName } from './types.ts';

export interface SelectOptions {
  /** Signature backend: 'auto' (default) or a name. */
  crypto?: CryptoChoice;
  /** SHA-256 backend: 'auto' (default) or a name. */
  sha256?: Sha256Choice;
  /** libsecp256k1 to open for `ffi` instead of searching the usual names and places. */
  libPath?: string;
  /** Total timing budget for the signature backends in ms (default 60; SHA-256 gets 40% of it). */
  measureMs?: number;
}

export type CandidateStatus = 'selected' | 'passed' | 'failed-kat' | 'unavailable';

export interface SigCandidate {
  /** A SigBackendName for the built-in backends. */
  readonly name: string;
  status: CandidateStatus;
  /** Why unavailable or failed, or what it is (library path, Schnorr partner). */
  detail: string;
  kat?: KatResult;
  /** µs per ECDSA / Schnorr verify, measured at start-up (auto only). */
  ecdsaUs?: number;
  schnorrUs?: number;
}

export interface Sha256Candidate {
  /** A Sha256BackendName for the built-in backends. */
  readonly name: string;
  status: CandidateStatus;
  detail: string;
  kat?: KatResult;
  /** µs per round of the mixed workload in timeSha256 (auto only). */
  roundUs?: number;
}

/** What a worker needs to load the same backends (structured-cloneable). */
export interface CryptoSpec {
  readonly crypto: SigBackendName;
  readonly sha256: Sha256BackendName;
  readonly libPath?: string;
}

export interface CryptoSelection {
  readonly verifier: SigVerifier;
  readonly sha256: Sha256Backend;
  readonly spec: CryptoSpec;
  /** e.g. `node 20.20.2`. */
  readonly runtime: string;
  /** Which backends are active and why, for /info and the start-up log (two lines or more). */
  readonly report: string;
  readonly candidates: { readonly sig: SigCandidate[]; readonly sha256: Sha256Candidate[] };
}

const msg = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const reason = (e: unknown): string => (e instanceof CryptoBackendError ? e.reason : msg(e));

/**
 * Loads one signature backend without checking it. `napi` takes its Schnorr from `wasm`
 * when that loads, else from noble. Rejects with CryptoBackendError when unavailable.
 */
export async function loadSigBackend(name: SigBackendName, libPath?: string): Promise<SigVerifier> {
  switch (name) {
    case 'noble':
      return checkedNobleVerifier;
    case 'wasm':
      return loadWasmVerifier();
    case 'ffi':
      return loadFfiVerifier(libPath);
    case 'napi':
      return loadNapiVerifier(await loadWasmVerifier().catch(() => checkedNobleVerifier));
    default:
      throw new CryptoBackendError(String(name), `unknown signature backend (known: ${SIG_BACKENDS.join(', ')})`);
  }
}

/** Loads one SHA-256 backend without checking it. Rejects with CryptoBackendError when unavailable. */
export async function loadSha256Backend(name: Sha256BackendName): Promise<Sha256Backend> {
  switch (name) {
    case 'js':
      return jsSha256Backend;
    case 'noble':
      return nobleSha256Backend;
    case 'node':
      return loadNodeSha256();
    case 'node-large':
      return loadNodeLargeSha256();
    case 'bun':
      return loadBunSha256();
    default:
      throw new CryptoBackendError(`sha256 ${String(name)}`, `unknown SHA-256 backend (known: ${SHA256_BACKENDS.join(', ')})`);
  }
}

function sigDetail(name: string, v: SigVerifier): string {
  if (name === 'ffi') return `libsecp256k1 at ${(v as SigVerifier & { libPath?: string }).libPath ?? '?'}`;
  if (name === 'napi') return `secp256k1 N-API addon for ECDSA, ${(v as SigVerifier & { schnorrFrom?: string }).schnorrFrom ?? '?'} for Schnorr`;
  if (name === 'wasm') return 'tiny-secp256k1 (libsecp256k1 in WebAssembly)';
  if (name === 'noble') return '@noble/curves, pure JavaScript';
  return v.name;
}

function kaFailure(r: KatResult): string {
  return `${r.failures.length} of ${r.total} known answers wrong: ${r.failures.slice(0, 3).join('; ')}${r.failures.length > 3 ? '; ...' : ''}`;
}

/** Loads and checks a signature backend; throws CryptoBackendError if unavailable or wrong. */
async function checkedSig(name: SigBackendName, libPath: string | undefined): Promise<{ v: SigVerifier; kat: KatResult }> {
  const v = await loadSigBackend(name, libPath);
  const kat = runSigKat(v);
  if (!kat.passed) throw new CryptoBackendError(name, kaFailure(kat));
  return { v, kat };
}

/** Loads and checks a SHA-256 backend; throws CryptoBackendError if unavailable or wrong. */
async function checkedSha(name: Sha256BackendName): Promise<{ b: Sha256Backend; kat: KatResult }> {
  const b = await loadSha256Backend(name);
  const kat = runSha256Kat(b);
  if (!kat.passed) throw new CryptoBackendError(`sha256 ${name}`, kaFailure(kat));
  return { b, kat };
}

/** Mean µs per call of `fn` over at least 3/4 of `budgetMs` ms and 3 calls, after a warm-up
 * of a quarter of the budget (at least one call). */
function timeUs(fn: () => unknown, budgetMs: number): number {
  const w = performance.now();
  do fn();
  while (performance.now() - w < budgetMs / 4);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < (budgetMs * 3) / 4 || n < 3);
  return ((t - t0) * 1000) / n;
}

/** Timing slices per candidate (see interleaved). */
const SLICES = 4;

/**
 * Times `n` candidates within `budgetMs` in all: SLICES rounds, each giving every candidate
 * one slice in turn (`time(i, ms)`; keep the best). On a machine shared with other work a
 * candidate timed once, in one stretch, can lose to a pause that has nothing to do with it;
 * interleaved slices see the same load, and the best of each is its speed.
 */
function interleaved(n: number, budgetMs: number, time: (i: number, ms: number) => void): void {
  for (let r = 0; r < SLICES; r++) for (let i = 0; i < n; i++) time(i, budgetMs / n / SLICES);
}

/** µs per verify of a valid ECDSA (compressed key) and a valid BIP340 signature. */
function timeVerifier(v: SigVerifier, budgetMs: number): { ecdsaUs: number; schnorrUs: number } {
  const e = ecdsaCases()[0]!;
  const s = bip340Cases()[1]!;
  const ecdsaUs = timeUs(() => v.verifyEcdsa(e.sig, e.msg, e.key), budgetMs / 2);
  const schnorrUs = timeUs(() => v.verifySchnorr(s.sig, s.msg, s.key), budgetMs / 2);
  return { ecdsaUs, schnorrUs };
}

const SHA_SIZES = [32, 64, 80, 250, 1000, 4000];
let shaInputs: Uint8Array[] | undefined;
/**
 * µs per round of a workload shaped like validation: one-shot hashes of 32 (hash256's
 * second pass), 64 (merkle nodes), 80 (headers), 250 and 1000 (transactions) and 4000
 * bytes, and one tagged-hash-style stream (64-byte midstate, clone, 32 more bytes).
 */
export function timeSha256(b: Sha256Backend, budgetMs: number): number {
  const inputs = (shaInputs ??= SHA_SIZES.map((n) => new Uint8Array(n).fill(n & 255)));
  const a = inputs[1]!, c = inputs[0]!;
  return timeUs(() => {
    for (const d of inputs) b.sha256(d);
    b.create().update(a).clone().update(c).digest();
  }, budgetMs);
}

const fmt = (x: number | undefined): string => (x === undefined ? '?' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** A backend to try: its name and how to load it (rejecting when unavailable). */
export interface BackendEntry<T> {
  readonly name: string;
  readonly load: () => Promise<T>;
}

/**
 * Loads each entry, runs the known answers, times the ones that gave every answer right
 * and returns them all with the fastest marked `selected` (best is undefined when none
 * passed). A backend with a wrong answer is never timed nor chosen.
 */
export async function rankSigBackends(
  entries: readonly BackendEntry<SigVerifier>[],
  budgetMs: number,
): Promise<{ candidates: SigCandidate[]; best?: { candidate: SigCandidate; verifier: SigVerifier } }> {
  const candidates: SigCandidate[] = [];
  const passed: { candidate: SigCandidate; verifier: SigVerifier }[] = [];
  for (const e of entries) {
    const c: SigCandidate = { name: e.name, status: 'unavailable', detail: '' };
    candidates.push(c);
    try {
      const v = await e.load();
      c.detail = sigDetail(e.name, v);
      c.kat = runSigKat(v);
      if (c.kat.passed) {
        c.status = 'passed';
        passed.push({ candidate: c, verifier: v });
      } else {
        c.status = 'failed-kat';
        c.detail = kaFailure(c.kat);
      }
    } catch (err) {
      c.detail = reason(err);
    }
  }
  interleaved(passed.length, budgetMs, (i, ms) => {
    const c = passed[i]!.candidate;
    const t = timeVerifier(passed[i]!.verifier, ms);
    c.ecdsaUs = Math.min(c.ecdsaUs ?? Infinity, t.ecdsaUs);
    c.schnorrUs = Math.min(c.schnorrUs ?? Infinity, t.schnorrUs);
  });
  const score = (c: SigCandidate) => c.ecdsaUs! + c.schnorrUs!;
  const best = passed.length ? passed.reduce((a, b) => (score(b.candidate) < score(a.candidate) ? b : a)) : undefined;
  if (best) best.candidate.status = 'selected';
  return best ? { candidates, best } : { candidates };
}

/** As rankSigBackends, for SHA-256 (score: µs per round of timeSha256's workload). */
export async function rankSha256Backends(
  entries: readonly BackendEntry<Sha256Backend>[],
  budgetMs: number,
): Promise<{ candidates: Sha256Candidate[]; best?: { candidate: Sha256Candidate; backend: Sha256Backend } }> {
  const candidates: Sha256Candidate[] = [];
  const passed: { candidate: Sha256Candidate; backend: Sha256Backend }[] = [];
  for (const e of entries) {
    const c: Sha256Candidate = { name: e.name, status: 'unavailable', detail: '' };
    candidates.push(c);
    try {
      const b = await e.load();
      c.detail = b.name;
      c.kat = runSha256Kat(b);
      if (c.kat.passed) {
        c.status = 'passed';
        passed.push({ candidate: c, backend: b });
      } else {
        c.status = 'failed-kat';
        c.detail = kaFailure(c.kat);
      }
    } catch (err) {
      c.detail = reason(err);
    }
  }
  interleaved(passed.length, budgetMs, (i, ms) => {
    const c = passed[i]!.candidate;
    c.roundUs = Math.min(c.roundUs ?? Infinity, timeSha256(passed[i]!.backend, ms));
  });
  const best = passed.length ? passed.reduce((a, b) => (b.candidate.roundUs! < a.candidate.roundUs! ? b : a)) : undefined;
  if (best) best.candidate.status = 'selected';
  return best ? { candidates, best } : { candidates };
}

/**
 * Chooses the signature and SHA-256 backends. Never returns an unchecked backend: with
 * `auto`, only backends that gave every known answer are timed and chosen; with a name,
 * that backend must load and give every known answer or this rejects (CryptoBackendError).
 * Does not install anything: call applyCrypto(selection) (or setSha256Backend) yourself.
 */
export async function selectCrypto(opts: SelectOptions = {}): Promise<CryptoSelection> {
  const choice = opts.crypto ?? 'auto';
  const shaChoice = opts.sha256 ?? 'auto';
  const budget = opts.measureMs ?? 60;
  if (choice !== 'auto' && !SIG_BACKENDS.includes(choice)) {
    throw new CryptoBackendError(String(choice), `unknown signature backend (use auto or one of ${SIG_BACKENDS.join(', ')})`);
  }
  if (shaChoice !== 'auto' && !SHA256_BACKENDS.includes(shaChoice)) {
    throw new CryptoBackendError(`sha256 ${String(shaChoice)}`, `unknown SHA-256 backend (use auto or one of ${SHA256_BACKENDS.join(', ')})`);
  }
  const runtime = runtimeLabel();

  // Signatures.
  let verifier: SigVerifier;
  let sigCands: SigCandidate[];
  let sigLine: string;
  if (choice !== 'auto') {
    let checked: { v: SigVerifier; kat: KatResult };
    try {
      checked = await checkedSig(choice, opts.libPath);
    } catch (e) {
      throw new CryptoBackendError(choice, `signature backend not usable on ${runtime}: ${reason(e)}`);
    }
    verifier = checked.v;
    const detail = sigDetail(choice, verifier);
    sigCands = [{ name: choice, status: 'selected', detail, kat: checked.kat }];
    sigLine = `crypto: ${choice} (${detail}) on ${runtime}: chosen explicitly; gave all ${checked.kat.total} known answers`;
  } else {
    const ranked = await rankSigBackends(
      SIG_BACKENDS.map((name) => ({ name, load: () => loadSigBackend(name, opts.libPath) })),
      budget,
    );
    sigCands = ranked.candidates;
    if (!ranked.best) {
      throw new CryptoBackendError('auto', `no signature backend gave every known answer on ${runtime}: ${sigCands.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    }
    const best = ranked.best.candidate;
    verifier = ranked.best.verifier;
    const score = (c: SigCandidate) => c.ecdsaUs! + c.schnorrUs!;
    const timed = sigCands.filter((c) => c.ecdsaUs !== undefined).sort((a, b) => score(a) - score(b));
    sigLine =
      `crypto: ${best.name} (${best.detail}) on ${runtime}: fastest of ${timed.length} backend(s) giving all ` +
      `${best.kat!.total} known answers; µs per ECDSA/Schnorr verify: ${timed.map((c) => `${c.name} ${fmt(c.ecdsaUs)}/${fmt(c.schnorrUs)}`).join(', ')}`;
  }

  // SHA-256.
  let sha256: Sha256Backend;
  let shaCands: Sha256Candidate[];
  let shaLine: string;
  if (shaChoice !== 'auto') {
    let checked: { b: Sha256Backend; kat: KatResult };
    try {
      checked = await checkedSha(shaChoice);
    } catch (e) {
      throw new CryptoBackendError(`sha256 ${shaChoice}`, `SHA-256 backend not usable on ${runtime}: ${reason(e)}`);
    }
    sha256 = checked.b;
    shaCands = [{ name: shaChoice, status: 'selected', detail: shaChoice, kat: checked.kat }];
    shaLine = `sha256: ${shaChoice}: chosen explicitly; gave all ${checked.kat.total} known answers`;
  } else {
    const ranked = await rankSha256Backends(
      SHA256_BACKENDS.map((name) => ({ name, load: () => loadSha256Backend(name) })),
      budget * 0.4,
    );
    shaCands = ranked.candidates;
    if (!ranked.best) {
      throw new CryptoBackendError('sha256 auto', `no SHA-256 backend gave every known answer on ${runtime}: ${shaCands.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    }
    sha256 = ranked.best.backend;
    const best = ranked.best.candidate;
    const timed = shaCands.filter((c) => c.roundUs !== undefined).sort((a, b) => a.roundUs! - b.roundUs!);
    shaLine = `sha256: ${best.name}: fastest of ${timed.length} backend(s) giving all ${best.kat!.total} known answers; µs per mixed round: ${timed.map((c) => `${c.name} ${fmt(c.roundUs)}`).join(', ')}`;
  }

  const others = [...sigCands.map((c) => ({ ...c, what: '' })), ...shaCands.map((c) => ({ ...c, what: 'sha256 ' }))]
    .filter((c) => c.status === 'unavailable' || c.status === 'failed-kat')
    .map((c) => `${c.what}${c.name} ${c.status === 'failed-kat' ? 'REJECTED' : 'unavailable'} (${c.detail})`);
  const lines = [sigLine, shaLine];
  if (others.length) lines.push(`not used: ${others.join('; ')}`);

  const libPath = (verifier as SigVerifier & { libPath?: string }).libPath;
  const spec: CryptoSpec = {
    crypto: verifier.name as SigBackendName,
    sha256: sha256.name as Sha256BackendName,
    ...(verifier.name === 'ffi' && libPath !== undefined ? { libPath } : {}),
  };
  return { verifier, sha256, spec, runtime, report: lines.join('\n'), candidates: { sig: sigCands, sha256: shaCands } };
}

/**
 * For workers: loads the backends a selection chose (selection.spec), runs the known
 * answers again (unless kat is false; ~2 ms for native backends), and returns them.
 * Rejects with CryptoBackendError when a backend is unavailable here or gives a wrong answer.
 */
export async function loadCryptoByName(
  name: SigBackendName,
  libPath?: string,
  sha256Name: Sha256BackendName = 'noble',
  opts: { kat?: boolean } = {},
): Promise<{ verifier: SigVerifier; sha256: Sha256Backend }> {
  if (opts.kat === false) return { verifier: await loadSigBackend(name, libPath), sha256: await loadSha256Backend(sha256Name) };
  const [{ v }, { b }] = [await checkedSig(name, libPath), await checkedSha(sha256Name)];
  return { verifier: v, sha256: b };
}

/** Installs the chosen SHA-256 backend (src/primitives/hash.ts) and returns the verifier. */
export function applyCrypto(sel: { verifier: SigVerifier; sha256: Sha256Backend }): SigVerifier {
  setSha256Backend(sel.sha256);
  return sel.verifier;
}

/** loadCryptoByName for a selection's spec, as posted to a worker. */
export function loadCryptoSpec(spec: CryptoSpec, opts: { kat?: boolean } = {}): Promise<{ verifier: SigVerifier; sha256: Sha256Backend }> {
  return loadCryptoByName(spec.crypto, spec.libPath, spec.sha256, opts);
}
