/**
 * Script verification benchmark.
 *
 *   node --import tsx bench/script.bench.ts [--quick] [--noble-only]
 *   npx bun bench/script.bench.ts
 *   npx deno run -A --unstable-ffi bench/script.bench.ts
 *   (--crypto=noble|wasm|ffi|napi and --sha256=NAME force a backend for the second part)
 *
 * 1. µs per input through verifyInput (src/script/verify.ts) for P2PKH, P2WPKH, P2TR key
 *    path and 2-of-3 P2WSH (one input each, standard flags, no signature cache, sighash
 *    data computed per call as for a fresh mempool tx), next to the raw time of the very
 *    signature checks that input needs on the same backend: every call verifyInput makes to
 *    the SigVerifier is recorded once, then replayed directly. Both are measured in the same
 *    run, interleaved, median of rounds; the ratio is the script layer's overhead.
 * 2. Whole-block script verification of real blocks, single-threaded: every input of every
 *    non-coinbase tx with the block's script flags (300025/277647: P2SH; 367891:
 *    P2SH|DERSIG), one PrecomputedTxData per tx, reported in µs per input, with the same
 *    raw-signature replay (interleaved passes, median).
 * Backends: noble (with noble SHA-256), then the fastest pair selectCrypto() picks here.
 */
import { nobleSha256Backend, setSha256Backend, type Sha256Backend } from '../src/primitives/hash.ts';
import type { Transaction, TxOut } from '../src/primitives/tx.ts';
import type { SigVerifier } from '../src/script/sigcheck.ts';
import { nobleVerifier } from '../src/script/sigcheck-noble.ts';
import { precomputeTxData } from '../src/script/sighash.ts';
import { verifyInput } from '../src/script/verify.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { selectCrypto, type CryptoChoice, type Sha256Choice } from '../src/runtime/crypto/select.ts';
import { decodeGenerated, loadRealBlock, makeTxs, REAL_BLOCKS, SINGLE_KINDS, STANDARD_FLAGS, type SingleKind } from './data.ts';
import { recordingVerifier, replayChecks, type RecordedCheck } from './sig-replay.ts';

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const QUICK = args.includes('--quick');
const NOBLE_ONLY = args.includes('--noble-only');
/** --crypto=NAME / --sha256=NAME: force a backend instead of selectCrypto's auto choice. */
const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const TXS_PER_KIND = QUICK ? 12 : 40;
const ROUNDS = QUICK ? 3 : 7;
const ROUND_MS = QUICK ? 60 : 200;
/** Whole blocks: rounds of at least one full pass each (a noble pass of 300025 takes seconds). */
const BLOCK_ROUNDS = QUICK ? 1 : 3;

/** ms per call of fn, run until at least `ms` have passed. */
function timeLoop(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < ms);
  return (t - t0) / n;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Interleaved rounds of a and b; medians of ms per call. */
function compare(a: () => void, b: () => void, rounds = ROUNDS): [number, number] {
  a();
  b();
  const ra: number[] = [], rb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ra.push(timeLoop(a, ROUND_MS));
    rb.push(timeLoop(b, ROUND_MS));
  }
  return [median(ra), median(rb)];
}

const f1 = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

interface Prepared {
  tx: Transaction;
  spent: TxOut[];
}

function benchKind(kind: SingleKind, prepared: Prepared[], v: SigVerifier): string {
  // Record the signature checks each input needs.
  const calls: RecordedCheck[] = [];
  for (const p of prepared) {
    const r = verifyInput(p.tx, 0, p.spent, STANDARD_FLAGS, { verifier: recordingVerifier(v, calls) });
    if (!r.ok) throw new Error(`${kind}: generated input does not verify: ${r.error}`);
  }
  const full = () => {
    for (const p of prepared) if (!verifyInput(p.tx, 0, p.spent, STANDARD_FLAGS, { verifier: v }).ok) throw new Error('verify failed');
  };
  const raw = () => void replayChecks(v, calls);
  const [fullMs, rawMs] = compare(full, raw);
  const n = prepared.length;
  const fullUs = (fullMs * 1000) / n, rawUs = (rawMs * 1000) / n;
  return `| ${kind} | ${f1(fullUs)} | ${f1(rawUs)} | ${(calls.length / n).toFixed(1)} | ${(fullUs / rawUs).toFixed(2)} |`;
}

function benchBlock(name: (typeof REAL_BLOCKS)[number], v: SigVerifier): string {
  const rb = loadRealBlock(name);
  const txs = rb.block.txs;
  const calls: RecordedCheck[] = [];
  const run = (verifier: SigVerifier) => {
    for (let t = 1; t < txs.length; t++) {
      const tx = txs[t]!, spent = rb.spent[t]!;
      const txdata = precomputeTxData(tx, spent);
      for (let i = 0; i < tx.inputs.length; i++) {
        const r = verifyInput(tx, i, spent, rb.flags, { verifier, txdata });
        if (!r.ok) throw new Error(`block ${name} tx ${t} input ${i}: ${r.error}`);
      }
    }
  };
  run(recordingVerifier(v, calls)); // also the warm-up
  const [fullMs, rawMs] = compare(() => run(v), () => void replayChecks(v, calls), BLOCK_ROUNDS);
  return `| ${name} | ${rb.inputs} | ${calls.length} | ${f1(fullMs)} | ${f1((fullMs * 1000) / rb.inputs)} | ${f1(rawMs)} | ${(fullMs / rawMs).toFixed(2)} |`;
}

function section(title: string, v: SigVerifier, sha: Sha256Backend, prepared: Map<SingleKind, Prepared[]>): void {
  setSha256Backend(sha);
  console.log(`\n### ${title}: signatures ${v.name}, SHA-256 ${sha.name}\n`);
  console.log('| input type | verifyInput µs/input | raw sig verify µs/input | sig checks/input | overhead ratio |');
  console.log('|---|---:|---:|---:|---:|');
  for (const kind of SINGLE_KINDS) console.log(benchKind(kind, prepared.get(kind)!, v));
  console.log(`\nWhole blocks, single-threaded (${title}):\n`);
  console.log('| block | inputs | sig checks | script checks ms | µs/input | raw sig verify ms | ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const b of REAL_BLOCKS) console.log(benchBlock(b, v));
}

const label = runtimeLabel();
console.log(`## script verification — ${label} — ${new Date().toISOString().slice(0, 10)}${QUICK ? ' (quick)' : ''}`);
console.log(`${TXS_PER_KIND} generated txs per type (bench/data.ts), ${ROUNDS} interleaved rounds of ≥${ROUND_MS} ms (blocks: ${BLOCK_ROUNDS} rounds of ≥1 pass), medians; flags: standard (inputs), the block's (blocks)`);

const prepared = new Map<SingleKind, Prepared[]>();
for (const kind of SINGLE_KINDS) prepared.set(kind, makeTxs(kind, TXS_PER_KIND).map(decodeGenerated));

section('noble', nobleVerifier, nobleSha256Backend, prepared);
if (!NOBLE_ONLY) {
  const sel = await selectCrypto({ crypto: (opt('crypto') ?? 'auto') as CryptoChoice, sha256: (opt('sha256') ?? 'auto') as Sha256Choice });
  console.log(`\n${sel.report.split('\n').map((l) => `> ${l}`).join('\n')}`);
  if (sel.verifier.name === 'noble' && sel.sha256.name === 'noble') console.log('\n(the fastest selection is noble/noble: same as above)');
  else section('fastest selected', sel.verifier, sel.sha256, prepared);
}
setSha256Backend(nobleSha256Backend);
