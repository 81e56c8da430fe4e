/**
 * Mempool and chain-tip metrics for GET /metrics: gauges read at scrape time, and counters
 * of mempool additions and removals by reason, every series present (at 0) from the start.
 */
import type { RemovalReason } from '../mempool/types.ts';
import type { MempoolDeps } from './deps.ts';
import type { Registry } from './metrics.ts';
import type { MempoolViews } from './mempool-views.ts';

const REASONS: readonly RemovalReason[] = ['confirmed', 'replaced', 'conflict', 'evicted', 'expired', 'reorg'];

/** Registers the metrics; the returned function stops counting events. */
export function registerMempoolMetrics(registry: Registry, deps: MempoolDeps, views: MempoolViews): () => void {
  const pool = deps.mempool;
  registry.gauge('txgate_mempool_transactions', 'Transactions in the mempool.', () => pool.size);
  registry.gauge('txgate_mempool_vsize_vbytes', 'Virtual size of the mempool transactions.', () => pool.totalVsize);
  registry.gauge('txgate_mempool_usage_bytes', 'Estimated memory use of the mempool.', () => pool.memoryUsage);
  registry.gauge('txgate_mempool_fees_sats', 'Total fees of the mempool transactions, in satoshis.', () => pool.totalFee);
  registry.gauge('txgate_mempool_min_fee_rate', 'Mempool minimum fee rate (max of the rolling minimum and the minimum relay fee), sat/vB.', () => views.minFeeKvB() / 1000);
  registry.gauge('txgate_chain_tip_height', 'Height of the active chain tip.', () => deps.chainInfo().blocks);
  registry.gauge('txgate_chain_tip_mediantime', 'Median time past of the active chain tip (seconds since the epoch).', () => deps.chainInfo().mediantime);
  const added = registry.counter('txgate_mempool_added_total', 'Transactions added to the mempool.').declare();
  const removed = registry.counter('txgate_mempool_removed_total', 'Transactions removed from the mempool, by reason.');
  for (const reason of REASONS) removed.declare({ reason });
  return pool.events.on((e) => {
    if (e.type === 'added') added.inc();
    else removed.inc({ reason: e.reason });
  });
}
