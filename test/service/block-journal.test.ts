/**
 * The block journal's records (src/node/block-journal.ts): appended blocks read back in
 * order; a torn last record (a crash while appending) or a corrupt one ends the journal there;
 * clear() empties it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockJournal } from '../../src/node/block-journal.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';

test('block journal: records in order, a torn or corrupt record ends it, clear empties it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-journal-'));
  const j = new BlockJournal(dir);
  assert.deepEqual(await j.read(), []);
  const b = new RegtestChainBuilder();
  const raws = [b.next().raw, b.next().raw, b.next().raw];
  for (const r of raws) await j.append(r);
  assert.deepEqual(await j.read(), raws);
  // A crash half-way through a fourth record.
  const fourth = b.next().raw;
  await j.append(fourth);
  const whole = readFileSync(j.path);
  writeFileSync(j.path, whole.subarray(0, whole.length - 10));
  assert.deepEqual(await j.read(), raws);
  // A flipped byte in the second record's block: only the first is read.
  const bytes = new Uint8Array(whole);
  bytes[8 + raws[0]!.length + 4 + 8 + 100]! ^= 1;
  writeFileSync(j.path, bytes);
  assert.deepEqual(await j.read(), raws.slice(0, 1));
  appendFileSync(j.path, new Uint8Array(3));
  await j.clear();
  assert.deepEqual(await j.read(), []);
});
