/**
 * Crash consistency (src/node/block-journal.ts): a server killed with SIGKILL in the middle of
 * a burst of blocks — before its UTXO set was saved, and again after a save with more blocks
 * on top — restarts at the last block it acknowledged, with a UTXO set that matches it: the
 * acknowledged blocks are not lost, and the chain goes on from there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { startChildServer, type ChildServer } from '../util/server.ts';

const postBlock = async (srv: ChildServer, raw: Uint8Array) => {
  const r = await fetch(`${srv.url}/blocks`, { method: 'POST', body: raw as unknown as BodyInit, headers: { 'content-type': 'application/octet-stream' } });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  return JSON.parse(body) as { height: number; tip: boolean };
};
const tipOf = async (srv: ChildServer) => await (await fetch(`${srv.url}/chain/tip`)).json() as { height: number; hash: string };

test('SIGKILL during block bursts: the restarted server is at the last acknowledged block, its coins consistent', { timeout: 180_000 }, async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'txgate-kill-'));
  const args = [`--datadir=${datadir}`, '--workers=1', '--crypto=noble'];
  const b = new RegtestChainBuilder();
  const coins: Spendable[] = [];
  const mine = (n: number) => Array.from({ length: n }, () => {
    const m = b.next({ payKind: 'p2wpkh', payKey: 1 });
    coins.push(m.coinbase);
    return m.raw;
  });

  // A burst, killed right after the last answer (long before the save a second later).
  let srv = await startChildServer(args);
  for (const raw of mine(110)) await postBlock(srv, raw);
  await srv.kill();
  srv = await startChildServer(args);
  try {
    const first = await tipOf(srv);
    assert.deepEqual([first.height, first.hash], [110, hashToHex(b.tipHash)]);
    // A saved state (a second of quiet) and then blocks spending coins on top, killed again.
    await new Promise((r) => setTimeout(r, 1500));
    const spend = signSpend([coins[0]!], [{ value: coins[0]!.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 2) }]);
    await postBlock(srv, b.next({ txs: [spend], fees: 10_000n }).raw);
    for (const raw of mine(5)) await postBlock(srv, raw);
    await srv.kill();
    srv = await startChildServer(args);
    const tip = await tipOf(srv);
    assert.deepEqual([tip.height, tip.hash], [116, hashToHex(b.tipHash)]);
    // The UTXO set matches that tip: the spent coin is gone, its output is there.
    assert.equal((await fetch(`${srv.url}/utxo/${hashToHex(coins[0]!.txid)}/0`)).status, 404);
    assert.equal((await fetch(`${srv.url}/utxo/${hashToHex(spend.txid)}/0`)).status, 200);
    // And the chain goes on.
    assert.equal((await postBlock(srv, mine(1)[0]!)).height, 117);
  } finally {
    await srv.close();
  }
});
