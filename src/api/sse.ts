/**
 * GET /events: Server-Sent Events of mempool changes (Core's TransactionAddedToMempool /
 * TransactionRemovedFromMempool with MemPoolRemovalReason). One subscription to the
 * mempool fans each event out, formatted once, to every client. Each client has a bounded
 * queue (a ReadableStream with a count high-water mark): a client whose queue is full is
 * dropped (its stream errors and its buffer is released), so a slow reader never costs
 * unbounded memory. Comment lines keep idle connections alive; close() ends every stream.
 *
 * Event ids are the hub's own counter (1, 2, 3… over the whole stream; Core's mempool
 * sequence, which every addition and removal advances, is in the data). The last
 * `replayEvents` events are kept from the first client's connection on, so a client that
 * reconnects with `Last-Event-ID: N` (as EventSource does) first receives the events after
 * N. When N is not in that window (older than its first event, newer than the last one
 * sent — an id from before a restart — or not a number), the client first gets a `missed`
 * event, then the whole window: events were lost and it should resynchronise
 * (GET /mempool/txids).
 */
import type { Mempool } from '../mempool/mempool.ts';
import type { MempoolEvent } from '../mempool/events.ts';

export interface SseOptions {
  /** Most simultaneous clients (default 64); more answer 503. */
  maxClients?: number;
  /** Events buffered per client before it is dropped (default 10,000). */
  maxBufferedEvents?: number;
  /** Heartbeat comment interval (default 5 s: well within every runtime's idle timeout, Bun's 10 s the shortest). */
  heartbeatMs?: number;
  /** Events kept for replay to reconnecting clients (default 1,000). */
  replayEvents?: number;
}

interface Client {
  controller: ReadableStreamDefaultController<Uint8Array>;
  timer: ReturnType<typeof setInterval>;
}

const enc = new TextEncoder();

/** Events kept for Last-Event-ID replay unless SseOptions.replayEvents says otherwise. */
export const DEFAULT_REPLAY_EVENTS = 1_000;

/** One SSE message: `id`, `event` and a JSON `data` line. */
export function formatEvent(ev: MempoolEvent, id: number): string {
  const e = ev.entry;
  const data = ev.type === 'added'
    ? { txid: e.txid, wtxid: e.wtxid, fee: e.fee, vsize: e.vsize, weight: e.weight, time: e.time, height: e.height, sequence: ev.sequence }
    : { txid: e.txid, wtxid: e.wtxid, reason: ev.reason, sequence: ev.sequence };
  return `id: ${id}\nevent: ${ev.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The last `capacity` formatted events, with ids 1, 2, 3… in order (a ring). */
class ReplayBuffer {
  private readonly texts: string[] = [];
  private start = 0;
  /** The id of the newest event (0: none yet). */
  lastId = 0;

  constructor(readonly capacity: number) {}

  /** The id of the oldest event kept (lastId + 1 when empty). */
  get firstId(): number {
    return this.lastId - this.texts.length + 1;
  }

  /** Stores the event formatted by `format` under the next id, dropping the oldest when full; returns the text. */
  push(format: (id: number) => string): string {
    const text = format(++this.lastId);
    if (this.capacity <= 0) return text;
    if (this.texts.length < this.capacity) this.texts.push(text);
    else {
      this.texts[this.start] = text;
      this.start = (this.start + 1) % this.capacity;
    }
    return text;
  }

  /** The events after `lastEventId`, or the whole buffer with `missed` when that id is not within it. */
  since(lastEventId: string): { missed: boolean; texts: string[] } {
    const n = /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : -1;
    const missed = n < this.firstId - 1 || n > this.lastId;
    const from = missed ? 0 : n - this.firstId + 1;
    const out: string[] = [];
    for (let i = from; i < this.texts.length; i++) out.push(this.texts[(this.start + i) % this.texts.length]!);
    return { missed, texts: out };
  }
}

export class SseHub {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private readonly maxClients: number;
  private readonly maxBuffered: number;
  private readonly heartbeatMs: number;
  private readonly replay: ReplayBuffer;
  /** Clients dropped for not keeping up. */
  dropped = 0;

  constructor(private readonly pool: Mempool, o: SseOptions = {}) {
    this.maxClients = o.maxClients ?? 64;
    this.maxBuffered = o.maxBufferedEvents ?? 10_000;
    this.heartbeatMs = o.heartbeatMs ?? 5_000;
    this.replay = new ReplayBuffer(o.replayEvents ?? DEFAULT_REPLAY_EVENTS);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * A text/event-stream response, or undefined when the client limit is reached. With the
   * client's Last-Event-ID, the events it missed come first (see the file comment).
   */
  open(signal?: AbortSignal, lastEventId?: string): Response | undefined {
    if (this.clients.size >= this.maxClients) return undefined;
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const timer = setInterval(() => this.write(client!, ': heartbeat\n\n'), this.heartbeatMs);
        client = { controller, timer };
        this.clients.add(client);
        this.subscribe();
        let first = `retry: 5000\n: txgate mempool events (sequence ${this.pool.events.sequence})\n\n`;
        if (lastEventId !== undefined) {
          const { missed, texts } = this.replay.since(lastEventId.trim());
          if (missed) {
            // No id line: the client's last event id stays what it was.
            first += `event: missed\ndata: ${JSON.stringify({ lastEventId, firstAvailable: this.replay.firstId, lastId: this.replay.lastId })}\n\n`;
          }
          first += texts.join('');
        }
        // One chunk, however long the replay: it counts once against the client's queue.
        controller.enqueue(enc.encode(first));
      },
      cancel: () => {
        if (client) this.remove(client);
      },
    }, new CountQueuingStrategy({ highWaterMark: this.maxBuffered }));
    signal?.addEventListener('abort', () => {
      if (client && this.clients.has(client)) {
        this.remove(client);
        try {
          client.controller.close();
        } catch {
          // already closed or errored
        }
      }
    }, { once: true });
    return new Response(stream, {
      status: 200,
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' },
    });
  }

  /** Ends every stream (server shutdown) and unsubscribes from the mempool. */
  close(): void {
    for (const c of [...this.clients]) {
      this.remove(c);
      try {
        c.controller.close();
      } catch {
        // already closed or errored
      }
    }
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** From the first client on, every event is numbered and kept for replay, clients or not. */
  private subscribe(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.pool.events.on((ev) => {
      const text = this.replay.push((id) => formatEvent(ev, id));
      for (const c of [...this.clients]) this.write(c, text);
    });
  }

  private write(c: Client, text: string): void {
    if (!this.clients.has(c)) return;
    const size = c.controller.desiredSize;
    if (size !== null && size <= 0) {
      // The client is not reading: drop it and free its queue.
      this.dropped++;
      this.remove(c);
      c.controller.error(new Error('slow client dropped'));
      return;
    }
    c.controller.enqueue(enc.encode(text));
  }

  private remove(c: Client): void {
    clearInterval(c.timer);
    this.clients.delete(c);
  }
}
