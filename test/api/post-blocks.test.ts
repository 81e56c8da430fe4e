// POST /blocks over the real TxgateNode (chain state, reorganisation): an accepted block
// answers 200 and says whether it became the tip (a valid side-branch block is accepted
// with tip false), a block that fails validation answers 422 with Core's reason, and bytes
// that are not a block answer 400.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createApp } from '../../src/api/app.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';

const COIN = 100_000_000n;

describe('POST /blocks over TxgateNode', () => {
  let node: TxgateNode;
  let app: Hono;
  const post = async (raw: Uint8Array | string, type = 'application/octet-stream') => {
    const res = await app.request('/blocks', { method: 'POST', body: raw as BodyInit, headers: { 'content-type': type } });
    return { status: res.status, body: await res.json() as Record<string, any> };
  };
  const tip = async () => (await (await app.request('/chain/tip')).json() as { hash: string; height: number });

  // main: 1, 2, 3; side: 3', 4' from block 2 (4' gives the side branch more work).
  const main = new RegtestChainBuilder();
  const b1 = main.next();
  const b2 = main.next();
  const side = main.fork();
  const b3 = main.next();
  const s3 = side.next({ tag: 1 });
  const s4 = side.next({ tag: 1 });
  const beyond = side.fork();
  const hash = (m: { block: { header: { hash: Uint8Array } } }) => hashToHex(m.block.header.hash);

  before(async () => {
    node = await TxgateNode.start({ network: 'regtest', workers: 0 });
    app = createApp(node);
  });
  after(async () => {
    await node?.close();
  });

  test('blocks extending the tip: 200, accepted, tip true, their height', async () => {
    for (const [i, m] of [b1, b2, b3].entries()) {
      assert.deepEqual(await post(m.raw), { status: 200, body: { hash: hash(m), accepted: true, tip: true, height: i + 1 } });
    }
  });

  test('a valid block on a side branch with less work: accepted, tip false; the branch that overtakes: tip true', async () => {
    assert.deepEqual(await post(s3.raw), { status: 200, body: { hash: hash(s3), accepted: true, tip: false, height: 3 } });
    assert.equal((await tip()).hash, hash(b3), 'equal work: the first-seen tip stays');
    assert.deepEqual(await post(s4.raw), { status: 200, body: { hash: hash(s4), accepted: true, tip: true, height: 4 } });
    assert.equal((await tip()).hash, hash(s4));
  });

  test('a known block: accepted as duplicate, tip true only for the tip itself', async () => {
    assert.deepEqual(await post(b3.raw), { status: 200, body: { hash: hash(b3), accepted: true, tip: false, height: 3, reason: 'duplicate' } });
    assert.deepEqual(await post(s4.raw), { status: 200, body: { hash: hash(s4), accepted: true, tip: true, height: 4, reason: 'duplicate' } });
  });

  test('a block that fails validation: 422 with Core\'s reason; the tip stays', async () => {
    const bad = beyond.fork().next({ coinbaseValue: 100n * COIN });
    assert.deepEqual(await post(bad.raw), { status: 422, body: { hash: hash(bad), accepted: false, reason: 'bad-cb-amount' } });
    const orphanParent = beyond.fork();
    orphanParent.next();
    const orphan = orphanParent.next();
    assert.deepEqual(await post(toHex(orphan.raw), 'text/plain'),
      { status: 422, body: { hash: hash(orphan), accepted: false, reason: 'prev-blk-not-found' } });
    assert.deepEqual(await post(bad.raw), { status: 422, body: { hash: hash(bad), accepted: false, reason: 'duplicate-invalid' } });
    assert.equal((await tip()).hash, hash(s4));
  });

  test('bytes that are not a block: 400 malformed', async () => {
    for (const [raw, type] of [['abcd', 'text/plain'], [b1.raw.subarray(0, 80), 'application/octet-stream']] as const) {
      const r = await post(raw, type);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'malformed');
      assert.match(r.body.error.message, /^block decode failed: ./);
    }
  });
});
