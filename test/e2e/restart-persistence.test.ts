/**
 * Persistence across restarts: a server started from the command line with a
 * data directory receives blocks and mempool transactions, stops (SIGTERM: saves), and a new
 * server on the same directory comes back with the same tip, UTXO set and mempool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegtestChainBuilder, outputScript, signSpend } from '../util/regtest-builder.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { startChildServer } from '../util/server.ts';

test('a restarted server resumes its chain, UTXO set and mempool from the data directory', { timeout: 120_000 }, async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'txgate-restart-'));
  const args = [`--datadir=${datadir}`, '--workers=1', '--crypto=noble'];
  const b = new RegtestChainBuilder();
  const first = b.next({ payKind: 'p2wpkh', payKey: 3 });
  for (let i = 0; i < 101; i++) b.next();
  const spend = signSpend([first.coinbase], [{ value: first.coinbase.value - 20_000n, scriptPubKey: outputScript('p2tr', 4) }]);

  let srv = await startChildServer(args);
  try {
    for (const raw of b.blocks) {
      const r = await fetch(`${srv.url}/blocks`, { method: 'POST', body: raw as unknown as BodyInit, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(r.status, 200, await r.text());
    }
    const tx = await fetch(`${srv.url}/tx`, { method: 'POST', body: toHex(spend.raw), headers: { 'content-type': 'text/plain' } });
    assert.equal(tx.status, 200, await tx.text());
  } finally {
    const end = await srv.close();
    assert.equal(end.forced, false, 'shut down cleanly on SIGTERM');
  }
  assert.ok(existsSync(join(datadir, 'headers.dat')));
  assert.ok(existsSync(join(datadir, 'mempool.dat')));

  srv = await startChildServer(args);
  try {
    const tip = await (await fetch(`${srv.url}/chain/tip`)).json() as { height: number; hash: string };
    assert.equal(tip.height, 102);
    assert.equal(tip.hash, hashToHex(b.tipHash));
    // The UTXO set came back: the first coinbase is unspent in the chain (its spend is in the mempool).
    const coin = await (await fetch(`${srv.url}/utxo/${hashToHex(first.coinbase.txid)}/0`)).json() as { height: number };
    assert.equal(coin.height, 1);
    const mempool = await (await fetch(`${srv.url}/mempool/txids`)).json() as string[];
    assert.deepEqual(mempool, [hashToHex(spend.txid)]);
    // And the chain goes on from there; the block confirming the spend empties the mempool.
    const next = b.next({ txs: [spend], fees: 20_000n });
    const r = await fetch(`${srv.url}/blocks`, { method: 'POST', body: next.raw as unknown as BodyInit, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(r.status, 200, await r.text());
    assert.deepEqual(await (await fetch(`${srv.url}/mempool/txids`)).json(), []);
    assert.equal((await fetch(`${srv.url}/utxo/${hashToHex(first.coinbase.txid)}/0`)).status, 404);
  } finally {
    await srv.close();
  }
});
