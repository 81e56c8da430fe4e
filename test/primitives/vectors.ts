/** Reads files from test/vectors/ (shared by the primitives tests; not a test file itself). */
import { readFileSync } from 'node:fs';

const ROOT = new URL('../vectors/', import.meta.url);

export function readVector(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(rel, ROOT)));
}

export function readVectorJson<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(new URL(rel, ROOT), 'utf8')) as T;
}

/** Every raw block file in test/vectors with what is known about it. */
export const RAW_BLOCKS: { file: string; hash?: string; txs: number }[] = [
  { file: 'bcoin/block1.raw', hash: '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048', txs: 1 },
  { file: 'bcoin/block300025.raw', hash: '0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c', txs: 461 },
  { file: 'bcoin/block426884.raw', txs: 409 },
  { file: 'bcoin/block482683.raw', txs: 12 },
  { file: 'bcoin/block898352.raw', txs: 10 },
  { file: 'bcoin/block1087400.raw', txs: 97 },
  { file: 'bcoin/block928816.raw', txs: 889 },
  { file: 'bcoin/block928828.raw', txs: 201 },
  { file: 'bcoin/block928831.raw', txs: 915 },
  { file: 'bcoin/block928848.raw', txs: 676 },
  { file: 'bcoin/block928849.raw', txs: 993 },
  { file: 'bcoin/block928927.raw', txs: 914 },
  { file: 'bitcoin-core/block413567.raw', hash: '0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069', txs: 1557 },
  { file: 'btcd/277647.block.raw', hash: '0000000000000000054a714e580b16c583701712ab91060e92dbde6eb1e052a8', txs: 213 },
  { file: 'floresta/block_367891.raw', hash: '000000000000000012ea0ca9579299ec120e3f57e7c309216884872592b29970', txs: 420 },
];

/** Mainnet blocks 0-4 from btcd's blk_0_to_4.dat (magic ‖ u32 length ‖ block, repeated). */
export function readBlk0to4(): Uint8Array[] {
  const f = readVector('btcd/blk_0_to_4.dat');
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < f.length) {
    const len = (f[o + 4]! | (f[o + 5]! << 8) | (f[o + 6]! << 16) | (f[o + 7]! << 24)) >>> 0;
    out.push(f.subarray(o + 8, o + 8 + len));
    o += 8 + len;
  }
  return out;
}
