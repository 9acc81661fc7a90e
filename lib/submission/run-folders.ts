/**
 * The run folders a submission is made from, told apart by their result.json: a performance
 * run, an accuracy run (a `--mode submission` run is both), or a TEST06 compliance run (its
 * result.json says `"compliance": "TEST06"`), each for one scenario; and the grouping of them
 * into one complete set per scenario, refusing what MLPerf would not accept.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LLM_SCENARIOS, type LlmScenario } from '../llm/benchmark-settings.js';
import type { RunResult } from '../report/run-result.js';
import { CodedError } from '../errors.js';

/** What a run folder holds evidence of. */
export type RunKind = 'performance' | 'accuracy' | 'TEST06';

/** MLPerf's benchmark names, the folder under results/<system>/. */
export type BenchmarkName = 'llama3.1-8b' | 'llama3.1-8b-edge';

/** One classified run folder. */
export interface RunFolder {
  /** The folder, absolute. */
  readonly dir: string;
  /** The folder as the user wrote it, for messages. */
  readonly given: string;
  readonly kinds: readonly RunKind[];
  readonly scenario: LlmScenario;
  readonly benchmark: BenchmarkName;
  readonly result: RunResult & { compliance?: unknown };
}

/** The runs of one scenario of one benchmark. */
export interface ScenarioRuns {
  readonly benchmark: BenchmarkName;
  readonly scenario: LlmScenario;
  readonly performance: RunFolder;
  readonly accuracy: RunFolder;
  /** Required for llama3.1-8b; the edge benchmark has no compliance test. */
  readonly test06?: RunFolder | undefined;
}

/** The benchmarks that need a TEST06 run per scenario (the checker's models_TEST06). */
export const TEST06_BENCHMARKS: readonly BenchmarkName[] = ['llama3.1-8b'];

/** The lines of verify_accuracy.txt that say TEST06 passed (Offline skips the first-token check). */
export const TEST06_PASS_LINES = {
  firstToken: ['First token check pass: True', 'First token check pass: Skipped'],
  eos: 'EOS check pass: True',
  length: 'Sample length check pass: True',
} as const;

const LOADGEN_FILES: Record<RunKind, readonly string[]> = {
  performance: ['mlperf_log_summary.txt', 'mlperf_log_detail.txt', 'user.conf'],
  accuracy: ['mlperf_log_summary.txt', 'mlperf_log_detail.txt', 'mlperf_log_accuracy.json'],
  TEST06: ['verify_accuracy.txt', 'mlperf_log_accuracy.json'],
};

const RUN_COMMANDS = '"mlperf-llm run" or "mlperf-llm compliance TEST06"';

/** A refusal naming the folder as the user gave it. */
export function runError(given: string, problem: string): CodedError {
  return new CodedError('ERR_SUBMISSION_RUN', `--from ${given}: ${problem}`);
}

function benchmarkOf(modelKey: unknown): BenchmarkName {
  return modelKey === 'llama3_1-8b-edge' ? 'llama3.1-8b-edge' : 'llama3.1-8b';
}

/** Why TEST06's verify_accuracy.txt does not say it passed, or undefined when it does. */
export function test06Failure(text: string, scenario: string): string | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  // Only Offline may skip the first-token check: the other scenarios report first tokens.
  const firstTokenOk =
    lines.includes(TEST06_PASS_LINES.firstToken[0]) ||
    (scenario === 'Offline' && lines.includes(TEST06_PASS_LINES.firstToken[1]));
  const failed = [
    firstTokenOk ? undefined : 'first-token check',
    lines.includes(TEST06_PASS_LINES.eos) ? undefined : 'EOS check',
    lines.includes(TEST06_PASS_LINES.length) ? undefined : 'sample-length check',
  ].filter((name): name is string => name !== undefined);
  if (failed.length > 0) return `verify_accuracy.txt does not record a pass of the ${failed.join(', ')}`;
  // mlperf-llm's verification adds checks of its own (the sample count); its verdict line covers them.
  return lines.includes('TEST06 verification failed')
    ? 'verify_accuracy.txt says "TEST06 verification failed"'
    : undefined;
}

/**
 * Reads one folder's result.json and says what it is.
 *
 * @throws CodedError `ERR_SUBMISSION_RUN` naming the folder: not written by mlperf-llm, aborted,
 *   INVALID, a failed TEST06, a compliance test other than TEST06, or a LoadGen log missing
 */
export function classifyRunFolder(given: string): RunFolder {
  const dir = resolve(given);
  const resultPath = join(dir, 'result.json');
  if (!existsSync(resultPath))
    throw runError(given, `holds no result.json, so it was not written by mlperf-llm; pass folders of ${RUN_COMMANDS}`);
  let result: RunFolder['result'];
  try {
    result = JSON.parse(readFileSync(resultPath, 'utf8')) as RunFolder['result'];
  } catch (error) {
    throw runError(
      given,
      `its result.json cannot be read (${(error as Error).message}); pass folders of ${RUN_COMMANDS}`,
    );
  }
  const scenario = (result as { scenario?: unknown } | null)?.scenario;
  if (typeof scenario !== 'string' || !LLM_SCENARIOS.includes(scenario as LlmScenario))
    throw runError(
      given,
      `its result.json names no scenario, so it was not written by mlperf-llm; pass folders of ${RUN_COMMANDS}`,
    );
  if (result.aborted === true)
    throw runError(
      given,
      `the run was aborted (${result.abortReason ?? 'no reason recorded'}), so it is no result; run it again`,
    );

  let kinds: RunKind[];
  if (result.compliance !== undefined) {
    if (result.compliance !== 'TEST06')
      throw runError(given, `is a ${String(result.compliance)} compliance run; Llama-3.1-8B needs TEST06 only`);
    kinds = ['TEST06'];
  } else if (result.mode === 'performance') kinds = ['performance'];
  else if (result.mode === 'accuracy') kinds = ['accuracy'];
  else if (result.mode === 'submission') kinds = ['performance', 'accuracy'];
  else
    throw runError(given, `its result.json has mode ${JSON.stringify(result.mode)}; pass folders of ${RUN_COMMANDS}`);

  for (const kind of kinds) {
    const missing = LOADGEN_FILES[kind].filter((file) => !existsSync(join(dir, file)));
    if (missing.length > 0)
      throw runError(given, `lacks ${missing.join(', ')}, which a ${kind} run leaves; pass the whole run folder`);
  }
  if (kinds.includes('performance') && result.validity !== 'VALID')
    throw runError(
      given,
      `LoadGen judged this ${scenario} performance run ${result.validity ?? 'without a verdict'}` +
        `${result.invalidReason ? ` (${result.invalidReason})` : ''}; a submission needs a VALID one, so run it again with the fix`,
    );
  // A plain run under a left-over audit.config (TEST06's) samples its accuracy log: no submission run.
  const sampling = Number(result.settings?.accuracy_log_sampling_target ?? 0);
  const audit = result.auditConfig;
  if (kinds.includes('performance') && (sampling > 0 || audit !== undefined))
    throw runError(
      given,
      `LoadGen ran it under a compliance audit.config (${audit ?? `accuracy_log_sampling_target ${sampling}`}); run the performance run again without one`,
    );
  if (kinds.includes('TEST06')) {
    const failure = test06Failure(readFileSync(join(dir, 'verify_accuracy.txt'), 'utf8'), scenario);
    if (failure !== undefined)
      throw runError(given, `TEST06 failed for ${scenario}: ${failure}; fix the SUT and run it again`);
  }
  return { dir, given, kinds, scenario: scenario as LlmScenario, benchmark: benchmarkOf(result.modelKey), result };
}

const HOW_TO: Record<RunKind, (scenario: string) => string> = {
  performance: (scenario) => `mlperf-llm run --scenario ${scenario}`,
  accuracy: (scenario) => `mlperf-llm run --scenario ${scenario} --mode accuracy`,
  TEST06: (scenario) => `mlperf-llm compliance TEST06 --scenario ${scenario}`,
};

/**
 * Groups classified folders by benchmark and scenario: one performance run, one accuracy run and
 * (for llama3.1-8b) one TEST06 run each.
 *
 * @throws CodedError `ERR_SUBMISSION_RUN` naming the folder: two runs of one kind for a scenario, or
 *   a scenario lacking one of its runs
 */
export function groupRuns(folders: readonly RunFolder[]): ScenarioRuns[] {
  const groups = new Map<
    string,
    Partial<Record<RunKind, RunFolder>> & { benchmark: BenchmarkName; scenario: LlmScenario }
  >();
  for (const folder of folders) {
    const key = `${folder.benchmark}/${folder.scenario}`;
    const group = groups.get(key) ?? { benchmark: folder.benchmark, scenario: folder.scenario };
    groups.set(key, group);
    for (const kind of folder.kinds) {
      const earlier = group[kind];
      if (earlier !== undefined)
        throw runError(
          folder.given,
          `a second ${kind} run for ${folder.benchmark} ${folder.scenario} (the first is ${earlier.given}); pass one of them`,
        );
      group[kind] = folder;
    }
  }
  const result: ScenarioRuns[] = [];
  for (const group of groups.values()) {
    const present = group.performance ?? group.accuracy ?? group.TEST06!;
    const needed: RunKind[] = ['performance', 'accuracy'];
    if (TEST06_BENCHMARKS.includes(group.benchmark)) needed.push('TEST06');
    for (const kind of needed) {
      if (group[kind] === undefined)
        throw runError(
          present.given,
          `no ${kind} run for ${group.benchmark} ${group.scenario} among --from; add the folder of "${HOW_TO[kind](group.scenario)}"`,
        );
    }
    result.push({
      benchmark: group.benchmark,
      scenario: group.scenario,
      performance: group.performance!,
      accuracy: group.accuracy!,
      test06: group.TEST06,
    });
  }
  return result;
}
