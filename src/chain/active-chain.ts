/** The active chain by height (Core's CChain): header numbers of a HeaderStore, in an Int32Array. */
import { NONE, type HeaderStore } from './header-store.ts';

export class ActiveChain {
  private ids = new Int32Array(1024);
  /** Blocks on the chain, genesis included (the tip's height + 1). */
  length = 0;

  constructor(private readonly store: HeaderStore) {}

  push(id: number): void {
    if (this.length === this.ids.length) {
      const a = new Int32Array(this.ids.length * 2);
      a.set(this.ids);
      this.ids = a;
    }
    this.ids[this.length++] = id;
  }
  pop(): void {
    this.length--;
  }
  get tip(): number {
    return this.ids[this.length - 1]!;
  }
  /** The header at a height, NONE above the tip. */
  at(height: number): number {
    return height >= 0 && height < this.length ? this.ids[height]! : NONE;
  }
  /** CChain::Contains. */
  contains(id: number): boolean {
    const h = this.store.height(id);
    return h < this.length && this.ids[h] === id;
  }
  /** The 80-byte headers of heights 1..tip, one after another in one new buffer. */
  headerBytes(): Uint8Array {
    const out = new Uint8Array(80 * (this.length - 1));
    for (let h = 1; h < this.length; h++) this.store.copyRaw(this.ids[h]!, out, 80 * (h - 1));
    return out;
  }
}
