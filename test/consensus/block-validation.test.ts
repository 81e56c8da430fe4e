/**
 * Core's block rules (validation.cpp CheckBlock, ContextualCheckBlockHeader,
 * ContextualCheckBlock, ConnectBlock) with their reject reasons, on regtest blocks built
 * and mined by the builder and checked with validateBlock or connectBlock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBlock, type SpentOutput } from '../../src/chain/validate-block.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { assembleBlock, makeCoinbase, mineBlock, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { connectBlock } from '../../src/consensus/connect-block.ts';
import { witnessCommitmentHash } from '../../src/consensus/block-contextual.ts';
import { blockWitnessMerkleRoot, decodeBlock, bitsToTarget, hashToBigInt, type Block } from '../../src/primitives/block.ts';
import { concatBytes } from '../../src/primitives/bytes.ts';
import { hash160, hash256, sha256 } from '../../src/primitives/hash.ts';
import { decodeTx, encodeTx, txidHex, type Transaction } from '../../src/primitives/tx.ts';
import { pushData } from '../../src/script/script.ts';
import type { Coin, CoinView } from '../../src/utxo/coin.ts';

const H = 200;
const PREV = new Uint8Array(32).fill(9);
const TIME = 1_700_000_000;
const coin = (i: number, kind: Spendable['kind'] = 'p2wpkh', value = 100_000n): Spendable => ({ txid: sha256(Uint8Array.of(i)), vout: 0, value, kind, key: i });
const spentOf = (cs: Spendable[], height = 50): SpentOutput[] => cs.map((c) => ({ scriptPubKey: outputScript(c.kind, c.key), amount: c.value, height, coinbase: false }));
const pay = (v: bigint) => [{ value: v, scriptPubKey: outputScript('p2wpkh', 99) }];
const mine = (txs: Transaction[], o: { fees?: bigint; height?: number; witnessCommitment?: boolean; version?: number; time?: number } = {}) =>
  mineBlock({ prevHash: PREV, height: o.height ?? H, time: o.time ?? TIME, txs, fees: o.fees ?? 0n, ...(o.witnessCommitment === undefined ? {} : { witnessCommitment: o.witnessCommitment }), ...(o.version === undefined ? {} : { version: o.version }) }).raw;
const v = (block: Uint8Array, spent: SpentOutput[] = [], extra: { height?: number; mtp?: number } = {}) =>
  validateBlock({ block, spent, network: 'regtest', height: extra.height ?? H, ...(extra.mtp === undefined ? {} : { mtp: extra.mtp }) });
const cbAt = (height = H, commitment?: Uint8Array) => makeCoinbase(height, 50n * 100_000_000n >> BigInt(Math.floor(height / 150)), outputScript('p2wpkh', 0), 0, commitment);
const hdr = { version: 0x20000000, prevHash: PREV, time: TIME, bits: 0x207fffff };

test('a valid block; fees returned', async () => {
  const c = coin(1);
  assert.deepEqual(await v(mine([signSpend([c], pay(99_000n))], { fees: 1000n }), spentOf([c])), { ok: true, fees: 1000n });
});

test('high-hash: the header does not meet its bits', async () => {
  const raw = mine([]).slice();
  const target = bitsToTarget(0x207fffff).target;
  for (let n = 0; ; n++) {
    raw[76] = n & 0xff; raw[77] = n >> 8;
    if (hashToBigInt(hash256(raw.subarray(0, 80))) > target) break;
  }
  assert.deepEqual(await v(raw), { ok: false, reason: 'high-hash' });
});

test('CheckBlock: coinbase placement, duplicate subtree, per-tx checks, legacy sigops, size', async () => {
  const c1 = coin(1), c2 = coin(2);
  const t1 = signSpend([c1], pay(99_000n)), t2 = signSpend([c2], pay(99_000n));
  const withCommit = (txs: Transaction[]) => {
    const draft = { txs: [cbAt(), ...txs] } as Block;
    return [cbAt(H, witnessCommitmentHash(blockWitnessMerkleRoot(draft), new Uint8Array(32))), ...txs];
  };
  assert.deepEqual(await v(assembleBlock(hdr, [t1]).raw, spentOf([c1])), { ok: false, reason: 'bad-cb-missing' });
  const other = makeCoinbase(H, 1n, outputScript('p2wpkh', 1), 1);
  assert.deepEqual(await v(assembleBlock(hdr, [cbAt(), other]).raw), { ok: false, reason: 'bad-cb-multiple' });
  // identical coinbases: the duplicate-subtree check comes first
  assert.deepEqual(await v(assembleBlock(hdr, [cbAt(), cbAt()]).raw), { ok: false, reason: 'bad-txns-duplicate' });
  assert.deepEqual(await v(assembleBlock(hdr, withCommit([t1, t2, t2])).raw, spentOf([c1, c2, c2])), { ok: false, reason: 'bad-txns-duplicate' });
  const dupIn = decodeTx(encodeTx({ ...t1, inputs: [t1.inputs[0]!, t1.inputs[0]!] }));
  assert.deepEqual(await v(mine([dupIn]), spentOf([c1, c1])), { ok: false, reason: 'bad-txns-inputs-duplicate', txid: txidHex(dupIn) });
  // 1001 bare CHECKMULTISIG outputs: 20,020 legacy sigops, * 4 > 80,000
  const sig = decodeTx(encodeTx({ ...t1, outputs: Array.from({ length: 1001 }, () => ({ value: 0n, scriptPubKey: Uint8Array.of(0xae) })) }));
  assert.deepEqual(await v(mine([sig]), spentOf([c1])), { ok: false, reason: 'bad-blk-sigops' });
  // stripped size over 1,000,000 bytes
  const big = (t: Transaction) => decodeTx(encodeTx({ ...t, outputs: [{ value: 0n, scriptPubKey: concatBytes(Uint8Array.of(0x6a), new Uint8Array(600_000)) }] }));
  assert.deepEqual(await v(mine([big(t1), big(t2)]), spentOf([c1, c2])), { ok: false, reason: 'bad-blk-length' });
});

test('ContextualCheckBlockHeader: time-too-old vs MTP, bad-version', async () => {
  assert.deepEqual(await v(mine([]), [], { mtp: TIME }), { ok: false, reason: 'time-too-old' });
  assert.deepEqual(await v(mine([]), [], { mtp: TIME - 1 }), { ok: true, fees: 0n });
  assert.deepEqual(await v(mine([], { version: 3 })), { ok: false, reason: 'bad-version(0x00000003)' });
  assert.deepEqual(await v(mine([], { version: 4 })), { ok: true, fees: 0n });
});

test('ContextualCheckBlock: nonfinal (BIP113), coinbase height, witness commitment, weight', async () => {
  const c = coin(3);
  // nLockTime at the block's height is not final; one below is.
  const lt = (locktime: number) => signSpend([c], pay(99_000n), { locktime });
  assert.deepEqual(await v(mine([lt(H)], { fees: 1000n }), spentOf([c])), { ok: false, reason: 'bad-txns-nonfinal', txid: txidHex(lt(H)) });
  assert.deepEqual(await v(mine([lt(H - 1)], { fees: 1000n }), spentOf([c])), { ok: true, fees: 1000n });
  // time lock judged against the MTP once CSV is active (not the block time)
  const tl = lt(TIME - 100);
  assert.deepEqual(await v(mine([tl], { fees: 1000n }), spentOf([c]), { mtp: TIME - 100 }), { ok: false, reason: 'bad-txns-nonfinal', txid: txidHex(tl) });
  assert.deepEqual(await v(mine([tl], { fees: 1000n }), spentOf([c]), { mtp: TIME - 99 }), { ok: true, fees: 1000n });
  // BIP34
  assert.deepEqual(await v(mine([]), [], { height: H + 1 }), { ok: false, reason: 'bad-cb-height' });
  // witness data without a commitment
  const t = signSpend([c], pay(99_000n));
  assert.deepEqual(await v(mine([t], { fees: 1000n, witnessCommitment: false }), spentOf([c])), { ok: false, reason: 'unexpected-witness', txid: txidHex(t) });
  // a commitment to the wrong root
  assert.deepEqual(await v(assembleBlock(hdr, [cbAt(H, new Uint8Array(32)), t]).raw, spentOf([c])), { ok: false, reason: 'bad-witness-merkle-match' });
  // a reserved value of the wrong size
  const good = cbAt(H, witnessCommitmentHash(blockWitnessMerkleRoot({ txs: [cbAt(), t] } as Block), new Uint8Array(32)));
  const badNonce = decodeTx(encodeTx({ ...good, inputs: [{ ...good.inputs[0]!, witness: [new Uint8Array(31)] }] }));
  assert.deepEqual(await v(assembleBlock(hdr, [badNonce, t]).raw, spentOf([c])), { ok: false, reason: 'bad-witness-nonce-size' });
  assert.deepEqual(await v(assembleBlock(hdr, [good, t]).raw, spentOf([c])), { ok: true, fees: 1000n });
  // weight: 4 MB of witness on a small stripped block
  const heavy = decodeTx(encodeTx({ ...t, inputs: [{ ...t.inputs[0]!, witness: [...t.inputs[0]!.witness, new Uint8Array(4_000_000)] }] }));
  assert.deepEqual(await v(mine([heavy], { fees: 1000n }), spentOf([c])), { ok: false, reason: 'bad-blk-weight' });
});

test('ConnectBlock: missing input, in-block spend, BIP68, coinbase amount', async () => {
  const c = coin(4), d = coin(5, 'p2pkh');
  const t1 = signSpend([c], pay(99_000n));
  // spending an output created earlier in the same block
  const t2 = signSpend([{ txid: t1.txid, vout: 0, value: 99_000n, kind: 'p2wpkh', key: 99 }], pay(98_000n));
  const spent2 = [...spentOf([c]), { scriptPubKey: outputScript('p2wpkh', 99), amount: 99_000n, height: H, coinbase: false }];
  assert.deepEqual(await v(mine([t1, t2], { fees: 2000n }), spent2), { ok: true, fees: 2000n });
  // the other order: t2 spends an output not created yet
  assert.deepEqual(await v(assembleBlock(hdr, [cbAt(H, witnessCommitmentHash(blockWitnessMerkleRoot({ txs: [cbAt(), t2, t1] } as Block), new Uint8Array(32))), t2, t1]).raw, [spent2[1]!, spent2[0]!]),
    { ok: false, reason: 'bad-txns-inputs-missingorspent', txid: txidHex(t2) });
  // BIP68 height lock of 151 blocks on a coin at height 50: final from height 201
  const rel = signSpend([d], pay(99_000n), { sequence: 151 });
  assert.deepEqual(await v(mine([rel], { fees: 1000n }), spentOf([d])), { ok: false, reason: 'bad-txns-nonfinal', txid: txidHex(rel) });
  assert.deepEqual(await v(mine([rel], { fees: 1000n, height: H + 1 }), spentOf([d]), { height: H + 1 }), { ok: true, fees: 1000n });
  // BIP68 time lock of 2*512 s: needs the MTP before the coin's block (spent[].mtp) and the parent's MTP;
  // locked until the parent's MTP exceeds TIME - 1024 + 1024 - 1
  const relT = signSpend([d], pay(99_000n), { sequence: 0x00400000 | 2 });
  const withMtp = spentOf([d]).map((s) => ({ ...s, mtp: TIME - 1024 }));
  assert.deepEqual(await v(mine([relT], { fees: 1000n }), withMtp, { mtp: TIME - 1 }), { ok: false, reason: 'bad-txns-nonfinal', txid: txidHex(relT) });
  assert.deepEqual(await v(mine([relT], { fees: 1000n, time: TIME + 10 }), withMtp, { mtp: TIME }), { ok: true, fees: 1000n });
  // coinbase claiming one satoshi too many
  assert.deepEqual(await v(mine([t1], { fees: 1001n }), spentOf([c])), { ok: false, reason: 'bad-cb-amount' });
});

test('ConnectBlock: BIP30 overwrite and the sigop cost limit (P2SH)', async () => {
  const block = decodeBlock(mine([]));
  const cb = block.txs[0]!;
  const some: Coin = { value: 1n, scriptPubKey: Uint8Array.of(0x51), height: 1, coinbase: true };
  const view: CoinView = { getCoin: (txid, vout) => (txidHex({ txid } as Transaction) === txidHex(cb) && vout === 0 ? some : undefined) };
  const r = await connectBlock(block, view, REGTEST, { height: H });
  assert.equal(!r.ok && r.reason, 'bad-txns-BIP30');

  // Six P2SH inputs whose redeem scripts hold 200 CHECKMULTISIGs each: 6 * 4000 * 4 > 80,000.
  const redeem = new Uint8Array(200).fill(0xae);
  const p2sh = concatBytes(Uint8Array.of(0xa9, 0x14), hash160(redeem), Uint8Array.of(0x87));
  const inputs = Array.from({ length: 6 }, (_, i) => ({ prevout: { txid: sha256(Uint8Array.of(50 + i)), vout: 0 }, scriptSig: pushData(redeem), sequence: 0xffffffff, witness: [] }));
  const t = decodeTx(encodeTx({ version: 2, inputs, outputs: pay(1000n), locktime: 0 }));
  const spent = inputs.map(() => ({ scriptPubKey: p2sh, amount: 1000n, height: 10, coinbase: false }));
  assert.deepEqual(await v(mine([t], { fees: 5000n }), spent), { ok: false, reason: 'bad-blk-sigops', txid: txidHex(t) });
  assert.deepEqual(await v(mine([decodeTx(encodeTx({ ...t, inputs: inputs.slice(0, 5) }))], { fees: 4000n }), spent.slice(0, 5)).then((x) => x.ok ? 'ok' : x.reason),
    'block-script-verify-flag-failed (Operation not valid with the current stack size)');
});
