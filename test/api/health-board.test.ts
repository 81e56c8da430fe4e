/**
 * The health board (src/api/health-board.ts): what the --health-port listener answers from the
 * status the main thread publishes — 503 before the first publication, 200 while the node is
 * healthy and its heartbeat fresh, 503 once the heartbeat is older than the stale bound or the
 * node says it is unhealthy; /ready as the main port's (serving and synced) with a fresh
 * heartbeat; a second view of the same buffer (another thread's) reads what was published.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEARTBEAT_STALE_MS, HealthBoard, healthBoardFetch, publishHealth, type HealthStatus } from '../../src/api/health-board.ts';

const status = (over: Partial<HealthStatus> = {}): HealthStatus => ({
  ok: true, tip: 812, queueDepth: 3, workers: 2, workersReplaced: 1, synced: true, lifecycle: 'serving', ...over,
});
const get = async (f: (r: Request) => Response, path: string, method = 'GET') => {
  const r = f(new Request(`http://h${path}`, { method }));
  return { status: r.status, body: method === 'HEAD' ? undefined : await r.json() as Record<string, unknown> };
};

test('before the first publication: 503 starting', async () => {
  const f = healthBoardFetch(new HealthBoard());
  assert.deepEqual(await get(f, '/health'), { status: 503, body: { status: 'starting' } });
  assert.equal((await get(f, '/ready')).status, 503);
});

test('a fresh heartbeat: 200 with the published status, read through another view of the buffer', async () => {
  const board = new HealthBoard();
  board.publish(status(), Date.now() - 1_000);
  const f = healthBoardFetch(new HealthBoard(board.buffer));
  const h = await get(f, '/health');
  assert.equal(h.status, 200);
  const { heartbeatAgeMs, ...rest } = h.body!;
  assert.deepEqual(rest, { status: 'ok', tip: 812, queueDepth: 3, workers: 2, workersReplaced: 1, synced: true, lifecycle: 'serving' });
  assert.ok((heartbeatAgeMs as number) >= 1_000 && (heartbeatAgeMs as number) < 5_000, String(heartbeatAgeMs));
  assert.deepEqual((await get(f, '/ready')).status, 200);
  assert.equal((await get(f, '/health', 'HEAD')).status, 200);
});

test('a stale heartbeat (a stuck main thread): 503 on /health and /ready', async () => {
  const board = new HealthBoard();
  board.publish(status(), Date.now() - HEARTBEAT_STALE_MS - 1_000);
  const f = healthBoardFetch(board);
  const h = await get(f, '/health');
  assert.equal(h.status, 503);
  assert.equal(h.body!.status, 'unhealthy');
  assert.match(String(h.body!.reason), /has not published its status for \d+ ms/);
  assert.equal((await get(f, '/ready')).status, 503);
  // Just inside the bound it is still alive.
  board.publish(status(), Date.now() - HEARTBEAT_STALE_MS + 2_000);
  assert.equal((await get(f, '/health')).status, 200);
  // A custom bound.
  assert.equal((await get(healthBoardFetch(board, 1_000), '/health')).status, 503);
});

test('an unhealthy node, a node not serving or not synced', async () => {
  const board = new HealthBoard();
  const f = healthBoardFetch(board);
  board.publish(status({ ok: false }));
  assert.equal((await get(f, '/health')).status, 503);
  board.publish(status({ lifecycle: 'stopping' }));
  assert.equal((await get(f, '/health')).status, 200, 'draining is alive');
  assert.deepEqual((await get(f, '/ready')).body!.state, 'stopping');
  assert.equal((await get(f, '/ready')).status, 503);
  board.publish(status({ synced: false }));
  assert.equal((await get(f, '/ready')).status, 503);
  board.publish(status({ lifecycle: 'starting' }));
  assert.equal((await get(f, '/ready')).status, 503);
});

test('other paths 404, other methods 405 with Allow', async () => {
  const board = new HealthBoard();
  board.publish(status());
  const f = healthBoardFetch(board);
  assert.equal((await get(f, '/metrics')).status, 404);
  const r = f(new Request('http://h/health', { method: 'POST', body: 'x' }));
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
});

test('publishHealth publishes at once and then every period, until stopped', async () => {
  const board = new HealthBoard();
  let tip = 1;
  const stop = publishHealth(board, () => status({ tip }), 20);
  assert.equal(board.read()!.tip, 1);
  tip = 2;
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(board.read()!.tip, 2);
  stop();
  tip = 3;
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(board.read()!.tip, 2);
});
