/**
 * A real bcoin 1.0.2 regtest full node in a child process, for interoperability tests.
 *
 * The child (test/util/bcoin-child.cjs) always runs under Node — found as TXGATE_NODE, else
 * this process when it is Node, else `node` on PATH — whatever runtime runs the test; only
 * this file runs under the test's runtime and talks to bcoin over HTTP JSON-RPC (basic auth,
 * the API key as password). bcoin runs with NODE_BACKEND=js, so none of its native addons is
 * needed and `npm ci` without install scripts is enough; a file-backed chain uses leveldown
 * 5.6.0's prebuilt N-API binary (package.json `overrides`).
 *
 *   const node = await startBcoin();                 // in-memory chain, free ports
 *   const hashes = await node.mine(BCOIN_REGTEST.segwitHeight); // segwit is BIP9 on bcoin's regtest
 *   const coin = await node.coinbase(hashes[0]);     // a Spendable for signSpend
 *   await node.sendTx(signSpend([coin], outs).raw);
 *   await node.stop();                               // startBcoin(node.options): the same node again
 *
 * `listutxoset`, `submittx` and `generatetoscript` are calls the child adds to bcoin's RPC;
 * everything else is bcoin's own JSON-RPC (`node.rpc(method, ...params)`).
 *
 * Rules of bcoin's regtest that differ from Core's are listed in BCOIN_REGTEST and in
 * test/e2e/bcoin-harness.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { decodeBlock } from '../../src/primitives/block.ts';
import { fromHex, toHex } from '../../src/primitives/bytes.ts';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';
import { outputScript, type OutputKind, type Spendable } from './regtest-builder.ts';

/** bcoin 1.0.2's regtest, where it is not Core's. */
export const BCOIN_REGTEST = {
  /** Network magic as bcoin writes it (uint32 LE on the wire: fa bf b5 da, Core's regtest bytes). */
  magic: 0xdab5bffa,
  /**
   * Segwit (BIP141/143/147) and CSV (BIP68/112/113) are BIP9 deployments (window 144,
   * threshold 108) that bcoin's miner signals: active from height 432 (Core: buried, from 1).
   * Before it bcoin refuses witness transactions (`no-witness-yet`) and version-2 ones
   * (`premature-version2-tx`) into its mempool.
   */
  segwitHeight: 432,
  csvHeight: 432,
  /** BIP66 strict DER and BIP65 CLTV heights (Core: 1). BIP34 is never enforced (bcoin's miner writes the height anyway). */
  bip66Height: 1251,
  bip65Height: 1351,
} as const;

export interface BcoinOptions {
  /** Keep the chain in LevelDB under `<datadir>/regtest`; default: in memory (lost on stop). */
  datadir?: string;
  /** 0 or absent: a free port. */
  p2pPort?: number;
  httpPort?: number;
  apiKey?: string;
  /** Mempool standardness (default true, as Core's regtest; bcoin's own regtest default is false). */
  requireStandard?: boolean;
  /** bcoin's log level on the child's output (default `warning`). */
  logLevel?: 'error' | 'warning' | 'info' | 'debug' | 'spam';
}

/** gettxoutsetinfo as bcoin answers it (no hash_serialized: bcoin keeps no UTXO set hash). */
export interface UtxoSetInfo {
  height: number;
  bestblock: string;
  transactions: number;
  txouts: number;
  /** BTC. */
  total_amount: number;
}

/** One coin of `listutxoset` (a call this harness adds to bcoin's RPC). */
export interface BcoinCoin {
  /** Display order hex. */
  txid: string;
  vout: number;
  /** Satoshis. */
  value: number;
  scriptPubKey: string;
  height: number;
  coinbase: boolean;
}

export class BcoinRpcError extends Error {
  /** `reason`: bcoin's error message as it sent it (for submittx, its reject reason). */
  constructor(readonly method: string, readonly code: number, readonly reason: string) {
    super(`bcoin ${method}: ${reason} (${code})`);
  }
}

export interface BcoinNode {
  /** `127.0.0.1:<p2pPort>`, for `--connect`. */
  readonly p2p: string;
  readonly p2pPort: number;
  readonly httpPort: number;
  /** The options it runs with, ports resolved: `startBcoin(node.options)` starts it again. */
  readonly options: Required<Pick<BcoinOptions, 'p2pPort' | 'httpPort' | 'apiKey'>> & BcoinOptions;
  /** One JSON-RPC call; throws BcoinRpcError with bcoin's code and message. */
  rpc<T = unknown>(method: string, ...params: unknown[]): Promise<T>;
  /** Mines `n` blocks (with the mempool's transactions) paying to a scriptPubKey (default: P2WPKH of test key 0); their hashes. */
  mine(n: number, scriptPubKey?: Uint8Array): Promise<string[]>;
  tip(): Promise<{ height: number; hash: string }>;
  /** getrawmempool, sorted. */
  mempool(): Promise<string[]>;
  utxoSetInfo(): Promise<UtxoSetInfo>;
  /** The whole UTXO set of the chain, sorted by txid then vout. */
  utxoSet(): Promise<BcoinCoin[]>;
  /** The block's raw bytes (getblock hash false). */
  block(hash: string): Promise<Uint8Array>;
  /** The coinbase output 0 of a block this node mined to test key `key`'s `kind` script. */
  coinbase(blockHash: string, kind?: OutputKind, key?: number): Promise<Spendable>;
  /**
   * Into bcoin's mempool (then announced to peers), or throws BcoinRpcError with bcoin's reject
   * reason as `reason` (code -26; -25 `missing-inputs`). Not bcoin's sendrawtransaction, which
   * answers the txid whatever the mempool says and broadcasts policy-refused transactions.
   */
  sendTx(raw: Uint8Array): Promise<string>;
  /**
   * invalidateblock: bcoin rewinds its chain to the block's parent, forgets the block and its
   * descendants (no side branch is kept) and empties its mempool.
   */
  invalidate(hash: string): Promise<void>;
  /** addnode onetry: an outbound connection to `host:port`. */
  connect(hostPort: string): Promise<void>;
  /** Everything the child wrote to stdout and stderr. */
  output(): string;
  /** Closes the node (chain flushed) and waits for the process; SIGKILL after 10 s (`forced`). */
  stop(): Promise<{ code: number | null; forced: boolean }>;
}

const CHILD = fileURLToPath(new URL('./bcoin-child.cjs', import.meta.url));

/** Why bcoin tests cannot run here (bcoin not installed), or false. */
export const BCOIN_SKIP: string | false = existsSync(new URL('../../node_modules/bcoin/package.json', import.meta.url))
  ? false
  : 'bcoin is not installed: `npm install` brings it (devDependency bcoin 1.0.2)';

/** The Node binary that runs bcoin. */
export function nodeBinary(): string {
  return process.env.TXGATE_NODE ?? (runtimeName() === 'node' ? process.execPath : 'node');
}

/** Starts a bcoin node; resolves once its P2P and HTTP servers listen. */
export async function startBcoin(opts: BcoinOptions = {}, timeoutMs = 60_000): Promise<BcoinNode> {
  const apiKey = opts.apiKey ?? 'txgate-bcoin';
  const config = { datadir: opts.datadir ?? null, p2pPort: opts.p2pPort ?? 0, httpPort: opts.httpPort ?? 0, apiKey, requireStandard: opts.requireStandard ?? true, logLevel: opts.logLevel ?? 'warning' };
  const child = spawn(nodeBinary(), [CHILD, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_BACKEND: 'js' } });
  let out = '';
  let exit: { code: number | null } | undefined;
  const exited = new Promise<{ code: number | null }>((resolve) => child.once('exit', (code) => resolve(exit = { code })));
  const ready = await new Promise<{ p2pPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bcoin did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: unknown) => {
      out += String(d);
      const m = /^BCOIN-READY (\{.*\})$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${nodeBinary()}: ${e.message}`));
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`bcoin exited with ${r.code}:\n${out}`));
    });
  }).catch(async (e) => {
    if (!exit) await stopChild(child, exited);
    throw e;
  });
  return makeNode(child, exited, () => out, { ...opts, p2pPort: ready.p2pPort, httpPort: ready.httpPort, apiKey });
}

async function stopChild(child: ChildProcess, exited: Promise<{ code: number | null }>): Promise<{ code: number | null; forced: boolean }> {
  let forced = false;
  if (child.exitCode === null && child.signalCode === null) child.stdin!.end('stop\n');
  const killer = setTimeout(() => {
    forced = true;
    child.kill('SIGKILL');
  }, 10_000);
  const { code } = await exited;
  clearTimeout(killer);
  return { code, forced };
}

function makeNode(child: ChildProcess, exited: Promise<{ code: number | null }>, output: () => string, options: BcoinNode['options']): BcoinNode {
  const url = `http://127.0.0.1:${options.httpPort}/`;
  const auth = `Basic ${btoa(`bitcoinrpc:${options.apiKey}`)}`;
  let id = 0;
  const rpc = async <T>(method: string, ...params: unknown[]): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ method, params, id: ++id }) });
    } catch (e) {
      const state = child.exitCode !== null || child.signalCode !== null ? `bcoin exited (${child.exitCode ?? child.signalCode})` : 'bcoin is running';
      throw new Error(`bcoin ${method}: ${(e as Error).message}; ${state}; its output ends:\n${output().slice(-3000)}`);
    }
    const text = await res.text();
    let body: { result?: T; error?: { code: number; message: string } | null };
    try {
      body = JSON.parse(text);
    } catch {
      throw new BcoinRpcError(method, res.status, text);
    }
    if (body.error) throw new BcoinRpcError(method, body.error.code, body.error.message);
    return body.result as T;
  };
  const block = async (hash: string) => fromHex(await rpc<string>('getblock', hash, false));
  return {
    p2p: `127.0.0.1:${options.p2pPort}`,
    p2pPort: options.p2pPort,
    httpPort: options.httpPort,
    options,
    rpc,
    mine: (n, script = outputScript('p2wpkh', 0)) => rpc<string[]>('generatetoscript', n, toHex(script)),
    tip: async () => {
      const [height, hash] = await Promise.all([rpc<number>('getblockcount'), rpc<string>('getbestblockhash')]);
      return { height, hash };
    },
    mempool: async () => (await rpc<string[]>('getrawmempool')).sort(),
    utxoSetInfo: () => rpc<UtxoSetInfo>('gettxoutsetinfo'),
    utxoSet: () => rpc<BcoinCoin[]>('listutxoset'),
    block,
    coinbase: async (hash, kind = 'p2wpkh', key = 0) => {
      const cb = decodeBlock(await block(hash)).txs[0]!;
      const out = cb.outputs[0]!;
      if (toHex(out.scriptPubKey) !== toHex(outputScript(kind, key))) throw new Error(`block ${hash} does not pay ${kind} of key ${key}`);
      return { txid: cb.txid, vout: 0, value: out.value, kind, key };
    },
    sendTx: (raw) => rpc<string>('submittx', toHex(raw)),
    invalidate: async (hash) => void await rpc('invalidateblock', hash),
    connect: async (hostPort) => void await rpc('addnode', hostPort, 'onetry'),
    output,
    stop: () => stopChild(child, exited),
  };
}
