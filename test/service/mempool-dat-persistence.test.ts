/**
 * mempool.dat: the saved mempool round-trips, and a process killed (SIGKILL) in
 * the middle of saving leaves the previous complete file, which loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeStore } from '../../src/node/persist.ts';
import { scriptCommand } from '../util/spawn-runtime.ts';
import { A, B, records } from './mempool-dat-crash-child.ts';

const child = fileURLToPath(new URL('./mempool-dat-crash-child.ts', import.meta.url));
const MAGIC = new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]);

function runChild(dir: string, mode: string, killOn?: string): Promise<{ out: string; signal: string | null }> {
  const { cmd, args } = scriptCommand(child, [dir, mode]);
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.stdout.on('data', (d) => {
      out += d;
      if (killOn && out.includes(killOn)) p.kill('SIGKILL');
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ out, signal });
    });
  });
}

test('mempool.dat round-trips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-mempool-'));
  try {
    const store = await NodeStore.open(dir, MAGIC);
    assert.deepEqual(await store.loadMempool(), []);
    const recs = records(300, 5);
    await store.saveMempool(recs);
    assert.deepEqual(await store.loadMempool(), recs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process killed while saving mempool.dat leaves the previous state', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-mempool-crash-'));
  try {
    assert.match((await runChild(dir, 'a')).out, /done/);
    const killed = await runChild(dir, 'b-slow', 'progress');
    assert.equal(killed.signal, 'SIGKILL');
    assert.doesNotMatch(killed.out, /done/);
    assert.ok(readdirSync(dir).includes('mempool.dat.tmp'), 'the kill landed mid-write');
    const store = await NodeStore.open(dir, MAGIC);
    assert.deepEqual(await store.loadMempool(), records(A, 1));
    // A complete save then replaces it.
    await store.saveMempool(records(B, 2));
    assert.equal((await store.loadMempool()).length, B);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
