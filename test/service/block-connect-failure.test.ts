/**
 * A block whose connection does not complete is either connected or cleanly retryable
 * (src/chain/chainstate.ts submitBlock, src/node/node.ts): a validation worker lost while the
 * block's scripts run answers 503 (no verdict), the block is not marked failed, and sending
 * it again connects it — never "duplicate" with the tip left below it. A full validation
 * queue does not refuse a block: its checks go ahead of every other job
 * (src/validation/worker-pool.ts, priority).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxgateNode } from '../../src/node/node.ts';
import { createApp } from '../../src/api/app.ts';
import { ValidatorCore } from '../../src/validation/jobs.ts';
import { encodeResults, unpackBatch, type WireBatch } from '../../src/validation/wire.ts';
import type { WorkerLike } from '../../src/validation/worker-pool.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';

/** Workers that validate in this thread and hold their batches while `held.on` is set. */
function heldWorkers() {
  const held = { on: false, batches: [] as (() => void)[], waiting: [] as (() => void)[] };
  const spawn = (): WorkerLike => {
    let onMessage: ((ev: { data: unknown }) => void) | undefined;
    let dead = false;
    const core = new ValidatorCore();
    return {
      postMessage(m) {
        const msg = m as { type: string };
        if (msg.type === 'init') queueMicrotask(() => onMessage?.({ data: { type: 'ready', backend: 'in-thread' } }));
        if (msg.type !== 'batch') return;
        const batch = m as WireBatch;
        const answer = () => {
          if (dead) return;
          const results = unpackBatch(batch).map((j) => core.runSync(j));
          onMessage?.({ data: { type: 'results', batch: batch.batch, results: encodeResults(results), ms: 1, jobs: results.length } });
        };
        if (!held.on) return void queueMicrotask(answer);
        held.batches.push(answer);
        for (const f of held.waiting.splice(0)) f();
      },
      addEventListener(type: string, f: (ev: never) => void) {
        if (type === 'message') onMessage = f as (ev: { data: unknown }) => void;
      },
      terminate() {
        dead = true;
      },
    };
  };
  const release = () => {
    held.on = false;
    for (const f of held.batches.splice(0)) f();
  };
  /** Resolves once at least one batch is held. */
  const someHeld = () => new Promise<void>((res) => (held.batches.length ? res() : held.waiting.push(res)));
  return { held, spawn, release, someHeld };
}

/** A chain of 105 blocks whose first five coinbases have matured, and the node and app over it. */
async function setUp(maxQueuePerWorker?: number) {
  const w = heldWorkers();
  const node = await TxgateNode.start({ network: 'regtest', workers: 1, spawn: w.spawn, ...(maxQueuePerWorker ? { maxQueuePerWorker } : {}) });
  const app = createApp(node);
  const b = new RegtestChainBuilder();
  const coins: Spendable[] = [];
  for (let i = 0; i < 105; i++) {
    const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
    coins.push(m.coinbase);
    assert.equal((await node.submitBlock(m.raw)).busy, false);
  }
  const spend = (c: Spendable) => signSpend([c], [{ value: c.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
  const post = async (raw: Uint8Array) => {
    const res = await app.request('/blocks', { method: 'POST', body: raw as BodyInit, headers: { 'content-type': 'application/octet-stream' } });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  return { w, node, b, coins, spend, post };
}

test('a worker lost while a block connects: 503, the block is not kept half-connected, and sending it again connects it', async () => {
  const { w, node, b, coins, spend, post } = await setUp();
  try {
    const block = b.next({ txs: [spend(coins[0]!)], fees: 10_000n });
    const hash = hashToHex(block.block.header.hash);
    w.held.on = true;
    const answer = post(block.raw);
    await w.someHeld();
    node.pool!.crash(0);
    const first = await answer;
    assert.equal(first.status, 503, JSON.stringify(first.body));
    assert.equal(node.chain.height, 105);
    w.release();
    const again = await post(block.raw);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.tip, true, 'the block sent again became the tip');
    assert.equal(node.chain.height, 106);
    assert.equal(node.chain.tip.hashHex, hash);
    // The next block connects on top of it as usual.
    const next = await post(b.next().raw);
    assert.deepEqual([next.status, next.body.height, next.body.tip], [200, 107, true]);
  } finally {
    w.release();
    await node.close();
  }
});

test('a full validation queue does not refuse a block: its checks go first and it connects', async () => {
  const { w, node, b, coins, spend, post } = await setUp(2);
  try {
    w.held.on = true;
    // Two transactions fill the one worker's queue.
    const validating = node.validate([{ tx: spend(coins[1]!) }, { tx: spend(coins[2]!) }]);
    await w.someHeld();
    assert.equal((await node.validate([{ tx: spend(coins[3]!) }])).busy, true, 'the queue is full for transactions');
    const block = b.next({ txs: [spend(coins[0]!)], fees: 10_000n });
    const answer = post(block.raw);
    await new Promise((r) => setTimeout(r, 20));
    w.release();
    const r = await answer;
    assert.deepEqual([r.status, r.body.tip, r.body.height, r.body.reason], [200, true, 106, undefined], JSON.stringify(r.body));
    assert.equal(node.chain.height, 106);
    const v = await validating;
    assert.equal(v.busy, false);
  } finally {
    w.release();
    await node.close();
  }
});
