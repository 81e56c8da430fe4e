/**
 * Child process of mempool-dat-persistence.test.ts: `<dir> a` saves mempool state A;
 * `<dir> b-slow` saves a bigger state B slowly, printing "progress" after each chunk (the
 * test SIGKILLs it then). Prints "done" at the end.
 */
import process from 'node:process';
import { NodeStore, type MempoolRecord } from '../../src/node/persist.ts';

export function records(n: number, seed: number): MempoolRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    tx: Uint8Array.from({ length: 200 + (i % 50) }, (_, k) => (k * 31 + i * 7 + seed) & 0xff),
    time: 1_700_000_000 + i,
    feeDelta: i % 3 === 0 ? -i || 0 : i,
  }));
}
export const A = 50;
export const B = 2000;

if (process.argv.length >= 4 && /mempool-dat-crash-child/.test(process.argv.find((a) => a.includes('mempool-dat-crash-child')) ?? '')) {
  const [dir, mode] = process.argv.slice(-2) as [string, string];
  const store = await NodeStore.open(dir, new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]));
  if (mode === 'a') await store.saveMempool(records(A, 1));
  else {
    await store.saveMempool(records(B, 2), {
      onProgress: async () => {
        process.stdout.write('progress\n');
        await new Promise((r) => setTimeout(r, 300));
      },
    });
  }
  process.stdout.write('done\n');
}
