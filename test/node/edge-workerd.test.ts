// The edge bundle in workerd (Cloudflare's runtime, from npm): built with scripts/edge.mjs,
// served by workerd, asked over HTTP. Its verdicts must be the server's stateless verdicts
// (createApp(statelessDeps()) in this process) on Core's tx_valid/tx_invalid vectors and on
// standard spends; errors, limits, the signature-check budget and the stateful endpoints'
// 501 are checked as the edge answers them. Node-only: it starts workerd itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { buildEdge, startWorkerd, writeWorkerdConfig } from '../../scripts/edge.mjs';
import { createApp } from '../../src/api/app.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import { coreVectorBodies, manyCheckSigSpend, spends, taprootScriptPathSpend } from '../util/edge-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'txgate-edge-'));
const children: ChildProcess[] = [];
let edge = '';
let tight = '';

before(async () => {
  await buildEdge({ outdir: dir });
  edge = (await start(writeWorkerdConfig(dir))).url;
  // The same bundle with a budget of two signature checks per request.
  const small = join(dir, 'small');
  mkdirSync(small);
  copyFileSync(join(dir, 'worker.js'), join(small, 'worker.js'));
  tight = (await start(writeWorkerdConfig(small, { SIG_CHECK_BUDGET: 2 }))).url;
});
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(config: string) {
  const w = await startWorkerd(config, { port: 0 });
  children.push(w.child);
  return w;
}

const reference = createApp(statelessDeps());
const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
/**
 * POSTs `body` and reads the answer even when the server answers early and closes while the
 * body is still being written (fetch fails the whole request on that EPIPE; the answer came).
 */
function postEarlyAnswer(url: string, body: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true;
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
      res.on('error', reject);
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    req.end(body);
  });
}

async function answer(res: Response): Promise<{ status: number; body: unknown }> {
  return { status: res.status, body: await res.json() };
}
/** The edge's answer and the server's, to the same request. */
async function both(path: string, init: RequestInit): Promise<[{ status: number; body: unknown }, { status: number; body: unknown }]> {
  return [await answer(await fetch(edge + path, init)), await answer(await reference.request(path, init))];
}

describe('edge bundle in workerd', () => {
  test("Core's tx_valid/tx_invalid: the server's stateless verdicts, Core's reasons", async () => {
    const reasons = new Map<string, number>();
    let n = 0;
    for (const { file, vector, body } of coreVectorBodies()) {
      const [got, want] = await both('/validate', json(body));
      assert.deepEqual(got, want, `${file} #${vector.index}`);
      const reason = (got.body as { reason?: string }).reason ?? 'allowed';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      n++;
    }
    assert.ok(n > 200, `${n} vectors`);
    for (const r of ['allowed', 'bad-txns-vout-empty', 'bad-txns-inputs-duplicate', 'bad-txns-prevout-null', 'bad-txns-in-belowout', 'scriptsig-not-pushonly', 'bad-txns-nonstandard-inputs']) {
      assert.ok(reasons.has(r), `some vector is rejected with ${r}: ${[...reasons.keys()].join(' | ')}`);
    }
  });

  test('standard spends: P2WPKH, P2TR key path and script path, 2-of-3 P2WSH are allowed', async () => {
    const bodies = [spends('p2wpkh', 1)[0]!, spends('p2tr', 1)[0]!, taprootScriptPathSpend(), spends('p2wsh-multisig', 1)[0]!];
    for (const body of bodies) {
      const [got, want] = await both('/validate', json(body));
      assert.equal(got.status, 200);
      assert.equal((got.body as { allowed: boolean }).allowed, true, JSON.stringify(got.body));
      assert.deepEqual(got, want);
    }
    // A wrong signature in the script path: Core's reason.
    const bad = taprootScriptPathSpend();
    const [got, want] = await both('/validate', json({ ...bad, tx: flipSignatureByte(bad.tx) }));
    assert.equal((got.body as { reason: string }).reason, 'mempool-script-verify-flag-failed (Invalid Schnorr signature)');
    assert.deepEqual(got, want);
  });

  test('?trace=failed at the edge: the failing script path traced, as in process', async () => {
    const bad = taprootScriptPathSpend();
    const [got, want] = await both('/validate?trace=failed', json({ ...bad, tx: flipSignatureByte(bad.tx) }));
    assert.equal(got.status, 200);
    const trace = (got.body as { trace?: { inputs: { error?: string }[] } }).trace;
    assert.ok(trace && trace.inputs.length === 1, JSON.stringify(got.body).slice(0, 300));
    assert.equal(trace.inputs[0]!.error, 'SCHNORR_SIG');
    assert.deepEqual(got, want);
  });

  test('a batch: one verdict per item, a malformed item in place', async () => {
    const batch = [spends('p2wpkh', 1)[0]!, { tx: '0200' }, taprootScriptPathSpend()];
    const [got, want] = await both('/validate', json(batch));
    assert.equal(got.status, 200);
    const items = got.body as { allowed: boolean; reason?: string }[];
    assert.deepEqual(items.map((r) => r.allowed), [true, false, true]);
    assert.equal(items[1]!.reason, 'TX decode failed');
    assert.deepEqual(got, want);
  });

  test('malformed input is 400 with the reason; an oversized body 413', async () => {
    const [hex, wantHex] = await both('/validate', { method: 'POST', body: '0200000001', headers: { 'content-type': 'text/plain' } });
    assert.equal(hex.status, 400);
    assert.match((hex.body as { error: { message: string } }).error.message, /truncated/);
    assert.deepEqual(hex, wantHex);
    const [bad] = await both('/validate', json({ tx: 'zz', prevouts: [] }));
    assert.deepEqual(bad.body, { error: { code: 'malformed', message: 'invalid hex character at position 0' } });
    const big = await postEarlyAnswer(`${edge}/validate`, '00'.repeat(600_000));
    assert.equal(big.status, 413);
    assert.deepEqual(big.body, { error: { code: 'payload-too-large', message: 'request body exceeds 1048576 bytes' } });
  });

  test('a request over the signature-check budget is refused with 413 and the count', async () => {
    const over = await answer(await fetch(`${edge}/validate`, json(manyCheckSigSpend(2001))));
    assert.equal(over.status, 413);
    assert.deepEqual(over.body, { error: { code: 'over-budget', message: 'the request needs up to 2001 signature checks; this server allows 2000 per request (send fewer transactions per request, or ask a full txgate node)' } });
    const at = await answer(await fetch(`${edge}/validate`, json(manyCheckSigSpend(2000))));
    assert.equal(at.status, 200, 'exactly the budget is validated');

    // SIG_CHECK_BUDGET=2: one P2WPKH (1 check) and two (2) pass, a 2-of-3 P2WSH (3) does not, nor three P2WPKH.
    const p2wpkh = spends('p2wpkh', 3);
    assert.equal((await fetch(`${tight}/validate`, json(p2wpkh[0]))).status, 200);
    assert.equal((await fetch(`${tight}/validate`, json(p2wpkh.slice(0, 2)))).status, 200);
    const multisig = await answer(await fetch(`${tight}/validate`, json(spends('p2wsh-multisig', 1)[0])));
    assert.equal(multisig.status, 413);
    assert.match((multisig.body as { error: { message: string } }).error.message, /needs up to 3 signature checks; this server allows 2 per request/);
    assert.equal((await fetch(`${tight}/validate`, json(p2wpkh))).status, 413);
    const info = await (await fetch(`${tight}/info`)).json() as Record<string, unknown>;
    assert.equal(info.sigCheckBudget, 2);
  });

  test('GET /openapi.json and /docs at the edge: the API description, /validate in it', async () => {
    const doc = await (await fetch(`${edge}/openapi.json`)).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/validate']?.post, Object.keys(doc.paths).join(' '));
    const docs = await fetch(`${edge}/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  test('GET /health and /info; stateful endpoints 501 with a clear message', async () => {
    assert.deepEqual(await (await fetch(`${edge}/health`)).json(), { status: 'ok' });
    const info = await (await fetch(`${edge}/info`)).json() as Record<string, unknown>;
    assert.equal(info.mode, 'stateless');
    assert.equal(info.runtime, 'workerd');
    assert.equal(info.crypto, 'noble');
    for (const [method, path] of [['POST', '/tx'], ['GET', '/mempool'], ['GET', '/mempool/txids'], ['POST', '/rpc'], ['POST', '/'],
      ['GET', '/api/mempool'], ['GET', '/fees/recommended'], ['GET', '/events'], ['GET', '/chain/tip'], ['POST', '/blocks'],
      ['GET', `/utxo/${'00'.repeat(32)}/0`]] as const) {
      const res = await answer(await fetch(edge + path, { method, body: method === 'POST' ? '00' : undefined, headers: { 'content-type': 'text/plain' } }));
      assert.equal(res.status, 501, `${method} ${path}`);
      const { error } = res.body as { error: { code: string; message: string } };
      assert.equal(error.code, 'not-implemented');
      assert.match(error.message, /stateless/);
    }
  });
});

/** The transaction hex with one byte of the (first) Schnorr signature changed. */
function flipSignatureByte(txHex: string): string {
  // The witness: 3 items, the first a 64-byte signature (0x40).
  const i = txHex.indexOf('0340') + 4;
  return txHex.slice(0, i) + (txHex[i] === '0' ? '1' : '0') + txHex.slice(i + 1);
}
