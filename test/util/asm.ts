/**
 * Bitcoin Core's ParseScript (core_io.cpp / formerly core_read.cpp), the asm dialect of
 * script_tests.json, tx_valid.json and tx_invalid.json. Independent of src/script on
 * purpose (its own opcode table), so a wrong opcode value there cannot hide here.
 *
 *   - words are split on ' ', '\t', '\n' (empty words ignored);
 *   - `-?[0-9]+` is a number in -0xFFFFFFFF..0xFFFFFFFF pushed as CScript << int64:
 *     -1 and 1..16 as OP_1NEGATE/OP_N, 0 as OP_0, anything else as the minimal
 *     CScriptNum serialization pushed with the smallest push opcode;
 *   - `0x<hex>` (even length, at least one byte) is inserted verbatim, not pushed;
 *   - `'text'` pushes the bytes between the quotes (no spaces possible);
 *   - otherwise an opcode name, with or without `OP_`; only OP_RESERVED and opcodes
 *     OP_NOP..OP_CHECKSIGADD are named (so `OP_1`, `TRUE`, `PUSHDATA1` are errors, as in Core).
 * Throws Error on anything else (Core throws std::runtime_error).
 */

const NAMED_FROM_NOP = [
  'NOP', 'VER', 'IF', 'NOTIF', 'VERIF', 'VERNOTIF', 'ELSE', 'ENDIF', 'VERIFY', 'RETURN',
  'TOALTSTACK', 'FROMALTSTACK', '2DROP', '2DUP', '3DUP', '2OVER', '2ROT', '2SWAP', 'IFDUP',
  'DEPTH', 'DROP', 'DUP', 'NIP', 'OVER', 'PICK', 'ROLL', 'ROT', 'SWAP', 'TUCK',
  'CAT', 'SUBSTR', 'LEFT', 'RIGHT', 'SIZE', 'INVERT', 'AND', 'OR', 'XOR', 'EQUAL', 'EQUALVERIFY',
  'RESERVED1', 'RESERVED2', '1ADD', '1SUB', '2MUL', '2DIV', 'NEGATE', 'ABS', 'NOT', '0NOTEQUAL',
  'ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'LSHIFT', 'RSHIFT', 'BOOLAND', 'BOOLOR', 'NUMEQUAL',
  'NUMEQUALVERIFY', 'NUMNOTEQUAL', 'LESSTHAN', 'GREATERTHAN', 'LESSTHANOREQUAL',
  'GREATERTHANOREQUAL', 'MIN', 'MAX', 'WITHIN', 'RIPEMD160', 'SHA1', 'SHA256', 'HASH160',
  'HASH256', 'CODESEPARATOR', 'CHECKSIG', 'CHECKSIGVERIFY', 'CHECKMULTISIG',
  'CHECKMULTISIGVERIFY', 'NOP1', 'CHECKLOCKTIMEVERIFY', 'CHECKSEQUENCEVERIFY', 'NOP4', 'NOP5',
  'NOP6', 'NOP7', 'NOP8', 'NOP9', 'NOP10', 'CHECKSIGADD',
] as const;

/** Opcode names ParseScript accepts (GetOpName for OP_RESERVED and OP_NOP..MAX_OPCODE). */
export const ASM_OPCODES: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  const add = (name: string, op: number) => {
    m.set('OP_' + name, op);
    m.set(name, op);
  };
  add('RESERVED', 0x50);
  NAMED_FROM_NOP.forEach((n, i) => add(n, 0x61 + i));
  return m;
})();

/** CScriptNum::serialize: minimal little-endian sign-magnitude. */
export function scriptNumBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  const neg = n < 0n;
  let abs = neg ? -n : n;
  const out: number[] = [];
  while (abs > 0n) {
    out.push(Number(abs & 0xffn));
    abs >>= 8n;
  }
  if (out[out.length - 1]! & 0x80) out.push(neg ? 0x80 : 0x00);
  else if (neg) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/** CScript << std::vector<unsigned char>: the smallest push opcode that fits (never OP_N). */
export function pushBytes(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n < 0x4c) head = [n];
  else if (n <= 0xff) head = [0x4c, n];
  else if (n <= 0xffff) head = [0x4d, n & 0xff, n >>> 8];
  else head = [0x4e, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/** CScript << int64_t (CScript::push_int64). */
export function pushInt(n: bigint): Uint8Array {
  if (n === -1n || (n >= 1n && n <= 16n)) return Uint8Array.of(Number(n) + 0x50);
  if (n === 0n) return Uint8Array.of(0x00);
  return pushBytes(scriptNumBytes(n));
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;
const MAX_DECIMAL = 0xffffffffn;

export function parseAsm(s: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const w of s.split(/[ \t\n]/)) {
    if (w === '') continue;
    if (/^[0-9]+$/.test(w) || /^-[0-9]+$/.test(w)) {
      const n = BigInt(w);
      if (n > MAX_DECIMAL || n < -MAX_DECIMAL) {
        throw new Error(`script parse error: decimal numeric value only allowed in the range -0xFFFFFFFF...0xFFFFFFFF: ${w}`);
      }
      parts.push(pushInt(n));
    } else if (w.startsWith('0x') && w.length > 2 && HEX_RE.test(w.slice(2))) {
      const hex = w.slice(2);
      const b = new Uint8Array(hex.length / 2);
      for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      parts.push(b);
    } else if (w.length >= 2 && w.startsWith("'") && w.endsWith("'")) {
      parts.push(pushBytes(new TextEncoder().encode(w.slice(1, -1))));
    } else {
      const op = ASM_OPCODES.get(w);
      if (op === undefined) throw new Error(`script parse error: unknown opcode ${JSON.stringify(w)}`);
      parts.push(Uint8Array.of(op));
    }
  }
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
