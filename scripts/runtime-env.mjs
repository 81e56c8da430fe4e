import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Environment a runtime is started with by the package scripts (`bun run serve`, `bun run
// demo`) and by the benchmarks that start servers, so that both run the same way. A value
// already set in the environment wins.
//
// Bun: MIMALLOC_PURGE_DELAY=1000 keeps memory that mimalloc freed for a second before
// returning it to the OS, instead of mimalloc's 10 ms, after which it is faulted back in on
// the next allocation. A 2 MB block through 2 workers (bench/block-workers.bench.ts): 47–57
// -> 29–30 µs per input against 10 ms (2026-11-25), and the same as never returning it
// (-1) on the five testnet3 blocks (2026-12-08, interleaved); under a steady HTTP load -1
// doubled the resident memory, while a second keeps it flat (bench/README.md, Soak).
export function runtimeEnv(runtime, env = process.env) {
  if (runtime !== 'bun') return {};
  return { MIMALLOC_PURGE_DELAY: env.MIMALLOC_PURGE_DELAY ?? '1000' };
}

// Which runtime a package script was started by: `bun run serve` sets npm_config_user_agent
// to bun/…, but `npx bun run serve` (bun from this project's devDependencies, not on PATH)
// keeps npm's variables, so the names of the script's parent processes are looked at too.
export function launcherRuntime(env, ancestors) {
  if ((env.npm_config_user_agent ?? '').startsWith('bun')) return 'bun';
  return ancestors.some((name) => /^bun(\.exe)?$/.test(name.split('/').pop() ?? '')) ? 'bun' : 'node';
}

// The executable names of this process's parent and grandparent (Linux /proc, else `ps`).
export function ancestorNames(levels = 2) {
  const names = [];
  let pid = process.ppid;
  for (let i = 0; i < levels && pid > 1; i++) {
    const info = processInfo(pid);
    if (!info) break;
    names.push(info.comm);
    pid = info.ppid;
  }
  return names;
}

function processInfo(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return { comm: st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')), ppid: Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) };
  } catch { /* not Linux */ }
  try {
    const m = /^\s*(\d+)\s+(.*)$/.exec(execFileSync('ps', ['-o', 'ppid=,comm=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    if (m) return { ppid: Number(m[1]), comm: m[2] };
  } catch { /* no ps */ }
  return undefined;
}
