/**
 * Every signature backend of src/runtime/crypto that loads on this runtime, plus the ones
 * that do not (with the reason), so a suite can run all of them and report skips by name.
 */
import type { SigVerifier } from '../../src/script/sigcheck.ts';
import { nobleVerifier } from '../../src/script/sigcheck-noble.ts';
import { SIG_BACKENDS, type SigBackendName } from '../../src/runtime/crypto/types.ts';

export interface BackendProbe {
  name: SigBackendName;
  verifier?: SigVerifier;
  /** Why it is unavailable here. */
  skipped?: string;
}

async function load(name: SigBackendName): Promise<SigVerifier> {
  switch (name) {
    case 'noble':
      return nobleVerifier;
    case 'wasm':
      return (await import('../../src/runtime/crypto/wasm.ts')).loadWasmVerifier();
    case 'ffi':
      return (await import('../../src/runtime/crypto/ffi.ts')).loadFfiVerifier();
    case 'napi':
      return (await import('../../src/runtime/crypto/napi.ts')).loadNapiVerifier(nobleVerifier);
  }
}

export async function probeBackends(): Promise<BackendProbe[]> {
  const out: BackendProbe[] = [];
  for (const name of SIG_BACKENDS) {
    try {
      out.push({ name, verifier: await load(name) });
    } catch (e) {
      out.push({ name, skipped: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
