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
  | 'not-found'
  | 'method-not-allowed'
  | 'busy'
  | 'rate-limited'
  | 'not-implemented'
  | 'internal';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 415 | 429 | 500 | 501 | 503,
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
