/**
 * SCRIPT_VERIFY_* flags (script/interpreter.h), same bit values as Core.
 */
export const SCRIPT_VERIFY = {
  NONE: 0,
  P2SH: 1 << 0,
  STRICTENC: 1 << 1,
  DERSIG: 1 << 2,
  LOW_S: 1 << 3,
  NULLDUMMY: 1 << 4,
  SIGPUSHONLY: 1 << 5,
  MINIMALDATA: 1 << 6,
  DISCOURAGE_UPGRADABLE_NOPS: 1 << 7,
  CLEANSTACK: 1 << 8,
  CHECKLOCKTIMEVERIFY: 1 << 9,
  CHECKSEQUENCEVERIFY: 1 << 10,
  WITNESS: 1 << 11,
  DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM: 1 << 12,
  MINIMALIF: 1 << 13,
  NULLFAIL: 1 << 14,
  WITNESS_PUBKEYTYPE: 1 << 15,
  CONST_SCRIPTCODE: 1 << 16,
  TAPROOT: 1 << 17,
  DISCOURAGE_UPGRADABLE_TAPROOT_VERSION: 1 << 18,
  DISCOURAGE_OP_SUCCESS: 1 << 19,
  DISCOURAGE_UPGRADABLE_PUBKEYTYPE: 1 << 20,
} as const;

export type FlagName = keyof typeof SCRIPT_VERIFY;

/** Every defined flag set (the test harnesses' ALL_FLAGS). */
export const ALL_FLAGS = Object.values(SCRIPT_VERIFY).reduce((a, b) => a | b, 0);

/**
 * Parses Core's comma-separated flag names ("P2SH,WITNESS"); "" and "NONE" give 0.
 * Throws on an unknown name (programmer/caller error, like Core's ParseScriptFlags).
 */
export function parseFlags(names: string): number {
  let flags = 0;
  if (names.trim() === '') return 0;
  for (const raw of names.split(',')) {
    const name = raw.trim();
    if (!Object.hasOwn(SCRIPT_VERIFY, name)) throw new Error(`unknown script verify flag: ${JSON.stringify(name)}`);
    flags |= SCRIPT_VERIFY[name as FlagName];
  }
  return flags;
}

/** The inverse of parseFlags: names of the set bits, comma-separated, Core's order. */
export function formatFlags(flags: number): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(SCRIPT_VERIFY)) if (v !== 0 && (flags & v) === v) out.push(k);
  return out.join(',');
}
