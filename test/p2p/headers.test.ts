/**
 * The header tree of headers-first sync on its own: GetLocator's shape, headers kept only
 * after their checks and only in sequence, the best header by work, and markFailed taking a
 * header's descendants with it and finding the best header again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainState } from '../../src/chain/chainstate.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { HeaderTree } from '../../src/p2p/headers.ts';
import { UtxoSet } from '../../src/utxo/set.ts';
import { decodeHeader, type BlockHeader } from '../../src/primitives/block.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';

const headersOf = (b: RegtestChainBuilder): BlockHeader[] => b.blocks.map((raw) => decodeHeader(raw.subarray(0, 80)));
const tree = () => new HeaderTree(new ChainState(REGTEST, UtxoSet.create()));

const main = new RegtestChainBuilder();
for (let i = 0; i < 100; i++) main.next();

test('the locator: the last ten heights one by one, then doubling steps, then genesis (GetLocator)', () => {
  const t = tree();
  const r = t.accept(headersOf(main));
  assert.ok(r.ok && r.added === 100);
  assert.equal(t.best.height, 100);
  const heights = t.locator().map((h) => t.get(hashToHex(h))!.height);
  assert.deepEqual(heights, [100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 87, 83, 75, 59, 27, 0]);
});

test('headers are kept only in sequence, connected and valid; known ones are skipped', () => {
  const t = tree();
  const hs = headersOf(main);
  const gap = t.accept([hs[0]!, hs[2]!]);
  assert.deepEqual(gap, { ok: false, reason: 'non-continuous headers sequence' });
  // The first header was kept before the gap was found.
  assert.equal(t.size, 1);
  const loose = t.accept([hs[5]!]);
  assert.ok(!loose.ok && loose.unconnecting);
  const again = t.accept(hs.slice(0, 3));
  assert.ok(again.ok && again.added === 2 && again.last!.height === 3);
  // A header with the wrong bits: refused and remembered as invalid.
  const bad = new RegtestChainBuilder(undefined, { hash: hs[2]!.hash, height: 3, time: hs[2]!.time });
  bad.next({ bits: 0x207ffffe });
  const r = t.accept(headersOf(bad));
  assert.ok(!r.ok && /bad-diffbits/.test(r.reason));
  assert.equal(t.size, 3);
  assert.equal(t.best.height, 3);
});

test('markFailed takes the descendants with it and the best header falls back to the next-best branch', () => {
  const t = tree();
  const a = new RegtestChainBuilder();
  for (let i = 0; i < 10; i++) a.next({ tag: 1 });
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 12; i++) b.next({ tag: 2 });
  assert.ok(t.accept(headersOf(a)).ok);
  assert.ok(t.accept(headersOf(b)).ok);
  assert.equal(t.best.height, 12);
  const b5 = hashToHex(headersOf(b)[4]!.hash);
  t.markFailed(b5);
  assert.equal(t.best.height, 10);
  assert.equal(t.best.hashHex, hashToHex(a.tipHash));
  assert.ok(t.isFailed(t.get(hashToHex(b.tipHash))!));
  assert.ok(!t.isFailed(t.get(hashToHex(headersOf(b)[3]!.hash))!));
  // A header extending the failed branch is refused.
  const more = new RegtestChainBuilder(undefined, { hash: b.tipHash, height: 12, time: b.time });
  more.next({ tag: 2 });
  const r = t.accept(headersOf(more));
  assert.ok(!r.ok && /extends an invalid block/.test(r.reason));
});
