/**
 * GET /events: Server-Sent Events of mempool changes (Core's TransactionAddedToMempool /
 * TransactionRemovedFromMempool with MemPoolRemovalReason). One subscription to the
 * mempool fans each event out, formatted once, to every client. Each client has a bounded
 * queue (a ReadableStream with a count high-water mark): a client whose queue is full is
 * dropped (its stream errors and its buffer is released), so a slow reader never costs
 * unbounded memory. Comment lines keep idle connections alive; close() ends every stream.
 */
import type { Mempool } from '../mempool/mempool.ts';
import type { MempoolEvent } from '../mempool/events.ts';

export interface SseOptions {
  /** Most simultaneous clients (default 64); more answer 503. */
  maxClients?: number;
  /** Events buffered per client before it is dropped (default 10,000). */
  maxBufferedEvents?: number;
  /** Heartbeat comment interval (default 15 s). */
  heartbeatMs?: number;
}

interface Client {
  controller: ReadableStreamDefaultController<Uint8Array>;
  timer: ReturnType<typeof setInterval>;
}

const enc = new TextEncoder();

/** One SSE message: `id`, `event` and a JSON `data` line. */
export function formatEvent(ev: MempoolEvent): string {
  const e = ev.entry;
  const data = ev.type === 'added'
    ? { txid: e.txid, wtxid: e.wtxid, fee: e.fee, vsize: e.vsize, weight: e.weight, time: e.time, height: e.height, sequence: ev.sequence }
    : { txid: e.txid, wtxid: e.wtxid, reason: ev.reason, sequence: ev.sequence };
  return `id: ${ev.sequence}\nevent: ${ev.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private readonly maxClients: number;
  private readonly maxBuffered: number;
  private readonly heartbeatMs: number;
  /** Clients dropped for not keeping up. */
  dropped = 0;

  constructor(private readonly pool: Mempool, o: SseOptions = {}) {
    this.maxClients = o.maxClients ?? 64;
    this.maxBuffered = o.maxBufferedEvents ?? 10_000;
    this.heartbeatMs = o.heartbeatMs ?? 15_000;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** A text/event-stream response, or undefined when the client limit is reached. */
  open(signal?: AbortSignal): Response | undefined {
    if (this.clients.size >= this.maxClients) return undefined;
    let client: Client | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const timer = setInterval(() => this.write(client!, ': heartbeat\n\n'), this.heartbeatMs);
        client = { controller, timer };
        this.clients.add(client);
        this.subscribe();
        controller.enqueue(enc.encode(`retry: 5000\n: txgate mempool events (sequence ${this.pool.events.sequence})\n\n`));
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
  }

  private subscribe(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.pool.events.on((ev) => {
      const text = formatEvent(ev);
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
    if (this.clients.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }
}
