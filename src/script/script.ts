/**
 * Byte-preserving script tokenizer and script templates (script/script.h, script.cpp).
 * Every op keeps its byte range in the original script, so nothing is ever re-encoded.
 */
import { allocBytes } from '../primitives/bytes.ts';
import { OP } from './opcodes.ts';

export const MAX_SCRIPT_ELEMENT_SIZE = 520;
export const MAX_OPS_PER_SCRIPT = 201;
export const MAX_PUBKEYS_PER_MULTISIG = 20;
export const MAX_SCRIPT_SIZE = 10000;
export const MAX_STACK_SIZE = 1000;
/** Threshold for nLockTime: below this value it is a block height, otherwise a timestamp. */
export const LOCKTIME_THRESHOLD = 500000000;

export interface ScriptOp {
  opcode: number;
  /** Pushed data (a view into the script) for push opcodes, else undefined. */
  data: Uint8Array | undefined;
  /** Byte offset of the opcode. */
  start: number;
  /** Byte offset just past the op (and its data). */
  end: number;
}

/**
 * Core's GetScriptOp: reads the op at `pc`. Returns undefined at a truncated push (Core
 * returns false), with `pc` semantics left to the caller.
 */
export function readOp(script: Uint8Array, pc: number): ScriptOp | undefined {
  if (pc >= script.length) return undefined;
  const opcode = script[pc]!;
  let p = pc + 1;
  if (opcode > OP.OP_PUSHDATA4) return { opcode, data: undefined, start: pc, end: p };
  let n: number;
  if (opcode < OP.OP_PUSHDATA1) n = opcode;
  else if (opcode === OP.OP_PUSHDATA1) {
    if (script.length - p < 1) return undefined;
    n = script[p]!;
    p += 1;
  } else if (opcode === OP.OP_PUSHDATA2) {
    if (script.length - p < 2) return undefined;
    n = script[p]! | (script[p + 1]! << 8);
    p += 2;
  } else {
    if (script.length - p < 4) return undefined;
    n = (script[p]! | (script[p + 1]! << 8) | (script[p + 2]! << 16) | (script[p + 3]! << 24)) >>> 0;
    p += 4;
  }
  if (script.length - p < n) return undefined;
  return { opcode, data: script.subarray(p, p + n), start: pc, end: p + n };
}

/**
 * The offset just past the op at `pc` (GetScriptOp without the op object), or -1 at a
 * truncated push. `pc` must be < script.length.
 */
function opEnd(script: Uint8Array, pc: number): number {
  const opcode = script[pc]!;
  let p = pc + 1;
  if (opcode > OP.OP_PUSHDATA4) return p;
  let n: number;
  if (opcode < OP.OP_PUSHDATA1) n = opcode;
  else if (opcode === OP.OP_PUSHDATA1) {
    if (script.length - p < 1) return -1;
    n = script[p]!;
    p += 1;
  } else if (opcode === OP.OP_PUSHDATA2) {
    if (script.length - p < 2) return -1;
    n = script[p]! | (script[p + 1]! << 8);
    p += 2;
  } else {
    if (script.length - p < 4) return -1;
    n = (script[p]! | (script[p + 1]! << 8) | (script[p + 2]! << 16) | (script[p + 3]! << 24)) >>> 0;
    p += 4;
  }
  if (script.length - p < n) return -1;
  return p + n;
}


/** CScript::IsPushOnly: every op is a push (OP_RESERVED counts as push-only, as in Core). */
export function isPushOnly(script: Uint8Array): boolean {
  let pc = 0;
  while (pc < script.length) {
    if (script[pc]! > OP.OP_16) return false;
    pc = opEnd(script, pc);
    if (pc < 0) return false;
  }
  return true;
}

/** CScript::IsPayToScriptHash: OP_HASH160 <20> OP_EQUAL, exactly 23 bytes. */
export function isP2SH(s: Uint8Array): boolean {
  return s.length === 23 && s[0] === OP.OP_HASH160 && s[1] === 0x14 && s[22] === OP.OP_EQUAL;
}

/** CScript::IsPayToAnchor (BIP 433 / Core v28): OP_1 <0x4e73>. */
export function isPayToAnchor(s: Uint8Array): boolean {
  return s.length === 4 && s[0] === OP.OP_1 && s[1] === 0x02 && s[2] === 0x4e && s[3] === 0x73;
}

/** CScript::IsWitnessProgram: a version opcode then one direct push of 2..40 bytes. */
export function witnessProgram(s: Uint8Array): { version: number; program: Uint8Array } | undefined {
  if (s.length < 4 || s.length > 42) return undefined;
  const v = s[0]!;
  if (v !== OP.OP_0 && (v < OP.OP_1 || v > OP.OP_16)) return undefined;
  if (s[1]! + 2 !== s.length) return undefined;
  return { version: v === 0 ? 0 : v - (OP.OP_1 - 1), program: s.subarray(2) };
}

/** CScript::IsUnspendable: starts with OP_RETURN or is larger than MAX_SCRIPT_SIZE. */
export function isUnspendable(s: Uint8Array): boolean {
  return (s.length > 0 && s[0] === OP.OP_RETURN) || s.length > MAX_SCRIPT_SIZE;
}

/** CScript::DecodeOP_N. */
export function decodeOpN(op: number): number {
  return op === OP.OP_0 ? 0 : op - (OP.OP_1 - 1);
}

/**
 * CScript::GetSigOpCount(fAccurate): CHECKSIG(VERIFY) count 1; CHECKMULTISIG(VERIFY) count
 * 20, or the preceding OP_1..OP_16 when accurate. Stops at a truncated push, as Core.
 */
export function getSigOpCount(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let last = OP.OP_INVALIDOPCODE as number;
  let pc = 0;
  while (pc < script.length) {
    const c = script[pc]!;
    const next = opEnd(script, pc);
    if (next < 0) break;
    if (c === OP.OP_CHECKSIG || c === OP.OP_CHECKSIGVERIFY) n++;
    else if (c === OP.OP_CHECKMULTISIG || c === OP.OP_CHECKMULTISIGVERIFY) {
      if (accurate && last >= OP.OP_1 && last <= OP.OP_16) n += decodeOpN(last);
      else n += MAX_PUBKEYS_PER_MULTISIG;
    }
    last = c;
    pc = next;
  }
  return n;
}

/**
 * CScript::GetSigOpCount(scriptSig) for P2SH: the accurate count of the last push of a
 * push-only scriptSig (the redeem script); 0 when scriptSig is not push-only.
 */
export function getP2SHSigOpCount(scriptPubKey: Uint8Array, scriptSig: Uint8Array): number {
  if (!isP2SH(scriptPubKey)) return getSigOpCount(scriptPubKey, true);
  let data: Uint8Array | undefined;
  let pc = 0;
  while (pc < scriptSig.length) {
    const op = readOp(scriptSig, pc);
    if (!op) return 0;
    if (op.opcode > OP.OP_16) return 0;
    data = op.data;
    pc = op.end;
  }
  return data ? getSigOpCount(data, true) : 0;
}

/** Core's CheckMinimalPush: would this data have been pushed with `opcode`? */
export function checkMinimalPush(data: Uint8Array, opcode: number): boolean {
  if (data.length === 0) return opcode === OP.OP_0;
  if (data.length === 1 && data[0]! >= 1 && data[0]! <= 16) return opcode === OP.OP_1 + (data[0]! - 1);
  if (data.length === 1 && data[0] === 0x81) return opcode === OP.OP_1NEGATE;
  if (data.length <= 75) return opcode === data.length;
  if (data.length <= 255) return opcode === OP.OP_PUSHDATA1;
  if (data.length <= 65535) return opcode === OP.OP_PUSHDATA2;
  return true;
}

/** Serializes a push of `data` the minimal way (CScript << vector). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n < OP.OP_PUSHDATA1) head = [n];
  else if (n <= 0xff) head = [OP.OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [OP.OP_PUSHDATA2, n & 0xff, n >> 8];
  else head = [OP.OP_PUSHDATA4, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  const out = allocBytes(head.length + n);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}
