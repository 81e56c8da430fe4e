/**
 * Shared by test/crypto: every signature and SHA-256 backend of src/runtime/crypto as the
 * selection loads it, with the reason for each one unavailable here (tests on those are
 * reported skipped by name), and the BIP340 CSV.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Sha256Backend } from '../../src/primitives/hash.ts';
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import { loadSha256Backend, loadSigBackend } from '../../src/runtime/crypto/select.ts';
import { CryptoBackendError, SHA256_BACKENDS, SIG_BACKENDS } from '../../src/runtime/crypto/types.ts';

export interface Probe<T> {
  readonly name: string;
  readonly backend?: T;
  /** Why it is unavailable on this runtime. */
  readonly skip?: string;
}

const why = (e: unknown) => (e instanceof CryptoBackendError ? e.reason : e instanceof Error ? e.message : String(e));

export async function sigBackends(): Promise<Probe<SigVerifier>[]> {
  const out: Probe<SigVerifier>[] = [];
  for (const name of SIG_BACKENDS) {
    try {
      out.push({ name, backend: await loadSigBackend(name) });
    } catch (e) {
      out.push({ name, skip: why(e) });
    }
  }
  return out;
}

export async function sha256Backends(): Promise<Probe<Sha256Backend>[]> {
  const out: Probe<Sha256Backend>[] = [];
  for (const name of SHA256_BACKENDS) {
    try {
      out.push({ name, backend: await loadSha256Backend(name) });
    } catch (e) {
      out.push({ name, skip: why(e) });
    }
  }
  return out;
}

export interface Bip340Row {
  index: number;
  sk: string;
  pk: string;
  aux: string;
  msg: string;
  sig: string;
  ok: boolean;
  comment: string;
}

export function bip340Csv(): Bip340Row[] {
  const path = fileURLToPath(new URL('../vectors/bips/bip340-test-vectors.csv', import.meta.url));
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  if (lines[0] !== 'index,secret key,public key,aux_rand,message,signature,verification result,comment') throw new Error('unexpected CSV header');
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return { index: Number(c[0]), sk: c[1]!, pk: c[2]!, aux: c[3]!, msg: c[4]!, sig: c[5]!, ok: c[6] === 'TRUE', comment: c.slice(7).join(',') };
  });
}
