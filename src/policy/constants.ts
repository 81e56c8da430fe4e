/**
 * Bitcoin Core v30 relay-policy constants (policy/policy.h, policy/truc_policy.h,
 * consensus/consensus.h) and the script verification flag sets of policy.h.
 */
import { SCRIPT_VERIFY } from '../script/flags.ts';

/** MAX_STANDARD_TX_WEIGHT: the largest weight we relay ("tx-size"). */
export const MAX_STANDARD_TX_WEIGHT = 400_000;
/** MIN_STANDARD_TX_NONWITNESS_SIZE: one larger than 64 (CVE-2017-12842, "tx-size-small"). */
export const MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
/** MAX_P2SH_SIGOPS: sigops allowed in a standard P2SH redeem script. */
export const MAX_P2SH_SIGOPS = 15;
/** MAX_BLOCK_SIGOPS_COST (consensus.h). */
export const MAX_BLOCK_SIGOPS_COST = 80_000;
/** MAX_STANDARD_TX_SIGOPS_COST = MAX_BLOCK_SIGOPS_COST / 5. */
export const MAX_STANDARD_TX_SIGOPS_COST = MAX_BLOCK_SIGOPS_COST / 5;
/** MAX_TX_LEGACY_SIGOPS (v30, BIP54 preparation, #32521): potentially executed legacy sigops per tx. */
export const MAX_TX_LEGACY_SIGOPS = 2_500;
/** DEFAULT_BYTES_PER_SIGOP (-bytespersigop). */
export const DEFAULT_BYTES_PER_SIGOP = 20;
/** DEFAULT_PERMIT_BAREMULTISIG (-permitbaremultisig). */
const DEFAULT_PERMIT_BAREMULTISIG = true;
export const MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
export const MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
export const MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
export const MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3_600;
export const MAX_STANDARD_SCRIPTSIG_SIZE = 1_650;
/** DUST_RELAY_TX_FEE in sat/kvB (-dustrelayfee). */
export const DUST_RELAY_TX_FEE = 3_000;
/** DEFAULT_MIN_RELAY_TX_FEE in sat/kvB (-minrelaytxfee; 100 since v30). */
export const DEFAULT_MIN_RELAY_TX_FEE = 100;
/** DEFAULT_INCREMENTAL_RELAY_FEE in sat/kvB (100 since v30). */
export const DEFAULT_INCREMENTAL_RELAY_FEE = 100;
/** DEFAULT_ACCEPT_DATACARRIER (-datacarrier). */
const DEFAULT_ACCEPT_DATACARRIER = true;
/** MAX_OP_RETURN_RELAY (v30): MAX_STANDARD_TX_WEIGHT / WITNESS_SCALE_FACTOR, shared by all OP_RETURN outputs. */
export const MAX_OP_RETURN_RELAY = 100_000;
/** MAX_DUST_OUTPUTS_PER_TX: one (ephemeral) dust output is allowed if the tx pays zero fee. */
export const MAX_DUST_OUTPUTS_PER_TX = 1;
/** TX_MIN_STANDARD_VERSION / TX_MAX_STANDARD_VERSION (v1, v2 and TRUC v3). */
export const TX_MIN_STANDARD_VERSION = 1;
export const TX_MAX_STANDARD_VERSION = 3;
/** TRUC_VERSION and TRUC_MAX_VSIZE (policy/truc_policy.h). */
export const TRUC_VERSION = 3;
export const TRUC_MAX_VSIZE = 10_000;
/** DEFAULT_MAX_RAW_TX_FEE_RATE (node/transaction.h): 0.10 BTC/kvB, in sat/kvB; 0 = no limit. */
export const DEFAULT_MAX_RAW_TX_FEE_RATE = 10_000_000;

const F = SCRIPT_VERIFY;

/** MANDATORY_SCRIPT_VERIFY_FLAGS (policy.h): the soft forks every block enforces. */
export const MANDATORY_SCRIPT_VERIFY_FLAGS =
  F.P2SH | F.DERSIG | F.NULLDUMMY | F.CHECKLOCKTIMEVERIFY | F.CHECKSEQUENCEVERIFY | F.WITNESS | F.TAPROOT;

/** STANDARD_SCRIPT_VERIFY_FLAGS (policy.h): what mempool acceptance verifies scripts with. */
export const STANDARD_SCRIPT_VERIFY_FLAGS =
  MANDATORY_SCRIPT_VERIFY_FLAGS |
  F.STRICTENC | F.MINIMALDATA | F.DISCOURAGE_UPGRADABLE_NOPS | F.CLEANSTACK | F.MINIMALIF | F.NULLFAIL |
  F.LOW_S | F.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM | F.WITNESS_PUBKEYTYPE | F.CONST_SCRIPTCODE |
  F.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION | F.DISCOURAGE_OP_SUCCESS | F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

/** STANDARD_NOT_MANDATORY_VERIFY_FLAGS (policy.h). */
export const STANDARD_NOT_MANDATORY_VERIFY_FLAGS = STANDARD_SCRIPT_VERIFY_FLAGS & ~MANDATORY_SCRIPT_VERIFY_FLAGS;

/**
 * Node options that shape policy (Core's MemPoolOptions + testmempoolaccept's maxfeerate).
 * Fee rates are integer sat/kvB, as Core's CFeeRate.
 */
export interface PolicyOptions {
  /** Core's require_standard (false with -acceptnonstdtxn). */
  requireStandard: boolean;
  /** -datacarriersize budget shared by every OP_RETURN output; null = -datacarrier=0. */
  maxDatacarrierBytes: number | null;
  permitBareMultisig: boolean;
  dustRelayFeeRate: number;
  minRelayFeeRate: number;
  bytesPerSigop: number;
  /** testmempoolaccept's maxfeerate (sat/kvB); 0 disables the check. */
  maxFeeRate: number;
}

export const DEFAULT_POLICY: Readonly<PolicyOptions> = Object.freeze({
  requireStandard: true,
  maxDatacarrierBytes: MAX_OP_RETURN_RELAY,
  permitBareMultisig: DEFAULT_PERMIT_BAREMULTISIG,
  dustRelayFeeRate: DUST_RELAY_TX_FEE,
  minRelayFeeRate: DEFAULT_MIN_RELAY_TX_FEE,
  bytesPerSigop: DEFAULT_BYTES_PER_SIGOP,
  maxFeeRate: DEFAULT_MAX_RAW_TX_FEE_RATE,
});

/** Defaults overlaid with the given options (undefined fields keep the default). */
export function policyOptions(o: Partial<PolicyOptions> = {}): PolicyOptions {
  const d = DEFAULT_POLICY;
  // Field by field (no Object.entries): this runs once per validated transaction.
  return {
    requireStandard: o.requireStandard !== undefined ? o.requireStandard : d.requireStandard,
    maxDatacarrierBytes: o.maxDatacarrierBytes !== undefined ? o.maxDatacarrierBytes : d.maxDatacarrierBytes,
    permitBareMultisig: o.permitBareMultisig !== undefined ? o.permitBareMultisig : d.permitBareMultisig,
    dustRelayFeeRate: o.dustRelayFeeRate !== undefined ? o.dustRelayFeeRate : d.dustRelayFeeRate,
    minRelayFeeRate: o.minRelayFeeRate !== undefined ? o.minRelayFeeRate : d.minRelayFeeRate,
    bytesPerSigop: o.bytesPerSigop !== undefined ? o.bytesPerSigop : d.bytesPerSigop,
    maxFeeRate: o.maxFeeRate !== undefined ? o.maxFeeRate : d.maxFeeRate,
  };
}
