/**
 * The first five minutes with txgate: against a running regtest server, build a small
 * regtest chain, post its blocks, then ask the server about a handful of transactions (two
 * valid spends and several invalid ones) and print the verdicts as a table.
 *
 *   npm run serve            # terminal 1 (or: bun run serve, deno task serve)
 *   npm run demo             # terminal 2 (or: bun run demo, deno run -A scripts/demo.ts)
 *
 * Options: --url=http://HOST:PORT (or TXGATE_URL; default http://127.0.0.1:8080) and
 * --token=BEARER (or TXGATE_TOKEN) when the server protects POST /blocks.
 * Exits 0 when every verdict is the expected one, 1 otherwise or when no server answers.
 */
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../test/util/regtest-builder.ts';
import { hashToHex } from '../src/primitives/bytes.ts';
import { makeTx, type Transaction, type TxOut } from '../src/primitives/tx.ts';
import { runtimeLabel, runtimeName } from '../src/runtime/crypto/runtime-info.ts';

interface Host {
  argv: string[];
  env: Record<string, string | undefined>;
  exit(code: number): never;
}

async function host(): Promise<Host> {
  if (runtimeName() === 'deno') {
    const d = await import('../src/runtime/serve-deno.ts');
    return { ...d.denoArgs(), exit: d.denoExit };
  }
  const n = await import('../src/runtime/serve-node.ts');
  return { ...n.processArgs(), exit: n.exitProcess };
}

function option(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

const USAGE = `usage: demo [--url=http://HOST:PORT] [--token=BEARER]
  --url    the txgate server (default: TXGATE_URL, else http://127.0.0.1:8080)
  --token  bearer token for POST /blocks, if the server was started with --token (default: TXGATE_TOKEN)`;

const HOW_TO_START = `Start one in another terminal, from the repository root:
  npm run serve          # Node
  bun run serve          # Bun
  deno task serve        # Deno
It listens on http://127.0.0.1:8080 with a fresh regtest chain. Then run the demo again
(npm run demo / bun run demo / deno run -A scripts/demo.ts), or point it at another
server with --url=http://HOST:PORT or TXGATE_URL.`;

const COIN = 100_000_000n;

interface Scenario {
  name: string;
  tx: Transaction;
  /** undefined = expected to be accepted. */
  expect?: string | RegExp;
}

interface Verdict {
  allowed: boolean;
  reason?: string;
  details?: string;
  fee: number | null;
  feerate: number | null;
  txid: string | null;
}

/** The chain (heights 1..104) and the transactions to ask about. */
function buildDemo(): { blocks: Uint8Array[]; tipHash: string; scenarios: Scenario[] } {
  const b = new RegtestChainBuilder();
  const cbP2wpkh = b.next({ payKind: 'p2wpkh', payKey: 0 }).coinbase; // height 1
  const cbP2tr = b.next({ payKind: 'p2tr', payKey: 1 }).coinbase; // height 2
  const cbSpent = b.next({ payKind: 'p2wpkh', payKey: 2 }).coinbase; // height 3
  const cbOther = b.next({ payKind: 'p2wpkh', payKey: 3 }).coinbase; // height 4
  while (b.height < 103) b.next();
  // Height 104 confirms a spend of the height-3 coinbase: asking about another spend of it
  // later is a double spend (its output is gone from the UTXO set).
  const confirmed = signSpend([cbSpent], [{ value: cbSpent.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 9) }]);
  const immature = b.next({ txs: [confirmed], fees: 10_000n }).coinbase;

  const pay = (value: bigint, key = 7): TxOut => ({ value, scriptPubKey: outputScript('p2wpkh', key) });
  const spend = (coin: Spendable, outputs: TxOut[]) => signSpend([coin], outputs);
  const flipSignatureBit = (tx: Transaction): Transaction => makeTx({
    ...tx,
    inputs: tx.inputs.map((inp, i) => ({
      ...inp, witness: inp.witness.map((w, j) => (i === 0 && j === 0 ? w.map((x, k) => (k === 10 ? x ^ 1 : x)) : w)),
    })),
  });

  const scenarios: Scenario[] = [
    { name: 'P2WPKH spend (fee 10 000 sat)', tx: spend(cbP2wpkh, [pay(cbP2wpkh.value - 10_000n)]) },
    { name: 'P2TR key-path spend', tx: spend(cbP2tr, [pay(cbP2tr.value - 5_000n, 8)]) },
    { name: 'double spend (input already spent)', tx: spend(cbSpent, [pay(cbSpent.value - 20_000n)]), expect: 'bad-txns-inputs-missingorspent' },
    { name: 'bad signature (one bit flipped)', tx: flipSignatureBit(spend(cbOther, [pay(cbOther.value - 10_000n)])), expect: /^mempool-script-verify-flag-failed/ },
    { name: 'dust output (100 sat) with a fee', tx: spend(cbOther, [pay(100n), pay(cbOther.value - 10_000n)]), expect: 'dust' },
    { name: 'fee too high (10 BTC)', tx: spend(cbOther, [pay(cbOther.value - 10n * COIN)]), expect: 'max-fee-exceeded' },
    { name: 'immature coinbase (1 confirmation)', tx: spend(immature, [pay(immature.value - 10_000n)]), expect: 'bad-txns-premature-spend-of-coinbase' },
    // Wallets refuse to sign this, so it goes unsigned: the amounts are checked before scripts.
    {
      name: 'spends more than it has',
      tx: makeTx({ version: 2, locktime: 0, inputs: [{ prevout: { txid: cbOther.txid, vout: 0 }, scriptSig: new Uint8Array(0), sequence: 0xfffffffd, witness: [] }], outputs: [pay(cbOther.value + 1n)] }),
      expect: 'bad-txns-in-belowout',
    },
  ];
  return { blocks: b.blocks, tipHash: hashToHex(b.tipHash), scenarios };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() as T };
}

async function post<T>(url: string, body: Uint8Array, token?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', body: new Uint8Array(body), headers });
  return { status: res.status, body: await res.json() as T };
}

const pad = (s: string, n: number) => s.padEnd(n);

function matches(v: Verdict, expect: Scenario['expect']): boolean {
  if (expect === undefined) return v.allowed;
  if (v.allowed || v.reason === undefined) return false;
  return typeof expect === 'string' ? v.reason === expect : expect.test(v.reason);
}

async function main(): Promise<void> {
  const h = await host();
  if (h.argv.includes('--help') || h.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const base = (option(h.argv, 'url') ?? h.env.TXGATE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = option(h.argv, 'token') ?? h.env.TXGATE_TOKEN;

  let info: Record<string, unknown>;
  try {
    const r = await getJson<Record<string, unknown>>(`${base}/info`);
    if (r.status !== 200) throw new Error(`GET /info answered ${r.status}`);
    info = r.body;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    console.error(`txgate demo: no txgate server answers at ${base} (${cause}).\n\n${HOW_TO_START}`);
    return h.exit(1);
  }
  if (info.network !== 'regtest') {
    console.error(`txgate demo: the server at ${base} runs ${String(info.network)}; the demo mines regtest blocks.\n` +
      `Start a regtest server (the default): npm run serve -- --network=regtest --port=8081, then --url=http://127.0.0.1:8081`);
    return h.exit(1);
  }
  console.log(`txgate demo (${runtimeLabel()}) → ${base}: ${String(info.runtime ?? '?')}, ${String(info.network)}, ${String(info.workers ?? '?')} validation workers`);

  const started = performance.now();
  const demo = buildDemo();
  const mined = performance.now();
  let fresh = 0;
  let known = 0;
  for (const [i, raw] of demo.blocks.entries()) {
    const r = await post<{ accepted?: boolean; reason?: string; error?: { message: string } }>(`${base}/blocks`, raw, token);
    if (r.status === 401) {
      console.error(`txgate demo: the server wants a bearer token for POST /blocks: pass --token=… or set TXGATE_TOKEN.`);
      return h.exit(1);
    }
    if (r.status !== 200 || !r.body.accepted) {
      console.error(`txgate demo: block ${i + 1} was refused: ${r.status} ${JSON.stringify(r.body)}`);
      return h.exit(1);
    }
    if (r.body.reason === 'duplicate') known++;
    else fresh++;
  }
  const tip = (await getJson<{ height: number; hash: string }>(`${base}/chain/tip`)).body;
  console.log(`Mined ${demo.blocks.length} regtest blocks in ${((mined - started) / 1000).toFixed(1)} s and posted them in ${((performance.now() - mined) / 1000).toFixed(1)} s ` +
    `(${fresh} new, ${known} already known); tip ${tip.height} ${tip.hash.slice(0, 16)}…`);
  if (tip.hash !== demo.tipHash) {
    console.log(`Note: the server's tip is not the demo chain's (it follows another chain with more work), so verdicts may differ.`);
  }

  // Ask, then print: the reason column is last so Core's long script errors fit.
  const rows: string[][] = [];
  const notes: (string | undefined)[] = [];
  let unexpected = 0;
  for (const [i, s] of demo.scenarios.entries()) {
    const r = await post<Verdict & { error?: { message: string } }>(`${base}/validate`, s.tx.raw);
    if (r.status !== 200) {
      unexpected++;
      rows.push([String(i + 1), s.name, `HTTP ${r.status}`, '-', '-', r.body.error?.message ?? JSON.stringify(r.body)]);
      notes.push(undefined);
      continue;
    }
    const v = r.body;
    const ok = matches(v, s.expect);
    if (!ok) unexpected++;
    rows.push([
      String(i + 1), s.name, v.allowed ? 'accepted' : 'rejected', v.fee === null ? '-' : String(v.fee),
      v.feerate === null ? '-' : String(v.feerate), (v.reason ?? '-') + (ok ? '' : '   <- unexpected'),
    ]);
    notes.push(v.details);
  }
  const head = ['#', 'transaction', 'verdict', 'fee (sat)', 'sat/vB', 'reason'];
  const widths = head.map((t, c) => Math.max(t.length, ...rows.map((r) => r[c]!.length)) + 2);
  const line = (cells: string[]) => cells.map((x, c) => (c === cells.length - 1 ? x : pad(x, widths[c]!))).join('').trimEnd();
  const indent = ' '.repeat(widths.slice(0, -1).reduce((a, b) => a + b, 0));
  console.log('');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w - 2))));
  rows.forEach((r, i) => {
    console.log(line(r));
    if (notes[i]) console.log(indent + notes[i]);
  });
  console.log('');
  console.log(unexpected === 0
    ? `All ${demo.scenarios.length} verdicts as expected. Try your own: curl -H 'content-type: text/plain' --data <hex> ${base}/validate`
    : `${unexpected} verdict(s) differ from what the demo expected.`);
  if (unexpected) h.exit(1);
}

await main();
