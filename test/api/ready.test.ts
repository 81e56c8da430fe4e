// GET /ready: readiness for load balancers and orchestrators, apart from liveness (/health).
// 200 only while the server is serving and synced with the peers it follows; 503 while
// starting, while shutting down, or while behind. A started server reports itself serving.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, type Lifecycle } from '../../src/api/app.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import type { SyncInfo } from '../../src/api/deps.ts';
import { startTestServer } from '../util/server.ts';

async function ready(lifecycle?: Lifecycle, sync?: () => SyncInfo) {
  const deps = { ...statelessDeps(), ...(sync ? { sync } : {}) };
  const app = createApp(deps, lifecycle ? { lifecycle: () => lifecycle } : {});
  const res = await app.request('/ready');
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

describe('GET /ready', () => {
  test('a node that follows no peers and is serving is ready', async () => {
    assert.deepEqual(await ready(), { status: 200, body: { ready: true, state: 'serving', synced: true } });
    assert.deepEqual(await ready('serving', () => ({ synced: true, peers: 2, height: 10, headers: 10 })),
      { status: 200, body: { ready: true, state: 'serving', synced: true, peers: 2, height: 10, headers: 10 } });
  });

  test('503 while starting, while stopping, and while behind its peers', async () => {
    assert.deepEqual(await ready('starting'), { status: 503, body: { ready: false, state: 'starting', synced: true } });
    assert.deepEqual(await ready('stopping'), { status: 503, body: { ready: false, state: 'stopping', synced: true } });
    assert.deepEqual(await ready('serving', () => ({ synced: false, height: 3, headers: 15 })),
      { status: 503, body: { ready: false, state: 'serving', synced: false, height: 3, headers: 15 } });
  });

  test('liveness stays apart: /health is 200 while /ready is 503', async () => {
    const app = createApp({ ...statelessDeps(), sync: () => ({ synced: false }) });
    assert.equal((await app.request('/health')).status, 200);
    assert.equal((await app.request('/ready')).status, 503);
  });

  test('a started server is ready', async () => {
    const srv = await startTestServer(['--workers=1']);
    try {
      const res = await fetch(`${srv.url}/ready`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ready: true, state: 'serving', synced: true });
    } finally {
      await srv.close();
    }
  });
});
