/**
 * Native SHA-256 backends for setSha256Backend (src/primitives/hash.ts):
 *   node       node:crypto: crypto.hash() one-shot (Node >= 20.12; createHash before), and
 *              createHash streams whose clone() is hash.copy(). Works on Node, Bun, Deno.
 *   node-large node:crypto for inputs of SMALL_LIMIT bytes and more, the portable JS SHA-256 below and for
 *              streams, node:crypto streams for bulk hashing (createBulk): for Deno, whose node:crypto
 *              call costs ~3 µs however small the input.
 *   bun        Bun.SHA256.hash one-shot, Bun.CryptoHasher streams (clone = copy()).
 * Digests are returned as plain Uint8Array copies (never pooled Node Buffers).
 */
import { sha256Js } from '../../primitives/sha256.ts';
import { jsSha256Backend, type Sha256Backend, type Sha256Stream } from '../../primitives/hash.ts';
import { CryptoBackendError } from './types.ts';

/** A native incremental hasher (node:crypto Hash, Bun.CryptoHasher). */
interface NativeHasher {
  update(data: Uint8Array): NativeHasher;
  digest(): Uint8Array;
  copy(): NativeHasher;
}
interface NodeCryptoLike {
  createHash(algorithm: 'sha256'): NativeHasher;
  hash?: (algorithm: 'sha256', data: Uint8Array, outputEncoding: 'buffer') => Uint8Array;
}

/** A native hasher as a Sha256Stream. */
class NativeStream implements Sha256Stream {
  constructor(private readonly h: NativeHasher) {}
  update(data: Uint8Array): Sha256Stream {
    this.h.update(data);
    return this;
  }
  digest(): Uint8Array {
    return new Uint8Array(this.h.digest());
  }
  clone(): Sha256Stream {
    return new NativeStream(this.h.copy());
  }
}

function nodeOneShot(c: NodeCryptoLike): (d: Uint8Array) => Uint8Array {
  const hash = c.hash;
  if (typeof hash === 'function') return (d) => new Uint8Array(hash('sha256', d, 'buffer'));
  return (d) => new Uint8Array(c.createHash('sha256').update(d).digest());
}

/** Inputs below this many bytes stay in JavaScript in `node-large`. */
const SMALL_LIMIT = 512;

let nodeCrypto: Promise<NodeCryptoLike> | undefined;
function loadNodeCrypto(): Promise<NodeCryptoLike> {
  nodeCrypto ??= import('node:crypto').then(
    (m) => m as unknown as NodeCryptoLike,
    (e: unknown) => {
      throw new CryptoBackendError('sha256 node', `node:crypto is not available (${e instanceof Error ? e.message : String(e)})`);
    },
  );
  return nodeCrypto;
}

export async function loadNodeSha256(): Promise<Sha256Backend> {
  const c = await loadNodeCrypto();
  const oneShot = nodeOneShot(c);
  return { name: 'node', sha256: oneShot, create: () => new NativeStream(c.createHash('sha256')) };
}

export async function loadNodeLargeSha256(): Promise<Sha256Backend> {
  const c = await loadNodeCrypto();
  const oneShot = nodeOneShot(c);
  return {
    name: 'node-large',
    sha256: (d) => (d.length >= SMALL_LIMIT ? oneShot(d) : sha256Js(d)),
    create: jsSha256Backend.create,
    midstate: jsSha256Backend.midstate!,
    createBulk: () => new NativeStream(c.createHash('sha256')),
  };
}

interface BunHashing {
  SHA256: { hash(data: Uint8Array): Uint8Array };
  CryptoHasher: new (algorithm: 'sha256') => NativeHasher;
}

export async function loadBunSha256(): Promise<Sha256Backend> {
  const bun = (globalThis as unknown as { Bun?: BunHashing }).Bun;
  if (!bun || typeof bun.SHA256?.hash !== 'function' || typeof bun.CryptoHasher !== 'function') {
    throw new CryptoBackendError('sha256 bun', 'Bun.SHA256 / Bun.CryptoHasher exist only on Bun');
  }
  const S = bun.SHA256;
  const H = bun.CryptoHasher;
  return { name: 'bun', sha256: (d) => S.hash(d), create: () => new NativeStream(new H('sha256')) };
}

/**
 * The native SHA-256 for bulk hashing on this runtime (Bun.CryptoHasher on Bun, node:crypto
 * streams elsewhere), checked on one known answer; the portable JS one when neither works.
 */
export async function nativeBulkSha256(): Promise<Sha256Backend> {
  const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  for (const load of [loadBunSha256, loadNodeLargeSha256]) {
    try {
      const b = await load();
      const d = (b.createBulk ?? b.create)().update(new Uint8Array([0x61, 0x62, 0x63])).digest();
      if ([...d].map((x) => x.toString(16).padStart(2, '0')).join('') === abc) return b;
    } catch {
      // not on this runtime
    }
  }
  return jsSha256Backend;
}
