/**
 * Writes an MLPerf Inference closed-division submission tree from finished run folders.
 *
 * What the tree must look like comes from MLPerf's submission checker as read at
 * mlcommons/inference b66003e1 (2026-08-20; `tools/submission/submission_checker/`, the layout of
 * its versions v6.0 and v6.1, whose round seeds LoadGen 6.0.17 applies), its
 * `submission_structure.md` and `directory_structure_samples/`:
 *
 * - the checker's input folder holds `closed/<submitter>/`, and under it `systems/<system>.json`,
 *   a `src/` folder (it only checks that it exists), and
 *   `results/<system>/<benchmark>/<Scenario>/` per scenario, the benchmark being `llama3.1-8b`
 *   (datacenter; Interactive is a scenario folder of it) or `llama3.1-8b-edge`;
 * - a scenario folder holds `performance/run_1/` with exactly `mlperf_log_summary.txt` and
 *   `mlperf_log_detail.txt`; `accuracy/` with `accuracy.txt`, `mlperf_log_accuracy.json`,
 *   `mlperf_log_detail.txt` and `mlperf_log_summary.txt`; `measurements.json`; and, as the
 *   checker's measurement files, a non-empty `user.conf` and `README.md`;
 * - `measurements.json` has non-empty `input_data_types`, `retraining`,
 *   `starting_weights_filename`, `weight_data_types` and `weight_transformations`;
 * - `accuracy.txt` is evaluation.py's output — a `Results` line, then the Python dict it prints —
 *   from which the checker reads `'rouge1':`, `'rouge2':`, `'rougeL':`, `'rougeLsum':` (each a
 *   number, quotes allowed) and `'gen_len': <number>`, and a `hash=` line
 *   (see ./truncate-accuracy-log.ts); the checker also wants the accuracy run to cover the whole
 *   dataset (13,368 samples; 5,000 on edge);
 * - llama3.1-8b needs TEST06 per scenario (the edge benchmark none), in the scenario folder:
 *   `TEST06/verify_accuracy.txt`, whose lines `First token check pass: True` (or `Skipped`),
 *   `EOS check pass: True` and `Sample length check pass: True` the checker looks for, and
 *   `TEST06/accuracy/mlperf_log_accuracy.json`, kept whole;
 * - closed datacenter needs Offline and one of Server or Interactive; edge needs SingleStream and
 *   Offline;
 * - the checker reads result_validity but never refuses an INVALID performance run: this command
 *   does.
 *
 * Everything is checked before anything is written, and the tree is built in a temporary folder
 * beside the output that is renamed into place at the end, so a failure leaves no partial tree.
 *
 * @packageDocumentation
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { evaluateAccuracyLog, type AccuracyLogResult } from '../accuracy/score-log.js';
import { formatEvaluationDict } from '../accuracy/format.js';
import { OFFICIAL_SAMPLE_COUNT, suiteOfSampleCount } from '../llm/benchmark-settings.js';
import { loadDataset, type Dataset } from '../llm/dataset.js';
import { defaultTokenizer } from '../tokenizer/tokenizer.js';
import { packageVersion } from '../package-paths.js';
import { CodedError, messageOf } from '../errors.js';
import { readSystemDescription } from './system-description.js';
import { classifyRunFolder, groupRuns, runError, type ScenarioRuns } from './run-folders.js';
import { hashLine, truncateAccuracyLog } from './truncate-accuracy-log.js';
import { readMeasurements, type Measurements } from './measurements.js';

/** Options of {@link writeSubmissionTree}. */
export interface SubmissionOptions {
  /** The system description JSON; its file name (without .json) names the system in the tree. */
  system: string;
  /** Run folders written by `mlperf-llm run` and `mlperf-llm compliance TEST06`. */
  from: readonly string[];
  /** The submission folder to create (the checker's --input); it must not exist or be empty. */
  output: string;
  /** The submitter folder name; default the system description's `submitter`. */
  submitter?: string | undefined;
  /** The division; only `closed` is supported. */
  division?: 'closed' | undefined;
  /** A JSON file with measurements.json's fields (see ./measurements.ts). */
  measurements?: string | undefined;
}

/** What {@link writeSubmissionTree} wrote. */
export interface SubmissionTree {
  /** The submission folder (the checker's --input). */
  root: string;
  /** `closed/<submitter>` under it. */
  submitterDir: string;
  /** The scenario folders written, absolute. */
  scenarioDirs: string[];
  /** Rules of the checker these runs do not meet (quick runs on the sample set, a missing scenario). */
  warnings: string[];
}

function outputError(output: string, problem: string): CodedError {
  return new CodedError('ERR_SUBMISSION_OUTPUT', `--output ${output}: ${problem}`);
}

function checkOutput(output: string): void {
  if (!existsSync(output)) return;
  if (!statSync(output).isDirectory()) throw outputError(output, 'is a file; give a new folder');
  const entries = readdirSync(output);
  if (entries.length > 0)
    throw outputError(
      output,
      `exists and is not empty (${entries.length} entries); give a new folder or empty this one`,
    );
}

/** Scores the accuracy run's log against its dataset and refuses a failed target. */
function scoreAccuracy(runs: ScenarioRuns): AccuracyLogResult {
  const run = runs.accuracy;
  let dataset: Dataset;
  try {
    dataset = loadDataset(run.result.dataset.path);
  } catch (error) {
    throw runError(run.given, `its dataset cannot be read (${messageOf(error)}); put it back where the run read it`);
  }
  const evaluation = evaluateAccuracyLog({
    logPath: join(run.dir, 'mlperf_log_accuracy.json'),
    dataset,
    tokenizer: defaultTokenizer(),
    target: suiteOfSampleCount(run.result.dataset.samples),
  });
  if (evaluation.check !== undefined && !evaluation.check.passed) {
    const failed = evaluation.check.checks
      .filter((check) => !check.passed)
      .map((check) => `${check.metric} ${check.value}, needs ${check.bound}`);
    throw runError(
      run.given,
      `the ${runs.scenario} accuracy run fails the ${evaluation.target} 99% targets (${failed.join('; ')}); a closed submission needs them met`,
    );
  }
  return evaluation;
}

/** The checker's rules that quick runs miss; said, not refused, so a trial tree can be made. */
function warningsFor(runs: ScenarioRuns, evaluation: AccuracyLogResult): string[] {
  const warnings: string[] = [];
  const where = `${runs.benchmark} ${runs.scenario}`;
  const official = OFFICIAL_SAMPLE_COUNT[runs.benchmark === 'llama3.1-8b-edge' ? 'edge' : 'datacenter'];
  if (evaluation.samples !== official)
    warnings.push(
      `${where}: the accuracy run (${runs.accuracy.given}) scored ${evaluation.samples} samples, not the whole ${official}; the checker requires the whole dataset`,
    );
  const settings = runs.performance.result.settings;
  const minDuration = Number(settings.min_duration_ms);
  if (minDuration < 600_000)
    warnings.push(
      `${where}: the performance run (${runs.performance.given}) had min_duration ${minDuration} ms; the checker requires 600000 ms or more`,
    );
  const sampleCount = Number(settings.performance_sample_count);
  if (sampleCount < official)
    warnings.push(
      `${where}: the performance run (${runs.performance.given}) had performance_sample_count ${sampleCount}; the checker requires ${official}`,
    );
  const samplesPerQuery = Number(settings.samples_per_query);
  if (runs.scenario === 'Offline' && samplesPerQuery < official)
    warnings.push(
      `${where}: the performance run (${runs.performance.given}) issued ${samplesPerQuery} samples per query; the checker requires ${official} or more`,
    );
  return warnings;
}

function scenarioWarnings(groups: readonly ScenarioRuns[]): string[] {
  const warnings: string[] = [];
  const scenariosOf = (benchmark: string): string[] =>
    groups.filter((g) => g.benchmark === benchmark).map((g) => g.scenario);
  const datacenter = scenariosOf('llama3.1-8b');
  if (datacenter.length > 0) {
    if (!datacenter.includes('Offline')) warnings.push('llama3.1-8b: closed datacenter requires an Offline result');
    if (!datacenter.includes('Server') && !datacenter.includes('Interactive'))
      warnings.push('llama3.1-8b: closed datacenter requires a Server or an Interactive result too');
  }
  const edge = scenariosOf('llama3.1-8b-edge');
  for (const scenario of ['SingleStream', 'Offline'])
    if (edge.length > 0 && !edge.includes(scenario))
      warnings.push(`llama3.1-8b-edge: closed edge requires a ${scenario} result`);
  return warnings;
}

function scenarioReadme(runs: ScenarioRuns): string {
  const lines = [
    `# ${runs.benchmark} ${runs.scenario}`,
    '',
    `Measured with mlperf-llm (mlperf-loadgen-node ${packageVersion}), LoadGen ${runs.performance.result.loadgenVersion}, backend ${runs.performance.result.backend}.`,
    '',
    '| run | folder | started |',
    '| --- | --- | --- |',
    `| performance | ${basename(runs.performance.dir)} | ${runs.performance.result.startedAt} |`,
    `| accuracy | ${basename(runs.accuracy.dir)} | ${runs.accuracy.result.startedAt} |`,
  ];
  if (runs.test06) lines.push(`| TEST06 | ${basename(runs.test06.dir)} | ${runs.test06.result.startedAt} |`);
  lines.push(
    '',
    'The performance run used the user.conf beside this file. Describe here how to reproduce the',
    'runs on this system (model export, backend flags).',
    '',
  );
  return lines.join('\n');
}

function writeScenario(
  dir: string,
  runs: ScenarioRuns,
  evaluation: AccuracyLogResult,
  measurements: Measurements,
): void {
  const perf = join(dir, 'performance', 'run_1');
  mkdirSync(perf, { recursive: true });
  for (const file of ['mlperf_log_summary.txt', 'mlperf_log_detail.txt'])
    copyFileSync(join(runs.performance.dir, file), join(perf, file));

  const accuracy = join(dir, 'accuracy');
  mkdirSync(accuracy);
  for (const file of ['mlperf_log_summary.txt', 'mlperf_log_detail.txt'])
    copyFileSync(join(runs.accuracy.dir, file), join(accuracy, file));
  const truncated = truncateAccuracyLog(
    join(runs.accuracy.dir, 'mlperf_log_accuracy.json'),
    join(accuracy, 'mlperf_log_accuracy.json'),
  );
  // evaluation.py prints a "Results" line and the dict (Llama-3.1-8B's has no token counts);
  // the truncation appends the hash.
  const { gen_tok_len: _tokens, tokens_per_sample: _perSample, ...printed } = evaluation.scores;
  writeFileSync(
    join(accuracy, 'accuracy.txt'),
    `Results\n\n${formatEvaluationDict(printed)}\n${hashLine(truncated.sha256)}`,
  );

  if (runs.test06) {
    const test06 = join(dir, 'TEST06');
    mkdirSync(join(test06, 'accuracy'), { recursive: true });
    copyFileSync(join(runs.test06.dir, 'verify_accuracy.txt'), join(test06, 'verify_accuracy.txt'));
    copyFileSync(
      join(runs.test06.dir, 'mlperf_log_accuracy.json'),
      join(test06, 'accuracy', 'mlperf_log_accuracy.json'),
    );
  }

  copyFileSync(join(runs.performance.dir, 'user.conf'), join(dir, 'user.conf'));
  writeFileSync(join(dir, 'measurements.json'), `${JSON.stringify(measurements, null, 4)}\n`);
  writeFileSync(join(dir, 'README.md'), scenarioReadme(runs));
}

function srcReadme(): string {
  return [
    '# Source',
    '',
    `The runs were made with mlperf-llm, the benchmark harness of mlperf-loadgen-node ${packageVersion}`,
    '(a Node.js binding of the MLCommons LoadGen). Add the code of your own SUT or backend here.',
    '',
  ].join('\n');
}

/**
 * Checks the system description, the measurements and every run folder, scores each accuracy
 * run, and writes the tree (see the module description for its layout).
 *
 * @throws CodedError `ERR_SUBMISSION_SYSTEM`, `ERR_SUBMISSION_MEASUREMENTS`, `ERR_SUBMISSION_RUN`
 *   or `ERR_SUBMISSION_OUTPUT`, naming the file or folder at fault; nothing is written then
 */
export function writeSubmissionTree(options: SubmissionOptions): SubmissionTree {
  const division = options.division ?? 'closed';
  const output = resolve(options.output);
  checkOutput(options.output);
  const system = readSystemDescription(options.system, { division, submitter: options.submitter });
  const measurements = readMeasurements(options.measurements);
  if (options.from.length === 0)
    throw new CodedError(
      'ERR_SUBMISSION_RUN',
      '--from names no run folder; give the performance, accuracy and TEST06 folders',
    );
  const groups = groupRuns(options.from.map((dir) => classifyRunFolder(dir)));
  const systemType = String(system.fields.system_type);
  for (const group of groups) {
    const needs = group.benchmark === 'llama3.1-8b-edge' ? 'edge' : 'datacenter';
    if (!systemType.split(',').includes(needs))
      throw runError(
        group.performance.given,
        `is a ${needs} run (${group.benchmark}), but --system ${options.system} has system_type "${systemType}"; use a ${needs} system description`,
      );
  }
  const scored = groups.map((group) => ({ group, evaluation: scoreAccuracy(group) }));
  const warnings = [
    ...scored.flatMap(({ group, evaluation }) => warningsFor(group, evaluation)),
    ...scenarioWarnings(groups),
  ];

  mkdirSync(dirname(output), { recursive: true });
  const staging = mkdtempSync(join(dirname(output), `.${basename(output)}.partial-`));
  try {
    const submitterDir = join(staging, division, system.submitter);
    mkdirSync(join(submitterDir, 'systems'), { recursive: true });
    copyFileSync(system.path, join(submitterDir, 'systems', `${system.id}.json`));
    mkdirSync(join(submitterDir, 'src'));
    writeFileSync(join(submitterDir, 'src', 'README.md'), srcReadme());
    const scenarioDirs: string[] = [];
    for (const { group, evaluation } of scored) {
      const relative = join(division, system.submitter, 'results', system.id, group.benchmark, group.scenario);
      mkdirSync(join(staging, relative), { recursive: true });
      writeScenario(join(staging, relative), group, evaluation, measurements);
      scenarioDirs.push(join(output, relative));
    }
    if (existsSync(output)) rmdirSync(output);
    renameSync(staging, output);
    return { root: output, submitterDir: join(output, division, system.submitter), scenarioDirs, warnings };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
