/**
 * Chain parameters (kernel/chainparams.cpp), GetBlockSubsidy, GetBlockScriptFlags and the
 * retarget rules of pow.cpp (examples from Core's pow_tests.cpp).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAINNET, NETWORKS, REGTEST, SIGNET, TESTNET3, TESTNET4, scriptFlagsAt, getBlockSubsidy } from '../../src/chain/params.ts';
import { calculateNextWorkRequired, getNextWorkRequired, type PowIndex } from '../../src/chain/pow.ts';
import { decodeBlock, targetToBits } from '../../src/primitives/block.ts';
import { hashToHex, hexToHash, toHex } from '../../src/primitives/bytes.ts';
import { parseFlags } from '../../src/script/flags.ts';
import { checkProofOfWork } from '../../src/consensus/pow-check.ts';
import { checkBlock } from '../../src/consensus/block-check.ts';

test('genesis blocks: hashes, merkle roots, PoW, CheckBlock', () => {
  const expected = {
    mainnet: ['000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f', '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'],
    testnet3: ['000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943', '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'],
    testnet4: ['00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043', '7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e'],
    signet: ['00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6', '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'],
    regtest: ['0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206', '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'],
  };
  for (const [name, [hash, root]] of Object.entries(expected)) {
    const p = NETWORKS[name as keyof typeof NETWORKS];
    const b = decodeBlock(p.genesisBlock);
    assert.equal(hashToHex(b.header.hash), hash, name);
    assert.equal(p.genesisHash, hash, name);
    assert.equal(hashToHex(b.header.merkleRoot), root, name);
    assert.ok(checkProofOfWork(b.header.hash, b.header.bits, p.powLimit), name);
    assert.deepEqual(checkBlock(b, p), { ok: true }, name);
  }
  // mainnet genesis is the well-known 285-byte block
  assert.equal(MAINNET.genesisBlock.length, 285);
});

test('the mainnet genesis equals block 0 of btcd blk_0_to_4.dat', async () => {
  const { readVector } = await import('./vectors.ts');
  const f = readVector('btcd/blk_0_to_4.dat');
  const len = f[4]! | (f[5]! << 8) | (f[6]! << 16) | (f[7]! << 24);
  assert.equal(toHex(f.subarray(0, 4)), toHex(MAINNET.magic));
  assert.equal(toHex(f.subarray(8, 8 + len)), toHex(MAINNET.genesisBlock));
});

test('magic, ports, powLimit bits, spacing', () => {
  assert.deepEqual([MAINNET, TESTNET3, TESTNET4, SIGNET, REGTEST].map((p) => [toHex(p.magic), p.defaultPort]), [
    ['f9beb4d9', 8333], ['0b110907', 18333], ['1c163f28', 48333], ['0a03cf40', 38333], ['fabfb5da', 18444],
  ]);
  assert.equal(targetToBits(MAINNET.powLimit), 0x1d00ffff);
  assert.equal(targetToBits(SIGNET.powLimit), 0x1e0377ae);
  assert.equal(targetToBits(REGTEST.powLimit), 0x207fffff);
  assert.deepEqual([MAINNET, TESTNET3, TESTNET4, SIGNET, REGTEST].map((p) => [p.powAllowMinDifficultyBlocks, p.powNoRetargeting, p.enforceBIP94]), [
    [false, false, false], [true, false, false], [true, false, true], [false, false, false], [true, true, false],
  ]);
});

test('GetBlockSubsidy: halvings, regtest interval 150, zero after 64 halvings', () => {
  assert.equal(getBlockSubsidy(0, MAINNET), 5_000_000_000n);
  assert.equal(getBlockSubsidy(209_999, MAINNET), 5_000_000_000n);
  assert.equal(getBlockSubsidy(210_000, MAINNET), 2_500_000_000n);
  assert.equal(getBlockSubsidy(840_000, MAINNET), 312_500_000n);
  assert.equal(getBlockSubsidy(32 * 210_000, MAINNET), 1n); // 5e9 >> 32
  assert.equal(getBlockSubsidy(33 * 210_000, MAINNET), 0n);
  assert.equal(getBlockSubsidy(150, REGTEST), 2_500_000_000n);
  assert.equal(getBlockSubsidy(64 * 150, REGTEST), 0n);
  let total = 0n;
  for (let h = 0; h < 64 * 210_000; h += 210_000) total += getBlockSubsidy(h, MAINNET) * 210_000n;
  assert.equal(total, 2_099_999_997_690_000n);
});

test('script flags: exceptions, buried deployments by height', () => {
  const f = (names: string) => parseFlags(names);
  const bip16 = hexToHash('00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22');
  const taproot = hexToHash('0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad');
  assert.equal(scriptFlagsAt(MAINNET, 170060, bip16), 0);
  assert.equal(scriptFlagsAt(MAINNET, 170061), f('P2SH,WITNESS,TAPROOT'));
  assert.equal(scriptFlagsAt(MAINNET, 363724), f('P2SH,WITNESS,TAPROOT'));
  assert.equal(scriptFlagsAt(MAINNET, 363725), f('P2SH,WITNESS,TAPROOT,DERSIG'));
  assert.equal(scriptFlagsAt(MAINNET, 388381), f('P2SH,WITNESS,TAPROOT,DERSIG,CHECKLOCKTIMEVERIFY'));
  assert.equal(scriptFlagsAt(MAINNET, 419328), f('P2SH,WITNESS,TAPROOT,DERSIG,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY'));
  assert.equal(scriptFlagsAt(MAINNET, 481824), f('P2SH,WITNESS,TAPROOT,DERSIG,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,NULLDUMMY'));
  assert.equal(scriptFlagsAt(MAINNET, 692261, taproot), f('P2SH,WITNESS,DERSIG,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,NULLDUMMY'));
  assert.equal(scriptFlagsAt(TESTNET3, 928816), f('P2SH,WITNESS,TAPROOT,DERSIG,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,NULLDUMMY'));
  assert.equal(scriptFlagsAt(TESTNET3, 100, hexToHash('00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105')), 0);
  const all = f('P2SH,WITNESS,TAPROOT,DERSIG,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,NULLDUMMY');
  assert.equal(scriptFlagsAt(REGTEST, 1), all);
  assert.equal(scriptFlagsAt(REGTEST, 0), f('P2SH,WITNESS,TAPROOT,NULLDUMMY'));
  assert.equal(scriptFlagsAt(TESTNET4, 1), all);
  assert.equal(scriptFlagsAt(SIGNET, 1), all);
});

/** A linear chain of PowIndex entries. */
function chain(entries: { height: number; time: number; bits: number }[]): PowIndex[] {
  const out: PowIndex[] = [];
  for (const e of entries) {
    const prev = out[out.length - 1];
    const idx: PowIndex = { ...e, prev, ancestor: (h) => out.find((x) => x.height === h) };
    out.push(idx);
  }
  return out;
}
const single = (height: number, time: number, bits: number): PowIndex => ({ height, time, bits, prev: undefined, ancestor: () => undefined });

test('CalculateNextWorkRequired: Core pow_tests examples', () => {
  assert.equal(calculateNextWorkRequired(single(32255, 1262152739, 0x1d00ffff), 1261130161, MAINNET), 0x1d00d86a);
  assert.equal(calculateNextWorkRequired(single(2015, 1233061996, 0x1d00ffff), 1231006505, MAINNET), 0x1d00ffff);
  assert.equal(calculateNextWorkRequired(single(68543, 1279297671, 0x1c05a3f4), 1279008237, MAINNET), 0x1c0168fd);
  assert.equal(calculateNextWorkRequired(single(46367, 1269211443, 0x1c387f6f), 1263163443, MAINNET), 0x1d00e1fd);
  // regtest never retargets
  assert.equal(calculateNextWorkRequired(single(143, 2_000_000_000, 0x207fffff), 1, REGTEST), 0x207fffff);
});

test('GetNextWorkRequired: testnet min-difficulty rule and BIP94', () => {
  // Mid-period: last bits unless testnet's 20-minute rule applies.
  const c = chain([
    { height: 2016, time: 1000, bits: 0x1c0fffff },
    { height: 2017, time: 1600, bits: 0x1d00ffff }, // a min-difficulty block
    { height: 2018, time: 2200, bits: 0x1d00ffff },
  ]);
  const last = c[2]!;
  assert.equal(getNextWorkRequired(last, last.time + 1201, TESTNET3), 0x1d00ffff);
  // otherwise walk back over min-difficulty blocks to the last real one (stops at the period start)
  assert.equal(getNextWorkRequired(last, last.time + 1200, TESTNET3), 0x1c0fffff);
  assert.equal(getNextWorkRequired(last, last.time + 5000, MAINNET), 0x1d00ffff);
  // At the retarget boundary: testnet4 retargets from the period's first block, testnet3 from the last.
  const period = [];
  for (let h = 0; h < 2016; h++) period.push({ height: h, time: 1_700_000_000 + h * 600, bits: h === 0 ? 0x1c0fffff : 0x1d00ffff });
  const p = chain(period);
  const end = p[2015]!;
  assert.equal(getNextWorkRequired(end, end.time + 600, TESTNET4), calculateNextWorkRequired({ ...end, bits: 0x1c0fffff }, p[0]!.time, TESTNET3));
  assert.equal(getNextWorkRequired(end, end.time + 600, TESTNET3), calculateNextWorkRequired(end, p[0]!.time, TESTNET3));
  assert.notEqual(getNextWorkRequired(end, end.time + 600, TESTNET4), getNextWorkRequired(end, end.time + 600, TESTNET3));
});
