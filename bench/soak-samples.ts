/**
 * The soak's samples (bench/overload.bench.ts --mode=soak) and their summary: the process's
 * RSS, anonymous RSS and threads from /proc, the main thread's JavaScript heap and the worker
 * count from GET /info, worker replacements from GET /health, the transactions validated
 * from GET /metrics, every 10 s; averaged by 3-minute window, and the change between two
 * windows of the run.
 */
export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  anonMb: number;
  threads: number;
  heapUsedMb?: number;
  heapTotalMb?: number;
  externalMb?: number;
  workers?: number;
  workersReplaced: number;
  /** Transactions validated so far (the sum of txgate_validations_total in GET /metrics). */
  validated?: number;
}

type Figure = 'rssMb' | 'anonMb' | 'threads' | 'heapUsedMb' | 'heapTotalMb' | 'externalMb' | 'workers';
const FIGURES: readonly Figure[] = ['rssMb', 'anonMb', 'heapUsedMb', 'heapTotalMb', 'externalMb', 'threads', 'workers'];
const mb = (bytes: number) => Math.round(bytes / 1048576 * 10) / 10;

interface InfoMemory { memory?: { heapUsed: number; heapTotal: number; external: number }; workers?: number }

/** One sample: /proc figures of `pid`, GET /info's memory and workers, GET /health's replacements. */
export async function takeSample(
  t: number, proc: { rssMb: number; anonMb: number; threads: number }, url: string, last?: SoakSample,
): Promise<SoakSample> {
  const s: SoakSample = { t, ...proc, workersReplaced: last?.workersReplaced ?? 0 };
  try {
    const info = (await (await fetch(`${url}/info`)).json()) as InfoMemory;
    if (info.memory) Object.assign(s, { heapUsedMb: mb(info.memory.heapUsed), heapTotalMb: mb(info.memory.heapTotal), externalMb: mb(info.memory.external) });
    if (info.workers !== undefined) s.workers = info.workers;
    s.workersReplaced = ((await (await fetch(`${url}/health`)).json()) as { workersReplaced?: number }).workersReplaced ?? 0;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    s.validated = [...metrics.matchAll(/^txgate_validations_total\S* (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  } catch { /* a keep-alive race: the next sample asks again */ }
  return s;
}

const avg = (xs: readonly SoakSample[], k: Figure): number | undefined => {
  const v = xs.map((x) => x[k]).filter((x): x is number => x !== undefined);
  return v.length ? Math.round(v.reduce((a, x) => a + x, 0) / v.length * 10) / 10 : undefined;
};
const within = (samples: readonly SoakSample[], from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to);

/**
 * Every figure averaged by window of `minutes` over the load's `total` minutes (the last
 * window takes the sample at its very end), with the range of threads and the workers replaced.
 */
export function byWindow(samples: readonly SoakSample[], total: number, minutes = 3): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let from = 0; from < total * 60; from += minutes * 60) {
    const w = within(samples, from, Math.min(from + minutes * 60, total * 60 + 6));
    if (!w.length) continue;
    const row: Record<string, unknown> = { minutes: `${from / 60}-${from / 60 + minutes}` };
    for (const k of FIGURES) row[k] = avg(w, k);
    // The heap's floor: its lowest sample in the window, the nearest to the live data just
    // after a collection (the average depends on where the samples fall in the GC's cycle).
    const heap = w.map((s) => s.heapUsedMb).filter((x): x is number => x !== undefined);
    if (heap.length) row.heapUsedMinMb = Math.min(...heap);
    row.threadsRange = [Math.min(...w.map((s) => s.threads)), Math.max(...w.map((s) => s.threads))];
    row.workersReplaced = w.at(-1)!.workersReplaced;
    out.push(row);
  }
  return out;
}

/** Per cent change of each figure's average from minutes [a0, a1) to [b0, b1), and of the heap's floor (its lowest sample). */
export function change(samples: readonly SoakSample[], a: [number, number], b: [number, number]): Record<string, number | undefined> {
  const wa = within(samples, a[0] * 60, a[1] * 60);
  const wb = within(samples, b[0] * 60, b[1] * 60);
  const out: Record<string, number | undefined> = {};
  for (const k of FIGURES) {
    const x = avg(wa, k);
    const y = avg(wb, k);
    out[k] = x && y !== undefined ? Math.round((y / x - 1) * 1000) / 10 : undefined;
  }
  const floor = (w: readonly SoakSample[]) => Math.min(...w.map((s) => s.heapUsedMb ?? Infinity));
  const [fa, fb] = [floor(wa), floor(wb)];
  if (Number.isFinite(fa) && Number.isFinite(fb) && fa > 0) out.heapUsedMinMb = Math.round((fb / fa - 1) * 1000) / 10;
  return out;
}

/**
 * When every table the load fills is full: the first sample after every transaction of the
 * data was validated once (the verdict cache then holds all of them, and the workers, which
 * get no job afterwards, every signature and script they will see). Seconds, or undefined.
 */
export function cachesFullAt(samples: readonly SoakSample[], transactions: number): number | undefined {
  return samples.find((s) => (s.validated ?? 0) >= transactions)?.t;
}
