/**
 * The child modes of bench/validate.bench.ts, run in the runtime under test (also usable by hand):
 *   --ceiling --data=FILE --set=mix --crypto=NAME --sha256=NAME [--lib=PATH]
 *       single-thread signature verification speed for the checks a set needs;
 *   --ceiling-serve (same options): the same as a long-lived child answering `FROM COUNT` lines;
 *   --inproc  --data=FILE --crypto=NAME --sha256=NAME [--lib=PATH]
 *       server-side latency of a first validation vs a re-submission: TxgateNode in
 *       process (1 worker, and 0 workers = no postMessage), no HTTP.
 */
import { decodeTx } from '../src/primitives/tx.ts';
import { fromHex } from '../src/primitives/bytes.ts';
import type { SigVerifier } from '../src/script/sigcheck.ts';
import { precomputeTxData } from '../src/script/sighash.ts';
import { setDefaultVerifier, verifyInput } from '../src/script/verify.ts';
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { applyCrypto, loadCryptoByName, type CryptoSpec, type SigBackendName, type Sha256BackendName } from '../src/runtime/crypto/select.ts';
import { STANDARD_FLAGS, type ServerSetName } from './data.ts';
import { recordingVerifier, replayChecks, type RecordedCheck } from './sig-replay.ts';
import { median, opt, pctl, readData, type DataFile } from './validate-common.ts';

async function loadSpec(): Promise<{ spec: CryptoSpec; verifier: SigVerifier }> {
  const crypto = (opt('crypto') ?? 'noble') as SigBackendName;
  const sha256 = (opt('sha256') ?? 'noble') as Sha256BackendName;
  const lib = opt('lib');
  const sel = await loadCryptoByName(crypto, lib, sha256);
  const verifier = applyCrypto(sel);
  setDefaultVerifier(verifier);
  return { spec: { crypto, sha256, ...(lib ? { libPath: lib } : {}) }, verifier };
}

// ---------------------------------------------------------------------------------------
// --ceiling: single-thread signature verification speed for the checks a set needs.

export async function ceilingMode(): Promise<void> {
  const data = await readData(opt('data')!);
  const set = (opt('set') ?? 'mix') as ServerSetName;
  const limit = Number(opt('limit') ?? 1500);
  const { verifier } = await loadSpec();
  const items = data.sets[set].slice(0, limit);
  const calls = recordChecks(verifier, items);
  const ecdsa = calls.flat().filter((c) => !c.schnorr);
  const schnorr = calls.flat().filter((c) => c.schnorr);
  replayChecks(verifier, calls.flat()); // warm-up
  const rounds = Number(opt('rounds') ?? 5);
  const e: number[] = [], s: number[] = [];
  for (let r = 0; r < rounds; r++) {
    e.push(replayChecks(verifier, ecdsa));
    s.push(replayChecks(verifier, schnorr));
  }
  const ecdsaMs = median(e), schnorrMs = median(s);
  const usPerTx = ((ecdsaMs + schnorrMs) * 1000) / items.length;
  console.log(JSON.stringify({
    runtime: runtimeLabel(), backend: verifier.name, set, txs: items.length, ecdsaChecks: ecdsa.length, schnorrChecks: schnorr.length,
    checksPerTx: (ecdsa.length + schnorr.length) / items.length,
    ecdsaUs: ecdsa.length ? (ecdsaMs * 1000) / ecdsa.length : null,
    schnorrUs: schnorr.length ? (schnorrMs * 1000) / schnorr.length : null,
    usPerTx,
    singleCoreTxPerSec: 1e6 / usPerTx,
  }));
}

/** The signature checks of each spend of a set (1 input each), recorded with their answers. */
function recordChecks(verifier: SigVerifier, items: DataFile['sets'][ServerSetName]): RecordedCheck[][] {
  return items.map((it) => {
    const calls: RecordedCheck[] = [];
    const tx = decodeTx(fromHex(it.tx));
    const spent = [{ value: BigInt(it.amount), scriptPubKey: fromHex(it.spk) }];
    const r = verifyInput(tx, 0, spent, STANDARD_FLAGS, { verifier: recordingVerifier(verifier, calls), txdata: precomputeTxData(tx, spent) });
    if (!r.ok) throw new Error(`ceiling: a ${it.kind} spend does not verify: ${r.error}`);
    return calls;
  });
}

// ---------------------------------------------------------------------------------------
// --ceiling-serve: the same measurement as a long-lived child, so that it can be taken
// between slices of the load (--interleave). Records the checks of the whole set once,
// then answers each stdin line `FROM COUNT` with one JSON line: the single-thread time of
// the signature checks of transactions [FROM, FROM+COUNT) of the set, replayed.

export async function ceilingServeMode(): Promise<void> {
  const data = await readData(opt('data')!);
  const set = (opt('set') ?? 'mix') as ServerSetName;
  const { verifier } = await loadSpec();
  const items = data.sets[set];
  const perTx = recordChecks(verifier, items);
  const { createInterface } = await import('node:readline');
  const { stdin } = await import('node:process');
  console.log(JSON.stringify({ ready: true, txs: items.length, backend: verifier.name }));
  for await (const line of createInterface({ input: stdin })) {
    const [from, count] = line.trim().split(/\s+/).map(Number) as [number, number];
    const slice = perTx.slice(from, from + count);
    const checks = slice.flat();
    const ms = replayChecks(verifier, checks);
    console.log(JSON.stringify({ from, txs: slice.length, checks: checks.length, ms, usPerTx: (ms * 1000) / slice.length }));
  }
}

// ---------------------------------------------------------------------------------------
// --inproc: server-side first validation vs re-submission (TxgateNode, no HTTP).

export async function inprocMode(): Promise<void> {
  const { TxgateNode } = await import('../src/node/node.ts');
  const { spawnValidator } = await import('../src/runtime/spawn.ts');
  const data = await readData(opt('data')!);
  const { spec, verifier } = await loadSpec();
  const out: Record<string, unknown> = { runtime: runtimeLabel(), backend: verifier.name };
  for (const workers of [1, 0]) {
    const node = await TxgateNode.start({
      network: 'regtest', workers, spawn: spawnValidator, workerInit: { crypto: spec }, verifier, now: () => Math.floor(Date.now() / 1000),
    });
    try {
      for (const b of data.blocks) {
        const r = await node.submitBlock(fromHex(b));
        if (r.busy || !r.accepted) throw new Error(`block rejected: ${JSON.stringify(r)}`);
      }
      const one = async (hex: string): Promise<number> => {
        const t0 = performance.now();
        const r = await node.validate([{ tx: decodeTx(fromHex(hex)) }]);
        const ms = performance.now() - t0;
        if (r.busy || !r.results[0]!.allowed) throw new Error(`not allowed: ${JSON.stringify(r.busy ? r : r.results[0])}`);
        return ms;
      };
      const warm = data.sets.warm;
      for (let i = 0; i < warm.length; i += 50) await Promise.all(warm.slice(i, i + 50).map((x) => one(x.tx)));
      const first: number[] = [], again: number[] = [], again2: number[] = [];
      for (const x of data.sets.idle) first.push(await one(x.tx));
      for (const x of data.sets.idle) again.push(await one(x.tx));
      for (const x of data.sets.idle) again2.push(await one(x.tx));
      const resub = again.map((a, i) => Math.min(a, again2[i]!));
      out[`workers${workers}`] = {
        firstP50Ms: median(first), firstP90Ms: pctl(first, 0.9), resubmitP50Ms: median(resub), resubmitP90Ms: pctl(resub, 0.9),
        speedup: median(first) / median(resub), n: first.length,
      };
    } finally {
      await node.close();
    }
  }
  console.log(JSON.stringify(out));
}
