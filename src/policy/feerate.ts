/**
 * Fee rates as Core's CFeeRate: an integer number of satoshis per 1000 virtual bytes.
 */

/**
 * CFeeRate::GetFee(vsize): the fee for `vsize` vbytes, rounded up (Core v30 rounds up via
 * FeeFrac::EvaluateFeeUp; earlier versions used ceil and a 1-sat floor, with the same result
 * for non-negative rates).
 */
export function feeForVsize(satPerKvB: number, vsize: number): bigint {
  const num = BigInt(satPerKvB) * BigInt(vsize);
  if (num <= 0n) return num / 1000n;
  return (num + 999n) / 1000n;
}

/** BTC/kvB (Core's unit for -maxfeerate, -minrelaytxfee and the RPCs' maxfeerate) → integer sat/kvB. */
export function btcPerKvBToSatPerKvB(btcPerKvB: number): number {
  return Math.round(btcPerKvB * 1e8);
}

/** Fee rate in sat/vB for display (fee / vsize), as a float. */
export function feeRateSatPerVb(fee: bigint, vsize: number): number {
  return vsize > 0 ? Number(fee) / vsize : 0;
}
