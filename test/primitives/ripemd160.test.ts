import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js';
import { toHex } from '../../src/primitives/bytes.ts';
import { hash160, ripemd160 } from '../../src/primitives/hash.ts';
import { sha256Js } from '../../src/primitives/sha256.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

test('RIPEMD-160: the test vectors of its authors', () => {
  const vectors: [string, string][] = [
    ['', '9c1185a5c5e9fc54612808977ee8f548b2258d31'],
    ['a', '0bdc9d2d256b3ee9daae347be6f4dc835a467ffe'],
    ['abc', '8eb208f7e05d987a9b044a8e98c6b087f15a0bfc'],
    ['message digest', '5d0689ef49d2fae572b881b123a85ffa21595f36'],
    ['abcdefghijklmnopqrstuvwxyz', 'f71c27109c692c1b56bbdceb5b9d2865b3708dbc'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '12a053384a9c0c88e405a06c27dcf49ada62eb2b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'b0e20b6e3116640286ed3a87a5713079b21f5189'],
    ['1234567890'.repeat(8), '9b752e45573d4b39f4dbd3323cab82bf63326bfb'],
  ];
  for (const [m, want] of vectors) assert.equal(toHex(ripemd160(ascii(m))), want, JSON.stringify(m));
  assert.equal(toHex(ripemd160(new Uint8Array(1_000_000).fill(0x61))), '52783243c1697bdbe16d37f97f68f08325dc1528');
});

test('RIPEMD-160 and HASH160 equal @noble/hashes on any input (every padding length)', () => {
  for (let n = 0; n < 200; n++) {
    const d = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 255);
    assert.equal(toHex(ripemd160(d)), toHex(nobleRipemd160(d)), `length ${n}`);
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (d) => {
    assert.equal(toHex(ripemd160(d)), toHex(nobleRipemd160(d)));
    assert.equal(toHex(hash160(d)), toHex(nobleRipemd160(sha256Js(d))));
  }));
});
