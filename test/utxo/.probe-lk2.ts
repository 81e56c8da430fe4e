import { loadSnapshot } from '../../src/utxo/snapshot.ts';
import { encodeSnapshot, synthGroups, Rng } from './synthetic.ts';
const N = 1000000;
const { set } = await loadSnapshot(encodeSnapshot(synthGroups(N, 42), N, new Uint8Array(4), new Uint8Array(32)));
const keys: [Uint8Array, number][] = [];
let k = 0;
for (const g of synthGroups(N, 42)) for (const c of g.coins) if (k++ % 5 === 0) keys.push([g.txid, c.vout]);
const r = new Rng(3); for (let i = keys.length - 1; i > 0; i--) { const j = r.below(i + 1); [keys[i], keys[j]] = [keys[j]!, keys[i]!]; }
const snap = set.pin();
for (let rep = 0; rep < 5; rep++) {
  const t = performance.now(); let f = 0;
  for (const [t2, v] of keys) if (snap.getCoin(t2, v)) f++;
  console.log('µs/hit', ((performance.now() - t) * 1000 / keys.length).toFixed(3), f);
}
import { hashKey } from '../../src/utxo/layout.ts';
const h = new Int32Array(2);
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  for (const [t2, v] of keys) hashKey(t2, 0, v, 1, 2, h);
  const hk = (performance.now() - t) * 1000 / keys.length;
  t = performance.now(); let f = 0;
  for (const [t2, v] of keys) if (set.has(t2, v)) f++;
  const hs = (performance.now() - t) * 1000 / keys.length;
  t = performance.now();
  for (let i = 0; i < keys.length; i++) { const a = new Uint8Array(22); a[3] = i; f += BigInt(i) === 5n ? 1 : 0; }
  const al = (performance.now() - t) * 1000 / keys.length;
  console.log('hashKey µs', hk.toFixed(3), 'has µs', hs.toFixed(3), 'alloc µs', al.toFixed(3), f);
}
