// Core's mempool and chain RPCs (rpc/mempool.cpp, rpc/blockchain.cpp) over a real Mempool:
// result fields, amounts as 8-decimal BTC, error codes -3/-5/-8/-22/-25/-26/-27.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBytes, hashToHex, hexToHash, toHex } from '../../src/primitives/bytes.ts';
import { base58Check, descriptorChecksum, scriptPubKeyJson, scriptToAsm, segwitAddress } from '../../src/api/rpc-script.ts';
import { call, mempoolApp, rpcCall, spend, TestMempoolNode } from './mempool-deps.ts';
import { rbfOptInChecker } from '../../src/mempool/rbf-optin.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';
import { entryJsonText } from '../../src/api/rpc-mempool-json.ts';
import { amount, coreJson } from '../../src/api/rpc-json.ts';

const hex = (t: { raw: Uint8Array }) => toHex(t.raw);
const id = (t: { txid: Uint8Array }) => hashToHex(t.txid);
const wid = (t: { wtxid: Uint8Array }) => hashToHex(t.wtxid);

function setup() {
  const node = new TestMempoolNode();
  return { node, ...mempoolApp(node) };
}

describe('sendrawtransaction', () => {
  test('accepts, answers the txid; a resubmission answers it again', async () => {
    const { node, app } = setup();
    const tx = spend([node.fund(100_000n)], [90_000n]);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(tx)])).result, id(tx));
    assert.equal(node.mempool.size, 1);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(tx)])).result, id(tx));
    assert.deepEqual((await call(app, 'sendrawtransaction', { hexstring: hex(tx), maxfeerate: 0 })).result, id(tx));
  });
  test('-22 decode failure, -25 missing inputs, -26 rejects, -27 already confirmed', async () => {
    const { node, app } = setup();
    const decode = await call(app, 'sendrawtransaction', ['zz']);
    assert.equal(decode.status, 500);
    assert.deepEqual(decode.error, { code: -22, message: 'TX decode failed. Make sure the tx has at least one input.' });
    const orphan = spend([{ txid: new Uint8Array(32).fill(9), vout: 0 }], [1000n]);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(orphan)])).error, { code: -25, message: 'bad-txns-inputs-missingorspent' });
    const free = spend([node.fund(100_000n)], [100_000n]);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(free)])).error, { code: -26, message: `min relay fee not met, 0 < ${Math.ceil(free.vsize / 10)}` });
    const coin = node.fund(100_000n);
    const a = spend([coin], [90_000n]);
    assert.equal((await call(app, 'sendrawtransaction', [hex(a)])).result, id(a));
    const b = spend([coin], [89_999n], { tag: 2 });
    const rbf = await call(app, 'sendrawtransaction', [hex(b)]);
    assert.equal(rbf.error?.code, -26);
    assert.match(rbf.error!.message, new RegExp(`^insufficient fee, rejecting replacement ${id(b)}, not enough additional fees to relay; 0\\.00000001 < 0\\.000000\\d+$`));
    node.mine([a]);
    assert.equal(node.mempool.size, 0);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(a)])).error, { code: -27, message: 'Transaction outputs already in utxo set' });
    const negative = spend([node.fund(1000n)], [-1n]);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(negative)])).error, { code: -26, message: 'bad-txns-vout-negative' });
  });
  test('maxfeerate (BTC/kvB) and maxburnamount', async () => {
    const { node, app } = setup();
    const tx = spend([node.fund(100_000n)], [90_000n]);
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(tx), 0.00001])).error,
      { code: -25, message: 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)' });
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(tx), 1])).error,
      { code: -8, message: 'Fee rates larger than or equal to 1BTC/kvB are not accepted' });
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(tx), 'x'])).error, { code: -3, message: 'Invalid amount' });
    const burn = spend([node.fund(100_000n)], [90_000n]);
    const opReturn = { ...burn, outputs: [{ value: 1000n, scriptPubKey: Uint8Array.of(0x6a, 1, 1) }] };
    const { makeTx } = await import('../../src/primitives/tx.ts');
    const burnTx = makeTx({ version: 2, locktime: 0, inputs: opReturn.inputs, outputs: opReturn.outputs });
    assert.deepEqual((await call(app, 'sendrawtransaction', [hex(burnTx)])).error,
      { code: -25, message: 'Unspendable output exceeds maximum configured by user (maxburnamount)' });
    assert.equal((await call(app, 'sendrawtransaction', [hex(burnTx), 0, 0.00001])).result, id(burnTx));
  });
});

describe('testmempoolaccept', () => {
  test('allowed: Core fields with 8-decimal amounts; nothing admitted', async () => {
    const { node, app } = setup();
    const tx = spend([node.fund(100_000n)], [99_000n]);
    const r = await call(app, 'testmempoolaccept', [[hex(tx)]]);
    const rate = Math.trunc((1000 * 1000) / tx.vsize);
    assert.deepEqual(r.result, [{
      txid: id(tx), wtxid: wid(tx), allowed: true, vsize: tx.vsize,
      fees: { base: 0.00001, 'effective-feerate': rate / 1e8, 'effective-includes': [wid(tx)] },
    }]);
    assert.match(r.text, /"base":0\.00001000,"effective-feerate":0\.\d{8},/);
    assert.equal(node.mempool.size, 0);
  });
  test('rejects: reject-reason / reject-details, missing-inputs, max-fee-exceeded, package-error', async () => {
    const { node, app } = setup();
    const free = spend([node.fund(100_000n)], [100_000n]);
    const min = Math.ceil(free.vsize / 10);
    assert.deepEqual((await call(app, 'testmempoolaccept', [[hex(free)]])).result, [{
      txid: id(free), wtxid: wid(free), allowed: false, 'reject-reason': 'min relay fee not met', 'reject-details': `min relay fee not met, 0 < ${min}`,
    }]);
    const orphan = spend([{ txid: new Uint8Array(32).fill(9), vout: 0 }], [1000n]);
    assert.deepEqual((await call(app, 'testmempoolaccept', [[hex(orphan)]])).result,
      [{ txid: id(orphan), wtxid: wid(orphan), allowed: false, 'reject-reason': 'missing-inputs' }]);
    const rich = spend([node.fund(100_000n)], [50_000n]);
    assert.deepEqual((await call(app, 'testmempoolaccept', { rawtxs: [hex(rich)], maxfeerate: '0.0001' })).result,
      [{ txid: id(rich), wtxid: wid(rich), allowed: false, 'reject-reason': 'max-fee-exceeded' }]);
    assert.equal((await call(app, 'testmempoolaccept', [[hex(rich)], 0])).result[0].allowed, true);
    const dup = await call(app, 'testmempoolaccept', [[hex(rich), hex(rich)]]);
    assert.deepEqual(dup.result, [
      { txid: id(rich), wtxid: wid(rich), 'package-error': 'package-contains-duplicates' },
      { txid: id(rich), wtxid: wid(rich), 'package-error': 'package-contains-duplicates' },
    ]);
  });
  test('parameter errors', async () => {
    const { app } = setup();
    assert.deepEqual((await call(app, 'testmempoolaccept', [[]])).error, { code: -8, message: 'Array must contain between 1 and 25 transactions.' });
    assert.deepEqual((await call(app, 'testmempoolaccept', [['00', 'zz']])).error, { code: -22, message: 'TX decode failed for tx 0. Make sure the tx has at least one input.' });
    assert.deepEqual((await call(app, 'testmempoolaccept', [[5]])).error, { code: -1, message: 'JSON value of type number is not of expected type string' });
    assert.equal((await call(app, 'testmempoolaccept', ['00'])).error?.code, -3);
  });
});

describe('submitpackage', () => {
  test('a zero-fee TRUC parent paid for by its child (CPFP)', async () => {
    const { node, app } = setup();
    const parent = spend([node.fund(100_000n)], [100_000n], { version: 3 });
    const child = spend([{ txid: parent.txid, vout: 0 }], [90_000n], { version: 3 });
    const r = await call(app, 'submitpackage', [[hex(parent), hex(child)]]);
    assert.equal(r.result.package_msg, 'success');
    const pr = r.result['tx-results'][wid(parent)];
    assert.equal(pr.txid, id(parent));
    assert.equal(pr.vsize, parent.vsize);
    assert.equal(pr.fees.base, 0);
    assert.deepEqual(pr.fees['effective-includes'], [wid(parent), wid(child)]);
    assert.equal(r.result['tx-results'][wid(child)].fees.base, 0.0001);
    assert.deepEqual(r.result['replaced-transactions'], []);
    assert.equal(node.mempool.size, 2);
  });
  test('topology and decode errors', async () => {
    const { node, app } = setup();
    const a = spend([node.fund(100_000n)], [90_000n]);
    const b = spend([node.fund(100_000n)], [90_000n]);
    assert.deepEqual((await call(app, 'submitpackage', [[hex(a), hex(b)]])).error,
      { code: -25, message: 'package topology disallowed. not child-with-parents or parents depend on each other.' });
    assert.equal((await call(app, 'submitpackage', [['zz']])).error?.code, -22);
  });
  test('a failing transaction: package_msg and per-tx error', async () => {
    const { node, app } = setup();
    const orphan = spend([{ txid: new Uint8Array(32).fill(5), vout: 0 }], [1000n]);
    const r = await call(app, 'submitpackage', [[hex(orphan)]]);
    assert.equal(r.result.package_msg, 'transaction failed');
    assert.deepEqual(r.result['tx-results'][wid(orphan)], { txid: id(orphan), error: 'bad-txns-inputs-missingorspent' });
    void node;
  });
});

describe('mempool queries', () => {
  async function chainOfThree() {
    const s = setup();
    const a = spend([s.node.fund(100_000n)], [99_000n]);
    const b = spend([{ txid: a.txid, vout: 0 }], [98_000n]);
    const c = spend([{ txid: b.txid, vout: 0 }], [97_000n], { sequence: 0xffffffff });
    for (const t of [a, b, c]) assert.equal((await call(s.app, 'sendrawtransaction', [hex(t)])).result, id(t));
    return { ...s, a, b, c };
  }
  test('getrawmempool: plain, verbose, mempool_sequence', async () => {
    const { app, a, b, c, node } = await chainOfThree();
    assert.deepEqual((await call(app, 'getrawmempool')).result, [id(a), id(b), id(c)]);
    const verbose = (await call(app, 'getrawmempool', [true])).result;
    assert.deepEqual(Object.keys(verbose), [id(a), id(b), id(c)]);
    // The verbose dump is written as text entry by entry: exactly what getmempoolentry serves.
    const vtext = (await call(app, 'getrawmempool', [true])).text;
    for (const t of [a, b, c]) {
      const one = (await call(app, 'getmempoolentry', [id(t)])).text;
      const body = /"result":(\{.*\}),"error"/.exec(one)![1]!;
      assert.ok(vtext.includes(`"${id(t)}":${body}`), `entry ${id(t)} as getmempoolentry writes it`);
      assert.equal(entryJsonText(node.mempool.get(id(t))!), coreJson(entryJson(node.mempool.get(id(t))!)));
    }
    assert.deepEqual((await call(app, 'getrawmempool', { mempool_sequence: true })).result, { txids: [id(a), id(b), id(c)], mempool_sequence: node.mempool.events.sequence });
    assert.deepEqual((await call(app, 'getrawmempool', [true, true])).error, { code: -8, message: 'Verbose results cannot contain mempool sequence values.' });
  });
  test('getmempoolentry: Core v29/v30 fields in order, amounts in BTC', async () => {
    const { app, a, b, c, node } = await chainOfThree();
    const r = await call(app, 'getmempoolentry', [id(b)]);
    const e = node.mempool.get(id(b))!;
    assert.deepEqual(Object.keys(r.result), ['vsize', 'weight', 'time', 'height', 'descendantcount', 'descendantsize', 'ancestorcount',
      'ancestorsize', 'wtxid', 'fees', 'depends', 'spentby', 'bip125-replaceable', 'unbroadcast']);
    assert.deepEqual(r.result, {
      vsize: b.vsize, weight: b.weight, time: e.time, height: node.height, descendantcount: 2, descendantsize: b.vsize + c.vsize,
      ancestorcount: 2, ancestorsize: a.vsize + b.vsize, wtxid: wid(b),
      fees: { base: 0.00001, modified: 0.00001, ancestor: 0.00002, descendant: 0.00002 },
      depends: [id(a)], spentby: [id(c)], 'bip125-replaceable': true, unbroadcast: false,
    });
    assert.match(r.text, /"fees":\{"base":0\.00001000,"modified":0\.00001000,"ancestor":0\.00002000,"descendant":0\.00002000\}/);
    assert.equal((await call(app, 'getmempoolentry', [id(c)])).result['bip125-replaceable'], true, 'inherits signalling from an ancestor');
    assert.deepEqual((await call(app, 'getmempoolentry', ['ab'])).error, { code: -8, message: "txid must be of length 64 (not 2, for 'ab')" });
    assert.deepEqual((await call(app, 'getmempoolentry', ['zz'.repeat(32)])).error, { code: -8, message: `txid must be hexadecimal string (not '${'zz'.repeat(32)}')` });
  });
  test('getmempoolancestors / getmempooldescendants', async () => {
    const { app, a, b, c } = await chainOfThree();
    assert.deepEqual(new Set((await call(app, 'getmempoolancestors', [id(c)])).result), new Set([id(a), id(b)]));
    assert.deepEqual(new Set((await call(app, 'getmempooldescendants', [id(a)])).result), new Set([id(b), id(c)]));
    const v = (await call(app, 'getmempooldescendants', { txid: id(b), verbose: true })).result;
    assert.deepEqual(Object.keys(v), [id(c)]);
    assert.equal(v[id(c)].ancestorcount, 3);
    assert.deepEqual((await call(app, 'getmempoolancestors', [id(a)])).result, []);
    assert.equal((await call(app, 'getmempooldescendants', ['00'.repeat(32)])).error?.code, -5);
  });
  test('getmempoolinfo', async () => {
    const { app, node, a, b, c } = await chainOfThree();
    const r = await call(app, 'getmempoolinfo');
    assert.deepEqual(r.result, {
      loaded: true, size: 3, bytes: a.vsize + b.vsize + c.vsize, usage: node.mempool.memoryUsage, total_fee: 0.00003,
      maxmempool: 300_000_000, mempoolminfee: 0.000001, minrelaytxfee: 0.000001, incrementalrelayfee: 0.000001,
      unbroadcastcount: 0, fullrbf: true, permitbaremultisig: true, maxdatacarriersize: 100_000,
    });
    assert.deepEqual(Object.keys(r.result), [
      'loaded', 'size', 'bytes', 'usage', 'total_fee', 'maxmempool', 'mempoolminfee', 'minrelaytxfee', 'incrementalrelayfee',
      'unbroadcastcount', 'fullrbf', 'permitbaremultisig', 'maxdatacarriersize',
    ], "Core v30's MempoolInfoToJSON order");
    assert.match(r.text, /"total_fee":0\.00003000,"maxmempool":300000000,"mempoolminfee":0\.00000100,/);
  });
  test('getmempoolinfo: permitbaremultisig and maxdatacarriersize follow the node policy (-datacarrier=0: 0)', async () => {
    const info = async (policy: ConstructorParameters<typeof TestMempoolNode>[1]) =>
      (await call(mempoolApp(new TestMempoolNode({}, policy)).app, 'getmempoolinfo')).result;
    const r = await info({ permitBareMultisig: false, maxDatacarrierBytes: 83 });
    assert.deepEqual([r.permitbaremultisig, r.maxdatacarriersize], [false, 83]);
    const off = await info({ maxDatacarrierBytes: null });
    assert.deepEqual([off.permitbaremultisig, off.maxdatacarriersize], [true, 0]);
  });
});

describe('chain RPCs', () => {
  test('gettxout: confirmed, mempool, spent, include_mempool=false', async () => {
    const { node, app } = setup();
    const coin = node.fund(100_000n, 150);
    const r = await call(app, 'gettxout', [hashToHex(coin.txid), 0]);
    assert.deepEqual(r.result, {
      bestblock: node.chainInfo().bestblockhash, confirmations: node.height - 150 + 1, value: 0.001,
      scriptPubKey: {
        asm: '0 ' + '07'.repeat(20), desc: r.result.scriptPubKey.desc, hex: '0014' + '07'.repeat(20),
        address: segwitAddress('bcrt', 0, new Uint8Array(20).fill(7)), type: 'witness_v0_keyhash',
      },
      coinbase: false,
    });
    assert.match(r.result.scriptPubKey.desc, /^addr\(bcrt1q[0-9a-z]+\)#[0-9a-z]{8}$/);
    assert.match(r.text, /"value":0\.00100000,/);
    const tx = spend([coin], [90_000n]);
    await call(app, 'sendrawtransaction', [hex(tx)]);
    assert.equal((await call(app, 'gettxout', [hashToHex(coin.txid), 0])).result, null, 'spent in the mempool');
    assert.equal((await call(app, 'gettxout', [hashToHex(coin.txid), 0, false])).result.confirmations, node.height - 150 + 1);
    const out = await call(app, 'gettxout', { txid: id(tx), n: 0 });
    assert.equal(out.result.confirmations, 0);
    assert.equal(out.result.value, 0.0009);
    assert.equal((await call(app, 'gettxout', [id(tx), 0, false])).result, null);
    assert.deepEqual((await call(app, 'gettxout', [id(tx), -1])).error, { code: -1, message: 'JSON integer out of range' });
  });
  test('getblockcount, getbestblockhash, getblockchaininfo', async () => {
    const { node, app } = setup();
    assert.equal((await call(app, 'getblockcount')).result, node.height);
    assert.equal((await call(app, 'getbestblockhash')).result, node.chainInfo().bestblockhash);
    const info = (await call(app, 'getblockchaininfo')).result;
    assert.equal(info.chain, 'regtest');
    assert.equal(info.blocks, node.height);
    assert.equal(info.bits, '207fffff');
    assert.equal(info.target, '7fffff0000000000000000000000000000000000000000000000000000000000');
    assert.deepEqual(info.warnings, []);
  });
});

describe('scriptPubKey rendering (core_write.cpp, descriptors, addresses)', () => {
  test('descriptor checksum (BIP380 vector), bech32/bech32m (BIP173/BIP350), Base58Check', () => {
    assert.equal(descriptorChecksum('raw(deadbeef)'), '89f8spxm');
    const h = Uint8Array.from(Buffer.from('751e76e8199196d454941c45d1b3a323f1433bd6', 'hex'));
    assert.equal(segwitAddress('bc', 0, h), 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
    const x = Uint8Array.from(Buffer.from('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798', 'hex'));
    assert.equal(segwitAddress('bc', 1, x), 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0');
    assert.equal(base58Check(new Uint8Array(21)), '1111111111111111111114oLvT2');
  });
  test('asm, desc and type for the standard kinds', () => {
    const pkh = Uint8Array.from(Buffer.from('76a914' + '11'.repeat(20) + '88ac', 'hex'));
    const j = scriptPubKeyJson(pkh, 'main');
    assert.equal(j.asm, `OP_DUP OP_HASH160 ${'11'.repeat(20)} OP_EQUALVERIFY OP_CHECKSIG`);
    assert.equal(j.type, 'pubkeyhash');
    assert.equal(j.address![0], '1');
    assert.equal(j.desc, `addr(${j.address})#${descriptorChecksum(`addr(${j.address})`)}`);
    const nulldata = scriptPubKeyJson(Uint8Array.of(0x6a, 0x02, 0xab, 0xcd), 'main');
    assert.deepEqual(nulldata, { asm: 'OP_RETURN -19883', desc: `raw(6a02abcd)#${descriptorChecksum('raw(6a02abcd)')}`, hex: '6a02abcd', type: 'nulldata' });
    const tr = scriptPubKeyJson(Uint8Array.from(Buffer.from('5120' + '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798', 'hex')), 'main');
    assert.match(tr.desc, /^rawtr\(79be667e[0-9a-f]+\)#/);
    assert.equal(tr.address, 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0');
    assert.equal(scriptToAsm(Uint8Array.of(0x00, 0x4f, 0x51, 0x60, 0xb1, 0xbb, 0x4c)), '0 -1 1 16 OP_CHECKLOCKTIMEVERIFY OP_UNKNOWN [error]');
  });
  test('a raw call echoes string ids and keeps 8-decimal amounts through a batch', async () => {
    const { app } = setup();
    const r = await rpcCall(app, [{ id: 'i', method: 'getmempoolinfo' }]);
    assert.match(r.text, /^\[\{"result":\{"loaded":true,.*"total_fee":0\.00000000,.*\},"error":null,"id":"i"\}\]\n$/);
  });
});

/** entryToJSON (Core v29/v30 fields) built as an object, independently of the byte writer. */
function entryJson(e: MempoolEntry): Record<string, unknown> {
  const internalOrder = (x: string, y: string): number => compareBytes(hexToHash(x), hexToHash(y));
  return {
    vsize: e.vsize, weight: e.weight, time: e.time, height: e.height,
    descendantcount: e.descCount, descendantsize: e.descSize, ancestorcount: e.ancCount, ancestorsize: e.ancSize,
    wtxid: e.wtxid,
    fees: { base: amount(e.fee), modified: amount(e.modFee), ancestor: amount(e.ancFee), descendant: amount(e.descFee) },
    depends: [...e.parents].map((p) => p.txid).sort(),
    spentby: [...e.children].map((c) => c.txid).sort(internalOrder),
    'bip125-replaceable': rbfOptInChecker()(e),
    unbroadcast: false,
  };
}
