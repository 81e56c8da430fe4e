/**
 * scriptPubKey as Core's RPCs print it (core_write.cpp ScriptToUniv): asm (ScriptToAsmStr),
 * desc (InferDescriptor with no signing provider, plus the descriptor checksum), hex,
 * address (EncodeDestination: Base58Check or BIP173/BIP350 segwit) and type.
 */
import { toHex } from '../primitives/bytes.ts';
import { hash256 } from '../primitives/hash.ts';
import { solver, type TxoutType } from '../policy/solver.ts';
import { OPCODE_NAMES, OP } from '../script/opcodes.ts';
import { isDefinedHashtype, isValidSignatureEncoding } from '../script/ecdsa.ts';
import { isUnspendable, readOp, witnessProgram } from '../script/script.ts';
import { decodeScriptNum } from '../script/scriptnum.ts';
import type { ChainInfo } from './deps.ts';

export interface ScriptPubKeyJson {
  asm: string;
  desc: string;
  hex: string;
  address?: string;
  type: TxoutType;
}

/** Address prefixes (kernel/chainparams.cpp base58Prefixes, bech32_hrp). */
export interface AddressParams {
  hrp: string;
  pubkeyHash: number;
  scriptHash: number;
}

export function addressParams(chain: ChainInfo['chain']): AddressParams {
  if (chain === 'main') return { hrp: 'bc', pubkeyHash: 0x00, scriptHash: 0x05 };
  if (chain === 'regtest') return { hrp: 'bcrt', pubkeyHash: 0x6f, scriptHash: 0xc4 };
  return { hrp: 'tb', pubkeyHash: 0x6f, scriptHash: 0xc4 };
}

/** mapSigHashTypes (core_write.cpp). */
const SIGHASH_NAMES = new Map([[0x01, 'ALL'], [0x81, 'ALL|ANYONECANPAY'], [0x02, 'NONE'], [0x82, 'NONE|ANYONECANPAY'], [0x03, 'SINGLE'], [0x83, 'SINGLE|ANYONECANPAY']]);

/**
 * A pushed element as ScriptToAsmStr prints it: with fAttemptSighashDecode, data that passes
 * CheckSignatureEncoding(STRICTENC) prints its hash type as `[ALL]` instead of the last byte.
 */
function pushAsm(d: Uint8Array, sighashDecode: boolean): string {
  if (sighashDecode && isValidSignatureEncoding(d) && isDefinedHashtype(d)) {
    const name = SIGHASH_NAMES.get(d[d.length - 1]!);
    if (name !== undefined) return toHex(d.subarray(0, -1)) + `[${name}]`;
  }
  return toHex(d);
}

/** ScriptToAsmStr(script, fAttemptSighashDecode): true only for scriptSigs (TxToUniv). */
export function scriptToAsm(script: Uint8Array, attemptSighashDecode = false): string {
  const sighashDecode = attemptSighashDecode && !isUnspendable(script);
  const parts: string[] = [];
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) {
      parts.push('[error]');
      break;
    }
    pc = op.end;
    if (op.opcode <= OP.OP_PUSHDATA4) {
      const d = op.data!;
      parts.push(d.length <= 4 ? String(decodeScriptNum(d, false, 4)) : pushAsm(d, sighashDecode));
    } else {
      parts.push(OPCODE_NAMES.get(op.opcode) ?? 'OP_UNKNOWN');
    }
  }
  return parts.join(' ');
}

// ---- Base58Check (base58.cpp) and bech32/bech32m (bech32.cpp, BIP173/BIP350) ----

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58Check(payload: Uint8Array): string {
  const data = new Uint8Array(payload.length + 4);
  data.set(payload);
  data.set(hash256(payload).subarray(0, 4), payload.length);
  let n = 0n;
  for (const b of data) n = n * 256n + BigInt(b);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of data) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ BECH32_GEN[i]!) >>> 0;
  }
  return chk;
}

/** EncodeDestination for a witness program: bech32 for v0, bech32m for v1+ (BIP350). */
export function segwitAddress(hrp: string, version: number, program: Uint8Array): string {
  const data = [version];
  let acc = 0, bits = 0;
  for (const b of program) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push((acc >>> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31);
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));
  const constant = version === 0 ? 1 : 0x2bc830a3;
  const mod = bech32Polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ constant;
  let out = hrp + '1';
  for (const d of data) out += BECH32_CHARSET[d];
  for (let i = 0; i < 6; i++) out += BECH32_CHARSET[(mod >>> (5 * (5 - i))) & 31];
  return out;
}

/** ExtractDestination + EncodeDestination, for the types that have an address. */
function scriptAddress(script: Uint8Array, type: TxoutType, p: AddressParams): string | undefined {
  switch (type) {
    case 'pubkeyhash':
      return base58Check(Uint8Array.of(p.pubkeyHash, ...script.subarray(3, 23)));
    case 'scripthash':
      return base58Check(Uint8Array.of(p.scriptHash, ...script.subarray(2, 22)));
    case 'witness_v0_keyhash':
    case 'witness_v0_scripthash':
    case 'witness_v1_taproot':
    case 'witness_unknown':
    case 'anchor': {
      const wp = witnessProgram(script)!;
      return segwitAddress(p.hrp, wp.version, wp.program);
    }
    default:
      return undefined;
  }
}

// ---- Output descriptors (script/descriptor.cpp) ----

const INPUT_CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const DESC_GEN = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function descPolymod(c: bigint, v: number): bigint {
  const top = c >> 35n;
  c = ((c & 0x7ffffffffn) << 5n) ^ BigInt(v);
  for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) c ^= DESC_GEN[i]!;
  return c;
}

/** DescriptorChecksum: the 8-character checksum, or '' for a character outside the set. */
export function descriptorChecksum(desc: string): string {
  let c = 1n;
  let cls = 0, clscount = 0;
  for (const ch of desc) {
    const pos = INPUT_CHARSET.indexOf(ch);
    if (pos < 0) return '';
    c = descPolymod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clscount === 3) {
      c = descPolymod(c, cls);
      cls = 0;
      clscount = 0;
    }
  }
  if (clscount > 0) c = descPolymod(c, cls);
  for (let j = 0; j < 8; j++) c = descPolymod(c, 0);
  c ^= 1n;
  let out = '';
  for (let j = 0; j < 8; j++) out += BECH32_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}

const P = 2n ** 256n - 2n ** 32n - 977n;
function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b %= P;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
}

/** XOnlyPubKey::IsFullyValid: x < p and x³ + 7 is a square mod p. */
function isValidXOnly(x: Uint8Array): boolean {
  const n = BigInt('0x' + toHex(x));
  if (n >= P) return false;
  const y2 = (modPow(n, 3n) + 7n) % P;
  return y2 === 0n || modPow(y2, (P - 1n) / 2n) === 1n;
}

/** InferDescriptor(script, DUMMY_SIGNING_PROVIDER)->ToString(), with its checksum. */
function inferDescriptor(script: Uint8Array, type: TxoutType, solutions: Uint8Array[], p: AddressParams): string {
  let d: string;
  const addr = scriptAddress(script, type, p);
  if (type === 'pubkey') d = `pk(${toHex(solutions[0]!)})`;
  else if (type === 'multisig') d = `multi(${solutions[0]![0]},${solutions.slice(1, -1).map(toHex).join(',')})`;
  else if (type === 'witness_v1_taproot' && isValidXOnly(solutions[0]!)) d = `rawtr(${toHex(solutions[0]!)})`;
  else if (addr !== undefined) d = `addr(${addr})`;
  else d = `raw(${toHex(script)})`;
  return `${d}#${descriptorChecksum(d)}`;
}

/** ScriptToUniv(script, include_hex=true, include_address=true). */
export function scriptPubKeyJson(script: Uint8Array, chain: ChainInfo['chain']): ScriptPubKeyJson {
  const p = addressParams(chain);
  const { type, solutions } = solver(script);
  const out: ScriptPubKeyJson = { asm: scriptToAsm(script), desc: inferDescriptor(script, type, solutions, p), hex: toHex(script), type };
  const address = type === 'pubkey' ? undefined : scriptAddress(script, type, p);
  if (address !== undefined) {
    // Keep Core's key order: asm, desc, hex, address, type.
    return { asm: out.asm, desc: out.desc, hex: out.hex, address, type };
  }
  return out;
}
