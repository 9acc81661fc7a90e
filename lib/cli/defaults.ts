/**
 * Where the CLI finds its embedded defaults and puts its outputs.
 *
 * @packageDocumentation
 */
import { join } from 'node:path';

export { cacheDir } from '../package-paths.js';
export { SAMPLE_ARTICLES, SAMPLE_DATASET } from '../llm/sample-dataset.js';

/** Default output folder of a run: results/<scenario>-<mode>-<timestamp>/ in the current folder. */
export function defaultOutputDir(scenario: string, mode: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join('results', `${scenario}-${mode}-${stamp}`);
}
