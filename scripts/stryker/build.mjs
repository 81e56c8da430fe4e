/**
 * Stryker's buildCommand (stryker.config.json): runs once in the sandbox, after the source
 * files have been instrumented, and bundles each test file under `txgateBundle.testDirs`
 * into one plain-JavaScript module beside it (test/x/y.test.ts → test/x/y.test.mjs), the
 * instrumented src it imports included. The runner of scripts/stryker/runner.mjs imports
 * these bundles in its own process, one fresh copy per run: no tsx, no Node start-up, no
 * per-module resolution per mutant.
 *
 * - `node:test` becomes scripts/stryker/node-test-shim.mjs (tests are recorded, the runner
 *   runs them).
 * - `import.meta.url` in each bundled module becomes that module's own file URL, so paths
 *   built from it (test/util/vectors.ts, bench/data.ts) still resolve.
 * - npm packages stay external: node_modules is linked into the sandbox after this build,
 *   and one loaded copy of each package serves every run.
 *
 * Usage: node scripts/stryker/build.mjs   (in the sandbox; by hand to look at the output)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const config = JSON.parse(readFileSync('stryker.config.json', 'utf8'));
const dirs = config.txgateBundle?.testDirs ?? ['test'];
const shim = fileURLToPath(new URL('./node-test-shim.mjs', import.meta.url));

function testFilesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFilesUnder(path));
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const plugin = {
  name: 'txgate-mutate',
  setup(b) {
    b.onResolve({ filter: /^node:test$/ }, () => ({ path: shim }));
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      const url = JSON.stringify(pathToFileURL(path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const entryPoints = dirs.flatMap(testFilesUnder);
const t0 = performance.now();
await build({
  entryPoints,
  outdir: '.',
  outbase: '.',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  plugins: [plugin],
});
console.log(`bundled ${entryPoints.length} test files in ${Math.round(performance.now() - t0)} ms`);
