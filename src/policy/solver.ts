/**
 * Core's Solver (script/solver.cpp): classifies a scriptPubKey into a TxoutType and
 * extracts its solutions (hashes, keys, witness programs). Works on the exact bytes.
 */
import { OP } from '../script/opcodes.ts';
import {
  checkMinimalPush, decodeOpN, isP2SH, isPayToAnchor, isPushOnly, MAX_PUBKEYS_PER_MULTISIG, readOp, witnessProgram,
} from '../script/script.ts';

/** Core's TxoutType, spelled as GetTxnOutputType prints it. */
export type TxoutType =
  | 'nonstandard'
  | 'anchor'
  | 'pubkey'
  | 'pubkeyhash'
  | 'scripthash'
  | 'multisig'
  | 'nulldata'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'witness_unknown';

export interface Solution {
  type: TxoutType;
  /**
   * As Core's vSolutionsRet: PUBKEY [key]; PUBKEYHASH/SCRIPTHASH [hash]; witness v0/v1
   * [program]; WITNESS_UNKNOWN [[version], program]; MULTISIG [[m], keys..., [n]];
   * NULL_DATA, ANCHOR, NONSTANDARD [].
   */
  solutions: Uint8Array[];
}

/** CPubKey::GetLen / ValidSize: 0x02/0x03 → 33 bytes, 0x04/0x06/0x07 → 65 bytes. */
function validPubKeySize(v: Uint8Array | undefined): boolean {
  if (!v || v.length === 0) return false;
  const h = v[0]!;
  const len = h === 2 || h === 3 ? 33 : h === 4 || h === 6 || h === 7 ? 65 : 0;
  return len === v.length;
}

function matchPayToPubkey(s: Uint8Array): Uint8Array | undefined {
  if ((s.length === 67 && s[0] === 65) || (s.length === 35 && s[0] === 33)) {
    if (s[s.length - 1] !== OP.OP_CHECKSIG) return undefined;
    const key = s.subarray(1, s.length - 1);
    return validPubKeySize(key) ? key : undefined;
  }
  return undefined;
}

function matchPayToPubkeyHash(s: Uint8Array): Uint8Array | undefined {
  return s.length === 25 && s[0] === OP.OP_DUP && s[1] === OP.OP_HASH160 && s[2] === 20 &&
      s[23] === OP.OP_EQUALVERIFY && s[24] === OP.OP_CHECKSIG
    ? s.subarray(3, 23)
    : undefined;
}

/** CScriptNum(data, fRequireMinimal=true) for at most 4 bytes; undefined when Core would throw. */
function minimalScriptNum(d: Uint8Array): number | undefined {
  if (d.length > 4) return undefined;
  if (d.length === 0) return 0;
  const last = d[d.length - 1]!;
  if ((last & 0x7f) === 0 && (d.length <= 1 || (d[d.length - 2]! & 0x80) === 0)) return undefined;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += d[i]! * 2 ** (8 * i);
  if (last & 0x80) return -(v - 0x80 * 2 ** (8 * (d.length - 1)));
  return v;
}

/** Solver's GetScriptNumber: OP_1..OP_16 or a minimal push of a number in [min, max]. */
function scriptNumber(opcode: number, data: Uint8Array | undefined, min: number, max: number): number | undefined {
  let n: number | undefined;
  if (opcode >= OP.OP_1 && opcode <= OP.OP_16) n = decodeOpN(opcode);
  else if (opcode > OP.OP_0 && opcode <= OP.OP_PUSHDATA4 && data) {
    if (!checkMinimalPush(data, opcode)) return undefined;
    n = minimalScriptNum(data);
  }
  if (n === undefined || n < min || n > max) return undefined;
  return n;
}

/** MatchMultisig: <m> <key>... <n> OP_CHECKMULTISIG with n keys of valid sizes. */
function matchMultisig(s: Uint8Array): { m: number; keys: Uint8Array[] } | undefined {
  if (s.length < 1 || s[s.length - 1] !== OP.OP_CHECKMULTISIG) return undefined;
  let op = readOp(s, 0);
  if (!op) return undefined;
  const m = scriptNumber(op.opcode, op.data, 1, MAX_PUBKEYS_PER_MULTISIG);
  if (m === undefined) return undefined;
  const keys: Uint8Array[] = [];
  let pc = op.end;
  for (;;) {
    op = readOp(s, pc);
    if (!op) return undefined; // GetOp failed: Core then sees OP_INVALIDOPCODE, not a number
    pc = op.end;
    if (!validPubKeySize(op.data)) break;
    keys.push(op.data!);
  }
  const n = scriptNumber(op.opcode, op.data, m, MAX_PUBKEYS_PER_MULTISIG);
  if (n === undefined || keys.length !== n) return undefined;
  return pc + 1 === s.length ? { m, keys } : undefined;
}

/**
 * Solver's type for the common templates, without building the solutions: P2SH, P2PKH,
 * witness v0 key/script hash and v1 taproot. Undefined for anything else (ask solver()).
 */
export function commonOutputType(s: Uint8Array): TxoutType | undefined {
  const n = s.length;
  if (n === 22) return s[0] === OP.OP_0 && s[1] === 20 ? 'witness_v0_keyhash' : undefined;
  if (n === 34) {
    if (s[1] !== 32) return undefined;
    return s[0] === OP.OP_0 ? 'witness_v0_scripthash' : s[0] === OP.OP_1 ? 'witness_v1_taproot' : undefined;
  }
  if (n === 23) return isP2SH(s) ? 'scripthash' : undefined;
  if (n === 25) return matchPayToPubkeyHash(s) ? 'pubkeyhash' : undefined;
  return undefined;
}

/** Core's Solver. */
export function solver(s: Uint8Array): Solution {
  // Shortcut for P2SH: always OP_HASH160 <20> OP_EQUAL.
  if (isP2SH(s)) return { type: 'scripthash', solutions: [s.subarray(2, 22)] };

  const wp = witnessProgram(s);
  if (wp) {
    const { version, program } = wp;
    if (version === 0 && program.length === 20) return { type: 'witness_v0_keyhash', solutions: [program] };
    if (version === 0 && program.length === 32) return { type: 'witness_v0_scripthash', solutions: [program] };
    if (version === 1 && program.length === 32) return { type: 'witness_v1_taproot', solutions: [program] };
    if (isPayToAnchor(s)) return { type: 'anchor', solutions: [] };
    if (version !== 0) return { type: 'witness_unknown', solutions: [Uint8Array.of(version), program] };
    return { type: 'nonstandard', solutions: [] };
  }

  // Provably prunable, data-carrying output: OP_RETURN then pushes only.
  if (s.length >= 1 && s[0] === OP.OP_RETURN && isPushOnly(s.subarray(1))) return { type: 'nulldata', solutions: [] };

  const pk = matchPayToPubkey(s);
  if (pk) return { type: 'pubkey', solutions: [pk] };
  const pkh = matchPayToPubkeyHash(s);
  if (pkh) return { type: 'pubkeyhash', solutions: [pkh] };
  const ms = matchMultisig(s);
  if (ms) {
    return { type: 'multisig', solutions: [Uint8Array.of(ms.m), ...ms.keys, Uint8Array.of(ms.keys.length)] };
  }
  return { type: 'nonstandard', solutions: [] };
}

