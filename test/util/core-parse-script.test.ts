/**
 * The test-side asm parser against Bitcoin Core's ParseScript behaviour (core_io.cpp).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAsm, scriptNumBytes, pushBytes } from './asm.ts';
import { readVectorJson } from './vectors.ts';
import { readOp, checkMinimalPush } from '../../src/script/script.ts';
import { toHex } from '../../src/primitives/bytes.ts';

const hex = toHex;

/** CScriptNum decoding (no minimality check), independent of the parser. */
function decodeNum(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  const last = b[b.length - 1]!;
  if (last & 0x80) return -(v & ~(0x80n << BigInt(8 * (b.length - 1))));
  return v;
}

describe('ParseScript numbers (CScript << int64)', () => {
  const cases: [string, string][] = [
    ['0', '00'], ['-1', '4f'], ['1', '51'], ['16', '60'], ['17', '0111'], ['-2', '0182'],
    ['127', '017f'], ['128', '028000'], ['-127', '01ff'], ['-128', '028080'], ['255', '02ff00'],
    ['256', '020001'], ['32767', '02ff7f'], ['32768', '03008000'], ['-32768', '03008080'],
    ['2147483647', '04ffffff7f'], ['2147483648', '050000008000'], ['-2147483648', '050000008080'],
    ['4294967295', '05ffffffff00'], ['-4294967295', '05ffffffff80'], ['-0', '00'], ['007', '57'],
  ];
  for (const [asm, want] of cases) {
    test(`${asm} -> ${want}`, () => assert.equal(hex(parseAsm(asm)), want));
  }
  test('out of range decimals throw', () => {
    assert.throws(() => parseAsm('4294967296'), /range/);
    assert.throws(() => parseAsm('-4294967296'), /range/);
    assert.throws(() => parseAsm('99999999999999999999999'), /range/);
  });
  test('property: every number in range round-trips through one minimal push', () => {
    fc.assert(fc.property(fc.bigInt({ min: -0xffffffffn, max: 0xffffffffn }), (n) => {
      const s = parseAsm(n.toString());
      const op = readOp(s, 0);
      assert.ok(op);
      assert.equal(op.end, s.length);
      let v: bigint;
      if (op.opcode === 0x4f) v = -1n;
      else if (op.opcode >= 0x51 && op.opcode <= 0x60) v = BigInt(op.opcode - 0x50);
      else {
        assert.ok(op.data);
        assert.ok(checkMinimalPush(op.data, op.opcode));
        assert.deepEqual(op.data, scriptNumBytes(n));
        v = decodeNum(op.data);
      }
      assert.equal(v, n);
    }), { numRuns: 500 });
  });
});

describe('ParseScript raw hex, strings, opcodes', () => {
  test('0x.. is inserted verbatim, either case, never pushed', () => {
    assert.equal(hex(parseAsm('0x4c01 0x07')), '4c0107');
    assert.equal(hex(parseAsm('0xABcd')), 'abcd');
    assert.equal(hex(parseAsm('0x51 0x20 0x00')), '512000');
  });
  test('bad hex words are opcodes, so they throw', () => {
    assert.throws(() => parseAsm('0x'), /unknown opcode/);
    assert.throws(() => parseAsm('0x123'), /unknown opcode/);
    assert.throws(() => parseAsm('0xzz'), /unknown opcode/);
  });
  test("'text' pushes its bytes; '' is OP_0", () => {
    assert.equal(hex(parseAsm("'Az'")), '02417a');
    assert.equal(hex(parseAsm("''")), '00');
    const long = 'a'.repeat(80);
    assert.equal(hex(parseAsm(`'${long}'`)), '4c50' + '61'.repeat(80));
    assert.equal(hex(pushBytes(new Uint8Array(256))), '4d0001' + '00'.repeat(256));
    assert.equal(hex(pushBytes(new Uint8Array(0x10000))).slice(0, 10), '4e00000100');
  });
  test('opcode names with and without OP_', () => {
    assert.equal(hex(parseAsm('NOP OP_NOP DUP OP_HASH160 EQUALVERIFY CHECKSIG')), '616176a988ac');
    assert.equal(hex(parseAsm('RESERVED OP_VER NOP1 CHECKLOCKTIMEVERIFY CHECKSEQUENCEVERIFY NOP10 CHECKSIGADD')), '5062b0b1b2b9ba');
    assert.equal(hex(parseAsm('0NOTEQUAL 1ADD 2DROP 3DUP RESERVED1 RESERVED2')), '928b6d6f898a');
  });
  test('names Core does not map throw: small-number opcodes, pushdata, aliases, unknown', () => {
    for (const w of ['OP_1', 'TRUE', 'FALSE', 'OP_0', 'PUSHDATA1', 'OP_1NEGATE', 'NOP2', 'NOP3', 'OP_UNKNOWN', 'INVALIDOPCODE', 'dup', "'", 'x']) {
      assert.throws(() => parseAsm(w), /unknown opcode/, w);
    }
  });
  test('whitespace: spaces, tabs, newlines, runs of them', () => {
    assert.equal(hex(parseAsm('  1\t2\n\n3   ADD ')), '515253' + '93');
    assert.equal(hex(parseAsm('')), '');
  });
});

describe('every asm string in the Core vectors parses', () => {
  test('script_tests.json, tx_valid.json, tx_invalid.json', () => {
    let n = 0;
    const scripts = readVectorJson<unknown[][]>('bitcoin-core/script_tests.json');
    for (const row of scripts) {
      if (row.length === 1) continue;
      let p = 0;
      if (Array.isArray(row[0])) {
        for (const w of row[0].slice(0, -1) as string[]) if (w.startsWith('#SCRIPT#')) { parseAsm(w.slice(8)); n++; }
        p = 1;
      }
      parseAsm(row[p] as string);
      if (row[p + 1] !== '0x51 0x20 #TAPROOTOUTPUT#') parseAsm(row[p + 1] as string);
      n += 2;
    }
    for (const f of ['tx_valid.json', 'tx_invalid.json']) {
      for (const row of readVectorJson<unknown[][]>('bitcoin-core/' + f)) {
        if (!Array.isArray(row[0])) continue;
        for (const inp of row[0] as unknown[][]) { parseAsm(inp[2] as string); n++; }
      }
    }
    assert.equal(n, 2735); // 1222 rows × 2 + 5 tapscripts + 286 prevout scripts
  });
});
