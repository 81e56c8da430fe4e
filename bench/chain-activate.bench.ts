/**
 * Connecting empty regtest blocks one after another into a ChainState: the cost per block
 * of everything but the transactions (header checks, block index, FindMostWorkChain,
 * pruning of old block data), in quarters of the run, so a cost that grows with the chain's
 * length shows as rising figures.
 *
 *   node --import tsx bench/chain-activate.bench.ts [--blocks=20000]
 *   npx bun bench/chain-activate.bench.ts [--blocks=20000]
 *   npx deno run -A bench/chain-activate.bench.ts [--blocks=20000]
 */
import { ChainState } from '../src/chain/chainstate.ts';
import { MemoryCoinStore } from '../src/chain/coin-store.ts';
import { REGTEST } from '../src/chain/params.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { RegtestChainBuilder } from '../test/util/regtest-builder.ts';

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const N = Number(args.find((a) => a.startsWith('--blocks='))?.slice(9) ?? 20_000);
const b = new RegtestChainBuilder();
const raws: Uint8Array[] = [];
for (let i = 0; i < N; i++) raws.push(b.next().raw);
const chain = new ChainState(REGTEST, new MemoryCoinStore());
const quarter = Math.max(1, Math.floor(N / 4));
const out: string[] = [];
let t = performance.now();
for (let i = 0; i < N; i++) {
  const r = await chain.submitBlock(raws[i]!);
  if (!r.ok) throw new Error(`block ${i + 1}: ${r.reason}`);
  if ((i + 1) % quarter === 0) {
    const now = performance.now();
    out.push(`${i + 1 - quarter + 1}–${i + 1}: ${(((now - t) / quarter) * 1000).toFixed(0)} µs`);
    t = now;
  }
}
console.log(`${runtimeLabel()}, ${N} empty regtest blocks, µs per block: ${out.join(', ')}`);
