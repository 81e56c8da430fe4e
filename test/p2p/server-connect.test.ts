/**
 * txgate as a user starts it: `--connect 127.0.0.1:PORT` (the startServer path of the CLI)
 * follows a peer, and GET /info (tip, sync), GET /health (`synced`) and GET /metrics (the
 * txgate_p2p_* gauges) report the sync — the API an interop test polls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import { FakePeer, waitFor } from '../util/fake-peer.ts';
import { startTestServer } from '../util/server.ts';
import { parseConfig, ConfigError } from '../../src/runtime/config.ts';

test('--connect is repeatable, takes HOST:PORT, [IPv6]:PORT or a host alone (the network\'s port), and TXGATE_CONNECT', () => {
  assert.deepEqual(parseConfig([]).connect, []);
  assert.deepEqual(parseConfig(['--connect', '127.0.0.1:18555', '--connect=[::1]:1', '--connect', 'node.example']).connect, [
    { host: '127.0.0.1', port: 18555 }, { host: '::1', port: 1 }, { host: 'node.example', port: 18444 },
  ]);
  assert.deepEqual(parseConfig(['--network', 'mainnet', '--connect', 'a']).connect, [{ host: 'a', port: 8333 }]);
  assert.deepEqual(parseConfig([], { TXGATE_CONNECT: 'a:1, b:2' }).connect, [{ host: 'a', port: 1 }, { host: 'b', port: 2 }]);
  assert.throws(() => parseConfig(['--connect', 'a:99999']), ConfigError);
  assert.throws(() => parseConfig(['--connect', 'a:b:c']), ConfigError);
});

test('a server started with --connect syncs to the peer\'s tip and reports it in /info, /health and /metrics', async () => {
  const chain = new RegtestChainBuilder();
  for (let i = 0; i < 40; i++) chain.next();
  const peer = await FakePeer.start({ blocks: chain.blocks });
  const srv = await startTestServer(['--connect', `127.0.0.1:${peer.port}`, '--workers', '0', '--rpcuser', 'u', '--rpcpassword', 'p']);
  try {
    const info = await waitFor(async () => {
      const j = await (await fetch(`${srv.url}/info`)).json() as { tip: { height: number; hash: string }; sync: { synced: boolean; headers: number; peers: number }; peers: { address: string; relay: string }[] };
      return j.tip.height === 40 && j.sync.synced ? j : undefined;
    }, '/info to show the synced tip');
    assert.equal(info.tip.hash, peer.tipHash);
    assert.equal(info.sync.headers, 40);
    assert.equal(info.sync.peers, 1);
    assert.deepEqual(info.peers.map((p) => [p.address, p.relay]), [[`127.0.0.1:${peer.port}`, 'wtxid']]);
    const health = await (await fetch(`${srv.url}/health`)).json() as { status: string; synced: boolean };
    assert.equal(health.status, 'ok');
    assert.equal(health.synced, true);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /^txgate_p2p_synced 1$/m);
    assert.match(metrics, /^txgate_p2p_headers 40$/m);
    assert.match(metrics, /^txgate_p2p_peers 1$/m);
    assert.ok(srv.log.some((l) => l === `txgate: following 127.0.0.1:${peer.port} over P2P`));
    const rpc = await fetch(`${srv.url}/rpc`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('u:p')}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getnetworkinfo', params: [] }),
    });
    const net = (await rpc.json() as { result: Record<string, unknown> }).result;
    assert.deepEqual([net.networkactive, net.connections, net.connections_out, net.localservices], [true, 1, 1, '0000000000000408']);
    // BIP133: our minimum relay fee rate (--minrelaytxfee, 100 sat/kvB by default).
    assert.deepEqual(peer.messages('feefilter'), [{ command: 'feefilter', feeRate: 100n }]);
  } finally {
    await srv.close();
    await peer.close();
  }
});

test('without --connect there is no sync state: /health has no synced field and /metrics no p2p gauges', async () => {
  const srv = await startTestServer(['--workers', '0']);
  try {
    const health = await (await fetch(`${srv.url}/health`)).json() as Record<string, unknown>;
    assert.equal('synced' in health, false);
    const info = await (await fetch(`${srv.url}/info`)).json() as Record<string, unknown>;
    assert.equal('sync' in info, false);
    assert.doesNotMatch(await (await fetch(`${srv.url}/metrics`)).text(), /txgate_p2p_/);
  } finally {
    await srv.close();
  }
});
