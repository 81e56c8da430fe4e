import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allocBytes, ByteSlab, hashToHex, reverseBytes, toHex, useByteSlabs } from '../../src/primitives/bytes.ts';
import { ByteWriter } from '../../src/primitives/codec.ts';
import { sha256Js, sha256dJs } from '../../src/primitives/sha256.ts';

// allocBytes with slabs on (what validation workers use on Node and Deno) must behave like
// fresh arrays: zeroed, the asked length, never sharing bytes with another allocation.
describe('byte slabs (allocBytes, ByteSlab)', () => {
  test('slab arrays are zeroed, sized and disjoint across slab refills', () => {
    const slab = new ByteSlab();
    const got: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) {
      const n = (i * 37) % 300;
      const a = slab.alloc(n);
      assert.equal(a.length, n);
      assert.ok(a.every((x) => x === 0), `allocation ${i} not zeroed`);
      a.fill(i % 251 + 1);
      got.push(a);
    }
    // every array still holds its own fill: no two allocations overlap
    got.forEach((a, i) => assert.ok(a.every((x) => x === i % 251 + 1), `allocation ${i} was overwritten`));
    assert.equal(slab.alloc(2000).byteOffset, 0, 'large arrays are fresh');
  });

  test('digests, ByteWriter and reversed hashes are the same with slabs on and off', () => {
    const msgs = [new Uint8Array(0), new TextEncoder().encode('abc'), new Uint8Array(200).map((_, i) => i)];
    const run = () => msgs.map((m) => {
      const w = new ByteWriter(4);
      w.varBytes(m).u32(0xdeadbeef);
      const ser = w.finish();
      return [toHex(sha256Js(m)), toHex(sha256dJs(m)), toHex(ser), toHex(reverseBytes(sha256Js(ser))), hashToHex(sha256Js(ser))].join(' ');
    });
    const fresh = run();
    useByteSlabs(true);
    try {
      const slabbed = run();
      assert.deepEqual(slabbed, fresh);
      // with slabs on, small results are views into a shared slab
      const a = allocBytes(32), b = allocBytes(32);
      assert.equal(a.buffer, b.buffer);
      assert.notEqual(a.byteOffset, b.byteOffset);
    } finally {
      useByteSlabs(false);
    }
    assert.equal(allocBytes(32).byteOffset, 0, 'fresh arrays again after useByteSlabs(false)');
    // FIPS 180-2 "abc"
    assert.equal(fresh[1]!.split(' ')[0], 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('hashToHex is the reversed hex', () => {
    const h = new Uint8Array(32).map((_, i) => i * 7);
    assert.equal(hashToHex(h), toHex(h.slice().reverse()));
  });
});
