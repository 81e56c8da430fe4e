import { UtxoSet } from '../../src/utxo/set.ts';
const set = UtxoSet.create();
const tx = (i: number) => { const t = new Uint8Array(32); t[0]=i&255; t[1]=(i>>8)&255; t[2]=(i>>16)&255; t[31]=7; return t; };
const N = 200000;
const adds = [];
for (let i = 0; i < N; i++) { const s = new Uint8Array(22); s[1]=20; s[5]=i&255; adds.push({ txid: tx(i), vout: i%3, coin: { value: BigInt(i*1000+1), scriptPubKey: s, height: i%1000, coinbase: i%7===0 } }); }
let t = performance.now();
for (let b = 0; b < N; b += 2000) set.applyBatch({ add: adds.slice(b, b+2000) });
console.log('insert ms', performance.now()-t, set.size, set.memoryBytes/N, set.usedBytes/N, set.stats());
let bad = 0; t = performance.now();
for (let i = 0; i < N; i++) { const c = set.getCoin(tx(i), i%3); if (!c || c.value !== BigInt(i*1000+1) || c.height !== i%1000 || c.coinbase !== (i%7===0) || c.scriptPubKey[5] !== (i&255)) bad++; }
console.log('lookup ms', performance.now()-t, 'bad', bad, set.getCoin(tx(5), 0));
const snap = set.pin();
set.applyBatch({ spend: adds.slice(0, 100000).map(a => ({ txid: a.txid, vout: a.vout })) });
console.log('after spend', set.size, snap.getCoin(tx(5), 2)?.value, set.getCoin(tx(5), 2), set.stats());
snap.release();
set.applyBatch({}); set.applyBatch({});
console.log(set.stats(), set.getCoin(tx(150000), 0)?.value);
for (let i = 100000; i < N; i++) { const c = set.getCoin(tx(i), i%3); if (!c || c.value !== BigInt(i*1000+1)) bad++; }
console.log('bad', bad);
