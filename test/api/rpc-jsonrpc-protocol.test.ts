// Core's JSON-RPC over HTTP (httprpc.cpp, rpc/request.cpp, rpc/server.cpp): auth, cookie,
// 1.0 vs 2.0 replies and HTTP statuses, batches, notifications, named parameters, type checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { toHex } from '../../src/primitives/bytes.ts';
import { AUTH, mempoolApp, rpcCall, spend, TestMempoolNode } from './mempool-deps.ts';
import { deleteAuthCookie, readAuthCookie, writeAuthCookie } from '../../src/runtime/cookie.ts';
import { amountFromValue, coreJson, amount, parseFixedPoint } from '../../src/api/rpc-json.ts';
import { namedToPositional } from '../../src/api/rpc.ts';

const node = new TestMempoolNode();
const { app } = mempoolApp(node);

describe('HTTP basic auth', () => {
  /** HTTPReq_JSONRPC's refusal: 401, the Basic challenge, an empty body and no JSON content type. */
  async function assertRefused(auth: string | null): Promise<void> {
    const headers: Record<string, string> = auth === null ? {} : { authorization: auth };
    const res = await app.request('/', { method: 'POST', body: '{"id":1,"method":"getblockcount"}', headers });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="jsonrpc"');
    assert.equal(res.headers.get('content-type'), null);
    assert.equal(await res.text(), '');
  }
  test('no Authorization header: 401 with WWW-Authenticate and an empty body', async () => {
    await assertRefused(null);
  });
  test('wrong password, malformed header: 401 with an empty body; right one: 200', async () => {
    await assertRefused('Basic ' + btoa('alice:nope'));
    await assertRefused('Basic !!!');
    await assertRefused('Bearer x');
    const ok = await rpcCall(app, { id: 1, method: 'getblockcount' });
    assert.equal(ok.status, 200);
    assert.equal(ok.text, `{"result":${node.height},"error":null,"id":1}\n`);
  });
  test('a wrong password is answered after the anti-brute-force pause; a missing one at once', async () => {
    const { app: slow } = mempoolApp(new TestMempoolNode(), { authFailureDelayMs: 300 });
    let t = performance.now();
    assert.equal((await rpcCall(slow, { id: 1, method: 'getblockcount' }, 'Basic ' + btoa('alice:nope'))).status, 401);
    assert.ok(performance.now() - t >= 290, `answered after ${performance.now() - t} ms`);
    t = performance.now();
    assert.equal((await rpcCall(slow, { id: 1, method: 'getblockcount' }, null)).status, 401);
    assert.ok(performance.now() - t < 290, `answered after ${performance.now() - t} ms`);
  });
  test('POST /rpc is the same endpoint; GET answers 405', async () => {
    assert.equal((await rpcCall(app, { id: 'x', method: 'getblockcount' }, AUTH, '/rpc')).body.id, 'x');
    const res = await app.request('/', { method: 'GET' });
    assert.equal(res.status, 405);
    assert.equal(await res.text(), 'JSONRPC server handles only POST requests');
  });
  test('the .cookie file: written as __cookie__:<64 hex>, owner-only, accepted, deleted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'txgate-cookie-'));
    try {
      const cookie = await writeAuthCookie(dir);
      const text = await readFile(join(dir, '.cookie'), 'utf8');
      assert.match(text, /^__cookie__:[0-9a-f]{64}$/);
      if (process.platform !== 'win32') assert.equal((await stat(cookie.path)).mode & 0o777, 0o600);
      const read = await readAuthCookie(cookie.path);
      assert.deepEqual(read, { user: '__cookie__', password: cookie.password });
      const { app: app2 } = mempoolApp(new TestMempoolNode(), { rpcPassword: undefined, cookie });
      const good = await rpcCall(app2, { id: 1, method: 'getblockcount' }, 'Basic ' + btoa(text));
      assert.equal(good.status, 200);
      assert.equal((await rpcCall(app2, { id: 1, method: 'getblockcount' })).status, 401, 'rpcuser/rpcpassword not configured there');
      await deleteAuthCookie(cookie.path);
      assert.equal(await readAuthCookie(cookie.path), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('request and reply shapes', () => {
  test('parse errors: HTTP 500 with -32700', async () => {
    const r = await rpcCall(app, '{not json');
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { result: null, error: { code: -32700, message: 'Parse error' }, id: null });
    const top = await rpcCall(app, '42');
    assert.equal(top.status, 500);
    assert.equal(top.body.error.message, 'Top-level object parse error');
  });
  test('legacy errors map to HTTP 404 / 400 / 500', async () => {
    const nf = await rpcCall(app, { id: 7, method: 'nosuchmethod' });
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.body, { result: null, error: { code: -32601, message: 'Method not found' }, id: 7 });
    const bad = await rpcCall(app, { id: 8, method: 12 });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error, { code: -32600, message: 'Method must be a string' });
    assert.equal((await rpcCall(app, { id: 8 })).body.error.message, 'Missing method');
    assert.equal((await rpcCall(app, { id: 8, method: 'getblockcount', params: 3 })).body.error.message, 'Params must be an array or object');
    assert.equal((await rpcCall(app, { id: 8, method: 'getblockcount', jsonrpc: '3.0' })).body.error.message, 'JSON-RPC version not supported');
    const notInPool = await rpcCall(app, { id: 9, method: 'getmempoolentry', params: ['00'.repeat(32)] });
    assert.equal(notInPool.status, 500);
    assert.deepEqual(notInPool.body.error, { code: -5, message: 'Transaction not in mempool' });
  });
  test('JSON-RPC 2.0: errors inside HTTP 200, no null member, notifications 204', async () => {
    const ok = await rpcCall(app, { jsonrpc: '2.0', id: 1, method: 'getblockcount' });
    assert.equal(ok.text, `{"jsonrpc":"2.0","result":${node.height},"id":1}\n`);
    const err = await rpcCall(app, { jsonrpc: '2.0', id: 2, method: 'nope' });
    assert.equal(err.status, 200);
    assert.deepEqual(err.body, { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 2 });
    const note = await app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ jsonrpc: '2.0', method: 'getblockcount' }) });
    assert.equal(note.status, 204);
    assert.equal(await note.text(), '');
  });
  test('batches: in order, ids echoed, errors per item, always 200', async () => {
    const r = await rpcCall(app, [
      { id: 'a', method: 'getblockcount' },
      { id: 'b', method: 'nope' },
      { jsonrpc: '2.0', id: 'c', method: 'getbestblockhash' },
      { jsonrpc: '2.0', method: 'getblockcount' },
      17,
    ]);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 4);
    assert.deepEqual(r.body[0], { result: node.height, error: null, id: 'a' });
    assert.deepEqual(r.body[1], { result: null, error: { code: -32601, message: 'Method not found' }, id: 'b' });
    assert.deepEqual(r.body[2], { jsonrpc: '2.0', result: node.chainInfo().bestblockhash, id: 'c' });
    assert.deepEqual(r.body[3].error, { code: -32600, message: 'Invalid Request object' });
    assert.deepEqual((await rpcCall(app, [])).body, []);
    const allNotes = await app.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify([{ jsonrpc: '2.0', method: 'getblockcount' }]) });
    assert.equal(allNotes.status, 204);
  });
  test('named parameters, "args", unknown names; argument count and type errors', async () => {
    const txid = '11'.repeat(32);
    const named = await rpcCall(app, { id: 1, method: 'getmempoolentry', params: { txid } });
    assert.deepEqual(named.body.error, { code: -5, message: 'Transaction not in mempool' });
    const unknown = await rpcCall(app, { id: 1, method: 'getmempoolentry', params: { txid, bogus: 1 } });
    assert.deepEqual(unknown.body.error, { code: -8, message: 'Unknown named parameter bogus' });
    assert.deepEqual(namedToPositional({ args: ['x'], verbose: true }, ['txid', 'verbose']), ['x', true]);
    assert.throws(() => namedToPositional({ args: ['x'], txid: 'y' }, ['txid', 'verbose']), /Parameter txid specified twice both as positional and named argument/);
    assert.deepEqual(namedToPositional({ verbose: true }, ['txid', 'verbose']), [null, true]);
    const count = await rpcCall(app, { id: 1, method: 'getmempoolentry', params: [] });
    assert.equal(count.body.error.code, -1);
    assert.match(count.body.error.message, /^getmempoolentry "txid"\n/);
    const extra = await rpcCall(app, { id: 1, method: 'getblockcount', params: [1] });
    assert.equal(extra.body.error.code, -1);
    const type = await rpcCall(app, { id: 1, method: 'getrawmempool', params: ['yes'] });
    assert.deepEqual(type.body.error, {
      code: -3, message: 'Wrong type passed:\n{\n    "Position 1 (verbose)": "JSON value of type string is not of expected type bool"\n}',
    });
    const nullRequired = await rpcCall(app, { id: 1, method: 'getmempoolentry', params: [null] });
    assert.equal(nullRequired.body.error.message, 'Wrong type passed:\n{\n    "Position 1 (txid)": "JSON value of type null is not of expected type string"\n}');
  });
  test('busy node: HTTP 503 with Retry-After', async () => {
    const busyNode = new TestMempoolNode();
    busyNode.busy = true;
    const { app: a } = mempoolApp(busyNode);
    const res = await a.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method: 'testmempoolaccept', params: [['00']] }) });
    assert.equal(res.status, 500, 'decode errors come before the queue');
    const tx = toHex(spend([busyNode.fund(10_000n)], [9_000n]).raw);
    const res2 = await a.request('/', { method: 'POST', headers: { authorization: AUTH }, body: JSON.stringify({ id: 1, method: 'testmempoolaccept', params: [[tx]] }) });
    assert.equal(res2.status, 503);
    assert.equal(res2.headers.get('retry-after'), '2');
  });
  test('body limit: 413', async () => {
    const { app: small } = mempoolApp(new TestMempoolNode(), { rpcBodyLimit: 100 });
    const res = await small.request('/', { method: 'POST', headers: { authorization: AUTH, 'content-length': '200' }, body: 'x'.repeat(200) });
    assert.equal(res.status, 413);
  });
});

describe('amounts as Core writes and reads them', () => {
  test('ValueFromAmount: 8 decimals in the JSON text', () => {
    assert.equal(coreJson({ a: amount(1000), b: amount(0), c: amount(2_100_000_000_000_000n), d: amount(-1) }),
      '{"a":0.00001000,"b":0.00000000,"c":21000000.00000000,"d":-0.00000001}');
    assert.equal(JSON.stringify({ a: amount(1000) }), '{"a":0.00001}');
  });
  test('AmountFromValue / ParseFixedPoint', () => {
    assert.deepEqual(amountFromValue(0.1), { ok: true, sats: 10_000_000n });
    assert.deepEqual(amountFromValue('0.00001'), { ok: true, sats: 1000n });
    assert.deepEqual(amountFromValue(1e-8), { ok: true, sats: 1n });
    assert.deepEqual(amountFromValue('1e-3'), { ok: true, sats: 100_000n });
    assert.deepEqual(amountFromValue(0.000000001), { ok: false, message: 'Invalid amount' });
    assert.deepEqual(amountFromValue('abc'), { ok: false, message: 'Invalid amount' });
    assert.deepEqual(amountFromValue(-1), { ok: false, message: 'Amount out of range' });
    assert.deepEqual(amountFromValue(21_000_001), { ok: false, message: 'Amount out of range' });
    assert.deepEqual(amountFromValue(true), { ok: false, message: 'Amount is not a number or string' });
    assert.equal(parseFixedPoint('0.10000000'), 10_000_000n);
    assert.equal(parseFixedPoint('.5'), undefined);
  });
});
