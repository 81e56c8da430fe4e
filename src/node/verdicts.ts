/**
 * The verdict cache of POST /validate: the same question asked again gets the same answer
 * without running the acceptance stages. A key holds everything a testmempoolaccept verdict
 * depends on: the transaction (wtxid), the chain (tip hash, or the caller's `at`), the
 * mempool (its version, bumped on every change, and its minimum fee, which decays with
 * time), the caller's maxfeerate and the coins the caller supplied.
 */
import { LRUCache } from 'lru-cache';
import { hashToHex, toHex } from '../primitives/bytes.ts';
import { ByteWriter } from '../primitives/codec.ts';
import { sha256 } from '../primitives/hash.ts';
import type { AcceptResult } from '../mempool/accept.ts';
import { txKeys } from '../mempool/keys.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { ValidateItem, ValidateOutcome } from '../api/deps.ts';
import { QueueFullError } from '../validation/worker-pool.ts';

export class VerdictCache {
  private readonly verdicts: LRUCache<string, AcceptResult>;
  hits = 0;
  lookups = 0;

  constructor(max = 50_000) {
    this.verdicts = new LRUCache<string, AcceptResult>({ max });
  }

  /** The key of `item` with the node's tip and mempool as they are now. */
  key(item: ValidateItem, tipHash: string, mempool: Mempool): string {
    // The wtxid's hex from the per-transaction key cache: the acceptance path needs it too.
    let key = txKeys(item.tx).wtxid + '|' + (item.at ? `${item.at.height}:${item.at.mtp}` : tipHash) + '|' + (item.maxFeeRate ?? '');
    if (item.prevouts) {
      // Supplied coins: an empty mempool, whatever the node's holds.
      const w = new ByteWriter(64 * item.prevouts.length);
      for (const p of item.prevouts) w.i64(p.amount).varBytes(p.scriptPubKey).u32(p.height ?? 0xffffffff).u8(p.coinbase ? 1 : 0);
      return key + '|' + toHex(sha256(w.finish()));
    }
    return key + '|' + mempool.version + ':' + mempool.getMinFee();
  }

  get(key: string): AcceptResult | undefined {
    this.lookups++;
    const v = this.verdicts.get(key);
    if (v) this.hits++;
    return v;
  }

  /** Keeps a verdict; a server failure ('error') is no verdict and is never kept. */
  set(key: string, r: AcceptResult): void {
    if (r.kind !== 'error') this.verdicts.set(key, r);
  }

  hitRate(): number {
    return this.lookups ? this.hits / this.lookups : 0;
  }

  /**
   * POST /validate's items against the tip and mempool as they are now: each verdict from
   * the cache, else from `accept` (and kept; a traced item is never answered from the cache,
   * it needs the spent outputs). A full validation queue makes the whole request busy; any
   * other failure is no verdict, the item's 'error' result.
   */
  async answer(items: ValidateItem[], tipHash: string, mempool: Mempool, accept: (item: ValidateItem) => Promise<AcceptResult>): Promise<ValidateOutcome> {
    const n = items.length;
    const keys: string[] = new Array(n);
    const pending: Promise<AcceptResult>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      const key = (keys[i] = this.key(item, tipHash, mempool));
      const cached = item.trace ? undefined : this.get(key);
      pending[i] = cached ? Promise.resolve(cached) : accept(item);
    }
    // One item (a request of one transaction) is awaited as it is; several are settled together.
    let settled: PromiseSettledResult<AcceptResult>[];
    if (n === 1) {
      try {
        settled = [{ status: 'fulfilled', value: await pending[0]! }];
      } catch (reason) {
        settled = [{ status: 'rejected', reason }];
      }
    } else {
      settled = await Promise.allSettled(pending);
    }
    const results: AcceptResult[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const s = settled[i]!;
      if (s.status === 'fulfilled') {
        results[i] = s.value;
        if (!items[i]!.trace) this.set(keys[i]!, s.value);
        continue;
      }
      if (s.reason instanceof QueueFullError) return { busy: true, retryAfter: s.reason.retryAfterSeconds };
      const tx = items[i]!.tx;
      results[i] = {
        txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid), allowed: false, vsize: tx.vsize, weight: tx.weight,
        fee: null, feerate: null, reason: 'validation-error', details: s.reason instanceof Error ? s.reason.message : String(s.reason), kind: 'error',
      };
    }
    return { busy: false, results };
  }
}
