/** Transactions of an exact weight, for tests at the weight and size limits. */

/**
 * The transaction `build(pad)` whose weight is exactly `target`, where `pad` is a number of
 * witness bytes (1 weight unit each, plus the length prefix): the pad is corrected by the
 * difference until the weight matches.
 */
export function withWeight<T extends { weight: number }>(target: number, build: (pad: number) => T): T {
  let pad = 0;
  for (let i = 0; i < 8; i++) {
    const t = build(pad);
    if (t.weight === target) return t;
    pad += target - t.weight;
    if (pad < 0) break;
  }
  throw new Error(`no transaction of weight ${target}`);
}
