/**
 * The main thread's share of validating a ~2 MB block: validateBlock with a script checker
 * that answers at once, timed in this thread's CPU (/proc schedstat) until the first script
 * check is handed out (the workers idle until then) and in all (decode, CheckBlock, the
 * coins view, ConnectBlock's loop; not the pool's messaging).
 *
 *   node --import tsx bench/block-main.bench.ts [--blocks=928816,...] [--rounds=11] [--trees=/tmp/before,.]
 *   npx bun bench/block-main.bench.ts --sha256=bun [...]
 *   npx deno run -A bench/block-main.bench.ts [...]
 *
 * `--trees` names checkouts of this repository (default: this one) whose validateBlock runs
 * interleaved, round by round, in one process: a before/after comparison that a loaded
 * machine does not skew. The SHA-256 backend (--sha256, default node-large) is set in each.
 */
import { loadTestnetBlock, TESTNET_BIG_BLOCKS, type TestnetBlockName } from './data.ts';
import { threadRunMs } from './proc.ts';

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const opt = (k: string): string | undefined => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const BLOCKS = (opt('blocks')?.split(',') ?? ['928816', '928828', '928848', '928849', '928927']) as TestnetBlockName[];
for (const b of BLOCKS) if (!TESTNET_BIG_BLOCKS.includes(b)) throw new Error(`unknown block ${b}`);
const ROUNDS = Number(opt('rounds') ?? 11);
const here = new URL('..', import.meta.url).pathname;
const TREES = (opt('trees')?.split(',') ?? [here]).map((t) => (t === '.' ? here : t).replace(/\/?$/, '/'));
const PID = (globalThis as { Deno?: { pid: number } }).Deno?.pid ?? (globalThis as unknown as { process: { pid: number } }).process.pid;

/** This thread's CPU ms so far. */
function cpuMs(): number {
  for (const [k, v] of threadRunMs('self')) if (k.split(':')[0] === String(PID)) return v;
  return NaN;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

type Validate = (input: Record<string, unknown>) => Promise<{ ok: boolean }>;
const trees: { path: string; validateBlock: Validate }[] = [];
for (const path of TREES) {
  const sel = await import(`${path}src/runtime/crypto/select.ts`);
  sel.applyCrypto(await sel.selectCrypto({ crypto: 'noble', sha256: opt('sha256') ?? 'node-large' }));
  trees.push({ path, validateBlock: (await import(`${path}src/chain/validate-block.ts`)).validateBlock });
}

console.log(`${ROUNDS} rounds (after 3 unmeasured), medians; this thread's CPU ms until the first script check / in all`);
console.log(`| block | inputs | ${trees.map((t) => t.path).join(' | ')} |`);
console.log(`|---|---:|${trees.map(() => '---|').join('')}`);
for (const name of BLOCKS) {
  const b = loadTestnetBlock(name);
  const spent = b.spentFlat.map((o) => ({ amount: o.value, scriptPubKey: o.scriptPubKey, height: 0, coinbase: false }));
  const res = trees.map(() => ({ first: [] as number[], all: [] as number[] }));
  for (let r = 0; r < ROUNDS + 3; r++) {
    for (let i = 0; i < trees.length; i++) {
      let first = -1;
      const c0 = cpuMs();
      const checkInputs = () => {
        if (first < 0) first = cpuMs() - c0;
        return { ok: true };
      };
      const v = await trees[i]!.validateBlock({ block: b.raw, spent, network: 'testnet3', height: b.height, checkInputs });
      const all = cpuMs() - c0;
      if (!v.ok) throw new Error(`block ${name} rejected: ${JSON.stringify(v)}`);
      if (r >= 3) {
        res[i]!.first.push(first);
        res[i]!.all.push(all);
      }
    }
  }
  console.log(`| ${name} | ${b.inputs} | ${res.map((x) => `${median(x.first).toFixed(1)} / ${median(x.all).toFixed(1)}`).join(' | ')} |`);
}
