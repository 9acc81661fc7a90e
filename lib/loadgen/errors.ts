/**
 * Errors raised by the LoadGen binding. Every one carries a stable `code`, so callers can branch
 * on the kind of failure instead of parsing messages.
 *
 * @packageDocumentation
 */

/** Stable codes of {@link LoadgenError}. */
export type LoadgenErrorCode =
  | 'ERR_LOADGEN_BUSY'
  | 'ERR_LOADGEN_CALLBACK_FAILED'
  | 'ERR_LOADGEN_CONFIG'
  | 'ERR_LOADGEN_DESTROYED'
  | 'ERR_LOADGEN_LOG_OUTPUT'
  | 'ERR_LOADGEN_NATIVE_LOAD_FAILED'
  | 'ABORT_ERR';

/** An error from the LoadGen binding, with a stable {@link LoadgenError.code}. */
export class LoadgenError extends Error {
  /** What went wrong, as a stable identifier. */
  readonly code: LoadgenErrorCode;

  /**
   * @param code - stable identifier of the failure
   * @param message - what happened and what to do about it
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: LoadgenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'LoadgenError';
  }
}

/**
 * A TypeError for a malformed argument or setting, with the stable code Node uses for argument
 * errors (`ERR_INVALID_ARG_TYPE`) or `ERR_LOADGEN_INVALID_SETTINGS` for test/log settings.
 */
export function codedTypeError(
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_LOADGEN_INVALID_SETTINGS',
  message: string,
): TypeError {
  const error = new TypeError(message) as TypeError & { code: string };
  error.code = code;
  return error;
}

/** Describes a value for an error message without dumping large objects. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${value.constructor?.name ?? 'object'}`;
}
