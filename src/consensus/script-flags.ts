/** GetBlockScriptFlags (validation.cpp): the script verification flags a block is checked with. */
import { hashToHex } from '../primitives/bytes.ts';
import { SCRIPT_VERIFY } from '../script/flags.ts';
import { deploymentActiveAt, type ConsensusParams } from './params.ts';

/**
 * P2SH, WITNESS and TAPROOT are always on except in the blocks listed in
 * script_flag_exceptions (the BIP16 and taproot violators); DERSIG, CLTV, CSV and NULLDUMMY
 * (with segwit) by height. `blockHash` is in internal byte order.
 */
export function getBlockScriptFlags(p: ConsensusParams, height: number, blockHash?: Uint8Array): number {
  let flags: number = SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS | SCRIPT_VERIFY.TAPROOT;
  if (blockHash && p.scriptFlagExceptions.size > 0) {
    const ex = p.scriptFlagExceptions.get(hashToHex(blockHash));
    if (ex !== undefined) flags = ex;
  }
  if (deploymentActiveAt(p, height, 'dersig')) flags |= SCRIPT_VERIFY.DERSIG;
  if (deploymentActiveAt(p, height, 'cltv')) flags |= SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY;
  if (deploymentActiveAt(p, height, 'csv')) flags |= SCRIPT_VERIFY.CHECKSEQUENCEVERIFY;
  // Enforce BIP147 NULLDUMMY (activated simultaneously with segwit)
  if (deploymentActiveAt(p, height, 'segwit')) flags |= SCRIPT_VERIFY.NULLDUMMY;
  return flags;
}
