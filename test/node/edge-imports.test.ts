// The edge bundle stays portable: every module esbuild pulls in from edge/worker.ts (its
// metafile's inputs, our files and the packages' alike) imports no runtime module (node:*,
// bun:*, Node's built-ins), uses no runtime global (Bun, Deno, process, require) and comes
// from outside src/runtime. Node-only: it runs esbuild through scripts/edge.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEdge } from '../../scripts/edge.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Runtime modules, kept external so the build succeeds and the metafile names who imports them. */
const RUNTIME_MODULES = ['node:*', 'bun:*', 'bun', 'cloudflare:*', ...builtinModules];
const RUNTIME_GLOBAL = /(?<![.\w$])(?:Deno|Bun|process)\s*\.|(?<![.\w$])require\s*\(/;
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');

/** What in the bundle of `entry` touches a runtime, one line per finding. */
async function runtimeUses(entry: string): Promise<{ inputs: string[]; problems: string[] }> {
  const outdir = mkdtempSync(join(tmpdir(), 'txgate-edge-guard-'));
  try {
    const { metafile } = await buildEdge({ outdir, entry, external: RUNTIME_MODULES });
    const problems: string[] = [];
    for (const [file, input] of Object.entries(metafile.inputs)) {
      for (const imp of input.imports) if (imp.external) problems.push(`${file} imports ${imp.path}`);
      if (file.startsWith('src/runtime/')) problems.push(`${file} is in src/runtime`);
      const m = RUNTIME_GLOBAL.exec(code(readFileSync(join(root, file), 'utf8')));
      if (m) problems.push(`${file} uses ${m[0]}`);
    }
    return { inputs: Object.keys(metafile.inputs), problems };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

test('nothing reachable from edge/worker.ts touches a runtime', async () => {
  const { inputs, problems } = await runtimeUses(join(root, 'edge', 'worker.ts'));
  assert.deepEqual(problems, []);
  // The stateless path is in the bundle: the app, the acceptance path, the interpreter, noble.
  for (const f of ['src/api/app.ts', 'src/mempool/accept.ts', 'src/script/interpreter.ts', 'src/script/sigcheck-noble.ts']) {
    assert.ok(inputs.includes(f), `${f} is bundled`);
  }
});

test('the guard names a runtime import, src/runtime and a runtime global', async () => {
  // A probe entry beside the edge app that reaches src/runtime (node:os) and uses Bun.
  const dir = mkdtempSync(join(tmpdir(), 'txgate-edge-probe-'));
  try {
    const probe = join(dir, 'probe.ts');
    writeFileSync(probe, `import { createEdgeApp } from ${JSON.stringify(join(root, 'edge', 'app.ts'))};
import { defaultWorkers } from ${JSON.stringify(join(root, 'src', 'runtime', 'cpus.ts'))};
export default { app: createEdgeApp(), cpus: defaultWorkers(), bun: Bun.version };
`);
    const { problems } = await runtimeUses(probe);
    assert.ok(problems.includes('src/runtime/cpus.ts imports node:os'), problems.join('\n'));
    assert.ok(problems.includes('src/runtime/cpus.ts is in src/runtime'), problems.join('\n'));
    assert.ok(problems.some((p) => p.endsWith('probe.ts uses Bun.')), problems.join('\n'));
    assert.equal(problems.length, 3, problems.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
