/**
 * What the dashboard shows of recent traffic: verdicts counted per second over the last ten
 * minutes (accepted, rejected, reject reasons) and the last verdicts themselves. Fed by
 * recordVerdicts (recording.ts), which sees every verdict the node gives: POST /validate,
 * POST /tx, JSON-RPC testmempoolaccept / sendrawtransaction and Esplora POST /api/tx.
 */

/** Where a verdict came from: a test (nothing admitted) or a submission to the mempool. */
export type VerdictSource = 'validate' | 'submit';

export interface VerdictRecord {
  /** Milliseconds since the epoch. */
  time: number;
  txid: string | null;
  allowed: boolean;
  source: VerdictSource;
  reason?: string;
  kind?: string;
  vsize?: number;
  /** sat/vB. */
  feerate?: number;
}

interface Second {
  /** Whole seconds since the epoch this bucket counts. */
  sec: number;
  accepted: number;
  rejected: number;
  reasons: Map<string, number>;
}

export interface ActivitySnapshot {
  /** Seconds covered by `accepted` / `rejected` (oldest first, the current second last). */
  seconds: number;
  accepted: number[];
  rejected: number[];
  /** Most frequent reject reasons over the whole window, most frequent first. */
  reasons: { reason: string; count: number }[];
  /** Seconds the reasons are counted over. */
  reasonWindow: number;
  /** Newest first. */
  recent: VerdictRecord[];
  totals: { accepted: number; rejected: number };
}

export interface ActivityOptions {
  /** Seconds of per-second counts kept (default 600). */
  windowSeconds?: number;
  /** Verdicts kept for the recent list (default 50). */
  recent?: number;
  /** Clock in milliseconds (default Date.now). */
  now?: () => number;
}

export class ActivityLog {
  private readonly window: number;
  private readonly keep: number;
  private readonly now: () => number;
  private readonly ring: Second[];
  private readonly recentRing: VerdictRecord[] = [];
  private totals = { accepted: 0, rejected: 0 };

  constructor(opts: ActivityOptions = {}) {
    this.window = opts.windowSeconds ?? 600;
    this.keep = opts.recent ?? 50;
    this.now = opts.now ?? Date.now;
    this.ring = Array.from({ length: this.window }, () => ({ sec: -1, accepted: 0, rejected: 0, reasons: new Map() }));
  }

  /** The bucket for second `sec`, emptied first when it last counted an older second. */
  private bucket(sec: number): Second {
    const b = this.ring[sec % this.window]!;
    if (b.sec !== sec) {
      b.sec = sec;
      b.accepted = 0;
      b.rejected = 0;
      b.reasons.clear();
    }
    return b;
  }

  record(v: Omit<VerdictRecord, 'time'>): void {
    const time = this.now();
    const b = this.bucket(Math.floor(time / 1000));
    if (v.allowed) {
      b.accepted++;
      this.totals.accepted++;
    } else {
      b.rejected++;
      this.totals.rejected++;
      const reason = v.reason ?? 'unknown';
      b.reasons.set(reason, (b.reasons.get(reason) ?? 0) + 1);
    }
    this.recentRing.unshift({ time, ...v });
    if (this.recentRing.length > this.keep) this.recentRing.pop();
  }

  /** Per-second counts for the last `seconds` seconds, reasons over the whole window. */
  snapshot(seconds = 120, topReasons = 8): ActivitySnapshot {
    const nowSec = Math.floor(this.now() / 1000);
    const span = Math.min(seconds, this.window);
    const accepted: number[] = [];
    const rejected: number[] = [];
    for (let s = nowSec - span + 1; s <= nowSec; s++) {
      const b = this.ring[s % this.window]!;
      accepted.push(b.sec === s ? b.accepted : 0);
      rejected.push(b.sec === s ? b.rejected : 0);
    }
    const reasons = new Map<string, number>();
    for (const b of this.ring) {
      if (b.sec <= nowSec - this.window || b.sec > nowSec) continue;
      for (const [r, n] of b.reasons) reasons.set(r, (reasons.get(r) ?? 0) + n);
    }
    return {
      seconds: span, accepted, rejected,
      reasons: [...reasons].map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)).slice(0, topReasons),
      reasonWindow: this.window,
      recent: this.recentRing.slice(),
      totals: { ...this.totals },
    };
  }
}
