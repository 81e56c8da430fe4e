/**
 * Flag-set helpers of Bitcoin Core's test harnesses (transaction_tests.cpp: mapFlagNames,
 * TrimFlags, FillFlags, ExcludeIndividualFlags; script_tests.cpp: DoTest's random combos).
 */
import { SCRIPT_VERIFY, formatFlags } from '../../src/script/flags.ts';

const { P2SH, WITNESS, CLEANSTACK } = SCRIPT_VERIFY;

/** mapFlagNames: every named flag (NONE excluded), in Core's map (alphabetical) order. */
export const FLAG_LIST: ReadonlyArray<readonly [string, number]> = Object.entries(SCRIPT_VERIFY)
  .filter(([, v]) => v !== 0)
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** TrimFlags: drop WITNESS without P2SH, then CLEANSTACK without WITNESS. */
export function trimFlags(flags: number): number {
  if (!(flags & P2SH)) flags &= ~WITNESS;
  if (!(flags & WITNESS)) flags &= ~CLEANSTACK;
  return flags;
}

/** FillFlags: CLEANSTACK implies WITNESS, WITNESS implies P2SH. */
export function fillFlags(flags: number): number {
  if (flags & CLEANSTACK) flags |= WITNESS;
  if (flags & WITNESS) flags |= P2SH;
  return flags;
}

/** IsValidFlagCombination's part the harnesses rely on (interpreter.cpp). */
export function isValidFlagCombination(flags: number): boolean {
  if ((flags & CLEANSTACK) && !(flags & WITNESS)) return false;
  if ((flags & WITNESS) && !(flags & P2SH)) return false;
  return true;
}

/** ExcludeIndividualFlags: each distinct TrimFlags(flags & ~f) that differs from flags. */
export function excludeIndividualFlags(flags: number): number[] {
  const out = new Set<number>();
  for (const [, f] of FLAG_LIST) {
    const t = trimFlags(flags & ~f);
    if (t !== flags) out.add(t);
  }
  return [...out];
}

/** For failure messages: names, or NONE. */
export function showFlags(flags: number): string {
  return formatFlags(flags) || 'NONE';
}

/** A small deterministic PRNG (xorshift32) standing in for Core's m_rng in the random-flag checks. */
export function makeRng(seed: number): (bits: number) => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return (bits: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return bits >= 32 ? s : s & ((1 << bits) - 1);
  };
}
