/**
 * Errors of the Llama-3.1 tokenizer, with stable codes.
 *
 * @packageDocumentation
 */
import { codedError, type CodedError } from '../coded-error.js';

/** Stable codes of tokenizer errors. */
export type TokenizerErrorCode =
  | 'ERR_TOKENIZER_LOAD' // tokenizer.json is missing, unreadable, malformed or of an unsupported kind
  | 'ERR_TOKENIZER_ID' // decode got an id that is not in the vocabulary
  | 'ERR_TOKENIZER_INPUT'; // encode got something other than a string

/** An Error with a stable `code`. */
export type TokenizerError = CodedError<TokenizerErrorCode>;

/** Makes a tokenizer error; the message says what happened and what to do. */
export function tokenizerError(code: TokenizerErrorCode, message: string, cause?: unknown): TokenizerError {
  return codedError(code, message, cause);
}
