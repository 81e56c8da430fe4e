/** Amount formatting as Core writes it in reject details. */

/** FormatMoney (util/moneystr.cpp): BTC with 8 decimals, trailing zeros trimmed down to two decimals. */
export function formatMoney(sats: number | bigint): string {
  const n = BigInt(sats);
  const neg = n < 0n;
  const a = neg ? -n : n;
  let s = `${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, '0')}`;
  while (s.endsWith('0') && s[s.length - 3] !== '.') s = s.slice(0, -1);
  return neg ? '-' + s : s;
}
