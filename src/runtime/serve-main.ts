/**
 * The server: parse the configuration, choose the crypto backends, build the app and serve
 * it with the runtime's own HTTP server (Bun.serve, Deno.serve, @hono/node-server), over TLS
 * when given a certificate and key.
 * The app is backed by a TxgateNode (chain state, UTXO set, validation workers, mempool),
 * with the dashboard (GET /), the mempool, JSON-RPC and Esplora routes mounted on it.
 */
import { applyRuntimeTuning } from './tuning.ts';
import { createApp, type Lifecycle } from '../api/app.ts';
import { TxgateNode } from '../node/node.ts';
import { mountMempool } from '../api/mempool-routes.ts';
import { Registry } from '../api/metrics.ts';
import { AuthFailureLimiter, submitAccess, type Credential } from '../api/access.ts';
import { BodyGate } from '../api/body.ts';
import { ActivityLog } from '../api/dashboard/activity.ts';
import { recordVerdicts } from '../api/dashboard/recording.ts';
import { mountDashboard } from '../api/dashboard/routes.ts';
import { deleteAuthCookie, writeAuthCookie } from './cookie.ts';
import { readText } from './fs.ts';
import { defaultWorkers } from './cpus.ts';
import { spawnValidator } from './spawn.ts';
import { setDefaultVerifier } from '../script/verify.ts';
import { ConfigError, parseConfig, USAGE, type Config } from './config.ts';
import { runtimeLabel, runtimeName } from './crypto/runtime-info.ts';
import { applyCrypto, selectCrypto } from './crypto/select.ts';
import type { Listening, ServeOptions } from './serve-types.ts';
import { listen } from './serve-listen.ts';
import { startHealthListener } from './health-listener.ts';
import { HealthBoard, publishHealth, type HealthStatus } from '../api/health-board.ts';
import { P2PManager } from '../p2p/manager.ts';
import { p2pNode, withP2P } from '../node/p2p-deps.ts';
import { connectTcp } from './p2p-socket.ts';
import { memoryReader } from './memory.ts';
import { registerMemoryMetrics } from '../api/memory-metrics.ts';

export type { Listening, ServeOptions };
export { listen };

const BLOCK_BODY_LIMIT = 8_000_002;
/** JSON-RPC request bodies (a batch of raw transactions). */
const RPC_BODY_LIMIT = 16 * 1024 * 1024;

interface Host {
  argv: string[];
  env: Record<string, string | undefined>;
  onShutdown(cb: (signal: string) => void): void;
  exit(code: number): never;
}

async function host(): Promise<Host> {
  if (runtimeName() === 'deno') {
    const d = await import('./serve-deno.ts');
    return { ...d.denoArgs(), onShutdown: d.onDenoShutdownSignal, exit: d.denoExit };
  }
  const n = await import('./serve-node.ts');
  return { ...n.processArgs(), onShutdown: n.onShutdownSignal, exit: n.exitProcess };
}

/** A PEM file named by a flag; a missing or non-PEM file is a configuration error. */
async function readPem(path: string, flag: string): Promise<string> {
  const text = await readText(path);
  if (text === undefined) throw new ConfigError(`${flag}: no such file ${path}`);
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${flag}: ${path} is not a PEM file`);
  return text;
}

/** Starts txgate with a parsed configuration; resolves once listening. */
export async function startServer(config: Config, log: (line: string) => void = console.log): Promise<Listening & { url: string; healthUrl?: string; node: TxgateNode; p2p?: P2PManager }> {
  // Read before anything starts, so that a bad path fails fast.
  const tls = config.tls
    ? { cert: await readPem(config.tls.certFile, '--tls-cert'), key: await readPem(config.tls.keyFile, '--tls-key') }
    : undefined;
  const crypto = await selectCrypto({ crypto: config.crypto, sha256: config.sha256, ...(config.secp256k1Lib ? { libPath: config.secp256k1Lib } : {}) });
  setDefaultVerifier(applyCrypto(crypto));
  applyRuntimeTuning();
  for (const line of crypto.report.split('\n')) log(`txgate: ${line}`);
  const workers = config.workers ?? defaultWorkers();
  const memory = memoryReader();
  const node = await TxgateNode.start({
    network: config.network,
    policy: config.policy,
    workers,
    spawn: spawnValidator,
    workerInit: { crypto: crypto.spec },
    verifier: crypto.verifier,
    // `memory` is read each time /info is (the node spreads this object into its answer).
    info: { runtime: runtimeLabel(), crypto: crypto.spec, get memory() { return memory(); } },
    now: () => Math.floor(Date.now() / 1000),
    mempool: { maxSizeBytes: config.maxMempoolMb * 1_000_000 },
    ...(config.datadir !== undefined ? { datadir: config.datadir } : {}),
    ...(config.loadSnapshot !== undefined ? { loadSnapshot: config.loadSnapshot } : {}),
    trustSnapshot: config.trustSnapshot,
  }, log);
  // Every verdict the node gives is also counted for the dashboard (GET /stats).
  const activity = new ActivityLog();
  // --connect: follow those peers (headers-first sync, transaction relay both ways).
  const p2p = config.connect.length
    ? new P2PManager({
      node: p2pNode(node), params: node.params, connect: connectTcp, targets: config.connect, log,
      feeFilter: BigInt(config.policy.minRelayFeeRate), now: () => Math.floor(Date.now() / 1000),
    })
    : undefined;
  const deps = p2p ? withP2P(recordVerdicts(node, activity), p2p) : recordVerdicts(node, activity);
  const registry = new Registry();
  registerMemoryMetrics(registry, memory);
  let lifecycle: Lifecycle = 'starting';
  // JSON-RPC auth as Core: -rpcuser/-rpcpassword, else a random cookie in the data directory.
  const cookie = !config.rpcPassword && config.datadir !== undefined ? await writeAuthCookie(config.datadir) : undefined;
  if (cookie) log(`txgate: JSON-RPC cookie written to ${cookie.path}`);
  else if (!config.rpcPassword) log('txgate: JSON-RPC disabled (no --rpcpassword and no --datadir for a .cookie)');
  const credentials: Credential[] = [];
  if (config.rpcPassword) credentials.push({ user: config.rpcUser ?? '', password: config.rpcPassword });
  if (cookie) credentials.push(cookie);
  // One failed-authentication budget, one body gate and one access rule for every route.
  const authLimiter = new AuthFailureLimiter();
  const bodyGate = new BodyGate();
  const access = {
    submitAuth: config.submitAuth, credentials, authLimiter, bodyGate,
    ...(config.token !== undefined ? { token: config.token } : {}),
  };
  const app = createApp(deps, {
    registry, lifecycle: () => lifecycle,
    bodyLimit: config.bodyLimit, blockBodyLimit: BLOCK_BODY_LIMIT, maxBatch: config.maxBatch,
    ...access,
  });
  // Before the mempool routes: GET / is the dashboard, every other method on / is JSON-RPC.
  mountDashboard(app, { mempool: node.mempool, chainInfo: () => node.chainInfo(), info: () => node.info(), activity });
  log(`txgate: POST /blocks, /tx, /api/tx: ${config.submitAuth === 'open' ? 'open to every client' : `need the ${config.submitAuth === 'token' ? 'bearer token' : 'RPC credentials'}`}`);
  const mempoolApi = mountMempool(app, deps, {
    submitAccess: submitAccess({ rule: config.submitAuth, credentials, limiter: authLimiter, ...(config.token !== undefined ? { token: config.token } : {}) }),
    authLimiter, bodyGate,
    ...(config.rpcUser !== undefined ? { rpcUser: config.rpcUser } : {}),
    ...(config.rpcPassword !== undefined ? { rpcPassword: config.rpcPassword } : {}),
    ...(cookie ? { cookie } : {}),
    registry,
  });
  // --health-port: GET /health and GET /ready answered from a thread of their own, from the
  // status this thread publishes (src/api/health-board.ts), so probes do not queue behind a flood.
  const board = config.healthPort !== undefined ? new HealthBoard() : undefined;
  const status = (): HealthStatus => {
    const h = node.health();
    return {
      ok: h.ok, tip: node.chain.height, queueDepth: Number(h.detail?.queueDepth ?? 0), workers,
      workersReplaced: Number(h.detail?.workersReplaced ?? 0), synced: p2p?.status().synced ?? true, lifecycle,
    };
  };
  const publish = () => board?.publish(status());
  const stopPublishing = board ? publishHealth(board, status) : undefined;
  const health = board
    ? await startHealthListener({ port: config.healthPort!, host: config.host, board }).catch((e: unknown) => {
      stopPublishing?.();
      throw new ConfigError(`--health-port: ${e instanceof Error ? e.message : String(e)}`);
    })
    : undefined;
  const server = await listen({
    // The client's address reaches the app as env.client (access and admission control).
    fetch: (req, client) => app.fetch(req, { client }), port: config.port, host: config.host,
    maxBodyBytes: 2 * Math.max(config.bodyLimit, BLOCK_BODY_LIMIT, RPC_BODY_LIMIT), limits: config.limits,
    ...(tls ? { tls } : {}),
  }).catch(async (e: unknown) => {
    stopPublishing?.();
    await health?.close();
    throw e;
  });
  lifecycle = 'serving';
  publish();
  const hostPart = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${hostPart}:${server.port}`;
  const healthUrl = health ? `http://${hostPart}:${health.port}` : undefined;
  if (healthUrl) log(`txgate: health listener on ${healthUrl} (GET /health, GET /ready; plain HTTP, its own thread)`);
  if (p2p) {
    log(`txgate: following ${config.connect.map((t) => `${t.host}:${t.port}`).join(', ')} over P2P`);
    p2p.start();
  }
  const tlsNote = server.tlsMinVersion ? `, TLS ${server.tlsMinVersion === 'TLSv1.3' ? '1.3 only' : '1.2 and 1.3'}` : '';
  log(`txgate: listening on ${url} (${runtimeLabel()}, ${config.network}, ${workers} validation worker${workers === 1 ? '' : 's'}, tip ${node.chain.height}, ${config.datadir !== undefined ? `data in ${config.datadir}` : 'in memory'}${tlsNote})`);
  return {
    ...server, url, node, ...(p2p ? { p2p } : {}), ...(healthUrl ? { healthUrl } : {}),
    close: async () => {
      // GET /ready answers 503 from here on, on connections still open and on the health port.
      lifecycle = 'stopping';
      publish();
      p2p?.close();
      // Open event streams would keep the server's close() waiting.
      mempoolApi.close();
      await server.close();
      await node.close();
      stopPublishing?.();
      await health?.close();
      if (cookie) await deleteAuthCookie(cookie.path);
    },
  };
}

/** The command-line entry: exits 2 on a configuration error. */
export async function main(): Promise<void> {
  const h = await host();
  if (h.argv.includes('--help') || h.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let config: Config | undefined;
  try {
    config = parseConfig(h.argv, h.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`txgate: ${e.message}\n${USAGE}`);
  }
  if (!config) return h.exit(2);
  // The command line keeps its state under ./data unless told otherwise (in-process users of
  // startServer get an in-memory node unless they pass a datadir).
  config.datadir ??= 'data';
  let server;
  try {
    server = await startServer(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`txgate: ${e.message}`);
    return h.exit(2);
  }
  h.onShutdown(async (signal) => {
    console.log(`txgate: ${signal}, shutting down`);
    await server.close();
    h.exit(0);
  });
}
