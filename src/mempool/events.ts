/**
 * Mempool notifications (Core's TransactionAddedToMempool / TransactionRemovedFromMempool with
 * MemPoolRemovalReason), for the SSE endpoint. Listeners run synchronously after the change.
 */
import type { MempoolEntry, RemovalReason } from './types.ts';

export type MempoolEvent =
  | { type: 'added'; entry: MempoolEntry; sequence: number }
  | { type: 'removed'; entry: MempoolEntry; reason: RemovalReason; sequence: number };

export type MempoolListener = (e: MempoolEvent) => void;

export class MempoolEvents {
  private listeners = new Set<MempoolListener>();
  /** Core's mempool sequence number (getrawmempool mempool_sequence). */
  sequence = 1;

  on(fn: MempoolListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emitAdded(entry: MempoolEntry): void {
    const sequence = this.sequence++;
    if (this.listeners.size) for (const l of this.listeners) l({ type: 'added', entry, sequence });
  }

  emitRemoved(entry: MempoolEntry, reason: RemovalReason): void {
    // CTxMemPool::removeUnchecked takes a sequence number for every removal, block inclusion
    // included (Core only leaves that one out of its notifications).
    const sequence = this.sequence++;
    if (this.listeners.size) for (const l of this.listeners) l({ type: 'removed', entry, reason, sequence });
  }
}
