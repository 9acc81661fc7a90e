/**
 * Where the CLI finds its embedded defaults and puts its outputs.
 *
 * @packageDocumentation
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export { SAMPLE_ARTICLES, SAMPLE_DATASET } from '../llm/sample-dataset.js';

/** Default output folder of a run: results/<scenario>-<mode>-<timestamp>/ in the current folder. */
export function defaultOutputDir(scenario: string, mode: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join('results', `${scenario}-${mode}-${stamp}`);
}

/** Where downloads are cached. */
export function cacheDir(): string {
  return process.env.MLPERF_LLM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlperf-llm');
}
