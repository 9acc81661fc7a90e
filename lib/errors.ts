/**
 * Errors, in one shape for the whole package: an Error with a stable `code` (and the original
 * failure as `cause` where there is one), so callers branch on the kind of failure instead of
 * parsing messages. The native addon builds the same shape (native/errors.cc). Every code is
 * listed once, in {@link ERROR_CODES}, with what it means.
 *
 * Argument errors follow Node's own convention: a TypeError or RangeError carrying the code
 * ({@link codedTypeError}, {@link codedRangeError}); everything else is a {@link CodedError} or
 * one of its thin subclasses, which exist where `instanceof` helps a caller.
 *
 * @packageDocumentation
 */

/** Every error code the package raises, and what it means. */
export const ERROR_CODES = Object.freeze({
  ABORT_ERR: 'the run or request was aborted (its AbortSignal fired, Ctrl-C, SIGTERM); the cause says why',
  ERR_INVALID_ARG_TYPE: 'an argument has the wrong type (TypeError); the message names it',
  ERR_INVALID_ARG_VALUE: 'an argument has the right type but an impossible value (RangeError)',

  ERR_LOADGEN_NATIVE_LOAD_FAILED: 'the native addon could not be loaded; the message lists what was tried and the fix',
  ERR_LOADGEN_BUSY: 'a LoadGen test is already running in this process (LoadGen runs one at a time)',
  ERR_LOADGEN_INVALID_SETTINGS: 'a TestSettings or LogSettings field is malformed (TypeError naming the field)',
  ERR_LOADGEN_CONFIG: 'LoadGen rejected a config file (user.conf, audit.config); the message names the lines',
  ERR_LOADGEN_LOG_OUTPUT: 'LoadGen could not write its log files into the output folder',
  ERR_LOADGEN_CALLBACK_FAILED:
    'a SUT or QSL callback threw or rejected, which ended the test; the cause is the original error',
  ERR_LOADGEN_DESTROYED: 'a SUT or QSL handle was used after Destroy*',
  ERR_LOADGEN_UNKNOWN_RESPONSE_ID:
    'a completion named a response id that was never issued (RangeError); nothing was completed',
  ERR_LOADGEN_ALREADY_COMPLETED: 'a completion named a sample completed before, or twice in one call (RangeError)',
  ERR_LOADGEN_FIRST_TOKEN_REPEATED: "a sample's first token was reported twice (RangeError)",
  ERR_LOADGEN_FIRST_TOKEN_MISSING:
    'a sample was completed before its first token was reported in a token-latency run (RangeError)',
  ERR_LOADGEN_INTERNAL:
    'the native addon received a malformed internal object: a bug of this package, please report it',

  ERR_BACKEND_UNAVAILABLE: 'a runtime, provider library, device or server is missing or unreachable',
  ERR_BACKEND_MODEL: 'the model files are missing or malformed',
  ERR_BACKEND_REQUEST: 'a request or option the backend cannot serve',
  ERR_BACKEND_FAILED: 'generation failed while running',
  ERR_SAMPLE_TIMEOUT:
    'samples did not complete within the per-sample timeout (a stuck backend); the message lists them and the flag',
  ERR_ENDPOINT_MODEL:
    'a server does not serve the model the run asks for (--model), or cannot tell which it serves; the message names the server and what it serves',
  ERR_ENDPOINT_LIST:
    'an --endpoints file or endpoint list is malformed or unreadable; the message names the file and line',

  ERR_DATASET_READ: 'the dataset file cannot be read',
  ERR_DATASET_FORMAT: 'the dataset is not MLPerf cnn_eval.json; the message names the record and field',
  ERR_PREPARE_SOURCE: 'prepare-dataset cannot read its source (Parquet or JSON)',
  ERR_PREPARE_DOWNLOAD: 'prepare-dataset cannot download the CNN-DailyMail split',
  ERR_TOKENIZER_LOAD: 'tokenizer.json is missing, malformed, or not a Llama 3 tokenizer',
  ERR_TOKENIZER_ID: 'decode got an id outside the vocabulary',
  ERR_TOKENIZER_INPUT: 'encode got something other than a string',
  ERR_ACCURACY_PUNKT: 'the Punkt sentence-splitter parameters are missing or malformed',
  ERR_ACCURACY_INPUT: 'predictions, references or token counts that cannot be scored',
  ERR_ACCURACY_DATASET: 'an accuracy log names samples the given dataset does not have',
  ERR_REPORT_NOT_A_RUN: 'the folder holds no result.json written by mlperf-llm run',
  ERR_REPORT_BAD_FILE: 'a file of the run folder (sample_times.json) is damaged; the message names it',
  ERR_COMPLIANCE_LOG:
    "a compliance test's log folder lacks LoadGen's logs, or they are not that test's run; the message names the file",
  ERR_COMPLIANCE_OPTION: 'a compliance option (EOS ids, output limit) is malformed; the message names it',
  ERR_SUBMISSION_RUN:
    'a run folder cannot go into a submission (not written by mlperf-llm, INVALID, aborted, failed accuracy or TEST06, a duplicate or a missing run); the message names it',
  ERR_SUBMISSION_SYSTEM:
    'the system description JSON lacks required fields or has values the submission checker refuses',
  ERR_SUBMISSION_MEASUREMENTS: "measurements.json's required fields are missing (the --measurements file)",
  ERR_SUBMISSION_OUTPUT: 'the submission output folder exists and is not empty, or is a file',
  ERR_SERVE_LISTEN: 'serve cannot listen on the host and port',
  ERR_CUDA_SETUP_PLATFORM: 'setup-cuda runs on linux/x64 only',
  ERR_CUDA_SETUP_DRIVER: 'the NVIDIA driver is too old for the CUDA major asked for',
  ERR_CUDA_SETUP_FOLDER: "the binding folder is not onnxruntime-node's, or not writable",
  ERR_CUDA_SETUP_TOOL: 'npm or mvn, which fetch the provider package, is missing',
  ERR_CUDA_SETUP_DOWNLOAD: 'the registry client failed to fetch the provider package',
  ERR_CUDA_SETUP_CHECKSUM: 'the provider archive or a file in it is not the pinned one',
  ERR_CUDA_SETUP_ARCHIVE: 'the provider archive cannot be read or lacks a provider file',
  ERR_SERVE_REQUEST: 'serve answers a request with an HTTP error (the status says whose fault)',
} as const);

/** A stable error code: one of the keys of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable {@link ErrorCode}. */
export class CodedError extends Error {
  /** What went wrong, as a stable identifier. */
  readonly code: ErrorCode;

  /**
   * @param code - stable identifier of the failure
   * @param message - what happened and what to do about it
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = code === 'ABORT_ERR' ? 'AbortError' : new.target.name;
  }
}

/** A failure of the LoadGen binding (loading the addon, starting, running or configuring a test). */
export class LoadgenError extends CodedError {}

/** A failure of a generation backend: `ERR_BACKEND_*`, or `ABORT_ERR`. */
export class BackendError extends CodedError {}

/** An argument of the wrong type: a TypeError with a code, as Node's own argument errors are. */
export function codedTypeError(
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_LOADGEN_INVALID_SETTINGS',
  message: string,
): TypeError & { code: ErrorCode } {
  return Object.assign(new TypeError(message), { code });
}

/** An argument with an impossible value: a RangeError with a code. */
export function codedRangeError(code: 'ERR_INVALID_ARG_VALUE', message: string): RangeError & { code: ErrorCode } {
  return Object.assign(new RangeError(message), { code });
}

/**
 * The one AbortError of the package: `what` was aborted because `reason` (an AbortSignal's
 * reason) says so; the reason is the cause. `consequence` tells what that leaves behind.
 */
export function abortError(what: string, reason: unknown, consequence?: string): CodedError {
  const tail = consequence === undefined ? '' : `; ${consequence}`;
  return new CodedError('ABORT_ERR', `${what} was aborted (${messageOf(reason)})${tail}`, { cause: reason });
}

/** Whether `error` carries `code` (any error shape of this package, native ones included). */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** Whether `error` carries one of this package's codes. */
export function isCoded(error: unknown): error is Error & { code: ErrorCode } {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}

/** Describes a value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${value.constructor?.name ?? 'object'}`;
}
