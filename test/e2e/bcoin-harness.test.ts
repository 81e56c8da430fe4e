/**
 * The bcoin harness (test/util/bcoin-node.ts) against a real bcoin 1.0.2 regtest node: a chain
 * of a few hundred blocks with P2WPKH spends, its RPC answers, its UTXO set checked against the
 * one rebuilt from its own blocks, invalidateblock, a LevelDB chain across a restart, and a
 * node that reorganizes onto a longer branch of a second node it connects to.
 *
 * Where bcoin 1.0.2 (regtest, harness defaults: requireStandard on) is not Bitcoin Core v30 —
 * an interoperability test must expect these, not hide them:
 *  - Deployments: segwit and CSV are BIP9 (window 144, threshold 108), first active in block
 *    432; BIP66 from 1251, BIP65 from 1351, BIP34 never enforced (bcoin's coinbases carry the
 *    height anyway). Core's regtest has all of them buried from height 1 (segwit from 0). The
 *    mempool follows the tip's own deployment state: witness transactions (`no-witness-yet`)
 *    and version-2 ones (`premature-version2-tx`) are refused until the tip is block 432.
 *  - No taproot: a witness v1 output is nonstandard (`scriptpubkey`), and a v1 spend is an
 *    unknown-witness-version anyone-can-spend to bcoin's consensus.
 *  - No TRUC: version 3 is nonstandard (`version`).
 *  - No replacement: a conflict is `bad-txns-inputs-spent` whatever its fee (Core v30: full
 *    RBF); a version-1 transaction signalling BIP125 is refused (`replace-by-fee`).
 *  - Fees: min relay 1000 sat/kvB (Core v30: 100); below it bcoin still admits a transaction
 *    whose coin-age priority is high enough ("free", rate-limited), which its miner then leaves
 *    out, as it leaves out anything under 1000 sat/kvB. A fee over 10,000 × the min relay fee
 *    is `absurdly-high-fee`, checked before the inputs (Core checks maxfeerate only in RPCs).
 *  - Dust: the same 294-satoshi threshold as Core for P2WPKH (3 × the 1000 sat/kvB relay fee).
 *  - OP_RETURN: one output of at most 80 data bytes (`scriptpubkey`, `multi-op-return`);
 *    Core v30 takes any number up to 100,000 bytes.
 *  - RPC: no testmempoolaccept; sendrawtransaction answers the txid whatever the mempool says
 *    and broadcasts a policy-refused transaction anyway (the harness adds `submittx` for a
 *    verdict); gettxoutsetinfo has no UTXO set hash (the harness adds `listutxoset`);
 *    invalidateblock rewinds the chain to the parent and does not return the disconnected
 *    transactions to the mempool; the mempool does not survive a restart.
 * The P2P side is in bcoin-p2p.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBlock } from '../../src/primitives/block.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { isCoinBase } from '../../src/primitives/tx.ts';
import { BCOIN_REGTEST, BCOIN_SKIP, BcoinRpcError, startBcoin, type BcoinCoin, type BcoinNode } from '../util/bcoin-node.ts';
import { outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';

// Every assert.ok here carries a message: without one, Node's assert rebuilds the failed
// expression from the tsx-compiled source, which took minutes on this file's one long line.
const skip = BCOIN_SKIP;
if (skip) console.log(`# ${skip}`);
const CORE_REGTEST_GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
const FEE = 10_000n;

/** bcoin's verdict on a transaction: 'accepted' or its reject reason. */
async function verdict(node: BcoinNode, raw: Uint8Array): Promise<string> {
  try {
    await node.sendTx(raw);
    return 'accepted';
  } catch (e) {
    if (e instanceof BcoinRpcError) return e.reason;
    throw e;
  }
}

/** The UTXO set rebuilt from the node's blocks 1..tip with this repository's decoder. */
async function utxoSetFromBlocks(node: BcoinNode): Promise<BcoinCoin[]> {
  const coins = new Map<string, BcoinCoin>();
  const { height: tip } = await node.tip();
  for (let h = 1; h <= tip; h++) {
    const block = decodeBlock(await node.block(await node.rpc<string>('getblockhash', h)));
    for (const tx of block.txs) {
      if (!isCoinBase(tx)) for (const i of tx.inputs) assert.ok(coins.delete(`${hashToHex(i.prevout.txid)}:${i.prevout.vout}`), `block ${h} spends a coin`);
      tx.outputs.forEach((o, vout) => {
        if (o.scriptPubKey[0] === 0x6a) return; // OP_RETURN: never a coin
        const txid = hashToHex(tx.txid);
        coins.set(`${txid}:${vout}`, { txid, vout, value: Number(o.value), scriptPubKey: toHex(o.scriptPubKey), height: h, coinbase: isCoinBase(tx) });
      });
    }
  }
  return [...coins.values()].sort((a, b) => (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : a.vout - b.vout));
}

describe('bcoin harness: a regtest chain with segwit spends', () => {
  let node: BcoinNode;
  let hashes: string[] = [];
  const coinbase = (height: number): Promise<Spendable> => node.coinbase(hashes[height - 1]!);
  const pay = (coin: Spendable, key: number, opts = {}) =>
    signSpend([coin], [{ value: coin.value - FEE, scriptPubKey: outputScript('p2wpkh', key) }], opts);

  before(async () => {
    if (skip) return;
    node = await startBcoin();
    hashes = await node.mine(BCOIN_REGTEST.segwitHeight - 2);
  });
  after(async () => {
    if (node) assert.deepEqual(await node.stop(), { code: 0, forced: false });
  });

  test(`segwit and CSV are active from block ${BCOIN_REGTEST.segwitHeight}; the mempool waits for the tip to get there`, { skip, timeout: 60_000 }, async () => {
    const softforks = async () => (await node.rpc<{ bip9_softforks: Record<string, { status: string }> }>('getblockchaininfo')).bip9_softforks;
    // getblockchaininfo at tip h answers for block h + 1.
    assert.equal((await softforks()).segwit!.status, 'locked_in');
    hashes.push(...await node.mine(1));
    assert.equal((await softforks()).segwit!.status, 'active');
    assert.equal((await softforks()).csv!.status, 'active');
    assert.equal(await verdict(node, pay(await coinbase(1), 1).raw), 'premature-version2-tx');
    assert.equal(await verdict(node, pay(await coinbase(1), 1, { version: 1, sequence: 0xffffffff }).raw), 'no-witness-yet');
    hashes.push(...await node.mine(1));
    assert.equal((await node.tip()).height, BCOIN_REGTEST.segwitHeight);
    const spend = pay(await coinbase(1), 1);
    assert.equal(await verdict(node, spend.raw), 'accepted');
    const [next] = await node.mine(1);
    hashes.push(next!);
    assert.deepEqual((await node.rpc<{ tx: string[] }>('getblock', next, true)).tx.slice(1), [hashToHex(spend.txid)]);
  });

  test('blocks carry P2WPKH spends: mempool, blocks and UTXO set follow', { skip, timeout: 120_000 }, async () => {
    let prev: Spendable | undefined;
    for (let round = 0; round < 6; round++) {
      // A mature coinbase (P2WPKH, key 0) and the previous round's last output (key 1) are spent.
      const txs = [pay(await coinbase(2 + round), 1)];
      if (prev) txs.push(pay(prev, 1));
      const sent: string[] = [];
      for (const tx of txs) sent.push(await node.sendTx(tx.raw));
      assert.deepEqual(sent, txs.map((t) => hashToHex(t.txid)));
      assert.deepEqual(await node.mempool(), [...sent].sort());
      const mined = await node.mine(10);
      hashes.push(...mined);
      const block = await node.rpc<{ tx: string[] }>('getblock', mined[0], true);
      assert.deepEqual(block.tx.slice(1).sort(), [...sent].sort());
      assert.deepEqual(await node.mempool(), []);
      const last = txs.at(-1)!;
      prev = { txid: last.txid, vout: 0, value: last.outputs[0]!.value, kind: 'p2wpkh', key: 1 };
    }
    assert.ok((await node.tip()).height > 490, 'a few hundred blocks');
    const utxos = new Set((await node.utxoSet()).map((c) => `${c.txid}:${c.vout}`));
    for (let h = 1; h < 8; h++) assert.ok(!utxos.has(`${hashToHex((await coinbase(h)).txid)}:0`), `coinbase ${h} spent`);
    assert.ok(utxos.has(`${hashToHex(prev!.txid)}:0`), 'the last spend is unspent');
    assert.ok(utxos.has(`${hashToHex((await coinbase(8)).txid)}:0`), 'coinbase 8 is unspent');
  });

  test('listutxoset is the UTXO set rebuilt from the blocks; gettxoutsetinfo agrees with it', { skip, timeout: 120_000 }, async () => {
    const utxos = await node.utxoSet();
    assert.deepEqual(utxos, await utxoSetFromBlocks(node));
    const info = await node.utxoSetInfo();
    const tip = await node.tip();
    assert.equal(info.height, tip.height);
    assert.equal(info.bestblock, tip.hash);
    assert.equal(info.txouts, utxos.length);
    assert.equal(Math.round(info.total_amount * 1e8), utxos.reduce((s, c) => s + c.value, 0));
  });

  test("policy where bcoin 1.0.2 is not Core v30: each transaction's verdict", { skip, timeout: 60_000 }, async () => {
    let h = 20;
    const out = (key: number, value: bigint, kind: 'p2wpkh' | 'p2tr' = 'p2wpkh') => ({ value, scriptPubKey: outputScript(kind, key) });
    const opReturn = (n: number) => ({ value: 0n, scriptPubKey: Uint8Array.of(0x6a, 0x4c, n, ...new Uint8Array(n)) });
    const spend = async (outs: (c: Spendable) => { value: bigint; scriptPubKey: Uint8Array }[], opts = {}) => {
      const c = await coinbase(h++);
      return signSpend([c], outs(c), opts);
    };
    const rest = (c: Spendable, less = FEE) => out(1, c.value - less);
    const cases: [string, Uint8Array, string][] = [
      ['version 3 (Core: TRUC, standard)', (await spend((c) => [rest(c)], { version: 3 })).raw, 'version'],
      ['version 1 signalling BIP125 (Core: standard)', (await spend((c) => [rest(c)], { version: 1 })).raw, 'replace-by-fee'],
      ['a P2TR output (Core: standard)', (await spend((c) => [out(1, c.value - FEE, 'p2tr')])).raw, 'scriptpubkey'],
      ['OP_RETURN with 81 bytes (Core v30: up to 100,000)', (await spend((c) => [opReturn(81), rest(c)])).raw, 'scriptpubkey'],
      ['OP_RETURN with 80 bytes', (await spend((c) => [opReturn(80), rest(c)])).raw, 'accepted'],
      ['two OP_RETURN outputs (Core v30: standard)', (await spend((c) => [opReturn(1), opReturn(1), rest(c)])).raw, 'multi-op-return'],
      ['a 293-satoshi P2WPKH output (Core: dust too)', (await spend((c) => [out(2, 293n), rest(c, FEE + 293n)])).raw, 'dust'],
      ['a 294-satoshi P2WPKH output', (await spend((c) => [out(2, 294n), rest(c, FEE + 294n)])).raw, 'accepted'],
      ['a 10 BTC fee (Core: only RPCs check maxfeerate)', (await spend((c) => [rest(c, 1_000_000_000n)])).raw, 'absurdly-high-fee'],
      ['an immature coinbase (Core: the same reason)', pay(await node.coinbase(hashes.at(-50)!), 1).raw, 'bad-txns-premature-spend-of-coinbase'],
    ];
    for (const [what, raw, expected] of cases) assert.equal(await verdict(node, raw), expected, what);
    // No replacement: a conflict paying 100 times the fee is refused (Core v30: full RBF replaces it).
    const c = await coinbase(h++);
    const first = signSpend([c], [rest(c)]);
    assert.equal(await verdict(node, first.raw), 'accepted');
    assert.equal(await verdict(node, signSpend([c], [out(2, c.value - 100n * FEE)]).raw), 'bad-txns-inputs-spent');
    // Below 1000 sat/kvB: admitted as a high-priority "free" transaction, then never mined
    // (Core v30: no fee is `min relay fee not met`; 500 sat/kvB is relayed and mined).
    const free = await spend((c) => [rest(c, 0n)]);
    const cheap = await spend((c) => [rest(c, 55n)]);
    assert.equal(cheap.vsize, 110);
    assert.equal(await verdict(node, free.raw), 'accepted');
    assert.equal(await verdict(node, cheap.raw), 'accepted');
    hashes.push(...await node.mine(1));
    assert.deepEqual(await node.mempool(), [hashToHex(free.txid), hashToHex(cheap.txid)].sort());
  });

  test('invalidateblock: bcoin rewinds to the parent, forgets the blocks, empties its mempool, and mines a new branch', { skip, timeout: 60_000 }, async () => {
    assert.equal((await node.mempool()).length, 2);
    const spend = pay(await coinbase(40), 3);
    await node.sendTx(spend.raw);
    const before = await node.tip();
    const [x] = await node.mine(2);
    const setWithSpend = await node.utxoSet();
    await node.invalidate(x!);
    assert.deepEqual(await node.tip(), before);
    // bcoin's chain reset empties the mempool: the disconnected spend is not returned to it,
    // and the two transactions waiting there are dropped too.
    assert.deepEqual(await node.mempool(), []);
    const set = await node.utxoSet();
    const input = spend.inputs[0]!.prevout;
    assert.ok(set.some((u) => u.txid === hashToHex(input.txid) && u.vout === input.vout), 'its input is unspent again');
    assert.ok(!set.some((u) => u.txid === hashToHex(spend.txid)), 'its output is gone');
    assert.notDeepEqual(set, setWithSpend);
    assert.deepEqual(set, await utxoSetFromBlocks(node));
    const branch = await node.mine(3);
    assert.ok(!branch.includes(x!), 'a new branch');
    assert.deepEqual(await node.tip(), { height: before.height + 3, hash: branch[2]! });
    // The invalidated blocks are forgotten, not kept as a side branch (Core keeps them, and
    // reconsiderblock reconnects them); bcoin's reconsiderblock changes nothing.
    await assert.rejects(node.rpc('getblock', x!), (e: BcoinRpcError) => e.reason === 'Block not found');
    assert.equal((await node.rpc<unknown[]>('getchaintips')).length, 1);
    await node.rpc('reconsiderblock', x!);
    assert.equal((await node.tip()).hash, branch[2]);
  });

  test("RPC: Core's regtest genesis, bcoin's version, fee floor and services", { skip }, async () => {
    assert.equal(await node.rpc('getblockhash', 0), CORE_REGTEST_GENESIS);
    const chain = await node.rpc<{ chain: string; blocks: number; bestblockhash: string }>('getblockchaininfo');
    const tip = await node.tip();
    assert.deepEqual([chain.chain, chain.blocks, chain.bestblockhash], ['regtest', tip.height, tip.hash]);
    const net = await node.rpc<Record<string, unknown>>('getnetworkinfo');
    assert.deepEqual([net.subversion, net.protocolversion, net.localservices, net.relayfee], ['/bcoin:v1.0.2/', 70015, '00000009', 0.00001]);
    assert.equal((await node.rpc<{ mempoolminfee: number }>('getmempoolinfo')).mempoolminfee, 0.00001);
    await assert.rejects(node.rpc('testmempoolaccept', []), (e: BcoinRpcError) => e.code === -32601);
  });
});

describe('bcoin harness: a LevelDB chain survives a restart', () => {
  test('the same tip and UTXO set after stop and start on the same directory and ports; the mempool is not kept', { skip, timeout: 120_000 }, async () => {
    const datadir = mkdtempSync(join(tmpdir(), 'txgate-bcoin-'));
    let node = await startBcoin({ datadir });
    try {
      // Version-1 P2PKH spends are standard before segwit's height.
      const hashes = await node.mine(101, outputScript('p2pkh', 5));
      const spend = signSpend([await node.coinbase(hashes[0]!, 'p2pkh', 5)], [{ value: 50n * 100_000_000n - FEE, scriptPubKey: outputScript('p2pkh', 6) }], { version: 1, sequence: 0xffffffff });
      await node.sendTx(spend.raw);
      hashes.push(...await node.mine(1));
      const spend2 = signSpend([await node.coinbase(hashes[1]!, 'p2pkh', 5)], [{ value: 50n * 100_000_000n - FEE, scriptPubKey: outputScript('p2pkh', 6) }], { version: 1, sequence: 0xffffffff });
      await node.sendTx(spend2.raw);
      const tip = await node.tip();
      const utxos = await node.utxoSet();
      assert.equal(tip.height, 102);
      assert.ok(utxos.some((u) => u.txid === hashToHex(spend.txid)), 'the confirmed spend is in the UTXO set');
      assert.deepEqual(await node.stop(), { code: 0, forced: false });

      node = await startBcoin(node.options);
      assert.deepEqual(await node.tip(), tip);
      assert.deepEqual(await node.utxoSet(), utxos);
      assert.deepEqual(await node.mempool(), []);
      const [next] = await node.mine(1);
      assert.deepEqual(await node.tip(), { height: 103, hash: next! });
    } finally {
      assert.deepEqual(await node.stop(), { code: 0, forced: false });
      rmSync(datadir, { recursive: true, force: true });
    }
  });
});

describe('bcoin harness: two nodes', () => {
  test('a node connected later to a longer competing branch reorganizes onto it', { skip, timeout: 120_000 }, async () => {
    const a = await startBcoin();
    const b = await startBcoin();
    try {
      const common = await a.mine(5);
      await a.mine(3, outputScript('p2wpkh', 7));
      const branch = await b.mine(12, outputScript('p2wpkh', 8));
      assert.notEqual(branch[0], common[0]);
      await a.connect(b.p2p);
      const deadline = Date.now() + 60_000;
      while ((await a.tip()).hash !== branch.at(-1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await a.tip(), await b.tip());
      assert.deepEqual(await a.utxoSet(), await b.utxoSet());
      assert.equal((await a.rpc<unknown[]>('getpeerinfo')).length, 1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
