/**
 * Bounded memory and restarts: block data and undo are kept only for the last blocks
 * (Core's pruning depth), a reorg below that is refused with a reason, and a chain state
 * restored from persisted headers over its UTXO set continues where it stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainState } from '../../src/chain/chainstate.ts';
import { MemoryCoinStore } from '../../src/chain/coin-store.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';

async function chainOf(n: number, keepBlocks: number) {
  const store = new MemoryCoinStore();
  const chain = new ChainState(REGTEST, store, { keepBlocks });
  const b = new RegtestChainBuilder();
  const forks: RegtestChainBuilder[] = [];
  for (let i = 0; i < n; i++) {
    forks.push(b.fork());
    assert.equal((await chain.submitBlock(b.next().raw)).ok, true);
  }
  return { store, chain, b, forks };
}

test('a reorg deeper than the kept blocks is refused; a shallow one succeeds', async () => {
  const { chain, forks } = await chainOf(20, 5);
  const tipBefore = chain.tip.hashHex;
  // A heavier branch forking at height 9 (11 blocks deep): the undo data is gone.
  const deep = forks[9]!;
  let last;
  for (let i = 0; i < 13; i++) last = await chain.submitBlock(deep.next({ tag: 7 }).raw);
  assert.equal(chain.tip.hashHex, tipBefore);
  assert.ok(last && !last.ok);
  // A heavier branch forking at height 17 (3 deep): reorganises.
  const shallow = forks[17]!;
  for (let i = 0; i < 5; i++) assert.equal((await chain.submitBlock(shallow.next({ tag: 8 }).raw)).ok, true);
  assert.equal(chain.height, 22);
});

test('the first block of a too-deep branch is rejected with bad-fork-prior-to-pruned', async () => {
  const { chain, forks } = await chainOf(12, 3);
  const deep = forks[2]!;
  const reasons: string[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await chain.submitBlock(deep.next({ tag: 9 }).raw);
    if (!r.ok) reasons.push(r.reason);
  }
  assert.ok(reasons.includes('bad-fork-prior-to-pruned'), reasons.join(','));
  assert.equal(chain.height, 12);
});

test('restore from headers over the same UTXO set continues the chain', async () => {
  const { store, chain, b } = await chainOf(15, 288);
  const restored = ChainState.restore(REGTEST, store, chain.activeHeaders());
  assert.equal(restored.tip.hashHex, chain.tip.hashHex);
  assert.equal(restored.tip.medianTimePast(), chain.tip.medianTimePast());
  const next = b.next();
  assert.equal((await restored.submitBlock(next.raw)).ok, true);
  assert.equal(restored.height, 16);
  // A header that does not link up is refused.
  const headers = chain.activeHeaders();
  assert.throws(() => ChainState.restore(REGTEST, new MemoryCoinStore(), headers.slice(1)));
});
