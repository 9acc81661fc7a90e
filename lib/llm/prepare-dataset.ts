/**
 * Builds MLPerf's `cnn_eval.json` the way the reference does: CNN-DailyMail 3.0.0, validation
 * split (13,368 articles, in split order), each article wrapped in the MLPerf prompt and
 * tokenized with Llama-3.1's tokenizer (BOS first, no truncation), the highlights as reference.
 * Written with 4-space indentation and raw Unicode, as Python's `json.dump(..., indent=4,
 * ensure_ascii=False)` writes it.
 *
 * @packageDocumentation
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import type { CnnRecord } from './dataset.js';
import { PROMPT_TEMPLATE, promptFor } from './prompt.js';
import { CodedError } from '../errors.js';

/** Where CNN-DailyMail 3.0.0's validation split is published as Parquet (Hugging Face Hub). */
export const CNN_DAILYMAIL_VALIDATION_URL =
  'https://huggingface.co/datasets/abisee/cnn_dailymail/resolve/main/3.0.0/validation-00000-of-00001.parquet';

/** An article and its highlights, as the source holds them. */
export interface SourceArticle {
  article: string;
  highlights: string;
}

/** Turns text into Llama-3.1 token ids with BOS first (LlamaTokenizer's encode). */
export interface PromptEncoder {
  encode(text: string): Int32Array;
}

/** Downloads a URL to a file (atomically: a partial download never looks complete). */
export async function downloadFile(url: string, path: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CodedError(
      'ERR_PREPARE_DOWNLOAD',
      `cannot download ${url} (${(error as Error).message}); without network access, download the file elsewhere and pass it with --source <file>`,
      { cause: error },
    );
  }
  if (!response.ok || response.body === null) {
    throw new CodedError(
      'ERR_PREPARE_DOWNLOAD',
      `download of ${url} failed with HTTP ${response.status}; pass a local copy with --source <file>`,
    );
  }
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    createWriteStream(partial),
  );
  renameSync(partial, path);
}

/** Reads the article/highlights columns of a CNN-DailyMail Parquet file, in file order. */
export async function readCnnDailyMailParquet(path: string): Promise<SourceArticle[]> {
  if (!existsSync(path)) throw new CodedError('ERR_PREPARE_SOURCE', `source ${path} does not exist`);
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      columns: ['article', 'highlights'],
    })) as Record<string, unknown>[];
  } catch (error) {
    throw new CodedError(
      'ERR_PREPARE_SOURCE',
      `cannot read ${path} as CNN-DailyMail Parquet (${(error as Error).message}); pass the 3.0.0 validation split file`,
      { cause: error },
    );
  }
  return rows.map((row, index) => {
    if (typeof row.article !== 'string' || typeof row.highlights !== 'string') {
      throw new CodedError(
        'ERR_PREPARE_SOURCE',
        `${path}: row ${index} has no string "article" and "highlights" columns`,
      );
    }
    return { article: row.article, highlights: row.highlights };
  });
}

/** Reads articles from a JSON array of `{input, output}` (the shape of the shipped sample articles). */
export function readArticlesJson(path: string): SourceArticle[] {
  let records: unknown;
  try {
    records = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CodedError('ERR_PREPARE_SOURCE', `cannot read ${path} as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!Array.isArray(records))
    throw new CodedError('ERR_PREPARE_SOURCE', `${path} must hold a JSON array of {input, output} articles`);
  return records.map((record: { input?: unknown; output?: unknown }, index) => {
    if (typeof record?.input !== 'string' || typeof record?.output !== 'string') {
      throw new CodedError(
        'ERR_PREPARE_SOURCE',
        `${path}: record ${index} needs string fields "input" (article) and "output" (summary)`,
      );
    }
    return { article: record.input, highlights: record.output };
  });
}

/** The records of cnn_eval.json for the given articles (the first `totalCount` of them). */
export function buildRecords(
  articles: readonly SourceArticle[],
  encoder: PromptEncoder,
  totalCount = articles.length,
): CnnRecord[] {
  return articles.slice(0, totalCount).map((source) => ({
    instruction: { llama: PROMPT_TEMPLATE },
    input: source.article,
    tok_input: Array.from(encoder.encode(promptFor(source.article))),
    output: source.highlights,
  }));
}

/** Writes records as Python's json.dump(records, f, indent=4, ensure_ascii=False) does. */
export function writeRecords(records: readonly CnnRecord[], path: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, JSON.stringify(records, null, 4));
}

/** Options of {@link prepareDataset}. */
export interface PrepareOptions {
  /** A Parquet file or URL of the validation split, or a JSON file of {input, output} articles. Default: the Hub's Parquet. */
  source?: string | undefined;
  /** Output file. */
  output: string;
  /** Keep the first N records. */
  totalCount?: number | undefined;
  /** Where downloads are kept. */
  cacheDir: string;
  encoder: PromptEncoder;
}

/** Builds cnn_eval.json; returns the number of records written. */
export async function prepareDataset(options: PrepareOptions): Promise<number> {
  const source = options.source ?? CNN_DAILYMAIL_VALIDATION_URL;
  let articles: SourceArticle[];
  if (/^https?:\/\//.test(source)) {
    const local = join(options.cacheDir, source.split('/').pop()!);
    if (!existsSync(local)) await downloadFile(source, local);
    articles = await readCnnDailyMailParquet(local);
  } else if (source.endsWith('.json')) {
    articles = readArticlesJson(source);
  } else {
    articles = await readCnnDailyMailParquet(source);
  }
  const records = buildRecords(articles, options.encoder, options.totalCount);
  writeRecords(records, options.output);
  return records.length;
}
