import { loadSnapshot } from '../../src/utxo/snapshot.ts';
import { encodeSnapshot, synthGroups } from './synthetic.ts';
const N = 300000;
const { set } = await loadSnapshot(encodeSnapshot(synthGroups(N, 42), N, new Uint8Array(4), new Uint8Array(32)));
const keys: [Uint8Array, number, number][] = [];
for (const g of synthGroups(N, 42)) for (const c of g.coins) keys.push([g.txid, c.vout, c.coin.scriptPubKey.length === 67 && c.coin.scriptPubKey[1] === 4 ? 1 : 0]);
for (let rep = 0; rep < 3; rep++) {
  const tt = [0, 0], nn = [0, 0];
  for (const [t, v, kind] of keys) { const s = performance.now(); set.getCoin(t, v); tt[kind] += performance.now() - s; nn[kind]++; }
  console.log('normal µs', (tt[0] / nn[0] * 1000).toFixed(3), 'uncompressed-p2pk µs', (tt[1] / nn[1] * 1000).toFixed(1), nn);
}
