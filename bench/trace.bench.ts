/**
 * What the script trace costs: nothing when it is not asked for, and how much when it is.
 *
 *   git archive main | tar -x -C /tmp/trace-before     (the tree before the trace hook)
 *   node --import tsx bench/trace.bench.ts [--before=/tmp/trace-before] [--quick] [--only=tapscript]
 *   npx bun bench/trace.bench.ts [--before=...]
 *   npx deno run -A --unstable-ffi bench/trace.bench.ts [--before=...]
 *
 * 1. verifyInput without a tracer, this tree against the tree before (its src/ loaded from
 *    --before, a node_modules beside it or a symlink to this one), in the same process, in
 *    interleaved rounds, median µs per input: P2PKH, P2WPKH, P2TR key path, 2-of-3 P2WSH
 *    (bench/data.ts, standard flags, one signature backend for both trees: the fastest
 *    selectCrypto picks), and a signature-free tapscript leaf of 30,002 opcodes where the
 *    per-opcode cost of the interpreter is all there is. after/before is the median of the
 *    per-round ratios (each round times both trees back to back, so load that comes and
 *    goes cancels); near 1.00 is "as fast as before", the middle half of the round ratios
 *    says how far from 1.00 is noise.
 * 2. traceInput (src/script/trace.ts) against verifyInput in this tree: the cost of a trace.
 * Times are CPU time of the benchmark's thread (/proc/thread-self/schedstat, as
 * bench/request-path.bench.ts), so time spent waiting for a core on a loaded machine is
 * not counted; wall clock where /proc is missing.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../src/primitives/bytes.ts';
import type { Transaction, TxOut } from '../src/primitives/tx.ts';
import { makeTx } from '../src/primitives/tx.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { selectCrypto } from '../src/runtime/crypto/select.ts';
import type { SigVerifier } from '../src/script/sigcheck.ts';
import { traceInput } from '../src/script/trace.ts';
import { taprootOutput } from '../test/util/taproot.ts';
import { decodeGenerated, makeTxs, SINGLE_KINDS, STANDARD_FLAGS } from './data.ts';

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const QUICK = args.includes('--quick');
const TXS = QUICK ? 12 : 40;
const ROUNDS = QUICK ? 9 : 41;
const ROUND_MS = QUICK ? 30 : 40;
const beforeDir = opt('before') ?? '/tmp/trace-before';
const beforeRoot = new URL(beforeDir.endsWith('/') ? `file://${beforeDir}` : `file://${beforeDir}/`);

type Verify = (tx: Transaction, nIn: number, spent: TxOut[], flags: number, opts: { verifier: SigVerifier }) => { ok: boolean };
const after: Verify = (await import('../src/script/verify.ts')).verifyInput;
const before: Verify = (await import(new URL('src/script/verify.ts', beforeRoot).href)).verifyInput;

interface Case {
  tx: Transaction;
  spent: TxOut[];
}

/** A tapscript leaf of `n` × (OP_DUP OP_1ADD OP_DROP) then OP_DROP OP_1: no signature, n·3+2 opcodes. */
function opcodeLeafSpend(n: number): Case {
  const script = new Uint8Array(3 * n + 2);
  for (let i = 0; i < n; i++) script.set([0x76, 0x8b, 0x75], 3 * i);
  script.set([0x75, 0x51], 3 * n);
  const out = taprootOutput(fromHex('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'), { leafVersion: 0xc0, script });
  const spent = [{ value: 10_000n, scriptPubKey: out.scriptPubKey }];
  const tx = makeTx({
    version: 2, locktime: 0, outputs: [{ value: 9_000n, scriptPubKey: out.scriptPubKey }],
    inputs: [{ prevout: { txid: new Uint8Array(32).fill(7), vout: 0 }, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [Uint8Array.of(1), script, out.controlBlocks[0]!.controlBlock] }],
  });
  return { tx, spent };
}

/** ms of CPU this thread has used (Linux /proc/thread-self/schedstat); wall clock elsewhere. */
function cpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return performance.now();
  }
}

/** CPU ms per call of fn, run for at least `ms` of wall time. */
function timeLoop(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now(), c0 = cpuMs();
  do {
    fn();
    n++;
  } while (performance.now() - t0 < ms);
  return (cpuMs() - c0) / n;
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[xs.length >> 1]!;

/** Interleaved rounds (a, b alternately, the order swapped every round); per-round ms lists. */
function rounds(a: () => void, b: () => void): { a: number[]; b: number[] } {
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  const ra: number[] = [], rb: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      rb.push(timeLoop(b, ROUND_MS));
      ra.push(timeLoop(a, ROUND_MS));
    } else {
      ra.push(timeLoop(a, ROUND_MS));
      rb.push(timeLoop(b, ROUND_MS));
    }
  }
  return { a: ra, b: rb };
}

const us = (ms: number, n: number) => ((ms * 1000) / n).toFixed(ms * 1000 / n >= 100 ? 0 : 1);

const sel = await selectCrypto({ crypto: 'auto', sha256: 'auto' });
const verifier = sel.verifier;
const cases = new Map<string, Case[]>();
for (const kind of SINGLE_KINDS) cases.set(kind, makeTxs(kind, TXS).map(decodeGenerated));
cases.set('tapscript 30,002 opcodes', [opcodeLeafSpend(10_000)]);

console.log(`## script trace — ${runtimeLabel()} — ${new Date().toISOString().slice(0, 10)}${QUICK ? ' (quick)' : ''}`);
console.log(`signatures ${verifier.name}, SHA-256 ${sel.sha256.name}; ${ROUNDS} interleaved rounds of ≥${ROUND_MS} ms, medians; before = ${beforeDir}\n`);
console.log('| input type | before µs/input | after µs/input | after/before (median of rounds) | middle half of round ratios | traced µs/input | traced/untraced |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const only = opt('only');
for (const [kind, list] of cases) {
  if (only && !kind.startsWith(only)) continue;
  const run = (f: Verify) => () => {
    for (const c of list) if (!f(c.tx, 0, c.spent, STANDARD_FLAGS, { verifier }).ok) throw new Error(`${kind}: does not verify`);
  };
  const r = rounds(run(before), run(after));
  const ratios = sorted(r.b.map((x, i) => x / r.a[i]!));
  const traced = () => {
    for (const c of list) if (!traceInput(c.tx, 0, c.spent, STANDARD_FLAGS, { verifier }).ok) throw new Error(`${kind}: trace fails`);
  };
  const t = rounds(run(after), traced);
  const mb = median(r.a), ma = median(r.b);
  const q = (f: number) => ratios[Math.floor(f * (ratios.length - 1))]!.toFixed(2);
  console.log(`| ${kind} | ${us(mb, list.length)} | ${us(ma, list.length)} | ${median(ratios).toFixed(3)} | ${q(0.25)}–${q(0.75)} | ${us(median(t.b), list.length)} | ${(median(t.b) / median(t.a)).toFixed(1)} |`);
}
