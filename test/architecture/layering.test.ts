/**
 * The design's one-way imports (primitives ← script ← consensus ← policy ← validation ←
 * mempool ← api, with utxo and chain beside consensus, and node/runtime at the edge), and
 * runtime-specific code only in src/runtime: checked on the source text of every file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';

const SRC = new URL('../../src/', import.meta.url);

/** Lower rank = lower layer. A file may import its own folder or a lower rank. */
const RANK: Record<string, number> = {
  primitives: 0,
  script: 1,
  utxo: 2,
  consensus: 3,
  chain: 4,
  policy: 4,
  validation: 5,
  mempool: 6,
  api: 7,
  // The composition root and the runtime adapters: the edge, free to use each other.
  node: 8,
  runtime: 8,
};

function files(dir: URL, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = new URL(name, dir);
    if (statSync(path).isDirectory()) out.push(...files(new URL(`${name}/`, dir), `${rel}${name}/`));
    else if (name.endsWith('.ts')) out.push(`${rel}${name}`);
  }
  return out;
}

const all = files(SRC);
const source = (f: string): string => readFileSync(new URL(f, SRC), 'utf8');
/** Relative import specifiers (static, re-exports and dynamic). */
const imports = (text: string): string[] =>
  [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);

test('every src folder has a layer', () => {
  const folders = new Set(all.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!));
  for (const d of folders) assert.ok(d in RANK, `src/${d} has no rank in this test`);
  assert.ok(all.length > 50);
});

test('imports point one way (primitives ← script ← … ← api; node and runtime at the edge)', () => {
  const bad: string[] = [];
  for (const f of all) {
    const from = f.split('/')[0]!;
    if (!(from in RANK)) continue;
    for (const spec of imports(source(f))) {
      const target = new URL(spec, new URL(f, SRC)).pathname.slice(SRC.pathname.length).split('/')[0]!;
      if (target === from || !(target in RANK)) continue;
      const ok = RANK[target]! < RANK[from]! || (RANK[target] === 8 && RANK[from] === 8);
      if (!ok) bad.push(`src/${f} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('only src/runtime touches Bun, Deno, node:* or process', () => {
  const bad: string[] = [];
  for (const f of all) {
    if (f.startsWith('runtime/')) continue;
    // Comments may name the runtimes; code may not use them.
    const code = source(f).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    if (/from\s+'node:|import\s*\(\s*'node:|\bDeno\.|\bBun\.|\bprocess\./.test(code)) bad.push(`src/${f}`);
  }
  assert.deepEqual(bad, []);
});
