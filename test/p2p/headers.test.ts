/**
 * The header tree of headers-first sync on its own: GetLocator's shape, headers kept only
 * after their checks and only in sequence, the best header by work, and markFailed taking a
 * header's descendants with it and finding the best header again. Its headers share the
 * chain state's store: a block accepted, a snapshot base's headers attached or a chain state
 * taking the store over uses the entries already there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainState } from '../../src/chain/chainstate.ts';
import { FAILED } from '../../src/chain/header-store.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { HeaderTree } from '../../src/p2p/headers.ts';
import { UtxoSet } from '../../src/utxo/set.ts';
import { decodeHeader, type BlockHeader } from '../../src/primitives/block.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';

const headersOf = (b: RegtestChainBuilder): BlockHeader[] => b.blocks.map((raw) => decodeHeader(raw.subarray(0, 80)));
const tree = () => new HeaderTree({ chain: new ChainState(REGTEST, UtxoSet.create()) });

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

test('a header is held once: the chain state takes the tree\'s entry when it accepts the block', async () => {
  const t = tree();
  const chain = (t as unknown as { source: { chain: ChainState } }).source.chain;
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 10; i++) b.next();
  assert.ok(t.accept(headersOf(b)).ok);
  assert.deepEqual([chain.headers.count, chain.headers.accepted, t.size], [11, 1, 10]);
  for (const raw of b.blocks) assert.ok((await chain.submitBlock(raw)).ok);
  assert.equal(chain.height, 10);
  assert.deepEqual([chain.headers.count, chain.headers.accepted, t.size], [11, 11, 0]);
  assert.ok(t.get(hashToHex(b.tipHash))!.is(chain.tip));
});

test('a snapshot base\'s headers attach as the tree\'s entries; a batch that fails leaves them the tree\'s', () => {
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 10; i++) b.next();
  const hs = headersOf(b);
  const fork = new RegtestChainBuilder(undefined, { hash: hs[4]!.hash, height: 5, time: hs[4]!.time });
  fork.next({ tag: 3 });
  const base = { blockHash: hashToHex(b.tipHash), height: 10, hashSerialized: '', coins: 0 };
  const chain = ChainState.atSnapshotBase(REGTEST, UtxoSet.create(), base);
  const t = new HeaderTree({ chain });
  assert.ok(t.accept(hs).ok);
  const raws = hs.map((h) => h.raw);
  // Height 6 from another branch (a header new to the store): height 7 does not extend it.
  // The new entry goes; the tree's entries 1..5 are headers only again.
  const broken = [...raws.slice(0, 5), headersOf(fork)[0]!.raw, ...raws.slice(6)];
  assert.throws(() => chain.attachBaseHeaders(broken), /does not extend/);
  assert.deepEqual([chain.headers.count, chain.headers.accepted, t.size, chain.height], [11, 1, 10, 0]);
  assert.equal(chain.index.has(hashToHex(hs[0]!.hash)), false);
  assert.equal(t.get(hashToHex(fork.tipHash)), undefined);
  chain.attachBaseHeaders(raws);
  assert.deepEqual([chain.headers.count, chain.headers.accepted, t.size, chain.height], [11, 11, 0, 10]);
  assert.ok(t.get(base.blockHash)!.is(chain.tip));
});

test('a chain state that takes over the store (a snapshot loaded) keeps the tree\'s headers; the old blocks become headers, failed ones stay failed', async () => {
  const b = new RegtestChainBuilder();
  for (let i = 0; i < 6; i++) b.next();
  const source = { chain: new ChainState(REGTEST, UtxoSet.create()) };
  const t = new HeaderTree(source);
  for (const raw of b.blocks.slice(0, 3)) assert.ok((await source.chain.submitBlock(raw)).ok);
  assert.ok(t.accept(headersOf(b)).ok);
  t.markFailed(hashToHex(headersOf(b)[4]!.hash));
  const store = source.chain.headers;
  store.setStatus(2, store.status(2) | FAILED);
  source.chain = new ChainState(REGTEST, UtxoSet.create(), { headers: store });
  assert.equal(source.chain.headers, store);
  assert.deepEqual([store.count, store.accepted, source.chain.height, t.size], [7, 1, 0, 6]);
  assert.equal(source.chain.index.has(hashToHex(headersOf(b)[0]!.hash)), false);
  assert.ok(t.isFailed(t.get(hashToHex(headersOf(b)[1]!.hash))!), 'the old chain state\'s failure');
  assert.ok(!t.isFailed(t.get(hashToHex(headersOf(b)[0]!.hash))!));
  assert.equal(t.best.height, 4);
  assert.ok((await source.chain.submitBlock(b.blocks[0]!)).ok);
  assert.equal(store.count, 7);
  // A chain state with a store of its own: the tree sees only that one.
  source.chain = new ChainState(REGTEST, UtxoSet.create());
  assert.deepEqual([t.size, t.best.height, t.get(hashToHex(b.tipHash))], [0, 0, undefined]);
});
