const big = new Uint8Array(1 << 20); const ab = big.buffer;
const N = 500_000; let sink = 0;
const fns: [string, (i: number) => Uint8Array][] = [
  ['new Uint8Array(22)', () => new Uint8Array(22)],
  ['new Uint8Array(300)', () => new Uint8Array(300)],
  ['subarray', (i) => big.subarray(i & 0xffff, (i & 0xffff) + 22)],
  ['view new U8(ab,o,n)', (i) => new Uint8Array(ab, i & 0xffff, 22)],
  ['slice(22)', (i) => big.slice(i & 0xffff, (i & 0xffff) + 22)],
];
for (let rep = 0; rep < 3; rep++) {
  const row: string[] = [];
  for (const [name, f] of fns) { const t = performance.now(); for (let i = 0; i < N; i++) sink += f(i).length; row.push(`${name} ${((performance.now() - t) * 1e6 / N).toFixed(0)}`); }
  console.log(row.join(', '), 'ns');
}
