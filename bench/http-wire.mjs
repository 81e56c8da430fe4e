/**
 * HTTP/1.1 on the wire for the bench's raw-socket clients (bench/loadgen.mjs "client":"raw",
 * bench/flood.mjs): minimal response framing and verdict counting.
 */
export const CRLF = Buffer.from('\r\n');
export const CRLFCRLF = Buffer.from('\r\n\r\n');
export const ALLOWED_TRUE = Buffer.from('"allowed":true');
export const ALLOWED_FALSE = Buffer.from('"allowed":false');

export function occurrences(buf, needle) {
  let n = 0;
  for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, at + needle.length)) n++;
  return n;
}

/**
 * One complete response at the start of `buf`, or null if more bytes are needed:
 * { status, body (Buffer), end (bytes used), close (the server said Connection: close) }.
 * Throws on a response it cannot frame.
 */
export function parseResponse(buf, untilClose) {
  const headEnd = buf.indexOf(CRLFCRLF);
  if (headEnd === -1) return null;
  const head = buf.toString('latin1', 0, headEnd).toLowerCase();
  if (!head.startsWith('http/1.')) throw new Error(`not an HTTP/1 response: ${JSON.stringify(head.slice(0, 40))}`);
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:[^\r]*close/.test(head);
  const start = headEnd + 4;
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) {
    // RFC 9112 §7.1: size in hex [;ext] CRLF data CRLF ... 0 CRLF [trailers] CRLF.
    const parts = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf(CRLF, at);
      if (lineEnd === -1) return null;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (!Number.isFinite(size) || size < 0) throw new Error('bad chunk size');
      if (size === 0) {
        const end = buf.indexOf(CRLFCRLF, lineEnd);
        if (end === -1) return null;
        return { status, body: parts.length === 1 ? parts[0] : Buffer.concat(parts), end: end + 4, close };
      }
      if (buf.length < lineEnd + 2 + size + 2) return null;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const m = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (m) {
    const end = start + Number(m[1]);
    if (buf.length < end) return null;
    return { status, body: buf.subarray(start, end), end, close };
  }
  // No length: the body runs to the end of the connection (RFC 9112 §6.3, item 8).
  if (!untilClose) return null;
  return { status, body: buf.subarray(start), end: buf.length, close: true };
}
