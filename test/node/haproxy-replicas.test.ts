// Several replicas behind HAProxy (deploy/haproxy.cfg, as shipped; the addresses come from
// its environment variables): three txgate processes fed the same blocks answer POST
// /validate under load through the balancer; one is killed (SIGKILL) mid-load, and the
// balancer's retries (retry-on, redispatch) and health checks (GET /ready) leave no failed
// client request while the two survivors keep answering, every answer the same verdict.
// Node only: it tests the balancer setup, not a runtime. Skips when haproxy is not installed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import type { ResultJson } from '../../src/api/app.ts';
import { RegtestChainBuilder, outputScript, signSpend, type Spendable } from '../util/regtest-builder.ts';
import { getJson, postBlocks, startChildServer, type ChildServer } from '../util/server.ts';

const CONFIG = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url));

function haproxyVersion(): string | undefined {
  try {
    return execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return undefined;
  }
}
const version = haproxyVersion();
const skip = version ? false : 'no haproxy on PATH: apt-get install haproxy to run the load-balancer test (.ci/run installs it)';
if (skip) console.log(`# ${skip}`);

/** A port free right now (the balancer binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const replicas: ChildServer[] = [];
let haproxy: ChildProcess | undefined;
let haproxyOut = '';
let lb = '';
const chain = new RegtestChainBuilder();
const coins: Spendable[] = [];

before(async () => {
  if (skip) return;
  for (let i = 0; i < 105; i++) {
    const { coinbase } = chain.next();
    if (i < 3) coins.push(coinbase);
  }
  replicas.push(...await Promise.all([1, 2, 3].map(() => startChildServer(['--crypto=noble', '--workers=1']))));
  // Every replica gets the same blocks, so every replica has the same tip and coins.
  await Promise.all(replicas.map((r) => postBlocks(r.url, chain.blocks)));
  const port = await freePort();
  lb = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { ...process.env as Record<string, string>, TXGATE_LB_BIND: `127.0.0.1:${port}` };
  replicas.forEach((r, i) => (env[`TXGATE_BACKEND_${i + 1}`] = new URL(r.url).host));
  haproxy = spawn('haproxy', ['-db', '-f', CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  haproxy.stdout!.on('data', (d) => (haproxyOut += String(d)));
  haproxy.stderr!.on('data', (d) => (haproxyOut += String(d)));
  // Up once every replica has answered through it.
  const seen = new Set<string>();
  const deadline = Date.now() + 30_000;
  while (seen.size < 3) {
    if (Date.now() > deadline) throw new Error(`haproxy did not reach all three replicas (saw ${[...seen].join(', ')}):\n${haproxyOut}`);
    try {
      const res = await fetch(`${lb}/ready`);
      if (res.status === 200) seen.add(res.headers.get('x-served-by') ?? '?');
      await res.arrayBuffer();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

after(async () => {
  haproxy?.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.close()));
});

interface Outcome {
  start: number;
  end: number;
  status: number;
  servedBy: string;
  body?: ResultJson;
  error?: string;
}

test('three replicas behind HAProxy: one killed under load, no client request fails', { skip, timeout: 60_000 }, async () => {
  const payTo = outputScript('p2wpkh', 7);
  const txs = coins.map((c) => signSpend([c], [{ value: c.value - 10_000n, scriptPubKey: payTo }]));
  const tip = hashToHex(chain.tipHash);
  for (const r of replicas) {
    const t = (await getJson<{ height: number; hash: string }>(`${r.url}/chain/tip`)).body;
    assert.deepEqual([t.height, t.hash], [105, tip]);
  }

  const outcomes: Outcome[] = [];
  const t0 = Date.now();
  const KILL_AT = 1500;
  const STOP_AT = 4500;
  let n = 0;
  const client = async () => {
    while (Date.now() - t0 < STOP_AT) {
      const tx = txs[n++ % txs.length]!;
      const start = Date.now() - t0;
      try {
        const res = await fetch(`${lb}/validate`, { method: 'POST', body: toHex(tx.raw), headers: { 'content-type': 'text/plain' } });
        const text = await res.text();
        let body: ResultJson | undefined;
        try {
          body = JSON.parse(text) as ResultJson;
        } catch { /* kept as a failure below */ }
        outcomes.push({ start, end: Date.now() - t0, status: res.status, servedBy: res.headers.get('x-served-by') ?? '', ...(body ? { body } : { error: text }) });
      } catch (e) {
        outcomes.push({ start, end: Date.now() - t0, status: 0, servedBy: '', error: String(e) });
      }
    }
  };
  const killer = (async () => {
    await new Promise((r) => setTimeout(r, KILL_AT));
    await replicas[0]!.kill();
  })();
  await Promise.all([killer, ...Array.from({ length: 4 }, client)]);

  const failed = outcomes.filter((o) => o.status !== 200 || o.body?.allowed !== true);
  assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${outcomes.length} requests failed`);
  // Every answer is the verdict of the transaction sent: the replicas hold the same coins.
  const fees = new Set(outcomes.map((o) => `${o.body!.txid}:${o.body!.fee}`));
  assert.deepEqual([...fees].sort(), txs.map((t) => `${hashToHex(t.txid)}:10000`).sort());

  const servedBy = (from: number, to: number) => {
    const count: Record<string, number> = {};
    for (const o of outcomes) if (o.start >= from && o.end < to) count[o.servedBy] = (count[o.servedBy] ?? 0) + 1;
    return count;
  };
  const beforeKill = servedBy(0, KILL_AT);
  const afterKill = servedBy(KILL_AT + 100, STOP_AT + 1000);
  assert.deepEqual(Object.keys(beforeKill).sort(), ['txgate1', 'txgate2', 'txgate3'], JSON.stringify(beforeKill));
  assert.deepEqual(Object.keys(afterKill).sort(), ['txgate2', 'txgate3'], JSON.stringify(afterKill));
  console.log(`# ${version}: ${outcomes.length} requests, 0 failed; before the kill ${JSON.stringify(beforeKill)}, after ${JSON.stringify(afterKill)}`);

  // The survivors still report the same tip.
  for (const r of replicas.slice(1)) assert.equal((await getJson<{ hash: string }>(`${r.url}/chain/tip`)).body.hash, tip);
});
