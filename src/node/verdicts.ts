/**
 * The verdict cache of POST /validate: the same question asked again gets the same answer
 * without running the acceptance stages. A key holds everything a testmempoolaccept verdict
 * depends on: the transaction (wtxid), the chain (tip hash, or the caller's `at`), the
 * mempool (its version, bumped on every change, and its minimum fee, which decays with
 * time), the caller's maxfeerate and the coins the caller supplied.
 */
import { LRUCache } from 'lru-cache';
import { toHex } from '../primitives/bytes.ts';
import { ByteWriter } from '../primitives/codec.ts';
import { sha256 } from '../primitives/hash.ts';
import type { AcceptResult } from '../mempool/accept.ts';
import { txKeys } from '../mempool/keys.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { ValidateItem } from '../api/deps.ts';

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
}
