// The HTTP API: content types, JSON errors, body limits, batches, auth, metrics,
// served in-process with app.request() over the real stateless validation path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/api/app.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import type { AppDeps } from '../../src/api/deps.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import type { Coin } from '../../src/utxo/coin.ts';
import { input, p2wpkh, privKey, pubKey, signAll } from '../policy/helpers.ts';

const K1 = privKey(1);
const spk = p2wpkh(pubKey(K1));
const signed = signAll({ version: 2, locktime: 0, inputs: [input(1)], outputs: [{ value: 99_000n, scriptPubKey: p2wpkh(pubKey(privKey(2))) }] },
  [K1], [{ value: 100_000n, scriptPubKey: spk }]);
const txHex = toHex(signed.raw);
/** A body-ready copy (Uint8Array<ArrayBuffer>). */
const body = (u: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(u);
const raw = body(signed.raw);
const prevouts = [{ scriptPubKey: toHex(spk), amount: 100_000, height: 10 }];
const at = { height: 900_000, mtp: 1_750_000_000 };

const app = createApp(statelessDeps(), { bodyLimit: 64 * 1024, maxBatch: 3, token: 'sekrit' });
const post = (path: string, body: BodyInit, type?: string, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', body, headers: type ? { 'content-type': type, ...headers } : headers });
const postJson = (body: unknown) => post('/validate', JSON.stringify(body), 'application/json');

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = await res.json() as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  return body.error;
}

describe('POST /validate', () => {
  test('JSON with prevouts: accepted, with Core-style numbers', async () => {
    const res = await postJson({ tx: txHex, prevouts, at });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      txid: hashToHex(signed.txid), wtxid: hashToHex(signed.wtxid), allowed: true,
      vsize: signed.vsize, weight: signed.weight, fee: 1000, feerate: Math.round((1000 / signed.vsize) * 1000) / 1000,
    });
  });
  test('raw bytes and hex bodies (no prevouts: missing inputs)', async () => {
    for (const [b, type] of [[raw, 'application/octet-stream'], [txHex + '\n', 'text/plain; charset=utf-8']] as const) {
      const res = await post('/validate', b, type);
      assert.equal(res.status, 200);
      const r = await res.json() as Record<string, unknown>;
      assert.equal(r.allowed, false);
      assert.equal(r.reason, 'bad-txns-inputs-missingorspent');
      assert.equal(r.kind, 'missing-inputs');
    }
  });
  test('per-request maxfeerate in BTC/kvB (1 sat/vB); 1 BTC/kvB and more is refused', async () => {
    const tooHigh = await postJson({ tx: txHex, prevouts, at, maxfeerate: 1 });
    assert.equal(tooHigh.status, 400);
    assert.match(JSON.stringify(await tooHigh.json()), /BTC\/kvB/);
    const r = await (await postJson({ tx: txHex, prevouts, at, maxfeerate: 0.00001 })).json() as Record<string, unknown>;
    assert.equal(r.reason, 'max-fee-exceeded');
    assert.equal(r.kind, 'fee');
  });
  test('batch: results in order, undecodable items reported as malformed', async () => {
    const res = await postJson([{ tx: txHex, prevouts, at }, { tx: 'zz' }, { tx: txHex + '00', prevouts, at }]);
    assert.equal(res.status, 200);
    const rs = await res.json() as Record<string, unknown>[];
    assert.equal(rs.length, 3);
    assert.equal(rs[0]!.allowed, true);
    assert.deepEqual([rs[1]!.kind, rs[1]!.reason, rs[1]!.txid], ['malformed', 'TX decode failed', null]);
    assert.match(String(rs[1]!.details), /invalid hex character/);
    assert.match(String(rs[2]!.details), /1 trailing bytes after transaction/);
  });
  test('batch bounds', async () => {
    assert.equal((await errorOf(await postJson([]))).code, 'bad-request');
    const res = await postJson([{ tx: txHex }, { tx: txHex }, { tx: txHex }, { tx: txHex }]);
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /at most 3/);
  });
  test('malformed transactions: 400 with the decoder message', async () => {
    const cases: [BodyInit, string, RegExp][] = [
      ['abc', 'text/plain', /odd length/],
      ['zz', 'text/plain', /invalid hex character/],
      [body(signed.raw.subarray(0, 50)), 'application/octet-stream', /truncated/],
      [new Uint8Array([...signed.raw, 0]), 'application/octet-stream', /1 trailing bytes after transaction/],
      [JSON.stringify({ tx: txHex.slice(0, 40) }), 'application/json', /truncated/],
    ];
    for (const [body, type, re] of cases) {
      const res = await post('/validate', body, type);
      assert.equal(res.status, 400, String(re));
      const e = await errorOf(res);
      assert.equal(e.code, 'malformed');
      assert.match(e.message, re);
    }
  });
  test('schema errors: 400 naming the field', async () => {
    for (const [body, re] of [
      [{}, /tx/],
      [{ tx: txHex, prevouts: [{ scriptPubKey: '00', amount: -1 }] }, /prevouts\.0\.amount/],
      [{ tx: txHex, extra: 1 }, /extra|Unrecognized/i],
      [{ tx: txHex, prevouts: [] }, /prevouts has 0 entries but the transaction has 1 inputs/],
      [{ tx: txHex, prevouts: [{ scriptPubKey: 'xyz', amount: 1 }] }, /prevouts\.0\.scriptPubKey/],
    ] as const) {
      const res = await postJson(body);
      assert.equal(res.status, 400, String(re));
      assert.match((await errorOf(res)).message, re);
    }
    const bad = await post('/validate', '{"tx":', 'application/json');
    assert.equal(bad.status, 400);
    assert.match((await errorOf(bad)).message, /invalid JSON/);
  });
  test('unsupported or missing content type: 415', async () => {
    // (A string body would get text/plain by default, so the no-header case sends bytes.)
    for (const [b, type] of [[txHex, 'application/xml'], [raw, undefined]] as const) {
      const res = await post('/validate', b, type);
      assert.equal(res.status, 415);
      assert.equal((await errorOf(res)).code, 'unsupported-media-type');
    }
  });
  test('body over the limit: 413', async () => {
    const res = await post('/validate', new Uint8Array(64 * 1024 + 1), 'application/octet-stream');
    assert.equal(res.status, 413);
    assert.equal((await errorOf(res)).code, 'payload-too-large');
  });
  test('queue full: 503 with Retry-After', async () => {
    const busyApp = createApp(statelessDeps({ maxInFlight: 0 }));
    const res = await busyApp.request('/validate', { method: 'POST', body: raw, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal((await errorOf(res)).code, 'busy');
  });
});

describe('other endpoints', () => {
  test('POST /blocks: bearer token when configured, 501 without a block pipeline', async () => {
    let res = await post('/blocks', new Uint8Array(80), 'application/octet-stream');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.equal((await errorOf(res)).code, 'unauthorized');
    res = await post('/blocks', new Uint8Array(80), 'application/octet-stream', { authorization: 'Bearer wrong' });
    assert.equal(res.status, 401);
    res = await post('/blocks', new Uint8Array(80), 'application/octet-stream', { authorization: 'Bearer sekrit' });
    assert.equal(res.status, 501);
    assert.equal((await errorOf(res)).code, 'not-implemented');
  });
  test('GET /chain/tip and /utxo without chain state: 501', async () => {
    assert.equal((await app.request('/chain/tip')).status, 501);
    assert.equal((await app.request(`/utxo/${'00'.repeat(32)}/0`)).status, 501);
  });
  test('GET /utxo with an in-memory coin map', async () => {
    const coins = new Map<string, Coin>([[`${hashToHex(signed.txid)}:0`, { value: 99_000n, scriptPubKey: spk, height: 5, coinbase: false }]]);
    const deps: AppDeps = {
      ...statelessDeps(),
      getUtxo: (txid, vout) => coins.get(`${hashToHex(txid)}:${vout}`),
      tip: () => ({ height: 5, hash: '11'.repeat(32), mtp: 1234 }),
    };
    const a = createApp(deps);
    let res = await a.request(`/utxo/${hashToHex(signed.txid).toUpperCase()}/0`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { txid: hashToHex(signed.txid), vout: 0, amount: 99_000, scriptPubKey: toHex(spk), height: 5, coinbase: false });
    res = await a.request(`/utxo/${hashToHex(signed.txid)}/1`);
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'not-found');
    for (const path of ['/utxo/xyz/0', `/utxo/${'00'.repeat(32)}/-1`, `/utxo/${'00'.repeat(32)}/4294967296`]) {
      assert.equal((await a.request(path)).status, 400, path);
    }
    assert.deepEqual(await (await a.request('/chain/tip')).json(), { height: 5, hash: '11'.repeat(32), mtp: 1234 });
  });
  test('GET /health, /info, unknown routes', async () => {
    assert.deepEqual(await (await app.request('/health')).json(), { status: 'ok' });
    const info = await (await app.request('/info')).json() as Record<string, unknown>;
    assert.equal(info.mode, 'stateless');
    const res = await app.request('/nope');
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'not-found');
  });
  test('a known path under another method: 405 with an Allow header (RFC 9110), a route added after createApp included', async () => {
    const a = createApp(statelessDeps());
    a.get('/later/:id', (c) => c.text('ok'));
    const cases: [string, string, string][] = [
      ['GET', '/validate', 'POST'],
      ['PUT', '/validate', 'POST'],
      ['POST', '/chain/tip', 'GET, HEAD'],
      ['DELETE', `/utxo/${'00'.repeat(32)}/0`, 'GET, HEAD'],
      ['POST', '/later/7', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await a.request(path, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
      const e = await errorOf(res);
      assert.equal(e.code, 'method-not-allowed');
      assert.match(e.message, new RegExp(`^${method} is not allowed on ${path}; use ${allow}$`));
    }
    for (const [method, path] of [['GET', '/validatex'], ['GET', '/validate/'], ['GET', '/utxo/00'], ['POST', '/later/7/8']] as const) {
      const res = await a.request(path, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal((await errorOf(res)).code, 'not-found');
    }
  });
  test('GET /metrics: Prometheus text with validations by verdict and reason', async () => {
    const a = createApp(statelessDeps());
    await a.request('/validate', { method: 'POST', body: raw, headers: { 'content-type': 'application/octet-stream' } });
    await a.request('/validate', { method: 'POST', body: JSON.stringify({ tx: txHex, prevouts, at }), headers: { 'content-type': 'application/json' } });
    const res = await a.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^txgate_validations_total\{reason="bad-txns-inputs-missingorspent",verdict="rejected"\} 1$/m);
    assert.match(text, /^txgate_validations_total\{reason="",verdict="allowed"\} 1$/m);
    assert.match(text, /^txgate_validate_seconds_count 2$/m);
    assert.match(text, /^txgate_validate_seconds_bucket\{le="\+Inf"\} 2$/m);
    assert.match(text, /^txgate_queue_depth 0$/m);
    assert.match(text, /^txgate_http_requests_total\{method="POST",route="\/validate",status="200"\} 2$/m);
    assert.match(text, /^# TYPE txgate_validate_seconds histogram$/m);
  });
});
