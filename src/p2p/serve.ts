/**
 * What txgate answers peers that ask it for chain data (net_processing.cpp ProcessGetData
 * and the getheaders handler): headers of the active chain after the locator's fork point,
 * and the blocks it still stores (the last 288: NODE_NETWORK_LIMITED).
 */
import type { ChainState } from '../chain/chainstate.ts';
import type { Block } from '../primitives/block.ts';
import { hashToHex } from '../primitives/bytes.ts';
import { ByteWriter } from '../primitives/codec.ts';
import { encodeTx } from '../primitives/tx.ts';
import type { BlockHeader } from '../primitives/block.ts';
import { MAX_HEADERS_RESULTS } from './protocol.ts';

/** Headers after the first locator hash on the active chain (genesis when none), up to `stop` or 2000. */
export function headersAfter(chain: ChainState, locator: Uint8Array[], stop: Uint8Array): BlockHeader[] {
  let start = 0;
  for (const h of locator) {
    const idx = chain.index.get(hashToHex(h));
    if (idx && chain.isActive(idx)) {
      start = idx.height;
      break;
    }
  }
  const stopHex = hashToHex(stop);
  const out: BlockHeader[] = [];
  for (let h = start + 1; h <= chain.height && out.length < MAX_HEADERS_RESULTS; h++) {
    const idx = chain.atHeight(h)!;
    out.push(idx.header);
    if (idx.hashHex === stopHex) break;
  }
  return out;
}

/** A block without witness data (a MSG_BLOCK request). */
export function strippedBlock(block: Block): Uint8Array {
  const w = new ByteWriter(block.strippedSize + 9);
  w.bytes(block.header.raw).compactSize(block.txs.length);
  for (const tx of block.txs) w.bytes(encodeTx(tx, false));
  return w.finish();
}
