/**
 * A tiny Prometheus metrics registry: counters and histograms with labels, and gauges read
 * from callbacks at scrape time. Renders the text exposition format (version 0.0.4).
 */

type Labels = Record<string, string>;

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return '{' + keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',') + '}';
}

/**
 * The rendered label set, memoised: counters are bumped for every request and transaction
 * with the same few label sets, and sorting and escaping them each time showed in profiles.
 * The memo key lists names and values in the caller's order; bounded, cleared when full.
 */
const rendered = new Map<string, string>();
function labelKey(labels: Labels): string {
  let memo = '';
  for (const k in labels) {
    const v = labels[k]!;
    // (A value holding a separator could collide with another set: not memoised.)
    if (v.includes('\u0000') || v.includes('\u0001')) return renderLabels(labels);
    memo += k + '\u0000' + v + '\u0001';
  }
  if (memo === '') return '';
  let key = rendered.get(memo);
  if (key === undefined) {
    if (rendered.size >= 4096) rendered.clear();
    key = renderLabels(labels);
    rendered.set(memo, key);
  }
  return key;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isNaN(n) ? 'NaN' : String(n);
}

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

class Counter implements Metric {
  readonly type = 'counter';
  private values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** Starts a series at 0, so that it is scraped before its first event. */
  declare(labels: Labels = {}): this {
    const k = labelKey(labels);
    if (!this.values.has(k)) this.values.set(k, 0);
    return this;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k} ${fmt(v)}`);
  }
}

class Histogram implements Metric {
  readonly type = 'histogram';
  private series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  count(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }
  render(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: fmt(le) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelKey(s.labels)} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** A gauge whose samples are read when the registry renders. */
class Gauge implements Metric {
  readonly type = 'gauge';
  constructor(readonly name: string, readonly help: string, private read: () => number | { labels: Labels; value: number }[] | undefined) {}
  render(): string[] {
    const v = this.read();
    if (v === undefined) return [];
    if (typeof v === 'number') return [`${this.name} ${fmt(v)}`];
    return v.map((s) => `${this.name}${labelKey(s.labels)} ${fmt(s.value)}`);
  }
}

export class Registry {
  private metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }
  gauge(name: string, help: string, read: () => number | { labels: Labels; value: number }[] | undefined): Gauge {
    return this.register(new Gauge(name, help, read));
  }
  /** Prometheus text format. */
  render(): string {
    const lines: string[] = [];
    for (const m of this.metrics) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${m.name} ${m.type}`);
      lines.push(...m.render());
    }
    return lines.join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The P2P sync gauges: synced (0/1), active chain height, best header height, peers, blocks per second. */
export function registerSyncGauges(registry: Registry, sync: () => import('./deps.ts').SyncInfo): void {
  registry.gauge('txgate_p2p_synced', 'Whether the node has every block of the best header its peers offered (1) or is still syncing (0).', () => (sync().synced ? 1 : 0));
  registry.gauge('txgate_p2p_headers', 'Height of the most-work valid header known from peers.', () => sync().headers);
  registry.gauge('txgate_p2p_peers', 'P2P peers past the version handshake.', () => sync().peers);
  registry.gauge('txgate_p2p_blocks_per_second', 'Blocks connected per second from peers (recent average).', () => sync().blocksPerSecond);
  registry.gauge('txgate_p2p_blocks_in_flight', 'Blocks asked of peers and not yet connected.', () => sync().inFlight);
}
