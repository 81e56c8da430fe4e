/**
 * The signature cache and the script-execution cache (Core's CSignatureCache in
 * script/sigcache.cpp and m_script_execution_cache in validation.cpp), bounded sets of
 * salted keys: an entry is SHA256(salt ‖ ...), the salt random per process, so nobody
 * outside can aim collisions at the tables.
 *
 * - Signature cache: (signature, message, key) triples that verified. A block whose
 *   transactions were already validated skips their signature checks.
 * - Script-execution cache: (wtxid, flags, spent outputs) whose every input verified. A
 *   re-submitted transaction skips all of its script checks.
 *
 * Both keep two generations of at most max/2 entries each (as Core's CuckooCache ages
 * entries by generation rather than by use): inserting into a full current generation
 * drops the older one. Lookups and inserts are O(1) with no per-entry bookkeeping.
 *
 * A lookup hashes its key only when an entry may match: each generation also holds a set
 * of 30-bit tags, taken from a field of the key that is itself a hash (the signature's
 * message, the wtxid). No tag, no entry: a miss without hashing, which is every lookup of
 * a block whose transactions were never seen. The tags only skip work: a tag that matches
 * (another entry with the same first bits, even one an attacker ground for) leads to the
 * full salted key, as without them.
 */
import { bytes32Key } from '../primitives/bytes.ts';
import { sha256 } from '../primitives/hash.ts';
import type { TxOut } from '../primitives/tx.ts';
import type { SigVerifier } from '../script/sigcheck.ts';
import type { SigCache } from '../script/verify.ts';

function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/** The tag of a key field that is a hash: its first 30 bits (a small integer in every engine). */
export function tagOf(h: Uint8Array): number {
  return h[0]! | (h[1]! << 8) | (h[2]! << 16) | ((h[3]! & 0x3f) << 24);
}

/**
 * A bounded set of keys in two generations of at most ⌈max/2⌉ entries each, with the tags
 * of each generation's keys.
 */
class GenerationalKeySet {
  private cur = new Map<string, true>();
  private old = new Map<string, true>();
  private curTags = new Set<number>();
  private oldTags = new Set<number>();
  private readonly half: number;

  constructor(maxEntries: number) {
    this.half = Math.max(1, Math.ceil(maxEntries / 2));
  }

  /** False when no key with this tag is held (true may still be no match). */
  mayHave(tag: number): boolean {
    return this.curTags.has(tag) || this.oldTags.has(tag);
  }

  has(k: string): boolean {
    return this.cur.has(k) || this.old.has(k);
  }

  add(k: string, tag: number): void {
    if (this.cur.has(k)) return;
    if (this.cur.size >= this.half) {
      this.old = this.cur;
      this.oldTags = this.curTags;
      this.cur = new Map();
      this.curTags = new Set();
    }
    this.cur.set(k, true);
    this.curTags.add(tag);
  }

  get size(): number {
    return this.cur.size + this.old.size;
  }

  clear(): void {
    this.cur = new Map();
    this.old = new Map();
    this.curTags = new Set();
    this.oldTags = new Set();
  }
}

/** A growable scratch buffer for building the bytes a key hashes. */
class Scratch {
  buf = new Uint8Array(512);
  ensure(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(Math.max(n, 2 * this.buf.length));
    return this.buf;
  }
}

const TAG_ECDSA = 0x45;
const TAG_SCHNORR = 0x53;

export class SignatureCache implements SigCache {
  private readonly set: GenerationalKeySet;
  private readonly salt = randomSalt();
  private readonly scratch = new Scratch();
  hits = 0;
  misses = 0;

  constructor(maxEntries = 200_000) {
    this.set = new GenerationalKeySet(maxEntries);
  }

  /** SHA256(salt ‖ tag ‖ msg ‖ key ‖ sig), as a map key. */
  private key(tag: number, sig: Uint8Array, msg: Uint8Array, key: Uint8Array): string {
    const n = 33 + msg.length + key.length + sig.length;
    const b = this.scratch.ensure(n);
    b.set(this.salt, 0);
    b[32] = tag;
    let o = 33;
    b.set(msg, o);
    o += msg.length;
    b.set(key, o);
    o += key.length;
    b.set(sig, o);
    return bytes32Key(sha256(b.subarray(0, n)));
  }

  /**
   * A hit, or the verifier's answer, remembered when it is a success and `store` (only
   * successes are cached, as Core: a failure is never served from the cache).
   */
  private check(store: boolean, type: number, sig: Uint8Array, msg: Uint8Array, key: Uint8Array, verifier: SigVerifier): boolean {
    const tag = tagOf(msg);
    let k: string | undefined;
    if (this.set.mayHave(tag)) {
      k = this.key(type, sig, msg, key);
      if (this.set.has(k)) {
        this.hits++;
        return true;
      }
    }
    this.misses++;
    const ok = type === TAG_ECDSA ? verifier.verifyEcdsa(sig, msg, key) : verifier.verifySchnorr(sig, msg, key);
    if (ok && store) this.set.add(k ?? this.key(type, sig, msg, key), tag);
    return ok;
  }

  ecdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array, verifier: SigVerifier): boolean {
    return this.check(true, TAG_ECDSA, sig64, msg32, pubkey, verifier);
  }

  schnorr(sig64: Uint8Array, msg32: Uint8Array, xonly: Uint8Array, verifier: SigVerifier): boolean {
    return this.check(true, TAG_SCHNORR, sig64, msg32, xonly, verifier);
  }

  /**
   * This cache consulted but never filled: block connection's checks (Core's ConnectBlock
   * calls CheckInputScripts with cacheSigStore false — a block's signatures are not checked
   * again).
   */
  readonly lookupOnly: SigCache = {
    ecdsa: (sig64, msg32, pubkey, verifier) => this.check(false, TAG_ECDSA, sig64, msg32, pubkey, verifier),
    schnorr: (sig64, msg32, xonly, verifier) => this.check(false, TAG_SCHNORR, sig64, msg32, xonly, verifier),
  };

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.set.size };
  }

  /** Forgets every entry (the hit and miss counters are kept). */
  clear(): void {
    this.set.clear();
  }
}

export class ScriptExecutionCache {
  private readonly set: GenerationalKeySet;
  private readonly salt = randomSalt();
  private readonly scratch = new Scratch();
  hits = 0;
  misses = 0;

  constructor(maxEntries = 100_000) {
    this.set = new GenerationalKeySet(maxEntries);
  }

  /**
   * SHA256(salt ‖ wtxid ‖ flags ‖ spent outputs). The spent outputs are part of the key:
   * Core's coins are canonical for its chain, ours may come from the caller (stateless
   * validation), and a script's verdict depends on them.
   */
  private key(wtxid: Uint8Array, flags: number, spent: readonly TxOut[]): string {
    let n = 68;
    for (let i = 0; i < spent.length; i++) n += 17 + spent[i]!.scriptPubKey.length;
    const b = this.scratch.ensure(n);
    b.set(this.salt, 0);
    b.set(wtxid, 32);
    let o = 64;
    b[o] = flags; b[o + 1] = flags >>> 8; b[o + 2] = flags >>> 16; b[o + 3] = flags >>> 24;
    o += 4;
    for (let i = 0; i < spent.length; i++) {
      const s = spent[i]!;
      const v = BigInt.asUintN(64, s.value);
      const lo = Number(v & 0xffffffffn), hi = Number(v >> 32n);
      b[o] = lo; b[o + 1] = lo >>> 8; b[o + 2] = lo >>> 16; b[o + 3] = lo >>> 24;
      b[o + 4] = hi; b[o + 5] = hi >>> 8; b[o + 6] = hi >>> 16; b[o + 7] = hi >>> 24;
      o += 8;
      // Length as a fixed 8-byte prefix: unambiguous, and no CompactSize branches.
      const len = s.scriptPubKey.length;
      b[o] = len; b[o + 1] = len >>> 8; b[o + 2] = len >>> 16; b[o + 3] = len >>> 24;
      b[o + 4] = 0; b[o + 5] = 0; b[o + 6] = 0; b[o + 7] = 0; b[o + 8] = 0;
      o += 9;
      b.set(s.scriptPubKey, o);
      o += len;
    }
    return bytes32Key(sha256(b.subarray(0, o)));
  }

  /** True when every input of this wtxid already verified under exactly these flags and coins. */
  has(wtxid: Uint8Array, flags: number, spent: readonly TxOut[]): boolean {
    const hit = this.set.mayHave(tagOf(wtxid)) && this.set.has(this.key(wtxid, flags, spent));
    if (hit) this.hits++;
    else this.misses++;
    return hit;
  }

  add(wtxid: Uint8Array, flags: number, spent: readonly TxOut[]): void {
    this.set.add(this.key(wtxid, flags, spent), tagOf(wtxid));
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.set.size };
  }

  /** Forgets every entry (the hit and miss counters are kept). */
  clear(): void {
    this.set.clear();
  }
}
