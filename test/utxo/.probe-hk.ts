import { hashKey } from '../../src/utxo/layout.ts';
const keys: Uint8Array[] = []; for (let i = 0; i < 200000; i++) { const t = new Uint8Array(32); t[0] = i; t[5] = i >> 8; keys.push(t); }
const h = new Int32Array(2);
for (let rep = 0; rep < 5; rep++) { const t = performance.now(); for (let i = 0; i < keys.length; i++) hashKey(keys[i]!, 0, i & 3, 1, 2, h); console.log((performance.now() - t) * 1000 / keys.length); }
