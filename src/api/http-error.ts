/**
 * HTTP API errors: one shape for every error response, `{ error: { code, message } }`.
 */

export type ApiErrorCode =
  | 'bad-request'
  | 'malformed'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'over-budget'
  | 'unauthorized'
  | 'timeout'
  | 'too-many-requests'
  | 'not-found'
  | 'method-not-allowed'
  | 'busy'
  | 'rate-limited'
  | 'not-implemented'
  | 'internal';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 404 | 408 | 413 | 415 | 429 | 500 | 501 | 503,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export function errorBody(code: ApiErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * A server-side failure's text (a crashed worker's message and stack, with the server's
 * paths) goes to the log under a fresh request id; the client gets the id and a generic
 * message to quote.
 */
export function loggedFailure(what: string, detail: unknown): string {
  const id = crypto.randomUUID();
  const text = detail instanceof Error ? (detail.stack ?? detail.message) : String(detail);
  console.error(`txgate: request ${id}: ${what}: ${text}`);
  return `${what} on the server (request id ${id}); retry, or quote the id to the operator`;
}

/** A verdict's details as shown to the client: a server failure's (kind `error`) are logged and replaced. */
export function shownDetails(kind: string | undefined, details: string | undefined): string | undefined {
  return kind === 'error' && details !== undefined ? loggedFailure('validation failed', details) : details;
}
