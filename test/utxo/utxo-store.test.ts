/**
 * Persistence (src/node/utxo-store.ts): the set and the caller's tip metadata survive a
 * restart; a process killed (SIGKILL) in the middle of a save leaves the previous state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UtxoStore } from '../../src/node/utxo-store.ts';
import { UtxoSet } from '../../src/utxo/set.ts';
import { scriptCommand } from '../util/spawn-runtime.ts';
import { A_COINS, B_COINS, stateA } from './crash-child.ts';
import { sameCoin } from './model.ts';
import { synthGroups } from './synthetic.ts';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

function runChild(dir: string, mode: string, killOn?: string): Promise<{ out: string; code: number | null; signal: string | null }> {
  const { cmd, args } = scriptCommand(child, [dir, mode]);
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
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
      else resolve({ out, code, signal });
    });
  });
}

async function assertStateA(dir: string): Promise<void> {
  const store = await UtxoStore.open(dir);
  const loaded = await store.load();
  assert.ok(loaded, 'a state is saved');
  assert.deepEqual(loaded.meta, { height: 1, hash: 'aa' });
  assert.equal(loaded.set.size, A_COINS);
  const want = await stateA();
  for (const g of synthGroups(A_COINS, 7)) {
    for (const c of g.coins) assert.ok(sameCoin(loaded.set.getCoin(g.txid, c.vout), want.getCoin(g.txid, c.vout)));
  }
}

test('an empty directory has no state; a saved set and tip come back after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-utxo-'));
  try {
    const store = await UtxoStore.open(dir);
    assert.equal(await store.load(), undefined);
    const set = await stateA();
    await store.save(set, { height: 1, hash: 'aa' });
    await assertStateA(dir);
    // a second save replaces the first and leaves one data file
    const set2 = UtxoSet.create({ indexSegments: 1, heapSegments: 1 });
    set2.applyBatch({ add: [{ txid: new Uint8Array(32).fill(3), vout: 1, coin: { value: 5n, scriptPubKey: new Uint8Array([0x51]), height: 9, coinbase: true } }] });
    await store.save(set2, { height: 9 });
    const again = await (await UtxoStore.open(dir)).load();
    assert.deepEqual(again?.meta, { height: 9 });
    assert.equal(again?.set.size, 1);
    assert.equal(again?.set.getCoin(new Uint8Array(32).fill(3), 1)?.value, 5n);
    assert.deepEqual(readdirSync(dir).sort(), ['CURRENT', 'utxo-2.dat']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL during a save: the restarted store loads the previous good state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-utxo-crash-'));
  try {
    const a = await runChild(dir, 'a');
    assert.match(a.out, /done/);
    const killed = await runChild(dir, 'b-slow', 'progress');
    assert.equal(killed.signal, 'SIGKILL');
    assert.doesNotMatch(killed.out, /done/);
    // the kill landed while the new snapshot was being written
    assert.ok(readdirSync(dir).some((n) => n.endsWith('.dat.tmp')), 'an interrupted temp file exists');
    await assertStateA(dir);
    // the leftover was cleaned by open(); a full save then wins
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')));
    const b = await runChild(dir, 'b');
    assert.match(b.out, /done/);
    const loaded = await (await UtxoStore.open(dir)).load();
    assert.deepEqual(loaded?.meta, { height: 2, hash: 'bb' });
    assert.equal(loaded?.set.size, B_COINS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
