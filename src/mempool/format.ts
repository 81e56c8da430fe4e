/**
 * Core's text formats used in mempool debug strings: FormatMoney (util/moneystr.cpp) and
 * CFeeRate::ToString (policy/feerate.cpp, BTC/kvB mode), and CFeeRate(fee, size) itself.
 */

const COIN = 100_000_000;

export { formatMoney } from '../primitives/amount.ts';

/** CFeeRate(fee, vsize): integer sat/kvB, truncated toward zero (0 for vsize 0). */
export function feeRatePerK(fee: number, vsize: number): number {
  if (vsize <= 0) return 0;
  return Math.trunc((fee * 1000) / vsize);
}

/** CFeeRate::ToString(): "%d.%08d BTC/kvB". */
export function formatFeeRate(satPerK: number): string {
  const neg = satPerK < 0;
  const a = Math.abs(satPerK);
  const s = `${Math.floor(a / COIN)}.${String(a % COIN).padStart(8, '0')} BTC/kvB`;
  return neg ? '-' + s : s;
}

/** CFeeRate::GetFee(vsize) for a non-negative rate: fee rounded up. */
export function feeAtRate(satPerK: number, vsize: number): number {
  return Math.ceil((satPerK * vsize) / 1000);
}
