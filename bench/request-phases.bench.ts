/**
 * Main-thread CPU per transaction of POST /validate, phase by phase: each step of the
 * request path between the HTTP layer and the worker run alone, in a loop, on this thread.
 *
 *   node --import tsx bench/request-phases.bench.ts [--n=1000] [--reps=7] [--root=.,DIR]
 *   npx bun bench/request-phases.bench.ts
 *   npx deno run -A --unstable-ffi bench/request-phases.bench.ts
 *
 * A TxgateNode without workers gets the regtest chain of bench/data.ts (the quick set of
 * validate.bench.ts), then every phase runs over the same `n` never-admitted 1-input P2WPKH
 * spends ('one'), repeated for at least 200 ms, `reps` times, and the fastest rep is kept
 * (ns of this thread's CPU from /proc/thread-self/schedstat, which a busy machine's waits do
 * not inflate):
 *   json      JSON.parse of arrays of 25 { tx } items (the depth check included), per tx
 *   zod       the item schema, per tx
 *   hex       hex → bytes
 *   decode    decodeTx (the txid and wtxid hashed)
 *   key       the verdict cache key (the wtxid's hex, tip, mempool version and minimum fee),
 *             the transaction's keys made for the first time
 *   prechecks MemPoolAccept.preChecks: context checks, duplicates, coins, input checks
 *   mempool   the mempool's checks (admit.ts prepare)
 *   job       the job of the scripts check: its cost (signature checks) and its shard
 *   wire      a batch of 25 jobs packed for a worker (wire.ts packBatch), per tx
 *   result    the verdict as JSON (resultJson, the response's JSON.stringify), per tx
 *   items     arrays of 25 { tx } items, body bytes to decoded transactions, per tx: the
 *             tree's validateItems (src/api/validate-body.ts); a tree without it, the same
 *             steps as its handler took them (JSON.parse with the depth check, fromHex,
 *             decodeTx; the item schema skipped, as for a bare { tx } item)
 *   accept    decode, then acceptSingle(testOnly) whole with the scripts answered by a stub:
 *             every main-thread stage with its promise hops
 * With --root=.,DIR the same phases run for another source tree in this process,
 * alternating, for same-run before → after ratios.
 */
import { readFileSync } from 'node:fs';
import { loadServerBenchData } from './data.ts';

const argv: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const N = Number(opt('n') ?? 1000);
const REPS = Number(opt('reps') ?? 7);
const here = new URL('..', import.meta.url);
const roots = (opt('root') ?? '.').split(',').map((r) => new URL(r.endsWith('/') ? r : r + '/', here));

const threadNs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

const data = loadServerBenchData({ mix: 1200, one: 2000, warm: 300, idle: 100 }, () => undefined);
const spends = data.sets.one.slice(0, N);
const hexes = spends.map((s) => toHex(s.tx));
const bodies: string[] = [];
for (let i = 0; i < hexes.length; i += 25) bodies.push(JSON.stringify(hexes.slice(i, i + 25).map((tx) => ({ tx }))));
const bodyBytes = bodies.map((b) => new TextEncoder().encode(b));

type Phase = (round: number) => unknown;
interface Tree { label: string; phases: [string, Phase][]; close(): Promise<void> }

// deno-lint-ignore no-explicit-any
type Any = any;
async function load(root: URL, label: string): Promise<Tree> {
  const m = async (p: string): Promise<Any> => import(new URL(p, root).href);
  const [sel, nodeMod, txMod, bytes, schemas, body, admit, types, sig, wire, pool, appMod] = await Promise.all([
    m('src/runtime/crypto/select.ts'), m('src/node/node.ts'), m('src/primitives/tx.ts'), m('src/primitives/bytes.ts'),
    m('src/api/schemas.ts'), m('src/api/body.ts'), m('src/mempool/admit.ts'), m('src/mempool/types.ts'),
    m('src/policy/sig-checks.ts'), m('src/validation/wire.ts'), m('src/validation/pool-jobs.ts'), m('src/api/app.ts'),
  ]);
  const chosen = await sel.selectCrypto({ crypto: 'noble', sha256: 'auto' });
  sel.applyCrypto(await sel.loadCryptoByName('noble', undefined, chosen.spec.sha256));
  const node = await nodeMod.TxgateNode.start({ network: 'regtest', workers: 0, now: () => Math.floor(Date.now() / 1000) });
  for (const b of data.blocks) {
    const r = await node.submitBlock(b);
    if (!r.accepted) throw new Error('block rejected');
  }
  const accept = node.mempoolService.accept;
  const decode = () => hexes.map((h) => txMod.decodeTx(bytes.fromHex(h)));
  const txs: Any[] = decode();
  const cands: Any[] = txs.map((tx) => accept.preChecks(tx, accept.view(), types.SINGLE_ACCEPT));
  if (cands.some((c) => c.ok === false)) throw new Error('a spend failed PreChecks');
  const tip = node.chain.tip.hashHex;
  const pass = { ok: true };
  const stubAccept = new (accept.constructor)({ ...accept.d, scripts: () => pass });
  const resultJson = appMod.resultJson as ((r: unknown) => unknown) | undefined;
  const verdicts: unknown[] = [];
  const vb: Any = await m('src/api/validate-body.ts').catch(() => undefined);
  const slicer = vb ? new (await m('src/api/time-slice.ts')).TimeSlicer(1e9, 1e9) : undefined;
  const items = vb
    ? async () => { for (const b of bodyBytes) await vb.validateItems('application/json', b, undefined, 100, slicer); }
    : () => { for (const b of bodyBytes) for (const it of body.parseJsonBody(b) as { tx: string }[]) txMod.decodeTx(bytes.fromHex(it.tx)); };
  const phases: [string, Phase][] = [
    ['json', () => { for (const b of bodies) body.parseJsonBody(new TextEncoder().encode(b)); }],
    ['zod', () => { for (const h of hexes) schemas.validateItemSchema.safeParse({ tx: h }); }],
    ['hex', () => { for (const h of hexes) bytes.fromHex(h); }],
    ['decode', () => { for (const h of hexes) txMod.decodeTx(bytes.fromHex(h)); }],
    // A transaction's first keys are made here (a copy each run: the keys are kept per object).
    ['key', () => { for (const tx of txs) node.verdicts.key({ tx: { ...tx } }, tip, node.mempool); }],
    ['prechecks', () => { for (const tx of txs) accept.preChecks(tx, accept.view(), types.SINGLE_ACCEPT); }],
    ['mempool', () => { for (const c of cands) admit.prepare(node.mempool, c, types.SINGLE_ACCEPT); }],
    ['job', () => { for (const c of cands) { sig.maxSignatureChecks(c.tx, c.spent.map((o: Any) => o.scriptPubKey)); pool.shardOf(c.tx.txid); } }],
    ['wire', () => {
      for (let i = 0; i < cands.length; i += 25) {
        wire.packBatch(i, cands.slice(i, i + 25).map((c: Any, j: number) => ({ id: i + j, kind: 'scripts', tx: c.tx.raw, spent: c.spent, flags: 0 })));
      }
    }],
    ['items', items],
    ['accept', async () => {
      verdicts.length = 0;
      for (const tx of decode()) verdicts.push(await stubAccept.acceptSingle(tx, { testOnly: true, maxFeeRate: 10_000_000 }));
    }],
    ['result', () => {
      for (let i = 0; i < verdicts.length; i += 25) JSON.stringify(verdicts.slice(i, i + 25).map((v) => (resultJson ? resultJson(v) : v)), (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
    }],
  ];
  return { label, phases, close: () => node.close() };
}

const trees: Tree[] = [];
for (let i = 0; i < roots.length; i++) trees.push(await load(roots[i]!, roots.length === 1 ? 'tree' : i === 0 ? 'this tree' : roots[i]!.pathname));
const best = new Map<string, number>();
for (let rep = 0; rep < REPS; rep++) {
  for (let t = 0; t < trees.length; t++) {
    const tree = trees[rep % 2 === 0 ? t : trees.length - 1 - t]!;
    for (const [name, run] of tree.phases) {
      // schedstat moves at scheduler ticks: each phase repeats for at least 200 ms.
      const ns0 = threadNs(), t0 = performance.now();
      let runs = 0;
      while (performance.now() - t0 < 200) {
        await run(rep);
        runs++;
      }
      const us = (threadNs() - ns0) / 1000 / N / runs;
      const k = `${tree.label}|${name}`;
      best.set(k, Math.min(best.get(k) ?? Infinity, us));
    }
  }
}
const { runtimeLabel } = await import(new URL('src/runtime/crypto/runtime-info.ts', here).href);
console.log(`# request-phases.bench: ${runtimeLabel()}, ${N} txs, best of ${REPS}; main-thread CPU µs per tx`);
console.log(`| phase | ${trees.map((t) => t.label).join(' | ')} |${trees.length > 1 ? ' ratio |' : ''}`);
console.log(`|---|${trees.map(() => '---:').join('|')}|${trees.length > 1 ? '---:|' : ''}`);
for (const [name] of trees[0]!.phases) {
  const v = trees.map((t) => best.get(`${t.label}|${name}`)!);
  console.log(`| ${name} | ${v.map((x) => x.toFixed(2)).join(' | ')} |${trees.length > 1 ? ` ${(v[0]! / v[1]!).toFixed(2)} |` : ''}`);
}
for (const t of trees) await t.close();
