/**
 * Hash functions. SHA-256 sits behind a swappable backend: @noble/hashes by default
 * (portable, 77–144 MB/s), a native one (~1.5 GB/s) injected by the runtime layer
 * (src/runtime) with setSha256Backend. RIPEMD-160 is only ever used on tiny inputs (a
 * portable one, ripemd160.ts: HASH160 of a key is one block).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ripemd160Js } from './ripemd160.ts';
import { sha256dFromMidstateJs, sha256dJs, sha256Js, Sha256JsStream, sha256MidstateJs } from './sha256.ts';

/** An incremental SHA-256 whose state can be cloned (a midstate). */
export interface Sha256Stream {
  update(data: Uint8Array): Sha256Stream;
  digest(): Uint8Array;
  clone(): Sha256Stream;
}

export interface Sha256Backend {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  create(): Sha256Stream;
  /** A stream for few large updates (a UTXO set's hash), when it differs from create()'s. */
  createBulk?(): Sha256Stream;
  /** SHA256(SHA256(x)) when the backend has a faster way than two calls. */
  hash256?(data: Uint8Array): Uint8Array;
  /**
   * Where short messages are hashed in JavaScript, skipping a block with a midstate pays:
   * the SHA-256 state after `block64` (see hash256Midstate).
   */
  midstate?(block64: Uint8Array): Int32Array;
}

type NobleHash = ReturnType<typeof nobleSha256.create>;
class NobleStream implements Sha256Stream {
  constructor(private h: NobleHash) {}
  update(data: Uint8Array): Sha256Stream {
    this.h.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.h.digest();
  }
  clone(): Sha256Stream {
    return new NobleStream(this.h.clone());
  }
}

export const nobleSha256Backend: Sha256Backend = {
  name: 'noble',
  sha256: (d) => nobleSha256(d),
  create: () => new NobleStream(nobleSha256.create()),
};

/** The portable default: src/primitives/sha256.ts, faster than noble on short messages. */
export const jsSha256Backend: Sha256Backend = {
  name: 'js',
  sha256: sha256Js,
  create: () => new Sha256JsStream(),
  hash256: sha256dJs,
  midstate: sha256MidstateJs,
};

let backend: Sha256Backend = jsSha256Backend;

/** Installs a faster SHA-256 (the runtime layer does this at start-up). */
export function setSha256Backend(b: Sha256Backend): void {
  backend = b;
}
export function sha256Backend(): Sha256Backend {
  return backend;
}

export function sha256(data: Uint8Array): Uint8Array {
  return backend.sha256(data);
}
export function createSha256(): Sha256Stream {
  return backend.create();
}
/** A stream for hashing many bytes in large updates (native where the backend has it). */
export function createBulkSha256(): Sha256Stream {
  return backend.createBulk ? backend.createBulk() : backend.create();
}
/** SHA256(SHA256(x)): txids, block hashes, legacy and BIP143 sighashes, merkle nodes. */
export function hash256(data: Uint8Array): Uint8Array {
  const b = backend;
  return b.hash256 ? b.hash256(data) : b.sha256(b.sha256(data));
}
/**
 * The midstate of a 64-byte prefix for hash256FromMidstate, when the backend hashes short
 * messages in JavaScript (one block less per message then pays); undefined otherwise.
 */
export function hash256Midstate(block64: Uint8Array): Int32Array | undefined {
  return backend.midstate?.(block64);
}
/** SHA256(SHA256(prefix ‖ rest)) from the prefix's hash256Midstate (a plain SHA-256 state). */
export function hash256FromMidstate(mid: Int32Array, rest: Uint8Array): Uint8Array {
  return sha256dFromMidstateJs(mid, rest);
}
export function ripemd160(data: Uint8Array): Uint8Array {
  return ripemd160Js(data);
}
/** RIPEMD160(SHA256(x)). */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160Js(backend.sha256(data));
}

/** Midstates by tag, for the backend they were made with (cleared when it changes). */
let tagCache = new Map<string, Sha256Stream>();
let tagCacheBackend: Sha256Backend = backend;
/** BIP340 tagged hash midstate: SHA256(SHA256(tag) || SHA256(tag)), ready for the message. */
export function taggedHasher(tag: string): Sha256Stream {
  if (tagCacheBackend !== backend) {
    tagCache = new Map();
    tagCacheBackend = backend;
  }
  let s = tagCache.get(tag);
  if (!s) {
    const t = backend.sha256(new TextEncoder().encode(tag));
    s = backend.create().update(t).update(t);
    tagCache.set(tag, s);
  }
  return s.clone();
}
/** BIP340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || msg...). */
export function taggedHash(tag: string, ...msgs: Uint8Array[]): Uint8Array {
  const h = taggedHasher(tag);
  for (const m of msgs) h.update(m);
  return h.digest();
}

export { sha1 } from '@noble/hashes/legacy.js';
