/**
 * txgate following a real Bitcoin node that no one here wrote: bcoin 1.0.2 (regtest, its chain
 * in LevelDB) in a child process (test/util/bcoin-node.ts), txgate started as a user starts it
 * (`--connect 127.0.0.1:PORT`, a data directory) on the runtime running the test.
 *
 *  - sync: the same tip and the same UTXO set, coin by coin (bcoin's `listutxoset`);
 *  - mempool: a transaction sent to bcoin reaches txgate's mempool; one posted to txgate's
 *    POST /tx is announced (`relayed`), reaches bcoin's mempool and is mined by bcoin;
 *  - reorg: bcoin's `invalidateblock` and a longer branch mined on top: txgate follows;
 *  - restart: bcoin, then txgate stop and start again on their data: txgate resumes from its
 *    saved tip and catches up with the blocks mined meanwhile.
 *
 * Where bcoin is not Bitcoin Core (test/e2e/bcoin-harness.test.ts lists it all), this test
 * says so instead of hiding it:
 *  - bcoin's regtest activates segwit at block 432 (Core: from genesis): the chain is mined
 *    past it before any witness spend, and txgate, with Core's regtest rules, accepts every
 *    block before it (they carry no witness data);
 *  - bcoin's min relay fee is 1,000 sat/kvB (Core v30: 100): every transaction here pays
 *    10,000 sat for ~110 vB so that both accept it;
 *  - bcoin's invalidateblock does not return the disconnected block's transactions to its
 *    mempool; txgate, as Core, returns them to its own (checked below).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { BCOIN_REGTEST, BCOIN_SKIP, startBcoin, type BcoinNode } from '../util/bcoin-node.ts';
import { waitFor } from '../util/fake-peer.ts';
import { outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { startTestServer, type TestServer } from '../util/server.ts';

const skip = BCOIN_SKIP;
if (skip) console.log(`# ${skip}`);
const FEE = 10_000n;
const SYNC_MS = 120_000;

interface Info { tip: { height: number; hash: string }; sync?: { synced: boolean; peers: number } }

describe('txgate --connect to a real bcoin node', () => {
  let bcoin: BcoinNode;
  let txgate: TestServer | undefined;
  const dirs: string[] = [];
  let hashes: string[] = [];
  const coinbase = (height: number): Promise<Spendable> => bcoin.coinbase(hashes[height - 1]!);
  const pay = (coin: Spendable, key: number) =>
    signSpend([coin], [{ value: coin.value - FEE, scriptPubKey: outputScript('p2wpkh', key) }]);
  const txgateDir = () => dirs[1]!;
  const startTxgate = async () => {
    txgate = await startTestServer(['--connect', bcoin.p2p, '--datadir', txgateDir(), '--workers', '1']);
    return txgate;
  };
  const info = async (): Promise<Info> => (await fetch(`${txgate!.url}/info`)).json() as Promise<Info>;
  /** Waits until txgate's tip is bcoin's and txgate says it is synced; the tip. */
  const synced = async (): Promise<{ height: number; hash: string }> => {
    const want = await bcoin.tip();
    await waitFor(async () => {
      const i = await info();
      return i.tip.hash === want.hash && i.sync?.synced === true;
    }, `txgate at bcoin's tip ${want.height}`, SYNC_MS);
    return want;
  };
  const inTxgateMempool = async (txid: string) => (await fetch(`${txgate!.url}/mempool/tx/${txid}`)).status === 200;

  before(async () => {
    if (skip) return;
    dirs.push(mkdtempSync(join(tmpdir(), 'txgate-bcoin-')), mkdtempSync(join(tmpdir(), 'txgate-data-')));
    bcoin = await startBcoin({ datadir: dirs[0]! });
    hashes = await bcoin.mine(BCOIN_REGTEST.segwitHeight);
    // P2WPKH spends in blocks after segwit's activation: a chain of payments and fresh coinbases.
    let prev: Spendable | undefined;
    for (let round = 0; round < 4; round++) {
      const txs = [pay(await coinbase(1 + round), 1)];
      if (prev) txs.push(pay(prev, 1));
      for (const tx of txs) await bcoin.sendTx(tx.raw);
      hashes.push(...await bcoin.mine(3));
      const last = txs.at(-1)!;
      prev = { txid: last.txid, vout: 0, value: last.outputs[0]!.value, kind: 'p2wpkh', key: 1 };
    }
  });
  after(async () => {
    await txgate?.close();
    if (bcoin) await bcoin.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('syncs to bcoin\'s tip and holds the same UTXO set, coin by coin', { skip, timeout: SYNC_MS + 60_000 }, async () => {
    await startTxgate();
    const tip = await synced();
    assert.ok(tip.height >= BCOIN_REGTEST.segwitHeight + 12, `tip ${tip.height}`);
    const coins = await bcoin.utxoSet();
    assert.ok(coins.some((c) => c.height > BCOIN_REGTEST.segwitHeight && !c.coinbase), `the set holds outputs of segwit spends (${coins.length} coins)`);
    for (const c of coins) {
      const res = await fetch(`${txgate!.url}/utxo/${c.txid}/${c.vout}`);
      assert.equal(res.status, 200, `txgate has ${c.txid}:${c.vout}`);
      const got = await res.json() as { amount: number; scriptPubKey: string; height: number; coinbase: boolean };
      assert.deepEqual([got.amount, got.scriptPubKey, got.height, got.coinbase], [c.value, c.scriptPubKey, c.height, c.coinbase]);
    }
    const metrics = await (await fetch(`${txgate!.url}/metrics`)).text();
    assert.equal(Number(/^txgate_utxo_coins (\d+)$/m.exec(metrics)?.[1]), coins.length, 'no coin more than bcoin\'s');
    // A spent coin is gone from both.
    const spent = hashToHex((await coinbase(1)).txid);
    assert.equal((await fetch(`${txgate!.url}/utxo/${spent}/0`)).status, 404);
  });

  test('a transaction sent to bcoin reaches txgate\'s mempool', { skip, timeout: 60_000 }, async () => {
    const tx = pay(await coinbase(10), 2);
    const txid = await bcoin.sendTx(tx.raw);
    assert.equal(txid, hashToHex(tx.txid));
    await waitFor(() => inTxgateMempool(txid), 'the transaction in txgate\'s mempool', 30_000);
  });

  test('a transaction posted to txgate is relayed to bcoin, which mines it; txgate sees it confirmed', { skip, timeout: 90_000 }, async () => {
    const tx = pay(await coinbase(11), 3);
    const txid = hashToHex(tx.txid);
    const res = await fetch(`${txgate!.url}/tx`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: toHex(tx.raw) });
    const body = await res.json() as { accepted: boolean; relayed?: number; reason?: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.accepted, true, JSON.stringify(body));
    assert.equal(body.relayed, 1, 'announced to the one peer');
    await waitFor(async () => (await bcoin.mempool()).includes(txid), 'the transaction in bcoin\'s mempool', 30_000);
    const [block] = await bcoin.mine(1);
    assert.ok((await bcoin.rpc<{ tx: string[] }>('getblock', block, true)).tx.includes(txid), 'bcoin mined it');
    hashes.push(block!);
    await synced();
    await waitFor(async () => !(await inTxgateMempool(txid)), 'the mined transaction to leave txgate\'s mempool', 30_000);
    assert.equal((await fetch(`${txgate!.url}/utxo/${txid}/0`)).status, 200);
  });

  test('a reorganisation on bcoin (invalidateblock, then a longer branch) is followed', { skip, timeout: 90_000 }, async () => {
    // A block holding a payment, then replaced by a branch of two empty blocks.
    const tx = pay(await coinbase(12), 4);
    const txid = await bcoin.sendTx(tx.raw);
    const [doomed] = await bcoin.mine(1);
    await synced();
    assert.equal((await fetch(`${txgate!.url}/utxo/${txid}/0`)).status, 200);
    await bcoin.invalidate(doomed!);
    // bcoin does not put the transaction back into its mempool; mined on an empty mempool.
    assert.deepEqual(await bcoin.mempool(), []);
    const branch = await bcoin.mine(2);
    const tip = await synced();
    assert.equal(tip.hash, branch.at(-1));
    assert.equal((await fetch(`${txgate!.url}/utxo/${txid}/0`)).status, 404, 'the branch does not hold it');
    // Core (and txgate) return a disconnected block's transactions to the mempool.
    await waitFor(() => inTxgateMempool(txid), 'the disconnected transaction back in txgate\'s mempool', 30_000);
  });

  test('bcoin and txgate restart on their data; txgate resumes from its saved tip and catches up', { skip, timeout: 150_000 }, async () => {
    const before = await synced();
    await txgate!.close();
    txgate = undefined;
    const options = bcoin.options;
    assert.deepEqual(await bcoin.stop(), { code: 0, forced: false });
    bcoin = await startBcoin(options);
    assert.deepEqual(await bcoin.tip(), before, 'bcoin kept its chain');
    await bcoin.mine(3);
    const srv = await startTxgate();
    assert.ok(srv.log.some((l) => l.includes(`tip ${before.height}`)), `txgate started at its saved tip: ${srv.log.join(' | ')}`);
    const tip = await synced();
    assert.equal(tip.height, before.height + 3);
  });
});
