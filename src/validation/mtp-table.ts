/**
 * Median time past by height of the active chain, in shared memory, so validation workers
 * can evaluate time-based BIP68 locks (CalculateSequenceLocks needs the MTP of the block
 * before each coin's block) without asking the main thread.
 *
 * Layout: Int32[0] = highest height written (-1: none); Int32[1 + h] = MTP of block h.
 * The buffer is a growable SharedArrayBuffer; the one writer (block connection) writes the
 * MTPs first and publishes the height last with Atomics.store.
 * Race: during a reorg a height may be rewritten while a worker reads it; a transaction
 * validated in that window is checked against one of the two chains' MTPs — the same
 * outcome as validating just before or just after the reorg.
 */
const HEADER = 1;

export class MtpTable {
  private view: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = MtpTable.allocate()) {
    this.view = new Int32Array(buffer);
  }

  static allocate(): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(4 * 4096, { maxByteLength: 4 * (HEADER + 16_000_000) });
    new Int32Array(sab)[0] = -1;
    return sab;
  }

  /** Writer: sets the MTP of `height` and every height below that changed, then publishes. */
  set(height: number, mtp: number): void {
    const need = 4 * (HEADER + height + 1);
    if (need > this.buffer.byteLength) {
      (this.buffer as SharedArrayBuffer & { grow(n: number): void }).grow(Math.min(Math.max(need, 2 * this.buffer.byteLength), this.buffer.maxByteLength));
    }
    // A length-tracking view follows growth; re-create it in case the runtime's does not.
    if (this.view.length < HEADER + height + 1) this.view = new Int32Array(this.buffer);
    this.view[HEADER + height] = mtp;
    Atomics.store(this.view, 0, height);
  }

  /** Reader: MTP at `height`, or undefined when not (yet) known. */
  get(height: number): number | undefined {
    const top = Atomics.load(this.view, 0);
    if (height < 0 || height > top) return undefined;
    if (this.view.length < HEADER + height + 1) this.view = new Int32Array(this.buffer);
    return this.view[HEADER + height];
  }
}
