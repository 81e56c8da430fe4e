/**
 * AcceptBlockHeader's checks of one header on top of its parent (validation.cpp):
 * CheckBlockHeader (proof of work against the header's own bits) and
 * ContextualCheckBlockHeader (the bits GetNextWorkRequired asks for, the timestamp after the
 * parent's median time past and not too far ahead of `now`, BIP94, the version). Shared by
 * block submission (chainstate.ts) and headers-first sync (src/p2p/headers.ts).
 */
import { checkBlockHeader, type BlockCheckResult } from '../consensus/block-check.ts';
import { contextualCheckBlockHeader } from '../consensus/block-contextual.ts';
import type { BlockHeader } from '../primitives/block.ts';
import type { BlockIndex } from './block-index.ts';
import type { ChainParams } from './params.ts';
import { getNextWorkRequired } from './pow.ts';

export function checkHeaderOnParent(header: BlockHeader, prev: BlockIndex, p: ChainParams, now?: number): BlockCheckResult {
  const h = checkBlockHeader(header, p);
  if (!h.ok) return h;
  return contextualCheckBlockHeader(header, {
    height: prev.height + 1,
    expectedBits: getNextWorkRequired(prev, header.time, p),
    prevMtp: prev.medianTimePast(),
    prevTime: prev.time,
    ...(now === undefined ? {} : { now }),
  }, p);
}
