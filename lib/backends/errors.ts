/**
 * Errors of the generation backends, with stable codes.
 *
 * @packageDocumentation
 */
import { codedError, type CodedError } from '../coded-error.js';

/** Stable codes of backend errors. */
export type BackendErrorCode =
  | 'ERR_BACKEND_UNAVAILABLE' // a runtime, provider or server is missing or unreachable
  | 'ERR_BACKEND_MODEL' // the model files are missing or malformed
  | 'ERR_BACKEND_REQUEST' // a request the backend cannot serve
  | 'ERR_BACKEND_FAILED'; // generation failed while running

/** An Error with a stable `code`. */
export type BackendError = CodedError<BackendErrorCode>;

/** Makes a backend error; the message says what happened and what to do. */
export function backendError(code: BackendErrorCode, message: string, cause?: unknown): BackendError {
  return codedError(code, message, cause);
}

/** The AbortError a backend rejects with when its signal fires. */
export function abortErrorFrom(signal: AbortSignal): Error {
  const error = codedError('ABORT_ERR', `generation aborted: ${String(signal.reason)}`, signal.reason);
  error.name = 'AbortError';
  return error;
}
