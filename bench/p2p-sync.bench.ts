/**
 * Sync speed from a local peer over P2P.
 *
 *   node --import tsx bench/p2p-sync.bench.ts [--spends=4000] [--per-block=4000] [--empty=2000] [--workers=2] [--rounds=3]
 *   MIMALLOC_PURGE_DELAY=1000 npx bun bench/p2p-sync.bench.ts
 *   npx deno run -A --unstable-ffi bench/p2p-sync.bench.ts
 *
 * The chain: bench/data.ts's server chain (coinbases, maturity, fan-out blocks of 1,000
 * outputs each: ~115 light blocks), then blocks of `per-block` signed 1-in/2-out spends of
 * the `mix` set (55 % P2WPKH, 20 % P2TR, 15 % P2PKH, 10 % 2-of-3 P2WSH; 4,000 spends make a
 * ~0.9 MB, ~2.6 MWU block). A fake peer in this process (test/util/fake-peer.ts, real TCP
 * on 127.0.0.1) serves it; a fresh in-process server (startServer, the CLI's path, with the
 * fastest crypto backend and N workers) is started with --connect and timed until its tip
 * is the peer's. The same blocks submitted directly to a fresh server's
 * TxgateNode.submitBlock (the POST /blocks path, no network) are the reference; the rounds
 * alternate P2P, direct, P2P, direct… Results: the whole chain in blocks/s, the light blocks
 * in blocks/s (per round), and the heavy blocks in µs per input (from the moment the last
 * light block is connected), medians.
 * A second chain of `empty` coinbase-only blocks is timed the same way (P2P against direct,
 * alternating): the protocol's own cost per block, with next to nothing to validate.
 * The fake peer shares this process's CPU (its framing hashes every block it sends).
 */
import { parseConfig } from '../src/runtime/config.ts';
import { startServer } from '../src/runtime/serve-main.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { decodeHeader } from '../src/primitives/block.ts';
import { decodeTx } from '../src/primitives/tx.ts';
import { FakePeer } from '../test/util/fake-peer.ts';
import { RegtestChainBuilder } from '../test/util/regtest-builder.ts';
import { loadServerBenchData } from './data.ts';

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const SPENDS = Number(opt('spends') ?? 4000);
const EMPTY = Number(opt('empty') ?? 2000);
const PER_BLOCK = Number(opt('per-block') ?? 4000);
const WORKERS = Number(opt('workers') ?? 2);
const ROUNDS = Number(opt('rounds') ?? 3);

console.log(`p2p-sync.bench.ts — ${runtimeLabel()} — ${new Date().toISOString()}`);
const data = loadServerBenchData({ mix: SPENDS, one: 0, warm: 0, idle: 0 }, (s) => console.log(s));
const light = data.blocks;
const last = decodeHeader(light[light.length - 1]!.subarray(0, 80));
const b = new RegtestChainBuilder(undefined, { hash: last.hash, height: light.length, time: last.time });
const spends = data.sets.mix;
let inputs = 0;
for (let i = 0; i < spends.length; i += PER_BLOCK) {
  const txs = spends.slice(i, i + PER_BLOCK).map((s) => decodeTx(s.tx));
  let fees = 0n;
  txs.forEach((tx, k) => {
    fees += spends[i + k]!.prevout.amount;
    for (const o of tx.outputs) fees -= o.value;
    inputs += tx.inputs.length;
  });
  b.next({ txs, fees });
}
const chain = [...light, ...b.blocks];
const bytes = b.blocks.reduce((n, r) => n + r.length, 0);
console.log(`chain: ${light.length} light blocks, then ${b.blocks.length} blocks of ${PER_BLOCK} spends (${inputs} inputs, ${(bytes / b.blocks.length / 1e6).toFixed(2)} MB each); ${WORKERS} workers`);

const quiet = () => {};
/** The first server's crypto report (which signature backend the figures are from). */
let cryptoReported = false;
const firstLog = (line: string) => {
  if (!cryptoReported && /secp256k1|active|backend/i.test(line)) console.log(line);
};
const base = ['--port', '0', '--host', '127.0.0.1', '--workers', String(WORKERS)];

async function waitHeight(node: { chain: { height: number } }, h: number): Promise<number> {
  while (node.chain.height < h) await new Promise((r) => setTimeout(r, 2));
  return performance.now();
}

interface Run { total: number; heavy: number }
const lightRate = (r: Run) => ((light.length * 1000) / (r.total - r.heavy)).toFixed(0);

async function viaP2P(blocks = chain): Promise<Run> {
  const peer = await FakePeer.start({ blocks });
  const srv = await startServer(parseConfig([...base, '--connect', `127.0.0.1:${peer.port}`]), quiet);
  try {
    const t0 = performance.now();
    const tLight = await waitHeight(srv.node, Math.min(light.length, blocks.length));
    const tEnd = await waitHeight(srv.node, blocks.length);
    if (srv.node.chain.tip.hashHex !== peer.tipHash) throw new Error('synced to another tip');
    return { total: tEnd - t0, heavy: tEnd - tLight };
  } finally {
    await srv.close();
    await peer.close();
  }
}

async function direct(blocks = chain): Promise<Run> {
  const srv = await startServer(parseConfig(base), cryptoReported ? quiet : firstLog);
  cryptoReported = true;
  try {
    const t0 = performance.now();
    let tLight = t0;
    for (const [i, raw] of blocks.entries()) {
      const r = await srv.node.submitBlock(raw);
      if (r.busy || !r.accepted) throw new Error(`block ${i + 1} refused: ${JSON.stringify(r)}`);
      if (i + 1 === light.length) tLight = performance.now();
    }
    const tEnd = performance.now();
    return { total: tEnd - t0, heavy: tEnd - tLight };
  } finally {
    await srv.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)]!;
const p2p: Run[] = [], ref: Run[] = [];
// A warm-up of each (JIT), not counted.
await viaP2P();
await direct();
for (let r = 0; r < ROUNDS; r++) {
  p2p.push(await viaP2P());
  ref.push(await direct());
  const a = p2p[r]!, d = ref[r]!;
  console.log(`round ${r + 1}: p2p ${(a.total / 1000).toFixed(2)} s (light ${lightRate(a)} blocks/s, heavy ${((a.heavy * 1000) / inputs).toFixed(1)} µs/input), ` +
    `direct ${(d.total / 1000).toFixed(2)} s (light ${lightRate(d)} blocks/s, heavy ${((d.heavy * 1000) / inputs).toFixed(1)} µs/input)`);
}
const report = (name: string, runs: Run[]) => {
  const total = median(runs.map((x) => x.total));
  const heavy = median(runs.map((x) => x.heavy));
  console.log(`${name}: ${((chain.length * 1000) / total).toFixed(1)} blocks/s over ${chain.length} blocks; heavy blocks ${((heavy * 1000) / inputs).toFixed(1)} µs/input (${((b.blocks.length * 1000) / heavy).toFixed(2)} blocks/s)`);
  return { total, heavy };
};
const A = report('p2p   ', p2p);
const D = report('direct', ref);
console.log(`p2p / direct: whole chain ${(A.total / D.total).toFixed(2)}×, heavy blocks ${(A.heavy / D.heavy).toFixed(2)}× the time`);

// Empty blocks: the protocol's cost per block.
const e = new RegtestChainBuilder();
for (let i = 0; i < EMPTY; i++) e.next();
const ep: number[] = [], ed: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  ep.push((await viaP2P(e.blocks)).total);
  ed.push((await direct(e.blocks)).total);
}
const rate = (ms: number) => ((EMPTY * 1000) / ms).toFixed(0);
console.log(`${EMPTY} empty blocks: p2p ${rate(median(ep))} blocks/s, direct ${rate(median(ed))} blocks/s (rounds: p2p ${ep.map(rate).join(', ')}; direct ${ed.map(rate).join(', ')})`);
