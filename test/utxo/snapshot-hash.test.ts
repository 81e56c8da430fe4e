/**
 * Core's hash_serialized_3 (src/utxo/snapshot-hash.ts), computed while a snapshot loads.
 *
 * The vector: Core's regtest assumeutxo entry at height 200 (kernel/chainparams.cpp) is the
 * UTXO set of the deterministic chain Core's CreateBlockChain(200) builds (rebuilt in
 * test/util/core-chain.ts). The rebuilt block 200 must have Core's blockhash (385901cc…),
 * and the set's hash Core's 17dcc016…: that pins the rebuild and the hash against Core.
 *
 * The independent derivation (`txOutSerHash` below) writes TxOutSer with ByteWriter from the
 * coins' plain scripts, sorted by txid then vout, and hashes it with hash256: used for the
 * 200-block set and for synthetic sets with every script kind (the loader hashes from the
 * compressed forms; the derivation from the decompressed scripts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreCreateBlockChain } from '../util/core-chain.ts';
import { assumeutxoForBlockhash, REGTEST } from '../../src/chain/params.ts';
import { ByteWriter } from '../../src/primitives/codec.ts';
import { compareBytes, hashToHex } from '../../src/primitives/bytes.ts';
import { hash256 } from '../../src/primitives/hash.ts';
import { loadSnapshot } from '../../src/utxo/snapshot.ts';
import { encodeSnapshot, synthGroups, type SynthGroup } from './synthetic.ts';

const REG = REGTEST.magic;

/** hash_serialized_3 written out directly: TxOutSer of every coin, txid then vout order, SHA256d. */
function txOutSerHash(groups: Iterable<SynthGroup>): string {
  const all: { txid: Uint8Array; vout: number; s: SynthGroup['coins'][number]['coin'] }[] = [];
  for (const g of groups) for (const c of g.coins) all.push({ txid: g.txid, vout: c.vout, s: c.coin });
  all.sort((a, b) => compareBytes(a.txid, b.txid) || a.vout - b.vout);
  const w = new ByteWriter(1 << 16);
  for (const { txid, vout, s } of all) {
    w.bytes(txid).u32(vout).u32(s.height * 2 + (s.coinbase ? 1 : 0)).i64(s.value).varBytes(s.scriptPubKey);
  }
  return hashToHex(hash256(w.finish()));
}

async function loadedHash(groups: SynthGroup[], magic = REG, base = new Uint8Array(32)) {
  const n = groups.reduce((a, g) => a + g.coins.length, 0);
  const { meta } = await loadSnapshot([...encodeSnapshot(groups, n, magic, base)], { hash: true });
  return meta;
}

test("Core's CreateBlockChain(200) rebuilt: block 200 is Core's assumeutxo base, and the loaded set hashes to Core's hash_serialized_3", async () => {
  const { groups, tip } = coreCreateBlockChain(200);
  const au = assumeutxoForBlockhash(REGTEST, tip);
  assert.ok(au, `block 200 ${tip} is a regtest assumeutxo base`);
  assert.equal(au.height, 200);
  assert.equal(au.hashSerialized, '17dcc016d188d16068907cdeb38b75691a118d43053b8cd6a25969419381d13a');
  const meta = await loadedHash(groups);
  assert.equal(hashToHex(meta.hashSerialized!), au.hashSerialized);
  assert.equal(meta.ordered, true);
  assert.equal(meta.maxHeight, 200);
  // the independent derivation gives Core's value too
  assert.equal(txOutSerHash(groups), au.hashSerialized);
});

test('every script kind (P2PKH, P2SH, P2PK both forms, witness programs, odd scripts, amounts past 2^32): loader hash = the direct TxOutSer hash', async () => {
  const groups = [...synthGroups(20_000, 3)];
  const meta = await loadedHash(groups);
  assert.equal(meta.ordered, true);
  assert.equal(hashToHex(meta.hashSerialized!), txOutSerHash(groups));
});

test("a script over MAX_SCRIPT_SIZE hashes as Core's OP_RETURN; an off-curve type-4 key as an empty script", async () => {
  const long = new Uint8Array(10_001).fill(0x51);
  const txa = new Uint8Array(32).fill(1);
  const txb = new Uint8Array(32).fill(2);
  const coin = (scriptPubKey: Uint8Array) => ({ value: 5000n, scriptPubKey, height: 7, coinbase: false });
  const meta = await loadedHash([{ txid: txa, coins: [{ vout: 3, coin: coin(long) }] }]);
  assert.equal(hashToHex(meta.hashSerialized!), txOutSerHash([{ txid: txa, coins: [{ vout: 3, coin: coin(Uint8Array.of(0x6a)) }] }]));
  // hand-written snapshot: one coin at height 7, ScriptCompression nSize 4 with x = 5 (off the curve)
  const file = new Uint8Array([
    0x75, 0x74, 0x78, 0x6f, 0xff, 2, 0, ...REG, ...new Uint8Array(32), 1, 0, 0, 0, 0, 0, 0, 0,
    ...txb, 1, 0, 14, 0x02 /* CompressAmount(10) */, 4, ...new Uint8Array(31), 5,
  ]);
  const r = await loadSnapshot(file, { hash: true });
  const expected = txOutSerHash([{ txid: txb, coins: [{ vout: 0, coin: { value: 10n, scriptPubKey: new Uint8Array(0), height: 7, coinbase: false } }] }]);
  assert.equal(r.set.getCoin(txb, 0)?.scriptPubKey.length, 0, 'x = 5 is off the curve: Core keeps an empty script');
  assert.equal(hashToHex(r.meta.hashSerialized!), expected);
});

test('coins out of LevelDB order are flagged (the streamed hash is then not the one Core computes)', async () => {
  const groups = [...synthGroups(300, 5)];
  assert.equal((await loadedHash(groups)).ordered, true);
  const swapped = [groups[groups.length - 1]!, ...groups.slice(0, -1)];
  assert.equal((await loadedHash(swapped)).ordered, false);
  const g = groups.find((x) => x.coins.length > 1)!;
  const vouts = [{ txid: g.txid, coins: [...g.coins].reverse() }];
  assert.equal((await loadedHash(vouts)).ordered, false);
  // one txid's coins split over two groups: ordered while the vouts keep ascending
  const [first, ...rest] = g.coins;
  const split = [{ txid: g.txid, coins: [first!] }, { txid: g.txid, coins: rest }];
  assert.equal((await loadedHash(split)).ordered, true);
  const splitBack = [{ txid: g.txid, coins: rest }, { txid: g.txid, coins: [first!] }];
  assert.equal((await loadedHash(splitBack)).ordered, false);
});
