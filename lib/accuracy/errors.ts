/**
 * Errors of the accuracy module, with stable codes.
 *
 * @packageDocumentation
 */
import { codedError, type CodedError } from '../coded-error.js';

/** Stable codes of accuracy errors. */
export type AccuracyErrorCode =
  | 'ERR_ACCURACY_PUNKT' // the Punkt sentence-splitting parameters are missing or malformed
  | 'ERR_ACCURACY_INPUT'; // predictions, references or token counts that cannot be scored

/** An Error with a stable `code`. */
export type AccuracyError = CodedError<AccuracyErrorCode>;

/** Makes an accuracy error; the message says what happened and what to do. */
export function accuracyError(code: AccuracyErrorCode, message: string, cause?: unknown): AccuracyError {
  return codedError(code, message, cause);
}
