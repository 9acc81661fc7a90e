/**
 * A scenario's `measurements.json`: how the model was prepared. MLPerf's checker (constants.py
 * SYSTEM_IMP_REQUIRED_FILES, checks/measurements_checks.py at mlcommons/inference b66003e1)
 * wants five fields with non-empty values. Two of them this harness knows — it sends the model
 * int32 token ids, and it does not retrain — the other three describe the user's weights, so they
 * come from a JSON file (`--measurements`), which may also override the first two.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { CodedError } from '../errors.js';

/** The fields of measurements.json the checker requires. */
export const MEASUREMENT_FIELDS = [
  'input_data_types',
  'retraining',
  'starting_weights_filename',
  'weight_data_types',
  'weight_transformations',
] as const;

/** measurements.json's contents: the required fields, and any others the user adds. */
export type Measurements = Record<(typeof MEASUREMENT_FIELDS)[number], string> & Record<string, unknown>;

/** What the harness itself can say: token ids go in as int32, and nothing is retrained. */
export const MEASUREMENT_DEFAULTS: Readonly<Partial<Measurements>> = { input_data_types: 'int32', retraining: 'No' };

const EXAMPLE =
  '{"starting_weights_filename": "meta-llama/Llama-3.1-8B-Instruct", "weight_data_types": "bf16", "weight_transformations": "none"}';

/**
 * The measurements: the defaults, then the fields of the `--measurements` file.
 *
 * @throws CodedError `ERR_SUBMISSION_MEASUREMENTS` naming the file (or the flag) and every missing field
 */
export function readMeasurements(path: string | undefined): Measurements {
  let given: Record<string, unknown> = {};
  if (path !== undefined) {
    try {
      given = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new CodedError(
        'ERR_SUBMISSION_MEASUREMENTS',
        `--measurements ${path} cannot be read as JSON (${reason}); give a JSON object such as ${EXAMPLE}`,
      );
    }
    if (typeof given !== 'object' || given === null || Array.isArray(given))
      throw new CodedError(
        'ERR_SUBMISSION_MEASUREMENTS',
        `--measurements ${path} is not a JSON object; give one such as ${EXAMPLE}`,
      );
  }
  const merged: Record<string, unknown> = { ...MEASUREMENT_DEFAULTS, ...given };
  const missing = MEASUREMENT_FIELDS.filter((field) => typeof merged[field] !== 'string' || merged[field] === '');
  if (missing.length > 0) {
    const where = path === undefined ? 'no --measurements file was given' : `--measurements ${path}`;
    throw new CodedError(
      'ERR_SUBMISSION_MEASUREMENTS',
      `${where}: measurements.json needs ${missing.join(', ')} as non-empty strings; give a JSON file such as ${EXAMPLE}`,
    );
  }
  return merged as Measurements;
}
