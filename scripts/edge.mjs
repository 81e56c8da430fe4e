#!/usr/bin/env node
// The edge build and its local server.
//   node scripts/edge.mjs build            bundles edge/worker.ts into dist/edge/worker.js
//                                          (esbuild; what `wrangler deploy` uploads) and
//                                          writes dist/edge/workerd.capnp
//   node scripts/edge.mjs serve [--port N] builds, then serves the bundle in workerd
//                                          (`npm run edge`; port 8787 by default)
// The bundle is built for the browser platform: an import of a Node built-in anywhere
// under edge/worker.ts fails the build (test/node/edge-imports.test.ts names the module).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** The date the worker's behaviour is pinned to (also in wrangler.toml). */
export const COMPATIBILITY_DATE = '2025-09-01';
export const DEFAULT_OUTDIR = join(root, 'dist', 'edge');

/**
 * Bundles edge/worker.ts into `outdir`/worker.js. Returns its path, its size raw and
 * gzipped (what the platform's upload limit counts) and esbuild's metafile.
 */
export async function buildEdge({ outdir = DEFAULT_OUTDIR, entry = join(root, 'edge', 'worker.ts'), external = [] } = {}) {
  const esbuild = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'worker.js');
  const result = await esbuild.build({
    entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'], minify: true, metafile: true, write: false, logLevel: 'silent',
    absWorkingDir: root, external,
  });
  const code = result.outputFiles[0].contents;
  writeFileSync(outfile, code);
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return { outfile, bytes: code.length, gzipBytes: gzipSync(code).length, metafile: result.metafile };
}

/** A workerd configuration serving `worker.js` (beside the config) with text bindings `vars`. */
export function workerdConfig(vars = {}) {
  const bindings = Object.entries(vars).map(([k, v]) => `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(String(v))})`);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "txgate", worker = .txgate) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "txgate") ],
);

const txgate :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [ ${bindings.join(', ')} ],
);
`;
}

/** Writes `outdir`/workerd.capnp for the bundle there. */
export function writeWorkerdConfig(outdir = DEFAULT_OUTDIR, vars = {}) {
  const path = join(outdir, 'workerd.capnp');
  writeFileSync(path, workerdConfig(vars));
  return path;
}

/** The workerd binary the npm package `workerd` brought (@cloudflare/workerd-<platform>). */
export function workerdBinary() {
  return require('workerd').default;
}

/**
 * Starts workerd on `config`, listening on `host:port` (port 0: any free one). Resolves
 * with the child and the URL once workerd reports the socket listening (--control-fd).
 */
export function startWorkerd(config, { port = 8787, host = '127.0.0.1', stdio = 'pipe' } = {}) {
  const child = spawn(workerdBinary(), ['serve', config, `--socket-addr=http=${host}:${port}`, '--control-fd=3'], {
    cwd: root, stdio: [stdio === 'inherit' ? 'inherit' : 'ignore', stdio, stdio, 'pipe'], detached: stdio !== 'inherit',
  });
  return new Promise((resolve, reject) => {
    let log = '';
    let control = '';
    const timer = setTimeout(() => reject(new Error(`workerd did not listen within 30 s\n${log}`)), 30_000);
    if (child.stderr) child.stderr.on('data', (d) => { log += d; });
    if (child.stdout) child.stdout.on('data', (d) => { log += d; });
    child.stdio[3].on('data', (d) => {
      control += d;
      for (const line of control.split('\n')) {
        if (!line.trim()) continue;
        const msg = JSON.parse(line);
        if (msg.event === 'listen' && msg.socket === 'http') {
          clearTimeout(timer);
          resolve({ child, url: `http://${host}:${msg.port}`, log: () => log });
        }
      }
    });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`workerd exited with ${code}\n${log}`)); });
  });
}

function flag(args, name, fallback) {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
}

async function main() {
  const [command = 'build', ...args] = process.argv.slice(2);
  const built = await buildEdge();
  const config = writeWorkerdConfig(DEFAULT_OUTDIR);
  console.log(`txgate edge: ${built.outfile} ${(built.bytes / 1024).toFixed(0)} KiB (${(built.gzipBytes / 1024).toFixed(0)} KiB gzipped); workerd config ${config}`);
  if (command === 'build') return;
  if (command !== 'serve') throw new Error(`unknown command ${command}: build | serve [--port N]`);
  const port = Number(flag(args, 'port', process.env.PORT ?? 8787));
  const { child, url } = await startWorkerd(config, { port, host: flag(args, 'host', '127.0.0.1'), stdio: 'inherit' });
  console.log(`txgate edge: listening on ${url} (workerd)`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.removeAllListeners('exit');
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
