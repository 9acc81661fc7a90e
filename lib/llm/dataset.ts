/**
 * MLPerf's CNN-DailyMail file for Llama-3.1-8B (`cnn_eval.json`): a JSON array of records
 * `{ instruction, input, tok_input, output }` — 13,368 records for the datacenter suite, 5,000
 * for edge. Loading validates every record, so a malformed file fails with a message naming the
 * record and the field.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LLAMA31_SPECIAL_TOKENS } from '../llama31.js';
import { CodedError } from '../errors.js';

/** One record as the file holds it. */
export interface CnnRecord {
  /** The prompt template (a string, or an object such as `{ "llama": "<template>" }`). */
  instruction: string | Record<string, string>;
  /** The article. */
  input: string;
  /** Llama-3.1 token ids of the filled prompt, BOS first. */
  tok_input: number[];
  /** The reference summary (CNN-DailyMail "highlights"). */
  output: string;
}

/** A loaded dataset: prompts as Int32Arrays, references as text. */
export interface Dataset {
  /** Where it was read from. */
  readonly path: string;
  /** Number of samples. */
  readonly size: number;
  /** The prompt token ids of sample i (a fresh array each call: the QSL decides what stays loaded). */
  prompt(index: number): Int32Array;
  /** The article of sample i. */
  article(index: number): string;
  /** The reference summary of sample i. */
  reference(index: number): string;
}

/** A dataset that cannot be read or is malformed (`ERR_DATASET_READ`, `ERR_DATASET_FORMAT`), with its path. */
export class DatasetError extends CodedError {
  /** The dataset file. */
  readonly path: string;

  constructor(code: 'ERR_DATASET_READ' | 'ERR_DATASET_FORMAT', path: string, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.path = path;
  }
}

function datasetError(
  code: 'ERR_DATASET_READ' | 'ERR_DATASET_FORMAT',
  path: string,
  message: string,
  cause?: unknown,
): DatasetError {
  return new DatasetError(code, path, message, cause);
}

const MAX_TOKEN_ID = LLAMA31_SPECIAL_TOKENS.vocabSize;

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'string' ? `a string of ${value.length} characters` : typeof value;
}

/** Checks one record; returns a problem description or undefined. */
function recordProblem(record: unknown): string | undefined {
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    return `is ${describeValue(record)}, not an object`;
  const r = record as Record<string, unknown>;
  if (typeof r.input !== 'string') return `field "input" is ${describeValue(r.input)}, not the article text`;
  if (typeof r.output !== 'string') return `field "output" is ${describeValue(r.output)}, not the reference summary`;
  if (
    r.instruction !== undefined &&
    typeof r.instruction !== 'string' &&
    (r.instruction === null || typeof r.instruction !== 'object')
  ) {
    return `field "instruction" is ${describeValue(r.instruction)}, not a template`;
  }
  const tokens = r.tok_input;
  if (!Array.isArray(tokens) || tokens.length === 0)
    return `field "tok_input" is ${describeValue(tokens)}, not a non-empty array of token ids`;
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MAX_TOKEN_ID) {
      return `field "tok_input"[${i}] is ${JSON.stringify(id)}, not a Llama-3.1 token id (0..${MAX_TOKEN_ID - 1})`;
    }
  }
  return undefined;
}

/** Parses and validates the records of a cnn_eval.json text. */
export function parseDataset(text: string, path = '<memory>'): Dataset {
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch (error) {
    throw datasetError(
      'ERR_DATASET_FORMAT',
      path,
      `dataset ${path} is not valid JSON (${(error as Error).message}); it must be MLPerf's cnn_eval.json (run "mlperf-llm prepare-dataset" to build one)`,
      error,
    );
  }
  if (!Array.isArray(records)) {
    throw datasetError(
      'ERR_DATASET_FORMAT',
      path,
      `dataset ${path} holds ${describeValue(records)}; it must be a JSON array of {instruction, input, tok_input, output} records`,
    );
  }
  if (records.length === 0) throw datasetError('ERR_DATASET_FORMAT', path, `dataset ${path} has no records`);
  for (let i = 0; i < records.length; i++) {
    const problem = recordProblem(records[i]);
    if (problem)
      throw datasetError(
        'ERR_DATASET_FORMAT',
        path,
        `dataset ${path}: record ${i} ${problem}; fix or regenerate the file with "mlperf-llm prepare-dataset"`,
      );
  }
  const typed = records as CnnRecord[];
  return {
    path,
    size: typed.length,
    prompt: (index) => Int32Array.from(typed[index]!.tok_input),
    article: (index) => typed[index]!.input,
    reference: (index) => typed[index]!.output,
  };
}

/** Reads and validates a cnn_eval.json file. */
export function loadDataset(path: string): Dataset {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'EISDIR'
        ? 'is a folder — pass the cnn_eval.json file itself'
        : (error as Error).message;
    throw datasetError('ERR_DATASET_READ', absolute, `cannot read dataset ${absolute}: ${reason}`, error);
  }
  return parseDataset(text, absolute);
}
