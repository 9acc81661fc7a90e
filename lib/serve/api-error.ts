/**
 * Errors the server answers with, in the OpenAI error shape:
 * `{"error": {"message", "type", "param", "code"}}` with a matching HTTP status.
 *
 * @packageDocumentation
 */
import { CodedError } from '../errors.js';

/** OpenAI's error `type` values that this server uses. */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error';

/** The JSON body of an error answer. */
export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
}

/** An error to answer a request with: HTTP status plus OpenAI's error fields (`ERR_SERVE_REQUEST`). */
export class ApiError extends CodedError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** OpenAI error type. */
  readonly type: ApiErrorType;
  /** The request parameter at fault, if one is. */
  readonly param: string | null;
  /** OpenAI's machine-readable code for the client (`invalid_value`, …, or a backend's ERR_ code), if any. */
  readonly errorCode: string | null;

  constructor(status: number, message: string, options: { type?: ApiErrorType; param?: string; code?: string } = {}) {
    super('ERR_SERVE_REQUEST', message);
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
