/**
 * Block connection benchmark: real blocks with their spent outputs.
 *
 *   node --import tsx bench/block.bench.ts [--quick] [--noble]
 *   npx bun bench/block.bench.ts
 *   npx deno run -A --unstable-ffi bench/block.bench.ts
 *
 * Per block: validateBlock end to end (decode, CheckBlock, contextual checks, ConnectBlock
 * with every input script, single thread), and ConnectBlock alone with and without the
 * script checks — reported as ms per block and µs per input; the ratio shows how much of
 * the time is script/signature work. Interleaved passes, median. Backend: the pair
 * selectCrypto() picks (N-API on Bun: its FFI path aborts under this load), and with
 * --noble also @noble on the two smallest blocks.
 */
import { validateBlock } from '../src/chain/validate-block.ts';
import { chainParams } from '../src/chain/params.ts';
import { connectBlock } from '../src/consensus/connect-block.ts';
import { coinKey } from '../src/consensus/coins-cache.ts';
import { nobleSha256Backend, setSha256Backend } from '../src/primitives/hash.ts';
import { isCoinBase } from '../src/primitives/tx.ts';
import { hexToHash } from '../src/primitives/bytes.ts';
import { nobleVerifier } from '../src/script/sigcheck-noble.ts';
import { setDefaultVerifier } from '../src/script/verify.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { applyCrypto, selectCrypto } from '../src/runtime/crypto/select.ts';
import type { Coin, CoinView } from '../src/utxo/coin.ts';
import { loadBcoin, loadBtcd277647, loadFloresta367891, type RealBlock } from '../test/chain/vectors.ts';

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const QUICK = args.includes('--quick');
const NOBLE = args.includes('--noble');
const ROUNDS = QUICK ? 1 : 3;

function viewOf(b: RealBlock): CoinView {
  const coins = new Map<string, Coin>();
  const inBlock = new Set(b.block.txs.map((t) => coinKey(t.txid, 0)));
  let k = 0;
  for (const tx of b.block.txs) {
    if (isCoinBase(tx)) continue;
    for (const i of tx.inputs) {
      const s = b.spent[k++]!;
      if (!inBlock.has(coinKey(i.prevout.txid, 0))) coins.set(coinKey(i.prevout.txid, i.prevout.vout), { value: s.amount, scriptPubKey: s.scriptPubKey, height: s.height, coinbase: s.coinbase });
    }
  }
  return { getCoin: (t, v) => coins.get(coinKey(t, v)) };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(b: RealBlock): Promise<{ full: number; connect: number; noScripts: number }> {
  const p = chainParams(b.network);
  const view = viewOf(b);
  const bip34 = b.height > p.bip34Height ? { bip34AncestorHash: hexToHash(p.bip34Hash) } : {};
  const full: number[] = [], connect: number[] = [], noScripts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    const v = await validateBlock({ block: b.raw, spent: b.spent, network: b.network, height: b.height });
    full.push(performance.now() - t);
    if (!v.ok) throw new Error(`${b.name}: ${v.reason}`);
    t = performance.now();
    const c = await connectBlock(b.block, view, p, { height: b.height, ...bip34 });
    connect.push(performance.now() - t);
    if (!c.ok) throw new Error(`${b.name}: ${c.reason}`);
    t = performance.now();
    await connectBlock(b.block, view, p, { height: b.height, ...bip34, scriptChecks: false });
    noScripts.push(performance.now() - t);
  }
  return { full: median(full), connect: median(connect), noScripts: median(noScripts) };
}

const loaders: [string, () => RealBlock][] = [
  ['btcd 277647', loadBtcd277647],
  ['bcoin 1087400', () => loadBcoin('block1087400', 'testnet3', 1087400)],
  ['bcoin 300025', () => loadBcoin('block300025', 'mainnet', 300025)],
  ['bcoin 928816', () => loadBcoin('block928816', 'testnet3', 928816)],
  ['bcoin 928828', () => loadBcoin('block928828', 'testnet3', 928828)],
  ['Floresta 367891', loadFloresta367891],
];

async function report(label: string, which: [string, () => RealBlock][]): Promise<void> {
  console.log(`\n${label}`);
  console.log('block              inputs   validate ms  µs/input   connect ms  no-scripts ms  scripts share');
  for (const [name, load] of which) {
    const b = load();
    const m = await measure(b);
    const n = b.inputs;
    console.log(
      `${name.padEnd(18)} ${String(n).padStart(6)} ${m.full.toFixed(1).padStart(12)} ${(m.full * 1000 / n).toFixed(1).padStart(10)} ` +
      `${m.connect.toFixed(1).padStart(12)} ${m.noScripts.toFixed(1).padStart(14)} ${((1 - m.noScripts / m.connect) * 100).toFixed(0).padStart(13)}%`,
    );
  }
}

console.log(`block.bench — ${runtimeLabel()} — rounds ${ROUNDS} (median)`);
const sel = await selectCrypto({});
setDefaultVerifier(applyCrypto(sel));
await report(`backend ${sel.spec.crypto} / sha256 ${sel.spec.sha256}`, loaders);
if (NOBLE) {
  setSha256Backend(nobleSha256Backend);
  setDefaultVerifier(nobleVerifier);
  await report('backend noble / sha256 noble', loaders.slice(0, 2));
}
