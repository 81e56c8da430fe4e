import { synthGroups, encodeSnapshot } from './synthetic.ts';
import { loadSnapshot } from '../../src/utxo/snapshot.ts';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
const N = 500000;
const f = '/tmp/snap500k.dat';
if (!existsSync(f)) { const ch = [...encodeSnapshot(synthGroups(N, 42), N, new Uint8Array(4), new Uint8Array(32))]; writeFileSync(f, Buffer.concat(ch)); }
const data = new Uint8Array(readFileSync(f));
const chunks = []; for (let i = 0; i < data.length; i += 1 << 20) chunks.push(data.subarray(i, i + (1 << 20)));
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  const { set } = await loadSnapshot(chunks);
  const lt = performance.now() - t;
  console.log('load ms', lt.toFixed(0), 'coins/s', (N / lt * 1000).toFixed(0), (set.usedBytes/N).toFixed(1));
}
