/**
 * Reclamation and compaction of the UTXO table, run after each published version: a spent
 * coin's slot becomes a tombstone once no pinned reader can still see the coin, retired
 * pages and chunks are freed, and sparse heap chunks are evacuated (their live groups
 * copied to the current chunk) a few per batch.
 */
import { decodeVarIntTrusted } from './compress.ts';
import type { Directory } from './directory.ts';
import { Scratch } from './group-writer.ts';
import type { HeapChunks } from './heap-chunks.ts';
import type { IndexPages } from './index-pages.ts';
import { CHUNK_UNITS_SHIFT, GROUP_N, GROUP_VARINTS, K_MASK, recordEnd, REF_TOMB, TAG_DEAD, UNIT_MASK } from './layout.ts';

/** Chunks evacuated per batch at most (bounds the pause). */
const EVACUATE_PER_BATCH = 4;

export class Reclaimer {
  // spends awaiting reclamation: txid bytes, vout, version
  private readonly pendTxid = new Scratch();
  private readonly pendVout: number[] = [];
  private readonly pendVer: number[] = [];

  constructor(
    private readonly pages: IndexPages,
    private readonly heap: HeapChunks,
    private readonly dir: Directory,
  ) {}

  /** Spends whose slots await reclamation. */
  get pending(): number {
    return this.pendVout.length;
  }

  /** (txid at toff, vout) was marked spent at version v: reclaim its slot later. */
  defer(txid: Uint8Array, toff: number, vout: number, v: number): void {
    const at = this.pendVout.length * 32;
    this.pendTxid.ensure(at + 32);
    this.pendTxid.buf.set(txid.subarray(toff, toff + 32), at);
    this.pendVout.push(vout);
    this.pendVer.push(v);
  }

  /**
   * Reclaims what no reader pinned at `safe` or later can reach, then compacts sparse heap
   * chunks; `version` is the latest published one.
   */
  run(safe: number, version: number): void {
    // 1. spent coins no pinned reader can see: TOMB their slots
    let keep = 0;
    const loc = [0, 0];
    const n = this.pendVout.length;
    const pt = this.pendTxid.buf;
    for (let i = 0; i < n; i++) {
      const s = this.pendVer[i]!;
      const vout = this.pendVout[i]!;
      if (s <= safe && this.dir.findSlot(pt, i * 32, vout, s, loc)) {
        const w = this.pages.words(loc[0]!);
        const ref = w[loc[1]! + 1]!;
        const bytes = this.dir.recordShare(ref, w[loc[1]!]! & K_MASK);
        // readers at >= s skip this slot on its SPENT mark before ever reading the ref
        Atomics.store(w, loc[1]! + 1, REF_TOMB);
        this.pages.live[loc[0]!]!--;
        this.heap.release(ref, bytes);
      } else if (s > safe) {
        if (keep !== i) {
          pt.copyWithin(keep * 32, i * 32, i * 32 + 32);
          this.pendVout[keep] = vout;
          this.pendVer[keep] = s;
        }
        keep++;
      }
    }
    this.pendVout.length = keep;
    this.pendVer.length = keep;
    // 2. free retired pages and chunks
    this.pages.freeRetired(safe);
    this.heap.freeRetired(safe);
    // 3. compact sparse chunks
    for (let budget = EVACUATE_PER_BATCH; budget > 0; budget--) {
      const c = this.heap.nextSparse();
      if (c < 0) break;
      this.evacuate(c, version);
    }
  }

  /**
   * Copies every group of chunk c that a slot still references into the current chunk,
   * points those slots at the copies (Atomics.store of the ref) and retires the chunk.
   * A copy keeps each referenced record at its index k (unreferenced ones before the last
   * referenced one become 1-byte DEAD records), so a slot's k stays right for both copies.
   * Readers holding an old ref keep reading the old bytes until they unpin.
   */
  private evacuate(c: number, version: number): void {
    const heap = this.heap;
    const end = heap.used[c]!;
    let u = c === 0 ? 1 : 0;
    const chunkBase = c << CHUNK_UNITS_SHIFT;
    const loc = [0, 0];
    const keepK: number[] = [];
    const keepSlot: number[] = [];
    const recStart: number[] = [];
    while (u < end) {
      const gUnit = chunkBase + u;
      const b = heap.bytes(gUnit);
      const g = (gUnit & UNIT_MASK) << 2;
      const n = b[g + GROUP_N]!;
      let p = g + GROUP_VARINTS;
      while (b[p++]! & 0x80);
      while (b[p++]! & 0x80);
      const hlen = p - g;
      keepK.length = 0;
      keepSlot.length = 0;
      recStart.length = 0;
      for (let k = 0; k < n; k++) {
        recStart.push(p);
        if (b[p] !== TAG_DEAD && this.dir.findSlotByRef(b, g, decodeVarIntTrusted(b, p + 1), gUnit, k, loc)) {
          keepK.push(k);
          keepSlot.push(loc[0]!, loc[1]!);
        }
        p = recordEnd(b, p);
      }
      recStart.push(p);
      u += (p - g + 3) >>> 2;
      if (keepK.length === 0) continue;
      const last = keepK[keepK.length - 1]!;
      let size = hlen;
      let j = 0;
      for (let k = 0; k <= last; k++) {
        if (keepK[j] === k) {
          size += recStart[k + 1]! - recStart[k]!;
          j++;
        } else size++;
      }
      const nu = heap.reserve((size + 3) >>> 2);
      const nb = heap.bytes(nu);
      let q = (nu & UNIT_MASK) << 2;
      for (let i = 0; i < hlen; i++) nb[q + i] = b[g + i]!;
      nb[q + GROUP_N] = last + 1;
      q += hlen;
      j = 0;
      for (let k = 0; k <= last; k++) {
        if (keepK[j] === k) {
          for (let x = recStart[k]!; x < recStart[k + 1]!; x++) nb[q++] = b[x]!;
          j++;
        } else nb[q++] = TAG_DEAD;
      }
      // the copy is complete: repoint the slots (a reader sees either identical copy)
      for (let i = 0; i < keepSlot.length; i += 2) Atomics.store(this.pages.words(keepSlot[i]!), keepSlot[i + 1]! + 1, nu);
    }
    heap.retire(c, version);
  }
}
