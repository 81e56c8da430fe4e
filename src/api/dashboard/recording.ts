/**
 * The node's deps with every verdict also written to an ActivityLog: `validate` (POST
 * /validate) and `submitTx` (POST /tx, sendrawtransaction, Esplora POST /api/tx). The rest
 * passes through to the node untouched. JSON-RPC testmempoolaccept is not recorded: its
 * maxfeerate is applied by the RPC layer after the node answers, so the node's verdict is
 * not always the one the caller got.
 */
import type { AcceptResult } from '../../mempool/accept.ts';
import type { AppDeps, MempoolDeps } from '../deps.ts';
import type { ActivityLog, VerdictSource } from './activity.ts';

function record(log: ActivityLog, r: AcceptResult, source: VerdictSource): void {
  log.record({
    txid: r.txid, allowed: r.allowed, source,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.kind !== undefined ? { kind: r.kind } : {}),
    ...(r.vsize ? { vsize: r.vsize } : {}),
    ...(r.feerate !== null ? { feerate: Math.round(r.feerate * 1000) / 1000 } : {}),
  });
}

/** `deps` seen through a proxy whose validate and submitTx record their verdicts in `log`. */
export function recordVerdicts<D extends Pick<AppDeps, 'validate'> & Partial<Pick<MempoolDeps, 'submitTx'>>>(deps: D, log: ActivityLog): D {
  const validate: AppDeps['validate'] = async (items) => {
    const out = await deps.validate(items);
    if (!out.busy) for (const r of out.results) record(log, r, 'validate');
    return out;
  };
  const submitTx: MempoolDeps['submitTx'] = async (tx, opts) => {
    const out = await deps.submitTx!(tx, opts);
    if (!out.busy) record(log, out, 'submit');
    return out;
  };
  // A method is bound once: the app reads deps' methods on every request.
  const bound = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  return new Proxy(deps, {
    get(target, prop) {
      if (prop === 'validate') return validate;
      if (prop === 'submitTx' && target.submitTx) return submitTx;
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      let b = bound.get(prop);
      if (b?.fn !== v) bound.set(prop, (b = { fn: v, bound: v.bind(target) }));
      return b.bound;
    },
  });
}
