import { decompressAmount, expandScript } from '../../src/utxo/compress.ts';
const buf = new Uint8Array(new SharedArrayBuffer(1 << 20, { maxByteLength: 1 << 30 }), 0, 1 << 20);
for (let i = 0; i < buf.length; i++) buf[i] = i & 255;
const N = 1_000_000;
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now(); let s = 0n;
  for (let i = 0; i < N; i++) s += decompressAmount(1 + (i % 100000) * 7);
  const a = (performance.now() - t) * 1000 / N;
  t = performance.now(); let z = 0;
  for (let i = 0; i < N; i++) z += expandScript(6 + (i & 1) * 2, buf, (i * 64) & 0xfffff)!.length;
  const b = (performance.now() - t) * 1000 / N;
  t = performance.now();
  for (let i = 0; i < N; i++) z += new Uint8Array(22).length;
  const c = (performance.now() - t) * 1000 / N;
  t = performance.now();
  for (let i = 0; i < N; i++) s += BigInt(i * 1000);
  const d = (performance.now() - t) * 1000 / N;
  console.log('decompressAmount', a.toFixed(3), 'expandScript', b.toFixed(3), 'alloc22', c.toFixed(3), 'BigInt', d.toFixed(3), s > 0n, z);
}
