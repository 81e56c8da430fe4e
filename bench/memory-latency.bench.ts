/**
 * The machine's floor under a UTXO lookup: the time of one *dependent*
 * random read in a buffer as large as the table (a cyclic pointer chase over 64-byte lines
 * in random order, so that no read can start before the one before it ends — as a lookup's
 * reads cannot), in shared memory, with the default 4 KiB pages and, where the runtime can
 * call libc (Deno FFI, bun:ffi), after madvise(MADV_HUGEPAGE) on the buffer (transparent
 * huge pages are `madvise`-only on this machine; /proc/self/smaps_rollup's AnonHugePages
 * says whether the kernel gave them). Node has no FFI: 4 KiB pages only.
 *
 *   node --import tsx bench/memory-latency.bench.ts [MiB,... default 64,1024]
 *   npx bun bench/memory-latency.bench.ts
 *   npx deno run -A --unstable-ffi bench/memory-latency.bench.ts
 *
 * The two modes alternate (4k, huge, 4k, huge, …, 3 rounds); each prints the median.
 */
import { runtimeLabel } from '../src/runtime/crypto/runtime-info.ts';
import { chaseNs } from './chase.ts';

type Madvise = (u8: Uint8Array) => number;
const MADV_HUGEPAGE = 14;
const HUGE = 2 * 1024 * 1024;
const G = globalThis as unknown as {
  Deno?: {
    args: string[];
    dlopen(lib: string, s: Record<string, { parameters: string[]; result: string }>): { symbols: { madvise(p: bigint, n: bigint, a: number): number } };
    UnsafePointer: { of(b: Uint8Array): unknown; value(p: unknown): bigint | number };
    readTextFileSync(p: string): string;
  };
  Bun?: unknown;
  process?: { argv: string[] };
};

/** madvise(MADV_HUGEPAGE) over the 2 MiB-aligned part of a buffer, where the runtime can call libc. */
async function hugeMadvise(): Promise<Madvise | undefined> {
  const range = (addr: bigint, len: number): [bigint, bigint] => {
    const start = (addr + BigInt(HUGE - 1)) & ~BigInt(HUGE - 1);
    return [start, (BigInt(len) - (start - addr)) & ~BigInt(HUGE - 1)];
  };
  if (G.Deno) {
    try {
      const libc = G.Deno.dlopen('libc.so.6', { madvise: { parameters: ['usize', 'usize', 'i32'], result: 'i32' } });
      return (u8) => {
        const [s, n] = range(BigInt(G.Deno!.UnsafePointer.value(G.Deno!.UnsafePointer.of(u8))), u8.byteLength);
        return libc.symbols.madvise(s, n, MADV_HUGEPAGE);
      };
    } catch {
      return undefined;
    }
  }
  if (G.Bun) {
    const ffi = (await import('bun:ffi' as string)) as {
      dlopen(lib: string, s: Record<string, { args: string[]; returns: string }>): { symbols: { madvise(p: number, n: number, a: number): number } };
      ptr(u8: Uint8Array): number;
    };
    const libc = ffi.dlopen('libc.so.6', { madvise: { args: ['usize', 'usize', 'i32'], returns: 'i32' } });
    return (u8) => {
      const [s, n] = range(BigInt(ffi.ptr(u8)), u8.byteLength);
      return libc.symbols.madvise(Number(s), Number(n), MADV_HUGEPAGE);
    };
  }
  return undefined;
}

async function anonHugeKiB(): Promise<number> {
  const fs = await import('node:fs');
  return Number(fs.readFileSync('/proc/self/smaps_rollup', 'utf8').match(/AnonHugePages:\s+(\d+)/)?.[1] ?? NaN);
}

/** ns per dependent random read over `bytes` of shared memory, madvised first if asked. */
function chase(bytes: number, madvise: Madvise | undefined): { ns: number; madvised: boolean } {
  const sab = new SharedArrayBuffer(bytes);
  const madvised = madvise ? madvise(new Uint8Array(sab)) === 0 : false;
  return { ns: chaseNs(sab, 2_000_000), madvised };
}

const argv = G.Deno?.args ?? G.process?.argv.slice(2) ?? [];
const sizes = (argv.find((x) => /^\d/.test(x)) ?? '64,1024').split(',').map(Number);
const madvise = await hugeMadvise();
console.log(`memory-latency bench — ${runtimeLabel()} — ${new Date().toISOString().slice(0, 16)}Z`);
const thp = await import('node:fs').then((fs) => fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim()).catch(() => '?');
console.log(`transparent huge pages: ${thp}; madvise from this runtime: ${madvise ? 'yes' : 'no (no FFI)'}`);
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
for (const mib of sizes) {
  const small: number[] = [];
  const huge: number[] = [];
  let hugeKiB = 0;
  for (let r = 0; r < 3; r++) {
    small.push(chase(mib << 20, undefined).ns);
    if (madvise) {
      const before = await anonHugeKiB();
      const h = chase(mib << 20, madvise);
      hugeKiB = Math.max(hugeKiB, (await anonHugeKiB()) - before);
      if (h.madvised) huge.push(h.ns);
    }
  }
  console.log(`  ${mib} MiB: dependent random read ${med(small).toFixed(0)} ns with 4 KiB pages` +
    (huge.length ? `, ${med(huge).toFixed(0)} ns after madvise(MADV_HUGEPAGE) (AnonHugePages grew by ${(hugeKiB / 1024).toFixed(0)} MiB)` : ''));
}
