/**
 * SHA-256 backends (FIPS 180-4) for setSha256Backend: every one that loads on this runtime
 * gives the FIPS 180-2 example digests and agrees with noble on random inputs, one-shot and
 * streamed in random pieces, including clone() midstates that diverge afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256 as noble } from '@noble/hashes/sha2.js';
import { concatBytes, toHex } from '../../src/primitives/bytes.ts';
import { runSha256Kat } from '../../src/runtime/crypto/kat.ts';
import { sha256Backends } from './util.ts';

const enc = new TextEncoder();

for (const p of await sha256Backends()) {
  const b = p.backend;
  if (!b) {
    test(`sha256 ${p.name}: known answers and agreement with noble`, { skip: p.skip }, () => {});
    continue;
  }
  test(`sha256 ${p.name}: FIPS 180-2 examples, including one million 'a'`, () => {
    assert.equal(toHex(b.sha256(enc.encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(b.sha256(new Uint8Array(1_000_000).fill(0x61))), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    const h = b.create();
    for (let i = 0; i < 1000; i++) h.update(new Uint8Array(1000).fill(0x61));
    assert.equal(toHex(h.digest()), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
  test(`sha256 ${p.name}: the bulk stream (createBulk, else create) gives the one-million-'a' digest in 64 KiB updates`, () => {
    const h = b.createBulk ? b.createBulk() : b.create();
    const block = new Uint8Array(1 << 16).fill(0x61);
    let left = 1_000_000;
    for (; left >= block.length; left -= block.length) h.update(block);
    h.update(block.subarray(0, left));
    assert.equal(toHex(h.digest()), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
  test(`sha256 ${p.name}: the start-up known-answer set`, () => {
    assert.deepEqual(runSha256Kat(b).failures, []);
  });
  test(`sha256 ${p.name}: digests are plain 32-byte Uint8Arrays`, () => {
    const d = b.sha256(new Uint8Array(5));
    assert.equal(Object.getPrototypeOf(d), Uint8Array.prototype);
    assert.equal(d.length, 32);
    const s = b.create().update(new Uint8Array(5)).digest();
    assert.equal(Object.getPrototypeOf(s), Uint8Array.prototype);
    assert.deepEqual(s, d);
  });
  test(`sha256 ${p.name}: one-shot agrees with noble on random inputs of 0..3000 bytes`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (d) => toHex(b.sha256(d)) === toHex(noble(d))),
      { numRuns: 200 },
    );
  });
  test(`sha256 ${p.name}: inputs in a SharedArrayBuffer at an offset`, () => {
    const d = new Uint8Array(new SharedArrayBuffer(1100), 3, 1000).fill(7);
    assert.equal(toHex(b.sha256(d)), toHex(noble(d.slice())));
    assert.equal(toHex(b.create().update(d).digest()), toHex(noble(d.slice())));
  });
  test(`sha256 ${p.name}: streams and clone() midstates agree with noble`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 150 }),
        fc.uint8Array({ maxLength: 150 }),
        (chunks, at, tailA, tailB) => {
          const cut = chunks.length ? at % (chunks.length + 1) : 0;
          const h = b.create();
          for (const c of chunks.slice(0, cut)) h.update(c);
          const mid = h.clone();
          for (const c of chunks.slice(cut)) h.update(c);
          const branch = mid.clone();
          mid.update(tailA);
          branch.update(tailB);
          const head = concatBytes(...chunks.slice(0, cut));
          return (
            toHex(h.digest()) === toHex(noble(concatBytes(...chunks))) &&
            toHex(mid.digest()) === toHex(noble(concatBytes(head, tailA))) &&
            toHex(branch.digest()) === toHex(noble(concatBytes(head, tailB)))
          );
        },
      ),
      { numRuns: 200 },
    );
  });
}
