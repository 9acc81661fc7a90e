/**
 * Errors of the accuracy module, with stable codes.
 *
 * @packageDocumentation
 */

/** Stable codes of accuracy errors. */
export type AccuracyErrorCode =
  | 'ERR_ACCURACY_PUNKT' // the Punkt sentence-splitting parameters are missing or malformed
  | 'ERR_ACCURACY_INPUT'; // predictions, references or token counts that cannot be scored

/** An Error with a stable `code`. */
export type AccuracyError = Error & { code: AccuracyErrorCode };

/** Makes an accuracy error; the message says what happened and what to do. */
export function accuracyError(code: AccuracyErrorCode, message: string, cause?: unknown): AccuracyError {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as AccuracyError;
  error.code = code;
  return error;
}
