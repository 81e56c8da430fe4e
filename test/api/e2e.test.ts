// End-to-end smoke test: starts the real server (src/runtime/serve.ts) with the runtime
// running this test, on an ephemeral port, posts a valid stateless transaction and a
// malformed one, and stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { input, p2wpkh, privKey, pubKey, signAll } from '../policy/helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const g = globalThis as unknown as { Bun?: unknown; Deno?: { execPath(): string } };
const runtime = g.Bun ? 'bun' : g.Deno ? 'deno' : 'node';

function command(): [string, string[]] {
  const args = ['src/runtime/serve.ts', '--port=0', '--host=127.0.0.1', '--crypto=noble', `--datadir=${mkdtempSync(join(tmpdir(), 'txgate-e2e-'))}`];
  if (runtime === 'bun') return [process.execPath, args];
  if (runtime === 'deno') return [g.Deno!.execPath(), ['run', '-A', '--unstable-ffi', ...args]];
  return [process.execPath, ['--import', 'tsx', ...args]];
}

test(`serve on ${runtime}: valid stateless tx accepted, malformed tx 400`, { timeout: 60_000 }, async () => {
  const [cmd, args] = command();
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 45 s:\n${output}`)), 45_000);
      const onData = (d: Buffer | string) => {
        output += String(d);
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${output}`));
      });
    });

    const K1 = privKey(7);
    const spk = p2wpkh(pubKey(K1));
    const t = signAll({ version: 2, locktime: 0, inputs: [input(3)], outputs: [{ value: 49_000n, scriptPubKey: p2wpkh(pubKey(privKey(8))) }] },
      [K1], [{ value: 50_000n, scriptPubKey: spk }]);
    let res = await fetch(`${url}/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tx: toHex(t.raw), prevouts: [{ scriptPubKey: toHex(spk), amount: 50_000, height: 1 }], at: { height: 900_000, mtp: 1_750_000_000 } }),
    });
    assert.equal(res.status, 200);
    const ok = await res.json() as Record<string, unknown>;
    assert.deepEqual([ok.allowed, ok.txid, ok.fee], [true, hashToHex(t.txid), 1000]);

    res = await fetch(`${url}/validate`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(t.raw.subarray(0, 30)) });
    assert.equal(res.status, 400);
    const err = await res.json() as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'malformed');
    assert.match(err.error.message, /truncated/);
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
});
