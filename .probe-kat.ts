import { runSigKat, runSha256Kat, sigKatCases } from './src/runtime/crypto/kat.ts';
import { nobleVerifier } from './src/script/sigcheck-noble.ts';
import { nobleSha256Backend } from './src/primitives/hash.ts';
import { loadWasmVerifier } from './src/runtime/crypto/wasm.ts';
import { loadNapiVerifier } from './src/runtime/crypto/napi.ts';
import { loadFfiVerifier } from './src/runtime/crypto/ffi.ts';
import { loadNodeSha256, loadNodeLargeSha256, loadBunSha256 } from './src/runtime/crypto/sha256-native.ts';
let t = performance.now(); const cases = sigKatCases(); console.log('gen ms', (performance.now()-t).toFixed(1), cases.length);
t = performance.now(); console.log('noble', runSigKat(nobleVerifier), (performance.now()-t).toFixed(1));
const w = await loadWasmVerifier(); t = performance.now(); console.log('wasm', runSigKat(w), (performance.now()-t).toFixed(1));
const n = await loadNapiVerifier(w); t = performance.now(); console.log('napi', runSigKat(n), (performance.now()-t).toFixed(1));
try { const f = await loadFfiVerifier(); t = performance.now(); console.log('ffi', f.libPath, runSigKat(f), (performance.now()-t).toFixed(1)); } catch (e) { console.log(String(e)); }
console.log(runSha256Kat(nobleSha256Backend));
console.log(runSha256Kat(await loadNodeSha256()));
console.log(runSha256Kat(await loadNodeLargeSha256()));
try { console.log(runSha256Kat(await loadBunSha256())); } catch (e) { console.log(String(e)); }
