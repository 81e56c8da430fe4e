/** The result type every consensus check returns (Core's ValidationState, as a value). */
export type CheckResult = { ok: true } | { ok: false; reason: string; debug?: string };

export const OK: { ok: true } = Object.freeze({ ok: true as const });

export function invalid(reason: string, debug?: string): { ok: false; reason: string; debug?: string } {
  return debug === undefined ? { ok: false, reason } : { ok: false, reason, debug };
}
