/**
 * getblockchaininfo's chain fields (rpc/blockchain.cpp) from a chain state: the tip, the
 * best header height (failed headers left out), difficulty and chain work; the node keeps
 * only recent blocks, so `pruned` is true.
 */
import type { ChainInfo } from '../api/deps.ts';
import type { BlockIndex } from '../chain/block-index.ts';
import type { ChainState } from '../chain/chainstate.ts';
import type { NetworkName } from '../chain/params.ts';
import { difficultyOf } from '../chain/pow.ts';
import type { ChainContext } from '../validation/prechecks.ts';

const CORE_CHAIN_NAMES = { mainnet: 'main', testnet3: 'test', testnet4: 'testnet4', signet: 'signet', regtest: 'regtest' } as const;

export function chainInfo(chain: ChainState, network: NetworkName): ChainInfo {
  const t = chain.tip;
  const bits = t.header.bits;
  const headers = chain.headerHeight;
  return {
    chain: CORE_CHAIN_NAMES[network], blocks: t.height, headers, bestblockhash: t.hashHex,
    bits: bits.toString(16).padStart(8, '0'), time: t.time, mediantime: t.medianTimePast(),
    chainwork: t.chainWork.toString(16).padStart(64, '0'), difficulty: difficultyOf(bits), pruned: true,
  };
}

/**
 * The chain context of the tip (what PreChecks judge a loose transaction against), made once
 * per tip: every acceptance asks for it, and the tip's median time past sorts 11 timestamps.
 * `mtpAt` reads the chain state as it is at the call.
 */
export class TipContext {
  private tip: BlockIndex | undefined;
  private ctx: ChainContext | undefined;
  constructor(private readonly chain: () => ChainState) {}

  get(): ChainContext {
    const t = this.chain().tip;
    if (!t.is(this.tip) || !this.ctx) {
      this.ctx = { height: t.height, mtp: t.medianTimePast(), mtpAt: (h: number) => this.chain().atHeight(h)?.medianTimePast() };
      this.tip = t;
    }
    return this.ctx;
  }
}
