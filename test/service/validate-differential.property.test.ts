/**
 * POST /validate and JSON-RPC testmempoolaccept give the same verdict, whatever the node's
 * mempool and chain hold: random sequences of submissions, double-spends, replacements,
 * chains of unconfirmed transactions, packages, TRUC transactions, blocks and reorgs run on
 * a live node (TxgateNode behind the real HTTP app); after every step every candidate
 * transaction is asked both ways and the answers compared (allowed, reason, details, fee,
 * vsize; /validate's kind "missing-inputs" exactly when the RPC says "missing-inputs"). An
 * allowed verdict is then followed by a sendrawtransaction that must succeed.
 *
 * The suite runs a bounded number of steps on every runtime; the long run sets
 * TXGATE_DIFFERENTIAL_STEPS (e.g. 100000) and runs this file alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { createApp } from '../../src/api/app.ts';
import { mountMempool, type MempoolMount } from '../../src/api/mempool-routes.ts';
import { RegtestChainBuilder, outputScript, signSpend, type OutputKind, type Spendable } from '../util/regtest-builder.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { decodeTx, type Transaction } from '../../src/primitives/tx.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';
import { AUTH } from '../api/mempool-deps.ts';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const LONG = Number(env.TXGATE_DIFFERENTIAL_STEPS ?? 0);

/** One random step. */
type Op =
  | { t: 'spend'; coins: number[]; outs: number; fee: number; v3: boolean; send: boolean }
  | { t: 'double'; which: number; fee: number; send: boolean }
  | { t: 'child'; which: number; fee: number; v3: boolean; send: boolean }
  | { t: 'package'; coin: number; parentFee: number; childFee: number }
  | { t: 'mine'; take: number }
  | { t: 'reorg'; depth: number }
  | { t: 'corrupt'; which: number; at: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('spend' as const), coins: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), outs: fc.integer({ min: 1, max: 3 }), fee: fc.integer({ min: 0, max: 40_000 }), v3: fc.boolean(), send: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('double' as const), which: fc.nat(), fee: fc.integer({ min: 0, max: 80_000 }), send: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('child' as const), which: fc.nat(), fee: fc.integer({ min: 0, max: 40_000 }), v3: fc.boolean(), send: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('package' as const), coin: fc.nat(), parentFee: fc.integer({ min: 0, max: 500 }), childFee: fc.integer({ min: 0, max: 60_000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('mine' as const), take: fc.nat({ max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reorg' as const), depth: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('corrupt' as const), which: fc.nat(), at: fc.nat({ max: 80 }) }) },
);

const KINDS: OutputKind[] = ['p2wpkh', 'p2tr', 'p2pkh', 'p2sh-p2wpkh'];
const MAX_CANDIDATES = 10;

/** A live node, its HTTP app, and the test's own view of what it can spend. */
class World {
  private constructor(
    readonly node: TxgateNode, readonly app: Hono, readonly mount: MempoolMount,
    public builder: RegtestChainBuilder, readonly coins: Spendable[],
  ) {}
  readonly candidates: Transaction[] = [];
  /** Outputs of the candidates (confirmed, unconfirmed, or never admitted). */
  readonly outs: Spendable[] = [];
  readonly history: { hash: Uint8Array; height: number; time: number }[] = [];
  steps = 0;
  compared = 0;

  static async create(): Promise<World> {
    const node = await TxgateNode.start({ network: 'regtest', workers: 0 });
    const app = createApp(node);
    const mount = mountMempool(app, node, { rpcUser: 'alice', rpcPassword: 's3cret' });
    const b = new RegtestChainBuilder();
    const coins: Spendable[] = [];
    const w = new World(node, app, mount, b, coins);
    for (let i = 0; i < 130; i++) {
      const m = b.next({ payKind: KINDS[i % KINDS.length]!, payKey: 1 + (i % 3) });
      // Thirty mature coinbases, and the tip's, which stays immature (a premature spend).
      if (i < 30 || i === 129) coins.push(m.coinbase);
      await w.connect(m.raw);
    }
    return w;
  }

  async connect(raw: Uint8Array): Promise<void> {
    const r = await this.node.submitBlock(raw);
    assert.ok(!r.busy && r.accepted, JSON.stringify(r));
    this.history.push({ hash: this.builder.tipHash, height: this.builder.height, time: this.builder.time });
  }

  async close(): Promise<void> {
    this.mount.close();
    await this.node.close();
  }

  async rpc(method: string, params: unknown[]): Promise<{ result: any; error: { code: number; message: string } | null }> {
    const res = await this.app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method, params }) });
    return await res.json() as { result: any; error: { code: number; message: string } | null };
  }

  async validate(tx: Transaction): Promise<Record<string, any>> {
    const res = await this.app.request('/validate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: toHex(tx.raw) });
    assert.equal(res.status, 200);
    return await res.json() as Record<string, any>;
  }

  private remember(tx: Transaction): void {
    this.candidates.push(tx);
    if (this.candidates.length > MAX_CANDIDATES) this.candidates.shift();
    tx.outputs.forEach((o, vout) => this.outs.push({ txid: tx.txid, vout, value: o.value, kind: 'p2wpkh', key: 5 }));
    if (this.outs.length > 60) this.outs.splice(0, this.outs.length - 60);
  }

  private spend(inputs: Spendable[], outs: number, fee: number, version: number): Transaction | undefined {
    const total = inputs.reduce((s, c) => s + c.value, 0n) - BigInt(fee);
    if (total < BigInt(outs) * 1_000n) return undefined;
    const each = total / BigInt(outs);
    const outputs = Array.from({ length: outs }, (_, i) => ({
      value: i === 0 ? total - each * BigInt(outs - 1) : each, scriptPubKey: outputScript('p2wpkh', 5),
    }));
    return signSpend(inputs, outputs, { version });
  }

  /** The mempool's transactions, parents first, `take` of them at most (a valid block body). */
  private blockTxs(take: number): Transaction[] {
    const entries = [...this.node.mempool.entries()].sort((a, b) => a.ancCount - b.ancCount);
    const chosen = new Set<string>();
    const out: Transaction[] = [];
    for (const e of entries) {
      if (out.length >= take) break;
      if ([...e.parents].every((p) => chosen.has(p.txid))) {
        chosen.add(e.txid);
        out.push(e.tx);
      }
    }
    return out;
  }

  async apply(o: Op): Promise<boolean> {
    const pick = <T>(xs: readonly T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
    let tx: Transaction | undefined;
    let send = false;
    switch (o.t) {
      case 'spend': {
        // Even numbers pick a coinbase, odd ones an output of an earlier candidate.
        const ins = [...new Set(o.coins.map((n) => pick(n % 2 ? this.outs : this.coins, n >> 1)).filter((c) => c !== undefined))];
        if (ins.length) tx = this.spend(ins, o.outs, o.fee, o.v3 ? 3 : 2);
        send = o.send;
        break;
      }
      case 'double': {
        const victim = pick(this.candidates, o.which);
        const first = victim && [...this.coins, ...this.outs].find((c) => hashToHex(c.txid) === hashToHex(victim.inputs[0]!.prevout.txid) && c.vout === victim.inputs[0]!.prevout.vout);
        if (first) tx = this.spend([first], 1, o.fee, 2);
        send = o.send;
        break;
      }
      case 'child': {
        const parent = pick(this.candidates, o.which);
        if (parent) tx = this.spend([{ txid: parent.txid, vout: 0, value: parent.outputs[0]!.value, kind: 'p2wpkh', key: 5 }], 1, o.fee, o.v3 ? 3 : 2);
        send = o.send;
        break;
      }
      case 'package': {
        const coin = pick(this.coins, o.coin);
        const parent = coin && this.spend([coin], 1, o.parentFee, 3);
        const child = parent && this.spend([{ txid: parent.txid, vout: 0, value: parent.outputs[0]!.value, kind: 'p2wpkh', key: 5 }], 1, o.childFee, 3);
        if (parent && child) {
          const r = await this.rpc('submitpackage', [[toHex(parent.raw), toHex(child.raw)]]);
          assert.ok(r.result || r.error, 'submitpackage answers');
          this.remember(parent);
          this.remember(child);
        }
        return true;
      }
      case 'corrupt': {
        // A byte of a candidate changed near its end (signatures, keys, locktime).
        const victim = pick(this.candidates, o.which);
        if (!victim) return false;
        const raw = victim.raw.slice();
        const at = raw.length - 1 - (o.at % raw.length);
        raw[at] = raw[at]! ^ 0x10;
        try {
          tx = decodeTx(raw);
        } catch (e) {
          if (e instanceof DecodeError) return false;
          throw e;
        }
        break;
      }
      case 'mine': {
        const txs = this.blockTxs(o.take);
        const m = this.builder.next({ txs, payKind: 'p2wpkh', payKey: 4 });
        await this.connect(m.raw);
        return true;
      }
      case 'reorg': {
        if (this.history.length <= o.depth + 1) return true;
        const base = this.history[this.history.length - 1 - o.depth]!;
        const fork = new RegtestChainBuilder(REGTEST, base);
        this.history.length -= o.depth;
        this.builder = fork;
        // One empty block more than was disconnected: the disconnected transactions return to the mempool.
        for (let i = 0; i <= o.depth; i++) {
          const m = fork.next({ payKind: 'p2wpkh', payKey: 4, tag: 7 });
          await this.connect(m.raw);
        }
        return true;
      }
    }
    if (!tx) return false;
    this.remember(tx);
    if (send) await this.rpc('sendrawtransaction', [toHex(tx.raw)]);
    return true;
  }

  /** Every candidate asked both ways; an allowed one is then sent, which must succeed. */
  async compareAll(): Promise<void> {
    for (const tx of [...this.candidates]) {
      const hex = toHex(tx.raw);
      const v = await this.validate(tx);
      const r = (await this.rpc('testmempoolaccept', [[hex]])).result[0];
      const where = `step ${this.steps}: ${hashToHex(tx.txid)}: /validate ${JSON.stringify(v)} vs testmempoolaccept ${JSON.stringify(r)}`;
      assert.equal(v.allowed, r.allowed, where);
      if (r.allowed) {
        assert.equal(v.vsize, r.vsize, where);
        assert.equal(v.fee, Math.round(r.fees.base * 1e8), where);
      } else if (r['reject-reason'] === 'missing-inputs') {
        assert.deepEqual([v.reason, v.kind], ['bad-txns-inputs-missingorspent', 'missing-inputs'], where);
      } else {
        assert.equal(v.reason, r['reject-reason'], where);
        assert.notEqual(v.kind, 'missing-inputs', where);
        assert.equal(v.details === undefined ? v.reason : `${v.reason}, ${v.details}`, r['reject-details'], where);
      }
      this.compared++;
      if (v.allowed) {
        const sent = await this.rpc('sendrawtransaction', [hex]);
        assert.equal(sent.error, null, `${where}: sendrawtransaction ${JSON.stringify(sent.error)}`);
        assert.equal(sent.result, hashToHex(tx.txid));
        assert.ok(this.node.mempool.get(hashToHex(tx.txid)), where);
      }
    }
  }
}

/**
 * One turn of the event loop. The app is called in-process and, with workers: 0, nothing in
 * a step waits on I/O or a timer: without this a whole run is one macrotask, and what runs
 * only between tasks never does. FinalizationRegistry callbacks are among it: undici
 * registers one for every Request built from another (hono's bodyLimit rebuilds each request
 * whose body it reads), and until it runs it holds the first request's AbortSignal and
 * listener — about 40 kB per step, 4 GB over 100,000 steps. A server turns its loop on
 * every request.
 */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function run(ops: Op[]): Promise<World> {
  const w = await World.create();
  try {
    for (const o of ops) {
      w.steps++;
      await w.apply(o);
      await w.compareAll();
      await turn();
    }
    return w;
  } finally {
    await w.close();
  }
}

test('/validate equals testmempoolaccept after every step (random histories)', async () => {
  let compared = 0;
  await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 20 }), async (ops) => {
    compared += (await run(ops)).compared;
  }), { numRuns: 6 });
  assert.ok(compared > 100, `only ${compared} comparisons`);
});

test('a long differential run (TXGATE_DIFFERENTIAL_STEPS)', { skip: LONG <= 0 }, async () => {
  const started = Date.now();
  let steps = 0;
  let compared = 0;
  let seed = 1;
  while (steps < LONG) {
    const ops = fc.sample(op, { numRuns: Math.min(500, LONG - steps), seed: seed++ });
    const w = await run(ops);
    steps += w.steps;
    compared += w.compared;
  }
  console.log(`differential: ${steps} steps, ${compared} comparisons, ${((Date.now() - started) / 1000).toFixed(0)} s`);
});
