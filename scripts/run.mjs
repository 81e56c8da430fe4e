#!/usr/bin/env node
// Runs a TypeScript entry on the runtime that invoked the package script: `bun run serve`
// (or `npx bun run serve`) runs it on Bun, `npm run serve` on Node (through the tsx loader).
// `bun run` would otherwise execute a script's `node` with Node. (Deno uses deno.json's
// tasks directly.)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ancestorNames, launcherRuntime, runtimeEnv } from './runtime-env.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const [entry, ...args] = process.argv.slice(2);
const bin = (n) => join(root, 'node_modules', '.bin', n);
const onBun = launcherRuntime(process.env, ancestorNames()) === 'bun';
const [cmd, argv] = onBun
  ? [process.env.BUN_INSTALL_BIN ?? bin('bun'), [entry, ...args]]
  : [process.execPath, ['--import', 'tsx', entry, ...args]];
const env = { ...process.env, ...runtimeEnv(onBun ? 'bun' : 'node') };
const child = spawn(cmd, argv, { stdio: 'inherit', cwd: root, env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
