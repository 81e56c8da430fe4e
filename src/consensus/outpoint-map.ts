/**
 * A map keyed by outpoint (txid bytes, output index) without building a key: open
 * addressing over the txid's own bytes, for the per-block views (CoinsCache, validateBlock's
 * supplied coins) that look up every input and output of a block once or twice. A string
 * key per lookup, and the Map's hashing of it, were most of a block's main-thread time.
 *
 * The slot hash mixes two txid words, the index and a per-process random salt, so outpoints
 * chosen to collide (txids are ground by whoever makes the transactions) cannot be
 * predicted. Keys are held by reference: the caller must not change a txid array after
 * using it as a key (block and transaction bytes are never changed once decoded).
 * Insertion order is kept for iteration, as a Map's.
 */
import { readU32LE } from '../primitives/bytes.ts';

/** Drawn when the first map is made (not at import: an edge runtime allows no randomness in global scope). */
let S0 = 0;
let S1 = 0;
let salted = false;
function drawSalt(): void {
  const salt = crypto.getRandomValues(new Uint32Array(2));
  S0 = salt[0]! | 0;
  S1 = salt[1]! | 0;
  salted = true;
}

function hash(t: Uint8Array, vout: number): number {
  let h = Math.imul(readU32LE(t, 0) ^ S0, 0x9e3779b1) ^ Math.imul(readU32LE(t, 12) ^ vout ^ S1, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae3d);
  return h ^ (h >>> 13);
}

function sameTxid(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class OutpointMap<V> {
  /** slot -> index into the entry arrays + 1; 0 = empty. */
  private slots: Int32Array;
  private mask: number;
  private readonly txids: Uint8Array[] = [];
  private readonly vouts: number[] = [];
  private readonly values: V[] = [];

  constructor(expected = 16) {
    if (!salted) drawSalt();
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.values.length;
  }

  /** The entry index of an outpoint, or -1. */
  private find(txid: Uint8Array, vout: number): number {
    if (txid.length !== 32) throw new RangeError(`OutpointMap: txid of ${txid.length} bytes`);
    const slots = this.slots, mask = this.mask;
    for (let s = hash(txid, vout) & mask; ; s = (s + 1) & mask) {
      const e = slots[s]!;
      if (e === 0) return -1;
      if (this.vouts[e - 1] === vout && sameTxid(this.txids[e - 1]!, txid)) return e - 1;
    }
  }

  get(txid: Uint8Array, vout: number): V | undefined {
    const i = this.find(txid, vout);
    return i < 0 ? undefined : this.values[i];
  }

  has(txid: Uint8Array, vout: number): boolean {
    return this.find(txid, vout) >= 0;
  }

  set(txid: Uint8Array, vout: number, value: V): this {
    const i = this.find(txid, vout);
    if (i >= 0) {
      this.values[i] = value;
      return this;
    }
    if ((this.values.length + 1) * 2 > this.slots.length) this.grow();
    this.txids.push(txid);
    this.vouts.push(vout);
    this.values.push(value);
    this.place(this.values.length - 1);
    return this;
  }

  /** Values in insertion order. */
  valuesInOrder(): readonly V[] {
    return this.values;
  }

  private place(i: number): void {
    const slots = this.slots, mask = this.mask;
    let s = hash(this.txids[i]!, this.vouts[i]!) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = i + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let i = 0; i < this.values.length; i++) this.place(i);
  }
}
