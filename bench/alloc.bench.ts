/**
 * What a small byte array costs on this runtime: a fresh `new Uint8Array(n)`, a view on an
 * existing buffer (what src/primitives/bytes.ts ByteSlab hands out), `subarray`, `slice`,
 * and the slab allocator itself — the numbers behind src/runtime/tuning.ts (validation
 * workers take intermediate arrays from slabs except on Bun; UTXO lookups return script
 * views except on Bun). Best of 5 passes of 500,000 each, ns per array.
 *
 *   node --import tsx bench/alloc.bench.ts
 *   npx bun bench/alloc.bench.ts
 *   npx deno run -A bench/alloc.bench.ts
 */
import { ByteSlab } from '../src/primitives/bytes.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';

const N = 500_000;
const big = new Uint8Array(1 << 20);
const ab = big.buffer;
const slab = new ByteSlab();
let sink = 0;
const cases: [string, (i: number) => Uint8Array][] = [
  ['new Uint8Array(32)', () => new Uint8Array(32)],
  ['new Uint8Array(64)', () => new Uint8Array(64)],
  ['new Uint8Array(65)', () => new Uint8Array(65)],
  ['new Uint8Array(256)', () => new Uint8Array(256)],
  ['view: new Uint8Array(buffer, offset, 32)', (i) => new Uint8Array(ab, (i & 0xffff) * 8, 32)],
  ['subarray(o, o + 32)', (i) => big.subarray(i & 0xffff, (i & 0xffff) + 32)],
  ['slice(o, o + 32)', (i) => big.slice(i & 0xffff, (i & 0xffff) + 32)],
  ['ByteSlab.alloc(32)', () => slab.alloc(32)],
  ['ByteSlab.alloc(256)', () => slab.alloc(256)],
];
const best = new Map<string, number>();
for (let pass = 0; pass < 5; pass++) {
  for (const [name, f] of cases) {
    const t = performance.now();
    for (let i = 0; i < N; i++) sink += f(i).length;
    const ns = ((performance.now() - t) * 1e6) / N;
    best.set(name, Math.min(best.get(name) ?? Infinity, ns));
  }
}
console.log(`alloc bench — ${runtimeLabel()} — ${new Date().toISOString().slice(0, 16)}Z (best of 5 × ${N.toLocaleString('en')}, ns per array)`);
for (const [name, ns] of best) console.log(`  ${name.padEnd(42)} ${ns.toFixed(0).padStart(6)}`);
if (sink === 0) console.log('');
