/**
 * Chain state with undo data and reorganisations (Core's ConnectTip/DisconnectTip/
 * ActivateBestChain) on regtest blocks from the builder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainState } from '../../src/chain/chainstate.ts';
import { MemoryCoinStore } from '../../src/chain/coin-store.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { RegtestChainBuilder, outputScript, signSpend } from '../util/regtest-builder.ts';
import { COINBASE_MATURITY } from '../../src/consensus/constants.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';

/** A chain 102 blocks high whose first two coinbases are mature, and the blocks to replay it. */
async function setup() {
  const store = new MemoryCoinStore();
  const chain = new ChainState(REGTEST, store);
  const b = new RegtestChainBuilder();
  const cbs = [];
  for (let i = 0; i < COINBASE_MATURITY + 2; i++) {
    const m = b.next({ payKind: i % 2 ? 'p2pkh' : 'p2tr', payKey: i });
    cbs.push(m.coinbase);
    assert.equal((await chain.submitBlock(m.raw)).ok, true);
  }
  return { store, chain, b, cbs, base: b.blocks.slice() };
}

test('a heavier branch reorganises; the set equals a fresh replay of it; rewinding restores the start', async () => {
  const { store, chain, b, cbs, base } = await setup();
  const start = store.snapshot();
  const forkPoint = chain.tip.hashHex;
  const A = b.fork();
  const B = b.fork();

  // A1..A3: A1 spends coinbase 0 and A2 spends A1's output (chained).
  const a1tx = signSpend([cbs[0]!], [{ value: cbs[0]!.value - 1000n, scriptPubKey: outputScript('p2wsh', 5) }]);
  const a2tx = signSpend([{ txid: a1tx.txid, vout: 0, value: cbs[0]!.value - 1000n, kind: 'p2wsh', key: 5 }],
    [{ value: cbs[0]!.value - 3000n, scriptPubKey: outputScript('p2sh-p2wpkh', 6) }]);
  for (const m of [A.next({ txs: [a1tx], fees: 1000n, tag: 1 }), A.next({ txs: [a2tx], fees: 2000n, tag: 1 }), A.next({ tag: 1 })]) {
    const r = await chain.submitBlock(m.raw);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  assert.equal(chain.height, base.length + 3);
  assert.equal(chain.tip.hashHex, hashToHex(A.tipHash));

  // B1..B4 from the same parent, spending coinbase 0 differently (a conflict with A1) and coinbase 1.
  const b1tx = signSpend([cbs[0]!, cbs[1]!], [
    { value: cbs[0]!.value, scriptPubKey: outputScript('p2sh-multisig', 7) },
    { value: cbs[1]!.value - 4000n, scriptPubKey: outputScript('p2tr-script', 8) },
  ]);
  const bBlocks = [B.next({ txs: [b1tx], fees: 4000n, tag: 2 }), B.next({ tag: 2 }), B.next({ tag: 2 }), B.next({ tag: 2 })];
  for (const m of bBlocks.slice(0, 3)) assert.equal((await chain.submitBlock(m.raw)).ok, true);
  // Equal work (3 vs 3): the first-seen tip stays.
  assert.equal(chain.tip.hashHex, hashToHex(A.tipHash));
  const r4 = await chain.submitBlock(bBlocks[3]!.raw);
  assert.equal(r4.ok, true, JSON.stringify(r4));
  assert.equal(chain.tip.hashHex, hashToHex(B.tipHash));
  assert.equal(store.getCoin(a2tx.txid, 0), undefined);
  assert.ok(store.getCoin(b1tx.txid, 1));

  // A fresh replay of base + B gives the same set.
  const fresh = new MemoryCoinStore();
  const replay = new ChainState(REGTEST, fresh);
  for (const raw of [...base, ...bBlocks.map((m) => m.raw)]) assert.equal((await replay.submitBlock(raw)).ok, true);
  assert.deepEqual(store.snapshot(), fresh.snapshot());

  // Disconnecting back to the fork point restores the starting set exactly.
  await chain.rewindTo(forkPoint);
  assert.deepEqual(store.snapshot(), start);
});

test('a failing block in the heavier branch: back to the old tip, set unchanged, branch marked failed', async () => {
  const { store, chain, b, cbs } = await setup();
  const A = b.fork();
  const B = b.fork();
  const a1 = A.next({ tag: 1 });
  assert.equal((await chain.submitBlock(a1.raw)).ok, true);
  const oldTip = chain.tip.hashHex;
  const atOldTip = store.snapshot();

  // B1 valid, B2 overpays its coinbase (bad-cb-amount), B3 builds on it.
  const b1tx = signSpend([cbs[0]!], [{ value: cbs[0]!.value - 500n, scriptPubKey: outputScript('p2wpkh', 9) }]);
  const B1 = B.next({ txs: [b1tx], fees: 500n, tag: 2 });
  const B2 = B.next({ tag: 2, coinbaseValue: 50n * 100_000_000n + 1n });
  const B3 = B.next({ tag: 2 });
  assert.equal((await chain.submitBlock(B1.raw)).ok, true);
  assert.equal(chain.tip.hashHex, oldTip);
  const r2 = await chain.submitBlock(B2.raw);
  assert.deepEqual(r2, { ok: false, reason: 'bad-cb-amount' });
  // B1+B2 had more work than A1; B2 failed, and B1 (equal work, received later) loses to A1 again.
  assert.equal(chain.tip.hashHex, oldTip);
  assert.deepEqual(store.snapshot(), atOldTip);
  assert.deepEqual(await chain.submitBlock(B3.raw), { ok: false, reason: 'bad-prevblk' });
});

test('a double spend across blocks: bad-txns-inputs-missingorspent, set unchanged', async () => {
  const { store, chain, b, cbs } = await setup();
  const t1 = signSpend([cbs[1]!], [{ value: cbs[1]!.value - 700n, scriptPubKey: outputScript('p2pkh', 3) }]);
  assert.equal((await chain.submitBlock(b.next({ txs: [t1], fees: 700n }).raw)).ok, true);
  const t2 = signSpend([cbs[1]!], [{ value: cbs[1]!.value - 900n, scriptPubKey: outputScript('p2pkh', 4) }]);
  const before = store.snapshot();
  const r = await chain.submitBlock(b.next({ txs: [t2], fees: 900n }).raw);
  assert.equal(!r.ok && r.reason, 'bad-txns-inputs-missingorspent');
  assert.deepEqual(store.snapshot(), before);
});
