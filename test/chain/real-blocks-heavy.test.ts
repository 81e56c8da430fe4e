/**
 * validateBlock on the large real blocks with their spent outputs: bcoin mainnet 300025,
 * the six bcoin testnet3 blocks of 2016 (heavy P2WPKH / P2SH spending), Floresta mainnet
 * 367891 (20,817 inputs, one legacy tx with 20,000 inputs: quadratic legacy sighash). Each
 * must be valid with fees = coinbase output - subsidy exactly. Slow in pure JS, so this file
 * uses the fastest crypto backend that passes its known answers (src/runtime/crypto).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBlock } from '../../src/chain/validate-block.ts';
import { chainParams } from '../../src/chain/params.ts';
import { getBlockSubsidy } from '../../src/consensus/subsidy.ts';
import { applyCrypto, selectCrypto } from '../../src/runtime/crypto/select.ts';
import { setDefaultVerifier } from '../../src/script/verify.ts';
import { claimedFees, loadBcoin, loadFloresta367891, type RealBlock } from './vectors.ts';

// The fastest backend this runtime has (ffi on Bun and Deno when libsecp256k1 is installed).
const selection = await selectCrypto({});
setDefaultVerifier(applyCrypto(selection));

const blocks: [string, () => RealBlock][] = [
  ['bcoin 300025 (mainnet)', () => loadBcoin('block300025', 'mainnet', 300025)],
  ...[928816, 928828, 928831, 928848, 928849, 928927].map((h): [string, () => RealBlock] => [`bcoin ${h} (testnet3)`, () => loadBcoin(`block${h}`, 'testnet3', h)]),
  ['Floresta 367891 (mainnet)', () => loadFloresta367891()],
];

for (const [name, load] of blocks) {
  test(`${name} is valid with exact fees (${selection.spec.crypto}/${selection.spec.sha256})`, async () => {
    const b = load();
    const r = await validateBlock({ block: b.raw, spent: b.spent, network: b.network, height: b.height });
    assert.deepEqual(r, { ok: true, fees: claimedFees(b, getBlockSubsidy(b.height, chainParams(b.network))) });
  });
}
