/**
 * The sample set shipped with the package: twenty short news articles written for this project,
 * with reference summaries, in MLPerf's cnn_eval.json schema (prompts tokenized with the
 * Llama-3.1 tokenizer). It feeds the default run and the tests; it is not MLPerf's dataset.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';
import { packageRoot } from '../package-paths.js';

/** The sample dataset (cnn_eval.json schema). */
export const SAMPLE_DATASET = join(packageRoot, 'data', 'cnn_eval_sample.json');

/** The articles it is built from (`mlperf-llm prepare-dataset --source <this> --output <SAMPLE_DATASET>`). */
export const SAMPLE_ARTICLES = join(packageRoot, 'data', 'sample-articles.json');
