// The JSON-RPC methods a Core user reaches for first, in Core's shapes (core_write.cpp
// TxToUniv and ScriptToUniv, rpc/rawtransaction.cpp, rpc/fees.cpp, rpc/net.cpp,
// rpc/server.cpp CRPCTable::help), the Esplora transaction and tip routes, and the mempool
// series of GET /metrics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { makeTx } from '../../src/primitives/tx.ts';
import { createApp } from '../../src/api/app.ts';
import { mountMempool } from '../../src/api/mempool-routes.ts';
import { Registry } from '../../src/api/metrics.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import { estimateFromBlocks } from '../../src/api/rpc-node-methods.ts';
import { BEST, call, mempoolApp, RPC_PASS, RPC_USER, SPK, spend, TestMempoolNode } from './mempool-deps.ts';

const KEY = '02' + '11'.repeat(32);
/** A strict-DER signature (r = s = 1) with SIGHASH_ALL, as a scriptSig push. */
const SIG = '300602010102010101';

function signedSpend(node: TestMempoolNode) {
  const coin = node.fund(100_000n);
  return makeTx({
    version: 2, locktime: 7,
    inputs: [{ prevout: coin, scriptSig: Uint8Array.from(Buffer.from('09' + SIG + '21' + KEY, 'hex')), sequence: 0xfffffffd, witness: [Uint8Array.of(1, 2)] }],
    outputs: [{ value: 90_000n, scriptPubKey: SPK }],
  });
}

describe('getrawtransaction, decoderawtransaction (TxToUniv)', () => {
  test("Core's fields in Core's order; scriptSig asm decodes the sighash type; verbose adds hex", async () => {
    const node = new TestMempoolNode();
    const { app } = mempoolApp(node);
    const tx = signedSpend(node);
    const hex = toHex(tx.raw);
    const decoded = (await call(app, 'decoderawtransaction', [hex])).result;
    assert.deepEqual(Object.keys(decoded), ['txid', 'hash', 'version', 'size', 'vsize', 'weight', 'locktime', 'vin', 'vout']);
    assert.equal(decoded.txid, hashToHex(tx.txid));
    assert.equal(decoded.hash, hashToHex(tx.wtxid));
    assert.equal(decoded.size, tx.raw.length);
    assert.equal(decoded.vsize, tx.vsize);
    assert.equal(decoded.locktime, 7);
    assert.deepEqual(Object.keys(decoded.vin[0]), ['txid', 'vout', 'scriptSig', 'txinwitness', 'sequence']);
    assert.equal(decoded.vin[0].scriptSig.asm, `3006020101020101[ALL] ${KEY}`);
    assert.deepEqual(decoded.vin[0].txinwitness, ['0102']);
    assert.deepEqual(decoded.vout[0], {
      value: 0.0009, n: 0,
      scriptPubKey: { asm: '0 ' + '07'.repeat(20), desc: decoded.vout[0].scriptPubKey.desc, hex: toHex(SPK), address: decoded.vout[0].scriptPubKey.address, type: 'witness_v0_keyhash' },
    });
    assert.match(decoded.vout[0].scriptPubKey.address, /^bcrt1q/);
    assert.equal((await call(app, 'decoderawtransaction', ['00'])).error?.code, -22);

    const txid = hashToHex(tx.txid);
    assert.equal((await call(app, 'getrawtransaction', [txid])).error?.code, -5);
    assert.equal((await call(app, 'sendrawtransaction', [hex])).result, txid);
    assert.equal((await call(app, 'getrawtransaction', [txid])).result, hex);
    assert.equal((await call(app, 'getrawtransaction', [txid, false])).result, hex);
    const verbose = (await call(app, 'getrawtransaction', [txid, true])).result;
    assert.deepEqual(verbose, { ...decoded, hex });
    assert.deepEqual(Object.keys(verbose).at(-1), 'hex');
    assert.deepEqual((await call(app, 'getrawtransaction', [txid, 1])).result, verbose);
    const missing = await call(app, 'getrawtransaction', ['11'.repeat(32), 1]);
    assert.equal(missing.error?.code, -5);
    assert.match(missing.error!.message, /^No such mempool transaction\. Use -txindex/);
  });

  test('a coinbase input prints coinbase and sequence only', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const cb = makeTx({
      version: 1, locktime: 0,
      inputs: [{ prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig: Uint8Array.of(1, 9), sequence: 0xffffffff, witness: [] }],
      outputs: [{ value: 50n * 100_000_000n, scriptPubKey: SPK }],
    });
    const r = (await call(app, 'decoderawtransaction', [toHex(cb.raw)])).result;
    assert.deepEqual(r.vin, [{ coinbase: '0109', sequence: 4294967295 }]);
    assert.equal(r.vout[0].value, 50);
  });
});

describe('decodescript', () => {
  test('P2PKH: asm, desc, address, type, and its P2SH and P2WPKH wrappings', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const hash = '22'.repeat(20);
    const r = (await call(app, 'decodescript', [`76a914${hash}88ac`])).result;
    assert.deepEqual(Object.keys(r), ['asm', 'desc', 'address', 'type', 'p2sh', 'segwit']);
    assert.equal(r.asm, `OP_DUP OP_HASH160 ${hash} OP_EQUALVERIFY OP_CHECKSIG`);
    assert.equal(r.type, 'pubkeyhash');
    assert.equal(r.segwit.hex, `0014${hash}`);
    assert.equal(r.segwit.type, 'witness_v0_keyhash');
    assert.deepEqual(Object.keys(r.segwit), ['asm', 'desc', 'hex', 'address', 'type', 'p2sh-segwit']);
    assert.match(r.p2sh, /^2/);
  });
  test('P2WPKH gets P2SH only; OP_RETURN nothing; an uncompressed key no segwit; multisig wsh(multi(...))', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const p2wpkh = (await call(app, 'decodescript', ['0014' + '22'.repeat(20)])).result;
    assert.ok('p2sh' in p2wpkh && !('segwit' in p2wpkh));
    const ret = (await call(app, 'decodescript', ['6a0401020304'])).result;
    assert.deepEqual(Object.keys(ret), ['asm', 'desc', 'type']);
    const uncompressed = (await call(app, 'decodescript', ['41' + '04' + '33'.repeat(64) + 'ac'])).result;
    assert.equal(uncompressed.type, 'pubkey');
    assert.ok('p2sh' in uncompressed && !('segwit' in uncompressed));
    const multi = (await call(app, 'decodescript', [`5121${KEY}51ae`])).result;
    assert.match(multi.segwit.desc, new RegExp(`^wsh\\(multi\\(1,${KEY}\\)\\)#[a-z0-9]{8}$`));
    assert.equal((await call(app, 'decodescript', [''])).result.type, 'nonstandard');
  });
});

describe('estimatesmartfee (from the projected blocks)', () => {
  test('an empty mempool is too little data: errors and blocks 0, as Core without history', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    assert.deepEqual((await call(app, 'estimatesmartfee', [6])).result, { errors: ['Insufficient data or no feerate found'], blocks: 0 });
    assert.deepEqual((await call(app, 'estimatesmartfee', [0])).error, { code: -8, message: 'Invalid conf_target, must be between 1 and 1008' });
    assert.equal((await call(app, 'estimatesmartfee', [1009])).error?.code, -8);
    assert.equal((await call(app, 'estimatesmartfee', [2, 'fast'])).error?.message, 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"');
  });
  test('a mempool that clears in one block: the floor (minimum relay fee), BTC/kvB, target clamped to 2', async () => {
    const node = new TestMempoolNode();
    const { app } = mempoolApp(node);
    assert.equal((await call(app, 'sendrawtransaction', [toHex(spend([node.fund(100_000n)], [90_000n]).raw)])).error, null);
    assert.deepEqual((await call(app, 'estimatesmartfee', [1])).result, { feerate: 0.000001, blocks: 2 });
    assert.deepEqual((await call(app, 'estimatesmartfee', [6, 'CONSERVATIVE'])).result, { feerate: 0.000001, blocks: 6 });
  });
  test('a backlog: the median fee rate of the block the target needs, never below the floor', () => {
    const block = (medianFee: number) => ({ blockSize: 1, blockVSize: 1_000_000, nTx: 1, totalFees: 1, medianFee, feeRange: [] });
    const blocks = [block(50), block(20), block(8), block(3)];
    assert.deepEqual(estimateFromBlocks(blocks, 1, 1000), { feerateKvB: 20_000, blocks: 2 });
    assert.deepEqual(estimateFromBlocks(blocks, 3, 1000), { feerateKvB: 8000, blocks: 3 });
    // The last projected block holds everything left: past it the floor is enough.
    assert.deepEqual(estimateFromBlocks(blocks, 4, 1000), { feerateKvB: 1000, blocks: 4 });
    assert.deepEqual(estimateFromBlocks(blocks, 3, 9000), { feerateKvB: 9000, blocks: 3 });
    assert.deepEqual(estimateFromBlocks([], 3, 1000), { blocks: 0 });
  });
});

describe('help, uptime, getnetworkinfo', () => {
  test("help lists every method by category, as Core's; help <command> gives its usage", async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const list: string = (await call(app, 'help')).result;
    const sections = list.split('\n\n').map((s) => s.split('\n')[0]);
    assert.deepEqual(sections, ['== Blockchain ==', '== Control ==', '== Network ==', '== Rawtransactions ==', '== Util ==']);
    assert.match(list, /^== Blockchain ==\ngetbestblockhash\ngetblockchaininfo\ngetblockcount\n/);
    assert.match(list, /\n== Util ==\nestimatesmartfee conf_target \( "estimate_mode" \)$/);
    assert.match((await call(app, 'help', ['getrawtransaction'])).result, /^getrawtransaction "txid" /);
    assert.equal((await call(app, 'help', ['nosuch'])).result, 'help: unknown command: nosuch');
  });
  test('uptime counts seconds; getnetworkinfo: no P2P, relay fees in BTC/kvB', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const up = (await call(app, 'uptime')).result;
    assert.ok(Number.isInteger(up) && up >= 0 && up < 5);
    const n = (await call(app, 'getnetworkinfo')).result;
    assert.deepEqual(Object.keys(n), ['version', 'subversion', 'protocolversion', 'localservices', 'localservicesnames', 'localrelay', 'timeoffset',
      'networkactive', 'connections', 'connections_in', 'connections_out', 'networks', 'relayfee', 'incrementalfee', 'localaddresses', 'warnings']);
    assert.equal(n.relayfee, 0.000001);
    assert.match(n.subversion, /^\/txgate:/);
    assert.equal(n.connections, 0);
  });
});

describe('Esplora: /api/tx/:txid[/hex|/status], /api/blocks/tip/*', () => {
  test('a mempool transaction with its prevouts and fee; 404 and 400 as Esplora words them', async () => {
    const node = new TestMempoolNode();
    const { app } = mempoolApp(node);
    const parent = spend([node.fund(100_000n)], [90_000n]);
    const child = spend([{ txid: parent.txid, vout: 0 }], [80_000n]);
    for (const t of [parent, child]) assert.equal((await call(app, 'sendrawtransaction', [toHex(t.raw)])).error, null);
    const id = hashToHex(child.txid);
    const r = await (await app.request(`/api/tx/${id}`)).json() as any;
    assert.equal(r.txid, id);
    assert.equal(r.fee, 10_000);
    assert.deepEqual(r.status, { confirmed: false });
    assert.equal(r.vin[0].txid, hashToHex(parent.txid));
    assert.equal(r.vin[0].prevout.value, 90_000);
    assert.equal(r.vin[0].prevout.scriptpubkey_type, 'v0_p2wpkh');
    assert.equal(r.vin[0].prevout.scriptpubkey_asm, 'OP_0 OP_PUSHBYTES_20 ' + '07'.repeat(20));
    assert.equal(r.vin[0].scriptsig_asm, 'OP_PUSHBYTES_1 00');
    assert.equal(r.vin[0].is_coinbase, false);
    const grand = await (await app.request(`/api/tx/${hashToHex(parent.txid)}`)).json() as any;
    assert.equal(grand.vin[0].prevout.value, 100_000);
    assert.equal(await (await app.request(`/api/tx/${id}/hex`)).text(), toHex(child.raw));
    assert.deepEqual(await (await app.request(`/api/tx/${id}/status`)).json(), { confirmed: false });
    const none = await app.request(`/api/tx/${'ab'.repeat(32)}`);
    assert.equal(none.status, 404);
    assert.equal(await none.text(), 'Transaction not found');
    const bad = await app.request('/api/tx/xyz/hex');
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'Invalid hex string');
    assert.equal(await (await app.request('/api/blocks/tip/height')).text(), String(node.height));
    assert.equal(await (await app.request('/api/blocks/tip/hash')).text(), BEST);
  });
});

describe('GET /metrics: mempool and tip series', () => {
  test('every series is there before the first event, and counts', async () => {
    const node = new TestMempoolNode();
    const registry = new Registry();
    const app = createApp(statelessDeps(), { registry });
    const mount = mountMempool(app, node, { rpcUser: RPC_USER, rpcPassword: RPC_PASS, registry });
    const scrape = async () => await (await app.request('/metrics')).text();
    let text = await scrape();
    for (const line of ['txgate_mempool_transactions 0', 'txgate_mempool_vsize_vbytes 0', 'txgate_mempool_fees_sats 0', 'txgate_mempool_min_fee_rate 0.1',
      `txgate_chain_tip_height ${node.height}`, 'txgate_mempool_added_total 0', 'txgate_mempool_removed_total{reason="replaced"} 0',
      'txgate_mempool_removed_total{reason="confirmed"} 0', 'txgate_busy_total 0', 'txgate_validations_total{reason="",verdict="allowed"} 0']) {
      assert.ok(text.split('\n').includes(line), line);
    }
    const coin = node.fund(100_000n);
    const a = spend([coin], [90_000n]);
    assert.equal((await call(app, 'sendrawtransaction', [toHex(a.raw)])).error, null);
    const b = spend([coin], [80_000n], { tag: 2 });
    assert.equal((await call(app, 'sendrawtransaction', [toHex(b.raw)])).error, null);
    text = await scrape();
    for (const line of ['txgate_mempool_transactions 1', `txgate_mempool_vsize_vbytes ${b.vsize}`, 'txgate_mempool_fees_sats 20000',
      'txgate_mempool_added_total 2', 'txgate_mempool_removed_total{reason="replaced"} 1']) {
      assert.ok(text.split('\n').includes(line), line);
    }
    mount.close();
    node.mine([b]);
    assert.ok((await scrape()).split('\n').includes('txgate_mempool_removed_total{reason="confirmed"} 0'), 'no counting after close');
  });
});
