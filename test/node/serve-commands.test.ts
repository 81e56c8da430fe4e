// The README's serve commands, run exactly as a user types them ("bun run serve",
// "deno task serve", "npm run serve"; with only npm on the machine, the copies of Bun and Deno
// that `npm install` brought, through npx). Each must start the server on its own runtime.
// Node-only (it starts the other runtimes itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `cmd args`, waits for the listening line, checks /health, stops the whole process group. */
async function serveWith(cmd: string, args: string[]): Promise<string> {
  const datadir = mkdtempSync(join(tmpdir(), 'txgate-serve-cmd-'));
  const flags = ['--port=0', '--host=127.0.0.1', `--datadir=${datadir}`, '--workers=1', '--crypto=noble'];
  const child = spawn(cmd, [...args, ...flags], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 60 s:\n${out}`)), 60_000);
      const onData = (d: unknown) => {
        out += String(d);
        const m = /txgate: listening on (http:\/\/\S+) \(([^)]*)\)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(`${m[1]} ${m[2]}`);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening:\n${out}`));
      });
    });
    const url = line.split(' ')[0]!;
    const health = await (await fetch(`${url}/health`)).json() as { status: string };
    assert.equal(health.status, 'ok');
    return line;
  } finally {
    // npm, npx and bun run start the server as a grandchild: stop the whole group.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch { /* already gone */ }
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch { /* already gone */ }
    rmSync(datadir, { recursive: true, force: true });
  }
}

test('npm run serve starts the server on Node', { timeout: 90_000 }, async () => {
  assert.match(await serveWith('npm', ['run', 'serve', '--']), /^\S+ node /);
});

test('npx bun run serve starts it on Bun', { timeout: 90_000 }, async () => {
  assert.match(await serveWith('npx', ['bun', 'run', 'serve']), /^\S+ bun /);
});

test('npx deno task serve starts it on Deno', { timeout: 90_000 }, async () => {
  assert.match(await serveWith('npx', ['deno', 'task', 'serve']), /^\S+ deno /);
});
