/**
 * Memory per block header: resident and heap bytes per header held by the chain's header
 * index, for N synthetic linked regtest headers (valid proof of work, one second apart).
 *
 *   chain     ChainState.restore over N headers (a node restarted from headers.dat)
 *   tree      HeaderTree.accept of N headers in batches of 2,000 (headers-first sync)
 *   snapshot  tree, then the headers 1..N attached to a chain state waiting at a snapshot
 *             base (assumeutxo over P2P): both the tree and the chain state hold them
 *
 *   node --expose-gc --import tsx bench/chain-headers.bench.ts [--headers=1000000] [--mode=chain|tree|snapshot]
 *   npx bun bench/chain-headers.bench.ts [...]
 *   npx deno run -A --v8-flags=--expose-gc bench/chain-headers.bench.ts [...]
 */
import { ChainState } from '../src/chain/chainstate.ts';
import { MemoryCoinStore } from '../src/chain/coin-store.ts';
import { REGTEST } from '../src/chain/params.ts';
import { HeaderTree } from '../src/p2p/headers.ts';
import { decodeBlock, decodeHeader, type BlockHeader } from '../src/primitives/block.ts';
import { hashToHex, writeU32LE } from '../src/primitives/bytes.ts';
import { hash256 } from '../src/primitives/hash.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';

type G = { Deno?: { args: string[]; memoryUsage(): Mem }; Bun?: { gc(full: boolean): void }; gc?: () => void; process?: { argv: string[]; memoryUsage(): Mem } };
type Mem = { rss: number; heapUsed: number; external: number; arrayBuffers?: number };
const g = globalThis as unknown as G;
const args = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const arg = (k: string, d: string) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const N = Number(arg('headers', '1000000'));
const mode = arg('mode', 'chain');

function gc(): void {
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else throw new Error('no gc: run node with --expose-gc, deno with --v8-flags=--expose-gc');
}
function mem(): Mem {
  for (let i = 0; i < 3; i++) gc();
  return g.Deno ? g.Deno.memoryUsage() : g.process!.memoryUsage();
}

/** N headers mined on regtest's genesis, in one buffer (80 bytes each), and the last hash. */
function mine(n: number): { buf: Uint8Array; last: Uint8Array } {
  const genesis = decodeBlock(REGTEST.genesisBlock).header;
  const buf = new Uint8Array(80 * n);
  let prev = genesis.hash;
  for (let i = 0; i < n; i++) {
    const h = buf.subarray(80 * i, 80 * i + 80);
    writeU32LE(h, 0, 0x20000000);
    h.set(prev, 4);
    h.fill(i & 0xff, 36, 68); // merkle root: any bytes (no block data is checked)
    writeU32LE(h, 68, genesis.time + 1 + i);
    writeU32LE(h, 72, genesis.bits);
    for (let nonce = 0; ; nonce++) {
      writeU32LE(h, 76, nonce);
      const hash = hash256(h);
      // regtest's target is just under 2^255: the hash's top bit (last byte, internal order) clear
      if (hash[31]! < 0x7f) {
        prev = hash;
        break;
      }
    }
  }
  return { buf, last: prev };
}

const { buf, last } = mine(N);
const raw = (i: number) => buf.subarray(80 * i, 80 * i + 80);
const before = mem();
/** Builds the index the mode measures; every temporary dies with this call. */
function build(): unknown {
  if (mode === 'chain') {
    const list: Uint8Array[] = [];
    for (let i = 0; i < N; i++) list.push(raw(i));
    return ChainState.restore(REGTEST, new MemoryCoinStore(), list);
  }
  const chain = mode === 'snapshot'
    ? ChainState.atSnapshotBase(REGTEST, new MemoryCoinStore(), { blockHash: hashToHex(last), height: N, hashSerialized: '', coins: 0 })
    : new ChainState(REGTEST, new MemoryCoinStore());
  const tree = new HeaderTree({ chain });
  for (let i = 0; i < N; i += 2000) {
    const batch: BlockHeader[] = [];
    for (let j = i; j < Math.min(N, i + 2000); j++) batch.push(decodeHeader(raw(j)));
    const r = tree.accept(batch);
    if (!r.ok) throw new Error(r.reason);
  }
  if (mode === 'snapshot') {
    // what the P2P manager does once the tree holds the base (attachSnapshotBase)
    const idx = tree.get(hashToHex(last))!;
    chain.attachBaseHeaders(idx.store.branchHeaders(idx.id));
  }
  return { tree, chain };
}
const t0 = performance.now();
const keep = build();
const ms = performance.now() - t0;
const after = mem();
const per = (k: 'rss' | 'heapUsed' | 'external') => ((after[k] - before[k]) / N).toFixed(0);
console.log(`${runtimeLabel()}, mode ${mode}, ${N} headers in ${(ms / 1000).toFixed(1)} s: RSS ${per('rss')} B/header, heap ${per('heapUsed')} B/header, external ${per('external')} B/header (RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB)`);
void keep;
