/**
 * AppDeps for stateless validation: every request brings its prevouts (and optionally its
 * chain context); no UTXO set, no chain, no mempool. Each item goes through the one
 * acceptance path (src/mempool/accept.ts) over the supplied coins and an empty mempool,
 * with the scripts checked on the calling thread.
 */
import { checkInputsSync } from '../consensus/script-check.ts';
import { acceptWithSuppliedCoins, mempoolFor, type AcceptResult } from '../mempool/accept.ts';
import { policyOptions, type PolicyOptions } from '../policy/constants.ts';
import type { Coin } from '../utxo/coin.ts';
import type { ChainContext } from '../validation/prechecks.ts';
import type { AppDeps, ValidateItem, ValidateOutcome } from './deps.ts';

export interface StatelessOptions {
  policy?: Partial<PolicyOptions>;
  /** Items allowed in flight at once before answering busy (default 1024). */
  maxInFlight?: number;
  /** Wall clock in unix seconds (tests pin it). */
  now?: () => number;
  info?: Record<string, unknown>;
}

/**
 * Chain context when a request gives none: no height bound (every height lock is final) and
 * the wall clock as MTP. Prevouts without a height count as confirmed in the tip block, so
 * relative locks and coinbase maturity are only satisfied when the request says how old the
 * coin is.
 */
const UNBOUNDED_HEIGHT = 0x7ffffffe - 1;

export function statelessDeps(opts: StatelessOptions = {}): AppDeps & { inFlight(): number } {
  const policy = policyOptions(opts.policy);
  const maxInFlight = opts.maxInFlight ?? 1024;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const empty = mempoolFor(policy);
  let inFlight = 0;

  function one(item: ValidateItem): Promise<AcceptResult> {
    const chain: ChainContext = item.at ? { height: item.at.height, mtp: item.at.mtp } : { height: UNBOUNDED_HEIGHT, mtp: now() };
    const coins: (Coin | undefined)[] = item.tx.inputs.map((_, i) => {
      const p = item.prevouts?.[i];
      return p && { value: p.amount, scriptPubKey: p.scriptPubKey, height: p.height ?? chain.height, coinbase: p.coinbase ?? false };
    });
    return acceptWithSuppliedCoins(item.tx, coins, chain, {
      empty, policy, scripts: checkInputsSync, maxFeeRate: item.maxFeeRate ?? policy.maxFeeRate,
    });
  }

  return {
    async validate(items): Promise<ValidateOutcome> {
      if (inFlight + items.length > maxInFlight) return { busy: true, retryAfter: 1 };
      inFlight += items.length;
      try {
        const results: AcceptResult[] = [];
        for (const item of items) results.push(await one(item));
        return { busy: false, results };
      } finally {
        inFlight -= items.length;
      }
    },
    info: () => ({ mode: 'stateless', policy: { ...policy }, ...opts.info }),
    gauges: () => ({ queueDepth: inFlight }),
    inFlight: () => inFlight,
  };
}
