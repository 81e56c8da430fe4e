/**
 * The signature cache and the script-execution cache (Core's CSignatureCache in
 * script/sigcache.cpp and m_script_execution_cache in validation.cpp), bounded LRUs with
 * salted keys: an entry is SHA256(salt ‖ ...), the salt random per process, so nobody
 * outside can aim collisions at the tables.
 *
 * - Signature cache: (signature, message, key) triples that verified. A block whose
 *   transactions were already validated skips their signature checks.
 * - Script-execution cache: (wtxid, flags) pairs whose every input verified. A re-submitted
 *   transaction skips all of its script checks.
 */
import { LRUCache } from 'lru-cache';
import { toHex } from '../primitives/bytes.ts';
import { ByteWriter } from '../primitives/codec.ts';
import { createSha256, sha256 } from '../primitives/hash.ts';
import type { TxOut } from '../primitives/tx.ts';
import type { SigCache } from '../script/verify.ts';

function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

export class SignatureCache implements SigCache {
  private readonly lru: LRUCache<string, true>;
  private readonly salt = randomSalt();
  private readonly tagEcdsa = new Uint8Array([0x45]);
  private readonly tagSchnorr = new Uint8Array([0x53]);
  hits = 0;
  misses = 0;

  constructor(maxEntries = 200_000) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  private key(tag: Uint8Array, sig: Uint8Array, msg: Uint8Array, key: Uint8Array): string {
    return toHex(createSha256().update(this.salt).update(tag).update(sig).update(msg).update(key).digest());
  }

  private lookup(k: string, verify: () => boolean): boolean {
    if (this.lru.has(k)) {
      this.hits++;
      return true;
    }
    this.misses++;
    // Only successes are cached (as Core): a failure is never served from the cache.
    const ok = verify();
    if (ok) this.lru.set(k, true);
    return ok;
  }

  ecdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array, verify: () => boolean): boolean {
    return this.lookup(this.key(this.tagEcdsa, sig64, msg32, pubkey), verify);
  }

  schnorr(sig64: Uint8Array, msg32: Uint8Array, xonly: Uint8Array, verify: () => boolean): boolean {
    return this.lookup(this.key(this.tagSchnorr, sig64, msg32, xonly), verify);
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.lru.size };
  }
}

export class ScriptExecutionCache {
  private readonly lru: LRUCache<string, true>;
  private readonly salt = randomSalt();
  hits = 0;
  misses = 0;

  constructor(maxEntries = 100_000) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  /**
   * The spent outputs are part of the key: Core's coins are canonical for its chain, ours may
   * come from the caller (stateless validation), and a script's verdict depends on them.
   */
  private key(wtxid: Uint8Array, flags: number, spent: readonly TxOut[]): string {
    const w = new ByteWriter(64 + 40 * spent.length);
    w.bytes(this.salt).bytes(wtxid).u32(flags >>> 0);
    for (const o of spent) w.i64(o.value).varBytes(o.scriptPubKey);
    return toHex(sha256(w.finish()));
  }

  /** True when every input of this wtxid already verified under exactly these flags and coins. */
  has(wtxid: Uint8Array, flags: number, spent: readonly TxOut[]): boolean {
    const hit = this.lru.has(this.key(wtxid, flags, spent));
    if (hit) this.hits++;
    else this.misses++;
    return hit;
  }

  add(wtxid: Uint8Array, flags: number, spent: readonly TxOut[]): void {
    this.lru.set(this.key(wtxid, flags, spent), true);
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.lru.size };
  }
}
