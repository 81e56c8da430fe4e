/**
 * Output and transaction standardness (policy/policy.cpp: GetDustThreshold, IsDust,
 * GetDust, IsStandard, IsStandardTx) with Core v30 defaults.
 */
import { txOutSize, WITNESS_SCALE_FACTOR, type Transaction, type TxOut } from '../primitives/tx.ts';
import { isPushOnly, isUnspendable, witnessProgram } from '../script/script.ts';
import {
  MAX_DUST_OUTPUTS_PER_TX, MAX_STANDARD_SCRIPTSIG_SIZE, MAX_STANDARD_TX_WEIGHT, TX_MAX_STANDARD_VERSION,
  TX_MIN_STANDARD_VERSION, type PolicyOptions,
} from './constants.ts';
import { feeForVsize } from './feerate.ts';
import { commonOutputType, solver, type TxoutType } from './solver.ts';

export type PolicyCheck = { ok: true } | { ok: false; reason: string; details?: string };

/**
 * GetDustThreshold: the value below which an output costs more to spend than it is worth
 * at `dustRelayFeeRate` (sat/kvB). Spending is priced as a 148-byte input, or 67 vbytes
 * (32+4+1+107/4+4) for witness programs; unspendable outputs are never dust.
 */
export function getDustThreshold(out: TxOut, dustRelayFeeRate: number): bigint {
  if (isUnspendable(out.scriptPubKey)) return 0n;
  let size = txOutSize(out);
  if (witnessProgram(out.scriptPubKey)) size += 32 + 4 + 1 + Math.floor(107 / WITNESS_SCALE_FACTOR) + 4;
  else size += 32 + 4 + 1 + 107 + 4;
  return feeForVsize(dustRelayFeeRate, size);
}

/** IsDust. */
export function isDust(out: TxOut, dustRelayFeeRate: number): boolean {
  const spk = out.scriptPubKey;
  if (isUnspendable(spk)) return out.value < 0n;
  // getDustThreshold in plain numbers while the product is exact (always, for sane rates).
  const n = spk.length;
  const isWitness = n >= 4 && n <= 42 && (spk[0] === 0 || (spk[0]! >= 0x51 && spk[0]! <= 0x60)) && spk[1]! + 2 === n;
  const size = txOutSize(out) + (isWitness ? 32 + 4 + 1 + Math.floor(107 / WITNESS_SCALE_FACTOR) + 4 : 32 + 4 + 1 + 107 + 4);
  const num = dustRelayFeeRate * size;
  // (Bounded well inside 2^53 so that the division below rounds like the integer one.)
  if (!Number.isInteger(num) || Math.abs(num) > 2 ** 40) return out.value < getDustThreshold(out, dustRelayFeeRate);
  // feeForVsize: rounded up for a positive product, truncated toward zero otherwise.
  const threshold = num > 0 ? Math.floor((num + 999) / 1000) : Math.trunc(num / 1000);
  return out.value < threshold;
}

/** GetDust: indexes of every dust output. */
export function getDust(tx: { outputs: TxOut[] }, dustRelayFeeRate: number): number[] {
  const out: number[] = [];
  const outs = tx.outputs;
  for (let i = 0; i < outs.length; i++) if (isDust(outs[i]!, dustRelayFeeRate)) out.push(i);
  return out;
}

const COMMON_STANDARD: Partial<Record<TxoutType, { standard: boolean; type: TxoutType }>> = Object.freeze({
  witness_v0_keyhash: Object.freeze({ standard: true, type: 'witness_v0_keyhash' as const }),
  witness_v0_scripthash: Object.freeze({ standard: true, type: 'witness_v0_scripthash' as const }),
  witness_v1_taproot: Object.freeze({ standard: true, type: 'witness_v1_taproot' as const }),
  scripthash: Object.freeze({ standard: true, type: 'scripthash' as const }),
  pubkeyhash: Object.freeze({ standard: true, type: 'pubkeyhash' as const }),
});

/**
 * IsStandard(scriptPubKey): every Solver type but NONSTANDARD, with bare multisig limited
 * to 1 ≤ m ≤ n ≤ 3. (NULL_DATA size is budgeted per transaction by IsStandardTx in v30.)
 */
export function isStandardScriptPubKey(spk: Uint8Array): { standard: boolean; type: TxoutType } {
  const common = commonOutputType(spk);
  if (common) return COMMON_STANDARD[common]!;
  const { type, solutions } = solver(spk);
  if (type === 'nonstandard') return { standard: false, type };
  if (type === 'multisig') {
    const m = solutions[0]![0]!;
    const n = solutions[solutions.length - 1]![0]!;
    if (n < 1 || n > 3 || m < 1 || m > n) return { standard: false, type };
  }
  return { standard: true, type };
}

/**
 * IsStandardTx (policy.cpp), in Core's order: version, tx-size, scriptsig-size,
 * scriptsig-not-pushonly, scriptpubkey, datacarrier (one budget shared by all OP_RETURN
 * outputs), bare-multisig, dust (more than MAX_DUST_OUTPUTS_PER_TX dust outputs).
 */
export function isStandardTx(
  tx: Transaction,
  opts: Pick<PolicyOptions, 'maxDatacarrierBytes' | 'permitBareMultisig' | 'dustRelayFeeRate'>,
): PolicyCheck {
  // Core compares the uint32 version as given (v28+ CTransaction::version is uint32_t).
  if (tx.version > TX_MAX_STANDARD_VERSION || tx.version < TX_MIN_STANDARD_VERSION) {
    return { ok: false, reason: 'version' };
  }
  if (tx.weight > MAX_STANDARD_TX_WEIGHT) return { ok: false, reason: 'tx-size' };
  for (const txin of tx.inputs) {
    if (txin.scriptSig.length > MAX_STANDARD_SCRIPTSIG_SIZE) return { ok: false, reason: 'scriptsig-size' };
    if (!isPushOnly(txin.scriptSig)) return { ok: false, reason: 'scriptsig-not-pushonly' };
  }
  let datacarrierLeft = opts.maxDatacarrierBytes ?? 0;
  for (const out of tx.outputs) {
    const { standard, type } = isStandardScriptPubKey(out.scriptPubKey);
    if (!standard) return { ok: false, reason: 'scriptpubkey' };
    if (type === 'nulldata') {
      const size = out.scriptPubKey.length;
      if (size > datacarrierLeft) return { ok: false, reason: 'datacarrier' };
      datacarrierLeft -= size;
    } else if (type === 'multisig' && !opts.permitBareMultisig) {
      return { ok: false, reason: 'bare-multisig' };
    }
  }
  // Only MAX_DUST_OUTPUTS_PER_TX dust is permitted (on otherwise valid ephemeral dust).
  if (getDust(tx, opts.dustRelayFeeRate).length > MAX_DUST_OUTPUTS_PER_TX) return { ok: false, reason: 'dust' };
  return { ok: true };
}

/**
 * PreCheckEphemeralTx (policy/ephemeral_policy.cpp): a transaction with a dust output must
 * pay no fee, so it has no incentive to be mined without the child spending the dust.
 */
export function preCheckEphemeralTx(tx: { outputs: TxOut[] }, dustRelayFeeRate: number, fee: bigint): PolicyCheck {
  if (fee !== 0n && getDust(tx, dustRelayFeeRate).length > 0) {
    return { ok: false, reason: 'dust', details: 'tx with dust output must be 0-fee' };
  }
  return { ok: true };
}
