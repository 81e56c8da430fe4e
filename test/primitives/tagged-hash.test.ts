/** Hash functions and BIP340 tagged hashes (BIP341 TapLeaf/TapBranch/TapTweak/TapSighash vectors). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr } from '@noble/curves/secp256k1.js';
import { concatBytes, fromHex, toHex } from '../../src/primitives/bytes.ts';
import { compareBytes } from '../../src/primitives/bytes.ts';
import { ByteWriter } from '../../src/primitives/codec.ts';
import {
  createSha256, hash160, hash256, nobleSha256Backend, ripemd160, setSha256Backend, sha256, sha256Backend,
  taggedHash, taggedHasher, type Sha256Backend,
} from '../../src/primitives/hash.ts';
import { readVectorJson } from './vectors.ts';

const enc = (s: string) => new TextEncoder().encode(s);

interface Leaf { id: number; script: string; leafVersion: number }
type Tree = Leaf | Tree[] | null;
interface SpkCase {
  given: { internalPubkey: string; scriptTree: Tree };
  intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string };
}
interface Bip341 {
  scriptPubKey: SpkCase[];
  keyPathSpending: { inputSpending: { intermediary: { sigMsg: string; sigHash: string } }[] }[];
}
const V = readVectorJson<Bip341>('bitcoin-core/bip341_wallet_vectors.json');

function leafHash(l: Leaf): Uint8Array {
  const s = fromHex(l.script);
  return taggedHash('TapLeaf', Uint8Array.of(l.leafVersion), new ByteWriter().varBytes(s).finish());
}
/** BIP341 taproot_tree_helper: returns the merkle root; collects leaf hashes by id. */
function treeRoot(t: Tree, leaves: Map<number, Uint8Array>): Uint8Array {
  if (t === null) throw new Error('no tree');
  if (!Array.isArray(t)) {
    const h = leafHash(t);
    leaves.set(t.id, h);
    return h;
  }
  const [l, r] = [treeRoot(t[0]!, leaves), treeRoot(t[1]!, leaves)];
  return compareBytes(l, r) < 0 ? taggedHash('TapBranch', l, r) : taggedHash('TapBranch', r, l);
}

describe('SHA-256 family', () => {
  test('known digests', () => {
    assert.equal(toHex(sha256(enc('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(hash256(new Uint8Array(0))), '5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
    assert.equal(toHex(ripemd160(new Uint8Array(0))), '9c1185a5c5e9fc54612808977ee8f548b2258d31');
    assert.equal(toHex(hash160(new Uint8Array(0))), 'b472a266d0bd89c13706a4132ccfb16f7c3b9fcb');
    // hash160 of the compressed generator point (private key 1)
    assert.equal(toHex(hash160(fromHex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'))), '751e76e8199196d454941c45d1b3a323f1433bd6');
  });

  test('streaming equals one-shot, and a cloned midstate continues independently', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const h = createSha256().update(data.subarray(0, 100));
    const c = h.clone();
    h.update(data.subarray(100));
    assert.deepEqual(h.digest(), sha256(data));
    c.update(Uint8Array.of(1));
    assert.deepEqual(c.digest(), sha256(concatBytes(data.subarray(0, 100), Uint8Array.of(1))));
  });
});

describe('BIP340 tagged hashes', () => {
  test('definition: SHA256(SHA256(tag) ‖ SHA256(tag) ‖ msg), against noble', () => {
    for (const tag of ['BIP0340/challenge', 'BIP0340/aux', 'BIP0340/nonce', 'TapLeaf', 'TapSighash', '', 'é']) {
      for (const msg of [new Uint8Array(0), enc('abc'), new Uint8Array(200).fill(9)]) {
        const t = sha256(enc(tag));
        const expected = sha256(concatBytes(t, t, msg));
        assert.deepEqual(taggedHash(tag, msg), expected, tag);
        if (/^[\x00-\x7f]*$/.test(tag)) assert.deepEqual(taggedHash(tag, msg), schnorr.utils.taggedHash(tag, msg));
        // the cached midstate must not be consumed by a previous call
        assert.deepEqual(taggedHash(tag, msg), expected);
      }
    }
    assert.deepEqual(taggedHash('TapBranch', enc('ab'), enc('cd')), taggedHash('TapBranch', enc('abcd')));
    assert.deepEqual(taggedHasher('x').update(enc('y')).digest(), taggedHash('x', enc('y')));
  });

  test('BIP341 wallet vectors: TapLeaf, TapBranch and TapTweak', () => {
    let leaves = 0;
    for (const c of V.scriptPubKey) {
      const pk = fromHex(c.given.internalPubkey);
      if (c.given.scriptTree === null) {
        assert.equal(toHex(taggedHash('TapTweak', pk)), c.intermediary.tweak);
        continue;
      }
      const byId = new Map<number, Uint8Array>();
      const root = treeRoot(c.given.scriptTree, byId);
      assert.equal(toHex(root), c.intermediary.merkleRoot);
      c.intermediary.leafHashes!.forEach((h, i) => {
        assert.equal(toHex(byId.get(i)!), h);
        leaves++;
      });
      assert.equal(toHex(taggedHash('TapTweak', pk, root)), c.intermediary.tweak);
    }
    assert.ok(leaves >= 10);
  });

  test('BIP341 wallet vectors: TapSighash = tagged hash of sigMsg (which starts with the epoch 0x00)', () => {
    let n = 0;
    for (const k of V.keyPathSpending) {
      for (const s of k.inputSpending) {
        assert.equal(s.intermediary.sigMsg.slice(0, 2), '00');
        assert.equal(toHex(taggedHash('TapSighash', fromHex(s.intermediary.sigMsg))), s.intermediary.sigHash);
        n++;
      }
    }
    assert.equal(n, 7);
  });

  test('a swapped SHA-256 backend is used, and the tag cache is per backend', () => {
    let calls = 0;
    const counting: Sha256Backend = {
      name: 'counting',
      sha256: (d) => { calls++; return nobleSha256Backend.sha256(d); },
      create: () => { calls++; return nobleSha256Backend.create(); },
    };
    const before = sha256Backend();
    const expected = taggedHash('BIP0340/challenge', enc('m'));
    try {
      setSha256Backend(counting);
      assert.equal(sha256Backend().name, 'counting');
      assert.deepEqual(taggedHash('BIP0340/challenge', enc('m')), expected);
      assert.ok(calls > 0, 'the tag midstate was built with the new backend');
      const c = calls;
      assert.deepEqual(hash256(enc('x')), nobleSha256Backend.sha256(nobleSha256Backend.sha256(enc('x'))));
      assert.equal(calls, c + 2);
    } finally {
      setSha256Backend(before);
    }
  });
});
