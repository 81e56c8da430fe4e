/**
 * POST /validate with a script trace: `?trace=1|failed` and the JSON item's `trace`, on a
 * stateless app (the request's prevouts) and on a TxgateNode (the coins its UTXO set
 * holds). The verdict is the same with and without a trace, the trace's error is the
 * verdict's, and the per-request budget answers 413 one step or byte past it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createApp } from '../../src/api/app.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import type { TraceLimits } from '../../src/api/trace.ts';
import { TxgateNode } from '../../src/node/node.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { encodeTx, makeTx, type Transaction } from '../../src/primitives/tx.ts';
import { scriptErrorString } from '../../src/script/script-error.ts';
import { RegtestChainBuilder, outputScript, signSpend } from '../util/regtest-builder.ts';
import { allSpends, p2wshSpend, type Spend } from '../util/trace-spends.ts';

type Json = Record<string, any>;

async function post(app: Hono, query: string, body: unknown, type = 'application/json'): Promise<{ status: number; body: Json }> {
  const res = await app.request(`/validate${query}`, {
    method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Json };
}

const item = (s: Spend, extra: Json = {}): Json => ({
  tx: toHex(encodeTx(s.tx)), prevouts: s.spent.map((o) => ({ scriptPubKey: toHex(o.scriptPubKey), amount: Number(o.value) })), ...extra,
});
const withoutTrace = ({ trace: _t, ...rest }: Json): Json => rest;
const reasonOf = (error: string): string => `mempool-script-verify-flag-failed (${scriptErrorString(error as never)})`;

describe('POST /validate?trace on supplied prevouts', () => {
  const app = createApp(statelessDeps(), { maxBatch: 3 });

  for (const s of allSpends()) {
    test(`${s.name}: the same verdict, and the trace ends with its error`, async () => {
      const plain = await post(app, '', item(s));
      const traced = await post(app, '?trace=1', item(s));
      assert.equal(traced.status, 200);
      assert.deepEqual(withoutTrace(traced.body), plain.body);
      const [t] = traced.body.trace.inputs;
      assert.equal(t.error, s.error);
      if (s.error) assert.equal(plain.body.reason, reasonOf(s.error));
      else assert.equal(plain.body.allowed, true, JSON.stringify(plain.body));
    });
  }

  test('trace=failed traces only the failing inputs; "trace" in the item wins over the query', async () => {
    const [good, bad] = [p2wshSpend(false), p2wshSpend(true)];
    assert.deepEqual((await post(app, '?trace=failed', item(good))).body.trace, { inputs: [] });
    assert.deepEqual((await post(app, '?trace=failed', item(bad))).body.trace.inputs.map((t: Json) => [t.input, t.error]), [[0, 'MINIMALIF']]);
    const r = await post(app, '?trace=1', [item(good, { trace: false }), item(bad, { trace: 'failed' }), item(good)]);
    assert.deepEqual(r.body.map((x: Json) => x.trace?.inputs.length), [undefined, 1, 1]);
    const q = await post(app, '', [item(good), item(bad, { trace: true })]);
    assert.deepEqual(q.body.map((x: Json) => x.trace?.inputs[0].ok), [undefined, false]);
  });

  test('a raw transaction without prevouts: the trace says the spent outputs are unknown', async () => {
    const r = await post(app, '?trace=1', toHex(encodeTx(p2wshSpend(false).tx)), 'text/plain');
    assert.equal(r.body.reason, 'bad-txns-inputs-missingorspent');
    assert.deepEqual(r.body.trace, { inputs: [], unavailable: 'the spent outputs are not known (bad-txns-inputs-missingorspent)' });
  });

  test('a trace value that means nothing: 400', async () => {
    const r = await post(app, '?trace=maybe', item(p2wshSpend(false)));
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /^trace must be 1, true, all, failed, 0 or false/);
    assert.equal((await post(app, '', item(p2wshSpend(false), { trace: 'all' }))).status, 400);
    assert.equal((await post(app, '?trace=0', item(p2wshSpend(false)))).body.trace, undefined);
  });

  describe('the budget of one request, at N-1, N and N+1', () => {
    const s = p2wshSpend(false);
    const batch = [item(s), item(s)];
    let used: TraceLimits;
    before(async () => {
      const r = await post(app, '?trace=1', batch);
      used = { steps: 0, bytes: 0 };
      for (const x of r.body as Json[]) for (const t of x.trace.inputs) used = { steps: used.steps + t.steps, bytes: used.bytes + t.bytes };
    });
    for (const limit of ['steps', 'bytes'] as const) {
      test(limit, async () => {
        const at = (n: number) => post(createApp(statelessDeps(), { traceLimits: { steps: Infinity, bytes: Infinity, [limit]: n } }), '?trace=1', batch);
        const n = used[limit];
        const over = await at(n - 1);
        assert.equal(over.status, 413);
        assert.equal(over.body.error.code, 'payload-too-large');
        assert.match(over.body.error.message, new RegExp(`more than ${n - 1} .*budget`));
        assert.equal((await at(n)).status, 200);
        assert.equal((await at(n + 1)).status, 200);
      });
    }
  });
});

describe('POST /validate?trace over TxgateNode: the coins of its UTXO set', () => {
  let node: TxgateNode;
  let app: Hono;
  let good: Transaction;
  let bad: Transaction;

  before(async () => {
    node = await TxgateNode.start({ network: 'regtest', workers: 0 });
    app = createApp(node);
    const chain = new RegtestChainBuilder();
    const first = chain.next({ payKind: 'p2wpkh', payKey: 0 });
    for (const b of [first, ...Array.from({ length: 100 }, () => chain.next())]) assert.equal((await node.submitBlock(b.raw)).busy, false);
    good = signSpend([first.coinbase], [{ value: first.coinbase.value - 10_000n, scriptPubKey: outputScript('p2wpkh', 1) }]);
    const sig = good.inputs[0]!.witness[0]!.slice();
    sig[10]! ^= 1; // another r: the signature no longer verifies
    bad = makeTx({ ...good, inputs: [{ ...good.inputs[0]!, witness: [sig, good.inputs[0]!.witness[1]!] }] });
  });
  after(async () => {
    await node?.close();
  });

  test('a valid spend: allowed, traced through the implied P2WPKH script', async () => {
    const hex = toHex(encodeTx(good));
    const plain = await post(app, '', hex, 'text/plain');
    const traced = await post(app, '?trace=1', hex, 'text/plain');
    assert.equal(plain.body.allowed, true);
    assert.deepEqual(withoutTrace(traced.body), plain.body);
    const [t] = traced.body.trace.inputs;
    assert.deepEqual([t.ok, t.phases.map((p: Json) => p.phase)], [true, ['scriptSig', 'scriptPubKey', 'p2wpkh']]);
    assert.equal(t.spent.amount, Number(good.outputs[0]!.value) + 10_000);
  });

  test('a bad signature: the trace stops at OP_CHECKSIG with the verdict\'s error, cached or not', async () => {
    const hex = toHex(encodeTx(bad));
    const plain = await post(app, '', hex, 'text/plain');
    for (const q of ['?trace=failed', '?trace=1']) {
      const traced = await post(app, q, hex, 'text/plain');
      assert.deepEqual(withoutTrace(traced.body), plain.body);
      const [t] = traced.body.trace.inputs;
      assert.equal(plain.body.reason, reasonOf(t.error));
      assert.equal(t.error, 'NULLFAIL');
      const p = t.phases.at(-1);
      assert.deepEqual([p.phase, p.stoppedAt], ['p2wpkh', { offset: 24, opcode: 'OP_CHECKSIG' }]);
    }
  });
});
