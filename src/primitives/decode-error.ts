/**
 * The one error a decoder may throw, at the parse boundary. Everything past the parse
 * boundary reports failures as values.
 */
export type DecodeErrorCode =
  | 'truncated'
  | 'trailing-bytes'
  | 'non-canonical-compactsize'
  | 'oversize'
  | 'witness-flag-without-witness'
  | 'bad-hex'
  | 'invalid';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    /** Byte offset in the input where the problem was found. */
    readonly offset = -1,
  ) {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message);
  }
}
