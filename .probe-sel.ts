import { selectCrypto, loadCryptoByName } from './src/runtime/crypto/select.ts';
const t = performance.now();
const s = await selectCrypto();
console.log(s.report); console.log('ms', (performance.now() - t).toFixed(0), JSON.stringify(s.spec));
const t2 = performance.now(); const w = await loadCryptoByName(s.spec.crypto, s.spec.libPath, s.spec.sha256); console.log('worker load ms', (performance.now()-t2).toFixed(1), w.verifier.name, w.sha256.name);
try { await selectCrypto({ crypto: 'ffi', libPath: '/nope/libsecp.so' }); } catch (e) { console.log(String(e)); }
try { await selectCrypto({ crypto: 'ffi' }); console.log('ffi explicit ok'); } catch (e) { console.log(String(e)); }
try { await selectCrypto({ sha256: 'bun' }); console.log('bun sha ok'); } catch (e) { console.log(String(e)); }
