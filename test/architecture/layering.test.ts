/**
 * The layering of README.md's Layout picture, checked on the source text of every file:
 * imports point one way (the rank of each src folder is read from the picture), nothing
 * shipped (src/, workers/, mod.ts) imports test/ or bench/, and only src/runtime touches a
 * runtime (Bun, Deno, node:*, process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const SRC = new URL('src/', ROOT);

/** The README's picture: `primitives ← script ← … ← node, runtime`, lowest layer first. */
function readmeRanks(): Record<string, number> {
  const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
  const line = readme.split('\n').find((l) => /^primitives ← /.test(l));
  assert.ok(line, 'README.md has the layering picture');
  const rank: Record<string, number> = {};
  line.split('←').forEach((layer, i) => {
    for (const name of layer.split(',')) rank[name.trim()] = i;
  });
  return rank;
}
const RANK = readmeRanks();
const EDGE = Math.max(...Object.values(RANK));

/** Every .ts/.mjs/.js file under `dir` (relative to ROOT), node_modules and data left out. */
function files(rel: string): string[] {
  const dir = new URL(rel, ROOT);
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [rel];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'out' || name === 'vectors') continue;
    const p = `${rel}${rel.endsWith('/') ? '' : '/'}${name}`;
    if (statSync(new URL(p, ROOT)).isDirectory()) out.push(...files(`${p}/`));
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const src = files('src/');
const source = (f: string): string => readFileSync(new URL(f, ROOT), 'utf8');
const code = (f: string): string => source(f).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
/** Relative import specifiers (static, re-exports and dynamic with a literal). */
const imports = (text: string): string[] =>
  [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
/** The path (relative to ROOT) an import of file `f` resolves to. */
const target = (f: string, spec: string): string => new URL(spec, new URL(f, ROOT)).pathname.slice(ROOT.pathname.length);

test('the picture names every src folder, and each folder once', () => {
  const folders = new Set(src.filter((f) => f.split('/').length > 2).map((f) => f.split('/')[1]!));
  for (const d of folders) assert.ok(d in RANK, `src/${d} is not in README.md's layering picture`);
  for (const d of Object.keys(RANK)) assert.ok(folders.has(d), `the picture names ${d}, which src/ does not have`);
  assert.ok(src.length > 50);
});

test('imports point one way, as the picture says', () => {
  const bad: string[] = [];
  for (const f of src) {
    const from = f.split('/')[1]!;
    if (!(from in RANK)) continue;
    for (const spec of imports(source(f))) {
      const to = target(f, spec);
      if (!to.startsWith('src/')) {
        bad.push(`${f} imports ${spec} (outside src/)`);
        continue;
      }
      const folder = to.split('/')[1]!;
      if (folder === from || !(folder in RANK)) continue;
      const ok = RANK[folder]! < RANK[from]! || (RANK[folder] === EDGE && RANK[from] === EDGE);
      if (!ok) bad.push(`${f} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('nothing shipped (src/, workers/, edge/, mod.ts) imports test/ or bench/; workers/ holds worker entry scripts only', () => {
  const shipped = [...src, ...files('workers/'), ...files('edge/'), 'mod.ts'];
  const bad: string[] = [];
  for (const f of shipped) {
    for (const spec of imports(source(f))) {
      const to = target(f, spec);
      if (to.startsWith('test/') || to.startsWith('bench/') || to.startsWith('scripts/')) bad.push(`${f} imports ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
  // A worker entry script is started by file URL from src/ (spawn.ts), not imported.
  for (const w of files('workers/')) {
    const name = w.split('/').pop()!;
    assert.ok(src.some((f) => source(f).includes(`workers/${name}`)), `${w} is started by nothing in src/`);
  }
});

test('bench/ and scripts/ use src/ and test helpers, never a test file', () => {
  const bad: string[] = [];
  for (const f of [...files('bench/'), ...files('scripts/')]) {
    for (const spec of imports(source(f))) if (target(f, spec).endsWith('.test.ts')) bad.push(`${f} imports ${spec}`);
  }
  assert.deepEqual(bad, []);
});

test('only src/runtime touches Bun, Deno, node:* or process', () => {
  const bad: string[] = [];
  for (const f of [...src, ...files('workers/'), 'mod.ts']) {
    if (f.startsWith('src/runtime/')) continue;
    // Comments may name the runtimes; code may not use them.
    if (/from\s+'node:|import\s*\(\s*'node:|\bDeno\.|\bBun\.|\bprocess\./.test(code(f))) bad.push(f);
  }
  assert.deepEqual(bad, []);
});
