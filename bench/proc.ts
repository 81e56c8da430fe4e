/**
 * CPU time per thread of a process, from Linux /proc (empty elsewhere): where a run's time
 * goes — the main thread, the validation workers, the runtime's own JIT, GC and allocator
 * threads. Keys are `tid:name`, values milliseconds (utime + stime, 10 ms ticks).
 */
import { readdirSync, readFileSync } from 'node:fs';

export function threadCpuMs(pid: number | 'self'): Map<string, number> {
  return perThread(pid, (dir) => {
    const st = readFileSync(`${dir}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  });
}

/** `read(/proc/PID/task/TID)` for every thread, keyed `tid:name`; threads that end (or throw) are left out. */
function perThread(pid: number | 'self', read: (dir: string) => number | undefined): Map<string, number> {
  const m = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return m;
  }
  for (const t of tids) {
    try {
      const dir = `/proc/${pid}/task/${t}`;
      const v = read(dir);
      if (v !== undefined) m.set(`${t}:${readFileSync(`${dir}/comm`, 'utf8').trim()}`, v);
    } catch { /* the thread ended */ }
  }
  return m;
}

/**
 * The CPU each thread used between two readings, split as: the main thread (tid = pid), the
 * `busiest` busiest other threads (the validation workers, when they are the busiest), and
 * the rest. Also returns every thread's share, busiest first.
 */
export function splitThreads(before: Map<string, number>, after: Map<string, number>, pid: number, busiest: number):
  { main: number; top: number[]; rest: number; all: [string, number][] } {
  const d = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as [string, number]).filter(([, v]) => v > 0);
  const main = d.filter(([k]) => k.split(':')[0] === String(pid)).reduce((a, [, v]) => a + v, 0);
  const others = d.filter(([k]) => k.split(':')[0] !== String(pid)).sort((x, y) => y[1] - x[1]);
  return { main, top: others.slice(0, busiest).map(([, v]) => v), rest: others.slice(busiest).reduce((a, [, v]) => a + v, 0), all: others };
}

/**
 * Time each thread of a process spent runnable but not running (waiting on a run queue for
 * a CPU), from /proc/PID/task/TID/schedstat (nanoseconds; empty where the kernel has no
 * schedstats): on a busy machine, the time other threads took from it. Keys as threadCpuMs,
 * values milliseconds.
 */
export function threadWaitMs(pid: number | 'self'): Map<string, number> {
  return schedstatMs(pid, 1);
}

/** Time each thread of a process ran on a CPU, from schedstat (ns resolution, unlike the 10 ms ticks of threadCpuMs). */
export function threadRunMs(pid: number | 'self'): Map<string, number> {
  return schedstatMs(pid, 0);
}

function schedstatMs(pid: number | 'self', field: 0 | 1): Map<string, number> {
  return perThread(pid, (dir) => {
    const f = readFileSync(`${dir}/schedstat`, 'utf8').trim().split(' ');
    return f.length >= 2 ? Number(f[field]) / 1e6 : undefined;
  });
}
