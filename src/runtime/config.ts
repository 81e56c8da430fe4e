/**
 * Server configuration from command-line flags and TXGATE_* environment variables (flags
 * win), validated with zod. Pure: serve.ts passes in argv and env.
 *
 *   --port, --host, --health-port, --network, --datadir, --load-snapshot, --trust-snapshot, --workers, --token, --submit-auth, --crypto, --body-limit,
 *   --max-batch, --max-connections, --max-requests, --tls-cert and --tls-key (PEM files; both or neither), and Core's policy options with Core's names and units:
 *   --acceptnonstdtxn, --maxfeerate (BTC/kvB, as testmempoolaccept), --minrelaytxfee and
 *   --dustrelayfee (BTC/kvB), --datacarrier, --datacarriersize, --permitbaremultisig,
 *   --bytespersigop; --connect HOST:PORT (repeatable: the peers to follow over P2P).
 *   Environment: TXGATE_PORT, TXGATE_BODY_LIMIT, TXGATE_MINRELAYTXFEE, TXGATE_CONNECT
 *   (comma-separated)…
 */
import { z } from 'zod';
import {
  DEFAULT_BYTES_PER_SIGOP, DEFAULT_MAX_RAW_TX_FEE_RATE, DEFAULT_MIN_RELAY_TX_FEE, DUST_RELAY_TX_FEE, MAX_OP_RETURN_RELAY,
  type PolicyOptions,
} from '../policy/constants.ts';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './conn-cap.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A BTC amount with at most 8 decimals (Core's ParseFixedPoint) → satoshis; used for BTC/kvB → sat/kvB. */
export function btcToSats(s: string): number | undefined {
  const m = /^(\d{1,8})(?:\.(\d{0,8}))?$/.exec(s.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100_000_000 + Number((m[2] ?? '').padEnd(8, '0'));
}

const bool = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const btcPerKvB = (name: string) =>
  z.string().transform((s, ctx) => {
    const sats = btcToSats(s);
    if (sats === undefined) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a BTC/kvB amount like 0.00001` });
      return z.NEVER;
    }
    return sats;
  });

const schema = z.strictObject({
  port: int(0, 65535).default(8080),
  'health-port': int(0, 65535).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  network: z.enum(['mainnet', 'testnet3', 'testnet4', 'signet', 'regtest']).default('regtest'),
  datadir: z.string().min(1).optional(),
  'load-snapshot': z.string().min(1).optional(),
  'trust-snapshot': bool.default(false),
  workers: int(0, 256).optional(),
  rpcuser: z.string().min(1).optional(),
  rpcpassword: z.string().min(1).optional(),
  maxmempool: int(5, 1_000_000).default(300),
  token: z.string().regex(/^[A-Za-z0-9._~+/-]+=*$/, 'token must be a bearer token (RFC 6750 b64token)').optional(),
  'submit-auth': z.enum(['open', 'token', 'rpc']).optional(),
  crypto: z.enum(['auto', 'noble', 'wasm', 'ffi', 'napi']).default('auto'),
  sha256: z.enum(['auto', 'js', 'noble', 'node', 'node-large', 'bun']).default('auto'),
  'secp256k1-lib': z.string().min(1).optional(),
  'body-limit': int(1024, 256 * 1024 * 1024).default(2 * 1024 * 1024),
  'max-batch': int(1, 10_000).default(100),
  'max-connections': int(1, 1_000_000).default(DEFAULT_CONNECTION_LIMITS.maxConnections),
  'max-requests': int(1, 1_000_000).default(DEFAULT_CONNECTION_LIMITS.maxRequests),
  'tls-cert': z.string().min(1).optional(),
  'tls-key': z.string().min(1).optional(),
  acceptnonstdtxn: bool.default(false),
  maxfeerate: btcPerKvB('maxfeerate').optional(),
  minrelaytxfee: btcPerKvB('minrelaytxfee').optional(),
  dustrelayfee: btcPerKvB('dustrelayfee').optional(),
  datacarrier: bool.default(true),
  datacarriersize: int(0, 0xffffffff).default(MAX_OP_RETURN_RELAY),
  permitbaremultisig: bool.default(true),
  bytespersigop: int(1, 1_000_000).default(DEFAULT_BYTES_PER_SIGOP),
  connect: z.array(z.string().min(1)).max(64).default([]),
});

export type Network = z.infer<typeof schema>['network'];

export interface Config {
  port: number;
  host: string;
  /**
   * A second listener on this port (same host) answering GET /health and GET /ready from
   * its own thread (src/runtime/health-listener.ts): the probes' port. 0: any free port.
   */
  healthPort?: number;
  network: Network;
  datadir?: string;
  /** A Core dumptxoutset file to load at start (the node's tip becomes its base). */
  loadSnapshot?: string;
  /** Accept a snapshot whose base is no assumeutxo base or whose hash differs from it. */
  trustSnapshot: boolean;
  /** Script-check worker threads (undefined = the runtime's choice). */
  workers?: number;
  token?: string;
  /**
   * Who may call POST /blocks, POST /tx and POST /api/tx: open, token (the bearer --token)
   * or rpc (the JSON-RPC credentials). Default: token when --token is set, else open.
   */
  submitAuth: 'open' | 'token' | 'rpc';
  /** JSON-RPC basic auth (else a .cookie in the data directory, as Core). */
  rpcUser?: string;
  rpcPassword?: string;
  /** -maxmempool in MB. */
  maxMempoolMb: number;
  crypto: 'auto' | 'noble' | 'wasm' | 'ffi' | 'napi';
  sha256: 'auto' | 'js' | 'noble' | 'node' | 'node-large' | 'bun';
  /** Path of the system libsecp256k1 for the ffi backend (default: the usual names). */
  secp256k1Lib?: string;
  bodyLimit: number;
  maxBatch: number;
  /** Open client connections and requests in flight on the API port (conn-cap.ts). */
  limits: ConnectionLimits;
  /** Serve HTTPS with this certificate chain and private key (paths of PEM files). */
  tls?: { certFile: string; keyFile: string };
  policy: PolicyOptions;
  /** Peers to connect to and follow (--connect HOST:PORT, repeatable; the port defaults to the network's). */
  connect: { host: string; port: number }[];
}

const DEFAULT_PORTS: Record<Network, number> = { mainnet: 8333, testnet3: 18333, testnet4: 48333, signet: 38333, regtest: 18444 };

/** HOST:PORT, [IPv6]:PORT, or a host alone (the network's default port). */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:\s]+)(?::(\d{1,5}))?$/.exec(s);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw new ConfigError(`--connect: ${JSON.stringify(s)} is not HOST:PORT`);
  return { host: m[1]!, port };
}

const KEYS = Object.keys(schema.shape) as (keyof typeof schema.shape)[];
const BOOLEAN_KEYS = new Set(['acceptnonstdtxn', 'datacarrier', 'permitbaremultisig', 'trust-snapshot']);
/** Options that may be given more than once (collected in order). */
const LIST_KEYS = new Set(['connect']);

/** TXGATE_BODY_LIMIT ↔ body-limit. */
function envName(key: string): string {
  return 'TXGATE_' + key.toUpperCase().replace(/-/g, '_');
}

/** Parses `--key value`, `--key=value`, bare boolean `--key`, and `--no-key` for booleans. */
function parseArgv(argv: readonly string[]): Record<string, string | boolean | string[]> {
  const out: Record<string, string | boolean | string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') && !(a.startsWith('-') && a.length > 2 && a[1] !== '-')) {
      throw new ConfigError(`unexpected argument ${JSON.stringify(a)} (options look like --port=8080)`);
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let key = eq < 0 ? body : body.slice(0, eq);
    let value: string | boolean | undefined = eq < 0 ? undefined : body.slice(eq + 1);
    if (value === undefined && key.startsWith('no') && BOOLEAN_KEYS.has(key.replace(/^no-?/, ''))) {
      key = key.replace(/^no-?/, '');
      value = false;
    }
    if (!(KEYS as string[]).includes(key)) throw new ConfigError(`unknown option --${key}`);
    if (value === undefined) {
      if (BOOLEAN_KEYS.has(key)) value = true;
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${key} needs a value`);
        value = next;
        i++;
      }
    }
    if (LIST_KEYS.has(key)) {
      const list = out[key];
      out[key] = [...(Array.isArray(list) ? list : []), String(value)];
    } else out[key] = value;
  }
  return out;
}

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Config {
  const raw: Record<string, string | boolean | string[]> = {};
  for (const k of KEYS) {
    const v = env[envName(k)];
    if (v !== undefined) raw[k] = LIST_KEYS.has(k) ? v.split(',').map((x) => x.trim()).filter(Boolean) : v;
  }
  Object.assign(raw, parseArgv(argv));
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `--${i.path.join('.')} (${envName(String(i.path[0] ?? ''))}): ${i.message}`).join('; '));
  }
  const c = r.data;
  if ((c['tls-cert'] === undefined) !== (c['tls-key'] === undefined)) {
    throw new ConfigError('--tls-cert (TXGATE_TLS_CERT) and --tls-key (TXGATE_TLS_KEY) go together: give both PEM files or neither');
  }
  if (c['submit-auth'] === 'token' && c.token === undefined) throw new ConfigError('--submit-auth=token needs --token');
  const config: Config = {
    port: c.port,
    host: c.host,
    network: c.network,
    crypto: c.crypto,
    sha256: c.sha256,
    bodyLimit: c['body-limit'],
    maxMempoolMb: c.maxmempool,
    maxBatch: c['max-batch'],
    limits: { maxConnections: c['max-connections'], maxRequests: c['max-requests'] },
    trustSnapshot: c['trust-snapshot'],
    submitAuth: c['submit-auth'] ?? (c.token !== undefined ? 'token' : 'open'),
    policy: {
      requireStandard: !c.acceptnonstdtxn,
      maxDatacarrierBytes: c.datacarrier ? c.datacarriersize : null,
      permitBareMultisig: c.permitbaremultisig,
      dustRelayFeeRate: c.dustrelayfee ?? DUST_RELAY_TX_FEE,
      minRelayFeeRate: c.minrelaytxfee ?? DEFAULT_MIN_RELAY_TX_FEE,
      bytesPerSigop: c.bytespersigop,
      maxFeeRate: c.maxfeerate ?? DEFAULT_MAX_RAW_TX_FEE_RATE,
    },
    connect: c.connect.map((x) => parseHostPort(x, DEFAULT_PORTS[c.network])),
  };
  if (c.datadir !== undefined) config.datadir = c.datadir;
  if (c['health-port'] !== undefined) config.healthPort = c['health-port'];
  if (c['load-snapshot'] !== undefined) config.loadSnapshot = c['load-snapshot'];
  if (c.workers !== undefined) config.workers = c.workers;
  if (c.token !== undefined) config.token = c.token;
  if (c.rpcuser !== undefined) config.rpcUser = c.rpcuser;
  if (c.rpcpassword !== undefined) config.rpcPassword = c.rpcpassword;
  if (c['secp256k1-lib'] !== undefined) config.secp256k1Lib = c['secp256k1-lib'];
  if (c['tls-cert'] !== undefined && c['tls-key'] !== undefined) config.tls = { certFile: c['tls-cert'], keyFile: c['tls-key'] };
  return config;
}

export const USAGE = `usage: serve [--port=N] [--host=ADDR] [--health-port=N] [--network=mainnet|testnet3|testnet4|signet|regtest]
  [--datadir=DIR] [--load-snapshot=FILE [--trust-snapshot]] [--workers=N] [--token=BEARER] [--submit-auth=open|token|rpc]
  [--crypto=auto|noble|wasm|ffi|napi]
  [--sha256=auto|js|noble|node|node-large|bun] [--secp256k1-lib=PATH]
  [--rpcuser=USER --rpcpassword=PASS] [--maxmempool=MB]
  [--body-limit=BYTES] [--max-batch=N] [--max-connections=N] [--max-requests=N] [--tls-cert=PEM --tls-key=PEM] [--acceptnonstdtxn] [--maxfeerate=BTC/kvB]
  [--minrelaytxfee=BTC/kvB] [--dustrelayfee=BTC/kvB] [--datacarrier=0|1] [--datacarriersize=N]
  [--permitbaremultisig=0|1] [--bytespersigop=N] [--connect=HOST:PORT ...]
Every option also reads TXGATE_<NAME> from the environment (e.g. TXGATE_PORT, TXGATE_BODY_LIMIT).`;
