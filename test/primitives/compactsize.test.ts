/** CompactSize and the byte reader/writer, as Core's serialize.h (ReadCompactSize, MAX_SIZE). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter, compactSizeLength, MAX_SIZE } from '../../src/primitives/codec.ts';
import { fromHex, toHex } from '../../src/primitives/bytes.ts';
import { DecodeError } from '../../src/primitives/decode-error.ts';

function read(hex: string, rangeCheck = true): number {
  const r = new ByteReader(fromHex(hex));
  const n = r.compactSize('n', rangeCheck);
  r.end();
  return n;
}
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected a DecodeError');
}
function write(n: number): string {
  return toHex(new ByteWriter(1).compactSize(n).finish());
}

describe('CompactSize', () => {
  test('MAX_SIZE is 0x02000000', () => assert.equal(MAX_SIZE, 0x02000000));

  test('canonical encodings at every boundary decode and re-encode identically', () => {
    const cases: [number, string][] = [
      [0, '00'], [1, '01'], [0xfc, 'fc'],
      [0xfd, 'fdfd00'], [0xfe, 'fdfe00'], [0xff, 'fdff00'], [0x100, 'fd0001'], [0xffff, 'fdffff'],
      [0x10000, 'fe00000100'], [MAX_SIZE, 'fe00000002'],
    ];
    for (const [n, hex] of cases) {
      assert.equal(read(hex), n, hex);
      assert.equal(write(n), hex, String(n));
      assert.equal(compactSizeLength(n), hex.length / 2);
    }
  });

  test('writer uses the 5 and 9 byte forms above 0xffff and 0xffffffff', () => {
    assert.equal(write(0xffffffff), 'feffffffff');
    assert.equal(write(0x100000000), 'ff0000000001000000');
    assert.equal(compactSizeLength(0xffffffff), 5);
    assert.equal(compactSizeLength(0x100000000), 9);
  });

  test('non-canonical 0xfd/0xfe/0xff forms are rejected', () => {
    for (const hex of ['fd0000', 'fdfc00', 'fe00000000', 'feffff0000', 'ff0000000000000000', 'ffffffffff00000000']) {
      assert.equal(code(() => read(hex)), 'non-canonical-compactsize', hex);
      assert.equal(code(() => read(hex, false)), 'non-canonical-compactsize', hex + ' without range check');
    }
  });

  test('sizes above MAX_SIZE are oversize; the range check can be turned off', () => {
    assert.equal(code(() => read('fe01000002')), 'oversize'); // MAX_SIZE + 1
    assert.equal(code(() => read('feffffffff')), 'oversize');
    assert.equal(code(() => read('ff0000000001000000')), 'oversize');
    assert.equal(read('fe01000002', false), MAX_SIZE + 1);
    assert.equal(read('feffffffff', false), 0xffffffff);
    assert.equal(read('ff0000000001000000', false), 0x100000000);
  });

  test('truncated forms', () => {
    for (const hex of ['', 'fd', 'fdff', 'fe', 'feffffff', 'ff', 'ff00000000000001']) {
      assert.equal(code(() => read(hex)), 'truncated', JSON.stringify(hex));
    }
  });

  test('DecodeError carries the offset of the CompactSize', () => {
    const r = new ByteReader(fromHex('aabbfd0000'));
    r.u8();
    r.u8();
    try {
      r.compactSize();
      assert.fail('must throw');
    } catch (e) {
      assert.ok(e instanceof DecodeError);
      assert.equal(e.offset, 2);
    }
  });
});

describe('ByteReader', () => {
  test('integers are little-endian; i64 is signed, u64 unsigned', () => {
    const r = new ByteReader(fromHex('ff' + '78563412' + 'ffffffffffffffff' + 'ffffffffffffffff' + '0000000000000080'));
    assert.equal(r.u8(), 0xff);
    assert.equal(r.u32(), 0x12345678);
    assert.equal(r.i64(), -1n);
    assert.equal(r.u64(), 0xffffffffffffffffn);
    assert.equal(r.i64(), -(1n << 63n));
    assert.equal(r.remaining, 0);
    r.end();
  });

  test('bytes() returns a view into the input', () => {
    const buf = fromHex('010203');
    const v = new ByteReader(buf).bytes(2);
    assert.equal(v.buffer, buf.buffer);
    assert.deepEqual(v, Uint8Array.of(1, 2));
  });

  test('count() and varBytes() reject lengths the remaining bytes cannot hold', () => {
    assert.equal(code(() => new ByteReader(fromHex('02' + '00'.repeat(81))).count(41, 'inputs')), 'truncated');
    assert.equal(new ByteReader(fromHex('02' + '00'.repeat(82))).count(41, 'inputs'), 2);
    assert.equal(code(() => new ByteReader(fromHex('03aabb')).varBytes()), 'truncated');
    assert.deepEqual(new ByteReader(fromHex('02aabb')).varBytes(), fromHex('aabb'));
  });

  test('end() reports trailing bytes', () => {
    const r = new ByteReader(fromHex('0001'));
    r.u8();
    assert.equal(code(() => r.end()), 'trailing-bytes');
  });

  test('writer grows and round-trips through the reader', () => {
    const w = new ByteWriter(1);
    w.u8(0xab).u16(0xbeef).u32(0xdeadbeef).i64(-2n).i64(0x7fffffffffffffffn).varBytes(new Uint8Array(300).fill(7));
    const r = new ByteReader(w.finish());
    assert.equal(r.u8(), 0xab);
    assert.equal(r.u8() | (r.u8() << 8), 0xbeef);
    assert.equal(r.u32(), 0xdeadbeef);
    assert.equal(r.i64(), -2n);
    assert.equal(r.i64(), 0x7fffffffffffffffn);
    assert.deepEqual(r.varBytes(), new Uint8Array(300).fill(7));
    r.end();
  });
});
