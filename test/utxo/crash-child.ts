/**
 * Child process of utxo-store.test.ts: `<dir> a` saves state A; `<dir> b-slow` saves a
 * bigger state B slowly, printing "progress" after each chunk (the test kills it then);
 * `<dir> b` saves state B normally. Prints "done" at the end.
 */
import { UtxoStore } from '../../src/node/utxo-store.ts';
import { loadSnapshot } from '../../src/utxo/snapshot.ts';
import { UtxoSet } from '../../src/utxo/set.ts';
import { encodeSnapshot, synthGroups } from './synthetic.ts';

export const A_COINS = 3000;
export const B_COINS = 60_000;

export async function stateA(): Promise<UtxoSet> {
  const set = UtxoSet.create({ indexSegments: 1, heapSegments: 2 });
  const add = [];
  for (const g of synthGroups(A_COINS, 7)) for (const c of g.coins) add.push({ txid: g.txid, vout: c.vout, coin: c.coin });
  set.applyBatch({ add });
  return set;
}

export async function stateB(): Promise<UtxoSet> {
  return (await loadSnapshot(encodeSnapshot(synthGroups(B_COINS, 8), B_COINS, new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]), new Uint8Array(32)))).set;
}

if (import.meta.main ?? (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!))) {
  const [dir, mode] = process.argv.slice(-2) as [string, string];
  const store = await UtxoStore.open(dir);
  if (mode === 'a') {
    await store.save(await stateA(), { height: 1, hash: 'aa' });
  } else {
    const set = await stateB();
    await store.save(set, { height: 2, hash: 'bb' }, {
      onProgress: mode === 'b-slow' ? async () => {
        process.stdout.write('progress\n');
        await new Promise((r) => setTimeout(r, 200));
      } : undefined,
    });
  }
  process.stdout.write('done\n');
}
