/**
 * Message framing (CMessageHeader, V1Transport): 4 bytes of network magic, a 12-byte
 * NUL-padded command, the payload length and the first 4 bytes of the payload's double
 * SHA-256. FrameReader takes the stream in arbitrary chunks and hands out whole messages;
 * it never holds more than one header plus MAX_PROTOCOL_MESSAGE_LENGTH bytes, and throws
 * DecodeError (wrong magic, bad command, oversized, bad checksum) before buffering a payload
 * it would refuse.
 */
import { ByteWriter } from '../primitives/codec.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { hash256 } from '../primitives/hash.ts';
import { COMMAND_SIZE, HEADER_SIZE, MAX_PROTOCOL_MESSAGE_LENGTH } from './protocol.ts';

export interface Frame {
  command: string;
  payload: Uint8Array;
}

const ASCII = new TextEncoder();

/** The whole message on the wire for `command` with `payload`. */
export function encodeFrame(magic: Uint8Array, command: string, payload: Uint8Array): Uint8Array {
  if (command.length > COMMAND_SIZE || !/^[a-z0-9]*$/.test(command)) throw new RangeError(`bad command ${JSON.stringify(command)}`);
  const w = new ByteWriter(HEADER_SIZE + payload.length);
  w.bytes(magic);
  const cmd = new Uint8Array(COMMAND_SIZE);
  cmd.set(ASCII.encode(command));
  w.bytes(cmd).u32(payload.length).bytes(hash256(payload).subarray(0, 4)).bytes(payload);
  return w.finish();
}

/** CMessageHeader::IsCommandValid: printable ASCII, then only NUL padding. */
function readCommand(b: Uint8Array): string {
  let end = 0;
  while (end < COMMAND_SIZE && b[end] !== 0) {
    const c = b[end]!;
    if (c < 0x20 || c > 0x7e) throw new DecodeError('invalid', 'message command is not printable ASCII', 4 + end);
    end++;
  }
  for (let i = end; i < COMMAND_SIZE; i++) if (b[i] !== 0) throw new DecodeError('invalid', 'message command has bytes after its NUL padding', 4 + i);
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** The header of the message whose payload is being collected. */
  private pending: { command: string; length: number; checksum: Uint8Array } | undefined;

  constructor(private readonly magic: Uint8Array, private readonly maxPayload = MAX_PROTOCOL_MESSAGE_LENGTH) {}

  /** Bytes held and not yet handed out (bounded by a header plus the largest payload). */
  get size(): number {
    return this.buffered;
  }

  /** Appends a chunk of the stream and returns every message it completes (throws DecodeError). */
  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    if (chunk.length) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (!this.pending) {
        if (this.buffered < HEADER_SIZE) break;
        const h = this.take(HEADER_SIZE);
        for (let i = 0; i < 4; i++) {
          if (h[i] !== this.magic[i]) throw new DecodeError('invalid', 'wrong network magic', i);
        }
        const command = readCommand(h.subarray(4, 16));
        const length = (h[16]! | (h[17]! << 8) | (h[18]! << 16) | (h[19]! << 24)) >>> 0;
        if (length > this.maxPayload) throw new DecodeError('oversize', `${command || 'message'} payload of ${length} bytes is over ${this.maxPayload}`, 16);
        this.pending = { command, length, checksum: h.slice(20, 24) };
      }
      const p = this.pending;
      if (this.buffered < p.length) break;
      const payload = this.take(p.length);
      const sum = hash256(payload);
      for (let i = 0; i < 4; i++) {
        if (sum[i] !== p.checksum[i]) throw new DecodeError('invalid', `${p.command} checksum mismatch`, 20 + i);
      }
      this.pending = undefined;
      out.push({ command: p.command, payload });
    }
    return out;
  }

  /** The next n buffered bytes, as one array. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      const v = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return n === first.length ? v : v.slice();
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}
