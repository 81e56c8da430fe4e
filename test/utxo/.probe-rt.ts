import { synthGroups, encodeSnapshot } from './synthetic.ts';
import { loadSnapshot, writeSnapshot } from '../../src/utxo/snapshot.ts';
const N = Number(process.argv[2] ?? 1000000);
const magic = new Uint8Array([0xf9,0xbe,0xb4,0xd9]); const base = new Uint8Array(32).fill(7);
let t = performance.now();
const chunks = [...encodeSnapshot(synthGroups(N, 42), N, magic, base)];
const total = chunks.reduce((a, c) => a + c.length, 0);
console.log('encode ms', (performance.now()-t).toFixed(0), 'bytes', total);
t = performance.now();
const { set, meta } = await loadSnapshot(chunks);
const lt = performance.now()-t;
console.log('load ms', lt.toFixed(0), 'coins/s', (N/lt*1000).toFixed(0), set.size, meta.coinsCount, 'used B/coin', (set.usedBytes/N).toFixed(1), 'mem B/coin', (set.memoryBytes/N).toFixed(1), set.stats());
t = performance.now();
const out = writeSnapshot(set, meta);
console.log('write ms', (performance.now()-t).toFixed(0), out.length);
const all = new Uint8Array(total); let o=0; for (const c of chunks) { all.set(c, o); o += c.length; }
let diff = -1; for (let i = 0; i < Math.max(all.length, out.length); i++) if (all[i] !== out[i]) { diff = i; break; }
console.log('identical', diff === -1, diff);
let bad = 0, n = 0;
for (const g of synthGroups(N, 42)) { for (const c of g.coins) { const got = set.getCoin(g.txid, c.vout); n++;
  if (!got || got.value !== c.coin.value || got.height !== c.coin.height || got.coinbase !== c.coin.coinbase || got.scriptPubKey.length !== c.coin.scriptPubKey.length || !got.scriptPubKey.every((x,i)=>x===c.coin.scriptPubKey[i])) { if (bad++ < 3) console.log('bad', c, got); } } }
console.log('checked', n, 'bad', bad);
