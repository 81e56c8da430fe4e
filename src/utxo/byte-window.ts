/**
 * The snapshot loader's refilling byte window over an async chunk source (snapshot.ts),
 * without copying the chunks: buf is a source chunk itself, or at a chunk boundary a small
 * stitch of the previous chunk's unread tail and the start of the next one (then `next` is
 * that chunk, and once pos passes the tail the window continues in `next` at the same
 * stream position).
 *
 * `onRelease` receives every source chunk, in stream order, as soon as the window no
 * longer reads it (and the rest with releaseRest() at the end): a second consumer of the
 * same bytes (the hash worker of src/node/snapshot-load.ts) can take the chunk over.
 */
import { MAX_SCRIPT_SIZE } from './compress.ts';

/** Bytes of the next chunk a stitch takes: fill(n) works for every n <= STITCH. */
export const STITCH = MAX_SCRIPT_SIZE + 64;

export class ByteWindow {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  eof = false;
  private next: Uint8Array | undefined;
  /** While buf is a stitch: bytes of it that came from the previous chunk. */
  private tail = 0;
  /** buf is a source chunk (not a stitch). */
  private bufIsSource = false;
  constructor(
    private readonly it: AsyncGenerator<Uint8Array>,
    private readonly onRelease?: (chunk: Uint8Array) => void,
  ) {}

  /** Tries to make at least n bytes (n <= STITCH) available; returns whether it could. */
  async fill(n: number): Promise<boolean> {
    for (;;) {
      if (this.end - this.pos >= n) return true;
      const nx = this.next;
      if (nx !== undefined) {
        // a stitch holds STITCH bytes of nx: being short here means the tail is consumed
        this.pos -= this.tail;
        this.buf = nx;
        this.bufIsSource = true;
        this.end = nx.length;
        this.next = undefined;
        this.tail = 0;
        continue;
      }
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return this.end - this.pos >= n;
      }
      const c = r.value;
      const left = this.end - this.pos;
      if (left === 0) {
        this.releaseBuf();
        this.buf = c;
        this.bufIsSource = true;
        this.pos = 0;
        this.end = c.length;
        continue;
      }
      const take = Math.min(c.length, STITCH);
      const st = new Uint8Array(left + take);
      st.set(this.buf.subarray(this.pos, this.end));
      st.set(take === c.length ? c : c.subarray(0, take), left);
      this.releaseBuf();
      this.buf = st;
      this.bufIsSource = false;
      this.pos = 0;
      this.end = st.length;
      if (take < c.length) {
        this.next = c;
        this.tail = left;
      } else this.onRelease?.(c);
    }
  }

  private releaseBuf(): void {
    if (this.bufIsSource) this.onRelease?.(this.buf);
    this.bufIsSource = false;
  }

  /** Hands over the chunks still held (the window is done reading). */
  releaseRest(): void {
    this.releaseBuf();
    if (this.next) this.onRelease?.(this.next);
    this.next = undefined;
    this.buf = new Uint8Array(0);
    this.pos = this.end = 0;
  }
}
