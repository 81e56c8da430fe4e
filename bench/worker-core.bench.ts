/**
 * Non-signature work per transaction in a validation worker:
 * `ValidatorCore.run` (src/validation/worker-core.ts) in one thread, per transaction kind.
 *
 *   node --import tsx bench/worker-core.bench.ts
 *   npx bun bench/worker-core.bench.ts
 *   npx deno run -A --unstable-ffi bench/worker-core.bench.ts
 *
 * Options: --crypto=napi|ffi|wasm|noble (default: napi on Node, ffi on Bun and Deno),
 *          --sha256=js|noble|node|node-large|bun (default: what `auto` picks at start-up here),
 *          --lib=PATH (ffi), --n=100 (transactions per kind, at most 100), --rounds=15,
 *          --kinds=p2wpkh,... (default all four),
 *          --root=DIR[,DIR...] (source trees to measure, alternating round by round in this
 *          one process: e.g. a copy of the tree before a change, for same-run ratios).
 *
 * For each kind (1 input, 2 outputs: P2WPKH, P2TR key path, P2PKH, 2-of-3 P2WSH: the spends of
 * bench/data.ts loadServerBenchData's quick set, cached in bench/out/) and each tree, every round:
 *   cold  a fresh ValidatorCore (empty signature and script-execution caches, JIT warm)
 *         runs a validate job (raw tx, caller-supplied coins, chain, policy) for each tx;
 *   hit   the same core runs the same jobs again (script-execution cache hits);
 *   sigs  the signature verifications those txs need (recorded once), replayed straight into
 *         the same backend: the signature cost alone;
 *   stub  a cold pass again, with a verifier that gives the recorded answers without any
 *         curve arithmetic: the non-signature work measured directly (steadier than
 *         cold − sigs on a shared machine).
 * Reported: best round's µs per tx; "non-sig / sigs" = stub / sigs.
 * Also: structuredClone of one job and its result (what postMessage adds in and out).
 * Every verdict must be `allowed` and identical across trees.
 */
import { loadServerBenchData, SERVER_SETS, SINGLE_KINDS, type ServerSpend, type SingleKind } from './data.ts';
import { recordingVerifier, replayChecks, type RecordedCheck } from './sig-replay.ts';

const argv: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);

const N = Number(opt('n') ?? 100);
const ROUNDS = Number(opt('rounds') ?? 15);
const LIB = opt('lib');
const here = new URL('..', import.meta.url);
const roots = (opt('root') ?? '').split(',').filter(Boolean).map((r) => new URL(r.endsWith('/') ? r : r + '/', here));
if (roots.length === 0) roots.push(here);

interface Api {
  label: string;
  ValidatorCore: new (o: { verifier: Verifier }) => { run(job: unknown): Promise<{ kind: string; result?: { allowed: boolean; reason?: string } }> };
  verifier: Verifier;
  shaName: string;
}
interface Verifier {
  name: string;
  verifyEcdsa(s: Uint8Array, m: Uint8Array, k: Uint8Array): boolean;
  verifySchnorr(s: Uint8Array, m: Uint8Array, k: Uint8Array): boolean;
}

const { runtimeLabel, runtimeName } = await import(new URL('src/runtime/crypto/runtime-info.ts', here).href);
const rt: string = runtimeName();
const cryptoName = opt('crypto') ?? (rt === 'node' ? 'napi' : 'ffi');

/** The backends a server would choose here: `auto` SHA-256 unless --sha256 says otherwise. */
async function pickSha(): Promise<string> {
  const given = opt('sha256');
  if (given) return given;
  const sel = await import(new URL('src/runtime/crypto/select.ts', here).href);
  const s = await sel.selectCrypto({ crypto: 'noble', sha256: 'auto' });
  return s.spec.sha256 as string;
}
const shaName = await pickSha();

async function loadApi(root: URL, i: number): Promise<Api> {
  const sel = await import(new URL('src/runtime/crypto/select.ts', root).href);
  const loaded = await sel.loadCryptoByName(cryptoName, LIB, shaName);
  const verifier = sel.applyCrypto(loaded) as Verifier;
  const core = await import(new URL('src/validation/worker-core.ts', root).href);
  // as a validation worker starts (workers/validator.ts): that tree's per-runtime choices
  (await import(new URL('src/runtime/tuning.ts', root).href)).applyRuntimeTuning('worker');
  const label = roots.length === 1 ? 'tree' : root.href === here.href ? 'this tree' : `tree ${i} (${root.pathname})`;
  return { label, ValidatorCore: core.ValidatorCore, verifier, shaName };
}
const apis: Api[] = [];
for (let i = 0; i < roots.length; i++) apis.push(await loadApi(roots[i]!, i));

const CHAIN = { height: 1_000, mtp: 1_700_000_000 };
const POLICY = {
  requireStandard: true, maxDatacarrierBytes: 100_000, permitBareMultisig: true,
  dustRelayFeeRate: 3_000, minRelayFeeRate: 100, bytesPerSigop: 20, maxFeeRate: 10_000_000,
};
function jobOf(s: ServerSpend, id: number) {
  return {
    kind: 'validate' as const, id, tx: s.tx, chain: CHAIN, policy: POLICY,
    coins: [{ value: s.prevout.amount, scriptPubKey: s.prevout.scriptPubKey, height: 500, coinbase: false }],
  };
}
// The same data as validate.bench.ts --quick (every spend: 1 input, 2 outputs).
const data = loadServerBenchData({ mix: 1200, one: 2000, warm: 300, idle: 100 }, (m) => console.log(m));
const byKind = new Map<SingleKind, ServerSpend[]>(SINGLE_KINDS.map((k) => [k, []]));
for (const set of SERVER_SETS) for (const s of data.sets[set]) byKind.get(s.kind)!.push(s);

type Check = RecordedCheck;
/** The signature checks the txs need, recorded through a fresh core of the first tree. */
async function recordChecks(api: Api, jobs: ReturnType<typeof jobOf>[]): Promise<Check[]> {
  const out: Check[] = [];
  const v = api.verifier;
  const rec = recordingVerifier(v, out);
  const core = new api.ValidatorCore({ verifier: rec });
  for (const j of jobs) await core.run(j);
  return out;
}

/** A verifier that replays the recorded answers in order (no curve arithmetic). */
function stubVerifier(checks: Check[]): Verifier & { reset(): void } {
  let k = 0;
  return {
    name: 'stub',
    reset() { k = 0; },
    verifyEcdsa: () => checks[k++]!.ok,
    verifySchnorr: () => checks[k++]!.ok,
  };
}

async function pass(core: InstanceType<Api['ValidatorCore']>, jobs: ReturnType<typeof jobOf>[], verdicts: string[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < jobs.length; i++) {
    const r = await core.run(jobs[i]!);
    const key = r.kind === 'validate' ? JSON.stringify(r.result, (_k, x) => (typeof x === 'bigint' ? String(x) : x)) : r.kind;
    if (verdicts[i] === undefined) verdicts[i] = key;
    else if (verdicts[i] !== key) throw new Error(`verdicts differ for tx ${i}: ${verdicts[i]} vs ${key}`);
  }
  return performance.now() - t0;
}

interface Row { kind: SingleKind; api: Api; cold: number; hit: number; sigs: number; stub: number; clone: number; sigCount: number }
const rows: Row[] = [];
const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

console.log(`# worker-core.bench: ${runtimeLabel()}, signatures ${apis[0]!.verifier.name}, sha256 ${shaName}; ${N} txs per kind, best of ${ROUNDS} rounds`);
const KINDS = (opt('kinds')?.split(',') ?? SINGLE_KINDS) as SingleKind[];
for (const kind of KINDS) {
  const all = byKind.get(kind)!;
  if (all.length < N + 20) throw new Error(`only ${all.length} ${kind} spends in the data`);
  const txs = all.slice(0, N);
  const warm = all.slice(N, N + 50);
  const jobs = txs.map((g, i) => jobOf(g, i + 1));
  const warmJobs = warm.map((g, i) => jobOf(g, i + 1));
  const verdicts: string[] = [];
  for (const j of jobs) if (!(await new apis[0]!.ValidatorCore({ verifier: apis[0]!.verifier }).run(j)).result?.allowed) throw new Error(`${kind}: not allowed`);
  const checks = await recordChecks(apis[0]!, jobs);
  // Warm every tree's JIT on other txs of the same kind.
  for (const api of apis) {
    for (let k = 0; k < 3; k++) {
      const core = new api.ValidatorCore({ verifier: api.verifier });
      for (const j of warmJobs) await core.run(j);
      for (const j of warmJobs) await core.run(j);
    }
  }
  const best = apis.map(() => ({ cold: Infinity, hit: Infinity, sigs: Infinity, stub: Infinity }));
  const stub = stubVerifier(checks);
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order of the trees round by round.
    for (let a = 0; a < apis.length; a++) {
      const idx = r % 2 === 0 ? a : apis.length - 1 - a;
      const api = apis[idx]!;
      const core = new api.ValidatorCore({ verifier: api.verifier });
      const cold = await pass(core, jobs, verdicts);
      const hit = await pass(core, jobs, verdicts);
      const sigs = replayChecks(api.verifier, checks);
      stub.reset();
      const stubbed = await pass(new api.ValidatorCore({ verifier: stub }), jobs, verdicts);
      const b = best[idx]!;
      b.stub = Math.min(b.stub, stubbed);
      b.cold = Math.min(b.cold, cold);
      b.hit = Math.min(b.hit, hit);
      b.sigs = Math.min(b.sigs, sigs);
    }
  }
  // postMessage's structured clone of one job in and one result out.
  const core = new apis[0]!.ValidatorCore({ verifier: apis[0]!.verifier });
  const results = [];
  for (const j of jobs) results.push(await core.run(j));
  let clone = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < jobs.length; i++) {
      structuredClone({ type: 'batch', batch: i, jobs: [jobs[i]] });
      structuredClone({ type: 'results', batch: i, results: [results[i]] });
    }
    clone = Math.min(clone, performance.now() - t0);
  }
  apis.forEach((api, i) => {
    const b = best[i]!;
    rows.push({ kind, api, cold: (b.cold * 1000) / N, hit: (b.hit * 1000) / N, sigs: (b.sigs * 1000) / N, stub: (b.stub * 1000) / N, clone: (clone * 1000) / N, sigCount: checks.length / N });
  });
}

console.log('');
console.log(`| kind | tree | cold µs/tx | sigs µs/tx | cold − sigs | non-sig µs/tx (stub) | non-sig / sigs | exec-cache hit µs/tx | clone job+result µs |`);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.kind} (${r.sigCount} sig${r.sigCount === 1 ? '' : 's'}) | ${r.api.label} | ${f(r.cold)} | ${f(r.sigs)} | ${f(r.cold - r.sigs)} | ${f(r.stub)} | ${(r.stub / r.sigs).toFixed(2)} | ${f(r.hit)} | ${f(r.clone)} |`);
}
if (apis.length > 1) {
  console.log('');
  console.log(`Same-run ratios (${apis[0]!.label} ÷ other tree): `);
  for (const kind of KINDS) {
    const rs = rows.filter((r) => r.kind === kind);
    const a = rs[0]!;
    for (const b of rs.slice(1)) {
      console.log(`- ${kind}: non-sig (stub) ${(a.stub / b.stub).toFixed(2)}×, cold ${(a.cold / b.cold).toFixed(2)}×, hit ${(a.hit / b.hit).toFixed(2)}× (vs ${b.api.label})`);
    }
  }
}
