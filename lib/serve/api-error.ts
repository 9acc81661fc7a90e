/**
 * Errors the server answers with, in the OpenAI error shape:
 * `{"error": {"message", "type", "param", "code"}}` with a matching HTTP status.
 *
 * @packageDocumentation
 */

/** OpenAI's error `type` values that this server uses. */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error';

/** The JSON body of an error answer. */
export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
}

/** An error to answer a request with: HTTP status plus OpenAI's error fields. */
export class ApiError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** OpenAI error type. */
  readonly type: ApiErrorType;
  /** The request parameter at fault, if one is. */
  readonly param: string | null;
  /** A stable machine-readable code, if there is one. */
  readonly errorCode: string | null;

  constructor(status: number, message: string, options: { type?: ApiErrorType; param?: string; code?: string } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = options.param ?? null;
    this.errorCode = options.code ?? null;
  }

  /** The JSON body for this error. */
  toBody(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.errorCode } };
  }
}

/** A 400 answer about one request parameter. */
export function invalidParam(param: string, message: string): ApiError {
  return new ApiError(400, message, { param, code: 'invalid_value' });
}

/**
 * The answer for an error thrown while generating: backend errors keep their code, and a request
 * the backend cannot serve is the client's fault (400); anything else is the server's (500).
 */
export function apiErrorFromBackend(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_BACKEND_REQUEST') return new ApiError(400, message, { code });
  if (code === 'ERR_BACKEND_UNAVAILABLE') return new ApiError(503, message, { code });
  return new ApiError(500, message, { code: typeof code === 'string' ? code : 'internal_error' });
}
