/**
 * TEST06's audit settings (MLPerf inference `compliance/TEST06/audit.config`) and a scratch
 * folder to hand them to LoadGen. LoadGen reads an audit config by file name at the start of a
 * test and lets it override the run's settings; TEST06's makes a performance run of at least 100
 * queries whose every response is copied into `mlperf_log_accuracy.json`.
 *
 * @packageDocumentation
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The values TEST06's audit.config sets, for every model and scenario (`*.*.<key>`): what LoadGen
 * ends up running and logging is checked against them in the detail log's `effective_*` records.
 */
export const TEST06_AUDIT_SETTINGS = Object.freeze({
  /** LoadGen's TestMode 2: PerformanceOnly. */
  mode: 2,
  /** Seed of the draw that picks which responses are logged (all of them at a target of 100 samples). */
  accuracy_log_rng_seed: '720381539243781796',
  /** Responses LoadGen aims to log: the logging probability is this over the samples it expects to issue. */
  accuracy_log_sampling_target: 100,
  min_query_count: 100,
  /** No minimum duration: the run ends after its 100 queries. */
  min_duration: 0,
  /** No padding to whole passes over the dataset (equal issue): exactly the 100 queries. */
  sample_concatenate_permutation: 0,
} as const);

/** The text of an audit.config with {@link TEST06_AUDIT_SETTINGS}, in LoadGen's `model.scenario.key = value` lines. */
export function test06AuditConfigText(): string {
  const lines = Object.entries(TEST06_AUDIT_SETTINGS).map(([key, value]) => `*.*.${key} = ${value}`);
  return `# MLPerf TEST06 (written by mlperf-llm compliance TEST06)\n${lines.join('\n')}\n`;
}

/** A TEST06 audit.config in a folder of its own; `remove()` deletes both. */
export interface ScratchAuditConfig {
  /** Absolute path of the file, for LoadGen's audit_config_filename. */
  readonly path: string;
  remove(): void;
}

/**
 * Writes TEST06's audit.config into a new temporary folder. The file is given to LoadGen by
 * path, so neither the working folder nor the output folder gets one (a left-over audit.config
 * would turn the next ordinary run in that folder into a compliance run).
 */
export function writeScratchTest06AuditConfig(): ScratchAuditConfig {
  const dir = mkdtempSync(join(tmpdir(), 'mlperf-llm-test06-'));
  const path = join(dir, 'audit.config');
  writeFileSync(path, test06AuditConfigText());
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
