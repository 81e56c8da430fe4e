// The dashboard's server side: the page and its assets under a self-only CSP, GET /stats
// from a seeded node (tip, mempool, histogram, verdict counts), and the ActivityLog's
// per-second window. The page itself runs in a browser in test/node/dashboard-browser.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityLog } from '../../src/api/dashboard/activity.ts';
import { DASHBOARD_JS } from '../../src/api/dashboard/routes.ts';
import { HISTOGRAM_EDGES, type DashboardStats } from '../../src/api/dashboard/stats.ts';
import { TIP_HEIGHT } from '../e2e/fixture.ts';
import { txidHex } from '../../src/primitives/tx.ts';
import { buildTraffic } from '../util/mempool-traffic.ts';
import { getJson, postBlocks, postRaw, startTestServer, type TestServer } from '../util/server.ts';

describe('ActivityLog', () => {
  test('counts per second, ranks reasons over the window and keeps the newest verdicts', () => {
    let now = 1_000_000_000;
    const log = new ActivityLog({ windowSeconds: 60, recent: 3, now: () => now });
    const verdict = (allowed: boolean, reason?: string) => log.record({ txid: null, allowed, source: 'validate', ...(reason ? { reason } : {}) });
    verdict(false, 'old-reason');
    now += 30_000;
    verdict(true);
    verdict(false, 'dust');
    now += 1_000;
    verdict(false, 'dust');
    verdict(false, 'bad-txns-inputs-missingorspent');
    verdict(true);
    let s = log.snapshot(5);
    assert.deepEqual([s.accepted, s.rejected], [[0, 0, 0, 1, 1], [0, 0, 0, 1, 2]]);
    assert.deepEqual(s.reasons, [{ reason: 'dust', count: 2 }, { reason: 'bad-txns-inputs-missingorspent', count: 1 }, { reason: 'old-reason', count: 1 }]);
    assert.deepEqual(s.recent.map((r) => [r.allowed, r.reason, r.time]), [[true, undefined, now], [false, 'bad-txns-inputs-missingorspent', now], [false, 'dust', now]]);
    assert.deepEqual(s.totals, { accepted: 2, rejected: 4 });
    // Exactly 60 s after it, the first reject has left the 60 s window; the rest stay put.
    now += 29_000;
    s = log.snapshot(60);
    assert.deepEqual(s.reasons.map((r) => r.reason), ['dust', 'bad-txns-inputs-missingorspent']);
    assert.deepEqual([s.accepted.length, s.accepted[29], s.accepted[30], s.rejected[29], s.rejected[30]], [60, 1, 1, 1, 2]);
    assert.equal(s.rejected.reduce((a, b) => a + b), 3);
    // A full window later nothing is counted, though the totals remain.
    now += 60_000;
    s = log.snapshot(60);
    assert.deepEqual([s.accepted.reduce((a, b) => a + b), s.rejected.reduce((a, b) => a + b), s.reasons], [0, 0, []]);
    assert.deepEqual(s.totals, { accepted: 2, rejected: 4 });
  });
});

describe('GET / and GET /stats on a seeded node', () => {
  const traffic = buildTraffic(1, 6);
  let server: TestServer;
  before(async () => {
    server = await startTestServer(['--workers', '1']);
    await postBlocks(server.url, traffic.chain.blocks);
    for (const tx of traffic.mempool) assert.equal((await postRaw(`${server.url}/tx`, new Uint8Array(tx.raw), 'application/octet-stream')).status, 200);
    for (const tx of [traffic.badPubkey, ...traffic.otherRejects]) await postRaw(`${server.url}/validate`, new Uint8Array(tx.raw), 'application/octet-stream');
  });
  after(() => server.close());

  test('the page and its assets are served with a self-only Content-Security-Policy', async () => {
    const types: Record<string, RegExp> = { '/': /^text\/html/, '/dashboard.js': /^text\/javascript/, '/dashboard.css': /^text\/css/, '/favicon.svg': /^image\/svg\+xml/ };
    for (const [path, type] of Object.entries(types)) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', type, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'/, path);
      const body = await res.text();
      // Nothing the page loads comes from another origin.
      assert.doesNotMatch(body, /(src|href)=["']?(https?:)?\/\//, path);
    }
    // The script parses on this runtime's engine.
    assert.doesNotThrow(() => new Function(DASHBOARD_JS));
  });

  test('POST / is still JSON-RPC', async () => {
    const res = await fetch(server.url + '/', { method: 'POST', body: '{"id":1,"method":"getblockcount"}' });
    assert.equal(res.status, 401, 'the JSON-RPC endpoint asks for credentials');
  });

  test('/stats: the tip, the mempool, its fee histogram and the verdicts counted', async () => {
    const { status, body } = await getJson<DashboardStats>(`${server.url}/stats`);
    assert.equal(status, 200);
    assert.deepEqual([body.network, body.chain.height, body.chain.headers, body.chain.synced], ['regtest', TIP_HEIGHT, TIP_HEIGHT, true]);
    const pool = await getJson<{ count: number; vsize: number }>(`${server.url}/mempool`);
    assert.deepEqual([body.mempool.count, body.mempool.vsize], [pool.body.count, pool.body.vsize]);
    assert.equal(body.mempool.count, traffic.mempool.length);
    assert.equal(body.histogram.reduce((n, b) => n + b.count, 0), traffic.mempool.length);
    assert.equal(body.histogram.reduce((n, b) => n + b.vsize, 0), pool.body.vsize);
    // Each transaction counted in the bin whose lower edge is the highest at or below its
    // fee rate (the children pay exactly 1, 2, 5, 10, 17 and 26 sat/vB: edges included).
    const expected = HISTOGRAM_EDGES.map(() => 0);
    for (const tx of traffic.mempool) {
      const e = await getJson<{ feerate: number }>(`${server.url}/mempool/tx/${txidHex(tx)}`);
      expected[HISTOGRAM_EDGES.filter((edge) => edge <= e.body.feerate).length - 1]!++;
    }
    assert.deepEqual(body.histogram.map((b) => b.count), expected);
    assert.deepEqual([1, 2, 5, 10, 15, 20].map((from) => body.histogram.find((b) => b.from === from)!.count > 0), [true, true, true, true, true, true]);
    assert.deepEqual(body.blocks.map((b) => b.nTx), [traffic.mempool.length]);
    assert.deepEqual(body.activity.totals, { accepted: traffic.mempool.length, rejected: 3 });
    assert.deepEqual(body.activity.reasons.map((r) => r.reason).sort(), [
      'bad-txns-inputs-missingorspent', 'bad-txns-premature-spend-of-coinbase',
      'mempool-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)',
    ]);
    assert.deepEqual(body.activity.recent.slice(0, 3).map((v) => [v.source, v.allowed]), [['validate', false], ['validate', false], ['validate', false]]);
    assert.deepEqual(body.activity.recent.slice(3).map((v) => [v.source, v.allowed]), traffic.mempool.map(() => ['submit', true]));
  });
});
