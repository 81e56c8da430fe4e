// GET /openapi.json: a valid OpenAPI 3.1 document (checked with an OpenAPI schema validator
// from npm) that describes every route the app serves (the router is walked), whose request
// schemas are the ones the handlers validate with, and whose response schemas accept what
// the routes really answer. GET /docs: a self-contained reference page.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Hono } from 'hono';
import type { z } from 'zod';
import { toHex } from '../../src/primitives/bytes.ts';
import * as R from '../../src/api/openapi/responses.ts';
import { mempoolApp, spend, TestMempoolNode } from './mempool-deps.ts';
import { mountDashboard } from '../../src/api/dashboard/routes.ts';
import { ActivityLog } from '../../src/api/dashboard/activity.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

async function documentOf(app: Hono): Promise<Doc> {
  const res = await app.request('/openapi.json');
  assert.equal(res.status, 200);
  return await res.json() as Doc;
}

/** Every (method, OpenAPI path) the router serves; a route for every method counts as POST. */
function servedRoutes(app: Hono): Set<string> {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.path === '*' || r.path === '/*') continue;
    const method = r.method === 'ALL' ? 'post' : r.method.toLowerCase();
    out.add(`${method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  }
  return out;
}

function documented(doc: Doc): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) for (const method of Object.keys(item)) out.add(`${method} ${path}`);
  return out;
}

describe('GET /openapi.json', () => {
  const node = new TestMempoolNode();
  // As the server composes it: the app, the dashboard, then the mempool interfaces.
  const { app } = mempoolApp(node, {}, (a) => mountDashboard(a, { mempool: node.mempool, chainInfo: () => node.chainInfo(), info: () => ({}), activity: new ActivityLog() }));

  test('is a valid OpenAPI 3.1 document', async () => {
    const doc = await documentOf(app);
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const res = await validator.validate(doc as never);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(res.errors ?? [], []);
    assert.equal(res.valid, true);
  });

  test('the validator refuses a broken document (an operation without responses)', async () => {
    const doc = structuredClone(await documentOf(app));
    delete doc.paths['/mempool']!.get.responses;
    doc.paths['/mempool']!.get.parameters = [{ name: 'x' }];
    const res = await new Validator().validate(doc as never);
    assert.equal(res.valid, false);
  });

  test('describes every route the router serves, and nothing else', async () => {
    const doc = await documentOf(app);
    const served = servedRoutes(app);
    const listed = documented(doc);
    assert.deepEqual([...served].filter((r) => !listed.has(r)).sort(), [], 'routes without a description');
    assert.deepEqual([...listed].filter((r) => !served.has(r)).sort(), [], 'described routes the app does not serve');
    for (const r of ['post /validate', 'post /tx', 'get /events', 'post /', 'post /rpc', 'get /api/tx/{txid}', 'get /openapi.json', 'get /docs']) {
      assert.ok(listed.has(r), r);
    }
  });

  test('a route added without a description is caught by the router walk', async () => {
    const { app: other } = mempoolApp(new TestMempoolNode());
    other.get('/undocumented', (c) => c.text('x'));
    const served = servedRoutes(other);
    const listed = documented(await documentOf(other));
    assert.deepEqual([...served].filter((r) => !listed.has(r)), ['get /undocumented']);
  });

  test("request bodies are the handlers' zod schemas", async () => {
    const doc = await documentOf(app);
    const body = doc.paths['/validate']!.post.requestBody.content['application/json'].schema;
    const item = JSON.stringify(body);
    // validateItemSchema: strict object, tx required, maxfeerate below 1 BTC/kvB, prevouts' amount.
    assert.match(item, /"required":\["tx"\]/);
    assert.match(item, /"additionalProperties":false/);
    assert.match(item, /"exclusiveMaximum":1/);
    assert.match(item, /"maximum":2100000000000000/);
    const tx = JSON.stringify(doc.paths['/tx']!.post.requestBody.content['application/json'].schema);
    assert.match(tx, /"required":\["tx"\]/);
    assert.deepEqual(doc.paths['/utxo/{txid}/{vout}']!.get.parameters[0].schema.pattern, '^[0-9a-fA-F]{64}$');
  });

  test('documented response schemas accept the real answers', async () => {
    const coin = node.fund(100_000n);
    const tx = spend([coin], [90_000n]);
    const check = async (path: string, schema: z.ZodType, init?: RequestInit) => {
      const res = await app.request(path, init);
      const body = await res.json();
      const r = schema.safeParse(body);
      assert.ok(r.success, `${path}: ${JSON.stringify(body)} ${r.success ? '' : r.error.message}`);
      return body;
    };
    await check('/tx', R.submitSchema, { method: 'POST', body: toHex(tx.raw), headers: { 'content-type': 'text/plain' } });
    const txid = (await check('/mempool/txids', R.txidListSchema))[0];
    await check('/mempool', R.mempoolSummarySchema);
    await check(`/mempool/tx/${txid}`, R.mempoolEntrySchema);
    await check('/mempool/top', R.topSchema);
    await check('/mempool/blocks', R.projectedBlocksSchema);
    await check('/fees/recommended', R.recommendedSchema);
    await check('/api/mempool', R.esploraMempoolSchema);
    await check(`/api/tx/${txid}`, R.esploraTxSchema);
    await check(`/api/tx/${txid}/status`, R.esploraStatusSchema);
    await check('/mempool/tx/zz', R.errorSchema);
    await check('/validate', R.verdictSchema, { method: 'POST', body: JSON.stringify({ tx: toHex(tx.raw), prevouts: [{ scriptPubKey: '51', amount: 100000 }] }), headers: { 'content-type': 'application/json' } });
    // A shape the schema does not allow is refused (the check can fail).
    assert.equal(R.mempoolSummarySchema.safeParse({ count: 1 }).success, false);
  });
});

describe('GET /docs', () => {
  test('an HTML page that loads only from this server and renders /openapi.json', async () => {
    const { app } = mempoolApp(new TestMempoolNode());
    const res = await app.request('/docs');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    const html = await res.text();
    assert.match(html, /fetch\('openapi\.json'\)/);
    // No external script, stylesheet, font or image.
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(\s*['"]?https?:/i);
  });
});
