/**
 * Errors with a stable `code`, so callers branch on the kind of failure instead of parsing
 * messages. Each module names its own codes and wraps {@link codedError} with them.
 *
 * @packageDocumentation
 */

/** An Error with a stable `code`. */
export type CodedError<C extends string> = Error & { code: C };

/** Makes an Error with a stable `code`; the message says what happened and what to do. */
export function codedError<C extends string>(code: C, message: string, cause?: unknown): CodedError<C> {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as CodedError<C>;
  error.code = code;
  return error;
}
