/**
 * The consensus parameters a check needs (Core's Consensus::Params, consensus/params.h). The
 * values for each network live in src/chain/params.ts.
 */
export type NetworkName = 'mainnet' | 'testnet3' | 'testnet4' | 'signet' | 'regtest';

export interface ConsensusParams {
  network: NetworkName;
  /** Display-order hex of the genesis block hash. */
  genesisHash: string;
  subsidyHalvingInterval: number;
  /** BIP34 (height in coinbase) activation height and the hash of the block at that height
   *  (display hex; all-zero when no such block: then BIP30 stays enforced, as on regtest). */
  bip34Height: number;
  bip34Hash: string;
  bip65Height: number;
  bip66Height: number;
  csvHeight: number;
  segwitHeight: number;
  /** Taproot activation (informational: Core applies TAPROOT script flags to every block). */
  taprootHeight: number;
  /** GetBlockScriptVerifyFlags exceptions: block hash (display hex) -> flags used instead of the default. */
  scriptFlagExceptions: ReadonlyMap<string, number>;
  /** IsBIP30Repeat: the two blocks whose coinbases duplicate earlier ones (mainnet). */
  bip30Repeat: readonly { height: number; hash: string }[];
  /** IsBIP30Unspendable: the two blocks whose coinbases were overwritten (mainnet). */
  bip30Unspendable: readonly { height: number; hash: string }[];
  powLimit: bigint;
  powTargetTimespan: number;
  powTargetSpacing: number;
  powAllowMinDifficultyBlocks: boolean;
  powNoRetargeting: boolean;
  /** BIP94 (testnet4): timewarp fix and the retarget base from the period's first block. */
  enforceBIP94: boolean;
}

/** DifficultyAdjustmentInterval. */
export function difficultyAdjustmentInterval(p: ConsensusParams): number {
  return p.powTargetTimespan / p.powTargetSpacing;
}

export type BuriedDeployment = 'heightincb' | 'cltv' | 'dersig' | 'csv' | 'segwit';

/** DeploymentActiveAt for buried deployments: active for blocks at or above the height. */
export function deploymentActiveAt(p: ConsensusParams, height: number, dep: BuriedDeployment): boolean {
  switch (dep) {
    case 'heightincb': return height >= p.bip34Height;
    case 'cltv': return height >= p.bip65Height;
    case 'dersig': return height >= p.bip66Height;
    case 'csv': return height >= p.csvHeight;
    case 'segwit': return height >= p.segwitHeight;
  }
}
