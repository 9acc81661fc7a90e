/**
 * Errors of the generation backends, with stable codes.
 *
 * @packageDocumentation
 */

/** Stable codes of backend errors. */
export type BackendErrorCode =
  | 'ERR_BACKEND_UNAVAILABLE' // a runtime, provider or server is missing or unreachable
  | 'ERR_BACKEND_MODEL' // the model files are missing or malformed
  | 'ERR_BACKEND_REQUEST' // a request the backend cannot serve
  | 'ERR_BACKEND_FAILED'; // generation failed while running

/** An Error with a stable `code`. */
export type BackendError = Error & { code: BackendErrorCode };

/** Makes a backend error; the message says what happened and what to do. */
export function backendError(code: BackendErrorCode, message: string, cause?: unknown): BackendError {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as BackendError;
  error.code = code;
  return error;
}

/** The AbortError a backend rejects with when its signal fires. */
export function abortErrorFrom(signal: AbortSignal): Error {
  const error = new Error(`generation aborted: ${String(signal.reason)}`, { cause: signal.reason }) as Error & { code: string };
  error.name = 'AbortError';
  error.code = 'ABORT_ERR';
  return error;
}
