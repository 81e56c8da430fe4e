/**
 * The edge handler: txgate's Hono app in stateless mode (every request brings its prevouts
 * and optionally its chain context `at`), validating in the request's own thread with the
 * portable backends (noble signatures, the JavaScript SHA-256). One `fetch` for every host:
 * a Cloudflare Worker (edge/worker.ts), Deno (edge/deno.ts), Bun (edge/bun.ts).
 *
 * Nothing reachable from here may touch a runtime API (node:*, Bun, Deno, process, files):
 * test/node/edge-imports.test.ts walks the bundle's inputs.
 *
 * Edge platforms bound the CPU time of a request. Before validating, the request's
 * transactions are weighed in signature checks (src/policy/sig-checks.ts, an upper bound
 * from the scripts and the supplied prevouts); a request over the budget is refused with
 * 413 and the count, rather than cut off by the platform half-way.
 */
import { createApp } from '../src/api/app.ts';
import type { AppDeps, ValidateItem } from '../src/api/deps.ts';
import { ApiError } from '../src/api/http-error.ts';
import { statelessDeps } from '../src/api/stateless.ts';
import { maxSignatureChecks } from '../src/policy/sig-checks.ts';
import { sha256Backend } from '../src/primitives/hash.ts';
import { getDefaultVerifier } from '../src/script/verify.ts';

export const EDGE_VERSION = '0.1.0';

export interface EdgeOptions {
  /** Most signature checks one request may need (default 2000). */
  sigCheckBudget?: number;
  /** Largest POST /validate body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Most transactions in one JSON batch (default 100). */
  maxBatch?: number;
  /** The host's name for GET /info (workerd, deno, bun…). */
  host?: string;
}

export const DEFAULT_SIG_CHECK_BUDGET = 2000;

/** The signature checks a request needs at most (inputs without a prevout run no script). */
export function requestSigChecks(items: readonly ValidateItem[]): number {
  let n = 0;
  for (const item of items) n += maxSignatureChecks(item.tx, item.tx.inputs.map((_, i) => item.prevouts?.[i]?.scriptPubKey));
  return n;
}

/** `deps` refusing, before any work, a request whose signature checks (all its items together) exceed `budget`. */
export function withSigCheckBudget(deps: AppDeps, budget: number): AppDeps {
  return {
    ...deps,
    checkRequest(items) {
      deps.checkRequest?.(items);
      const needed = requestSigChecks(items);
      if (needed > budget) {
        throw new ApiError(413, 'over-budget',
          `the request needs up to ${needed} signature checks; this server allows ${budget} per request ` +
            '(send fewer transactions per request, or ask a full txgate node)');
      }
    },
  };
}

/**
 * Paths of the stateful API (mempool, JSON-RPC, Esplora, events): the edge keeps no chain,
 * UTXO set or mempool. POST /blocks, GET /chain/tip and GET /utxo answer 501 from the app
 * itself (stateless deps have no submitBlock, tip or getUtxo).
 */
const STATEFUL_PATHS = [
  '/tx', '/mempool', '/mempool/*', '/fees/*', '/events', '/rpc', '/api/*',
];

export function createEdgeApp(opts: EdgeOptions = {}) {
  const budget = opts.sigCheckBudget ?? DEFAULT_SIG_CHECK_BUDGET;
  const deps = statelessDeps({
    info: {
      version: EDGE_VERSION, runtime: opts.host ?? 'edge', crypto: getDefaultVerifier().name, sha256: sha256Backend().name,
      sigCheckBudget: budget,
    },
  });
  const app = createApp(withSigCheckBudget(deps, budget), { bodyLimit: opts.bodyLimit ?? 1024 * 1024, maxBatch: opts.maxBatch ?? 100 });
  const stateless = () => {
    throw new ApiError(501, 'not-implemented',
      'this is the stateless edge validator: no chain, UTXO set or mempool; use POST /validate with prevouts, or a full txgate node');
  };
  for (const path of STATEFUL_PATHS) app.all(path, stateless);
  app.post('/', stateless);
  return app;
}

/** Edge settings from string variables (wrangler.toml [vars], environment variables). */
export function edgeOptionsFrom(vars: Record<string, unknown>, host: string): EdgeOptions {
  const int = (name: string): number | undefined => {
    const v = vars[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not ${String(v)}`);
    return n;
  };
  const out: EdgeOptions = { host };
  const budget = int('SIG_CHECK_BUDGET');
  const bodyLimit = int('BODY_LIMIT');
  const maxBatch = int('MAX_BATCH');
  if (budget !== undefined) out.sigCheckBudget = budget;
  if (bodyLimit !== undefined) out.bodyLimit = bodyLimit;
  if (maxBatch !== undefined) out.maxBatch = maxBatch;
  return out;
}
