/**
 * `mlperf-llm evaluate`: scores an accuracy log as MLPerf's evaluation.py does and checks the
 * 99% targets.
 *
 * @packageDocumentation
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { formatEvaluationDict } from '../../accuracy/format.js';
import type { AccuracyTarget } from '../../accuracy/targets.js';
import { cleanUpSetting } from '../../accuracy/clean-up-spaces.js';
import { evaluateAccuracyLog, type TokenDtype } from '../../accuracy/score-log.js';
import { suiteOfSampleCount } from '../../llm/benchmark-settings.js';
import { loadDataset } from '../../llm/dataset.js';
import { checkReadableFile } from '../run-checks.js';
import { defaultTokenizer } from '../../tokenizer/tokenizer.js';
import { accuracySummary, readRunResult, writeRunResult } from '../../report/run-result.js';
import { readDetail } from '../../report/detail.js';
import { SAMPLE_DATASET } from '../defaults.js';
import { EXIT_CODES } from '../exit-codes.js';

interface EvaluateArgs {
  log: string;
  dataset: string;
  dtype: TokenDtype;
  target: AccuracyTarget | 'none' | 'auto';
  'tokenizer-config'?: string;
  'clean-up-spaces'?: boolean;
}

function logPathOf(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'mlperf_log_accuracy.json');
  return path;
}

/**
 * A performance run's accuracy log (a compliance test's, e.g. TEST06) holds only the responses
 * LoadGen sampled: its scores are no accuracy result, and the user is told so.
 */
function warnIfPerformanceLog(logPath: string): void {
  const detailPath = join(dirname(logPath), 'mlperf_log_detail.txt');
  if (!existsSync(detailPath)) return;
  const mode = readDetail(detailPath).get('effective_test_mode');
  if (mode !== 'PerformanceOnly') return;
  console.error(
    `mlperf-llm: warning: ${logPath} is a performance run's log (LoadGen's effective_test_mode is PerformanceOnly, ` +
      "as under a compliance test's audit.config): it holds the responses LoadGen sampled, not every sample once, " +
      'so these scores are no accuracy result; run --mode accuracy for one',
  );
}

async function handler(args: EvaluateArgs): Promise<void> {
  const logPath = logPathOf(args.log);
  checkReadableFile(logPath, '--log', "an accuracy run's mlperf_log_accuracy.json, or its run folder");
  const dataset = loadDataset(args.dataset);
  const target =
    args.target === 'auto' ? suiteOfSampleCount(dataset.size) : args.target === 'none' ? undefined : args.target;
  const evaluation = evaluateAccuracyLog({
    logPath,
    dataset,
    tokenizer: defaultTokenizer(),
    dtype: args.dtype,
    target,
    cleanUpSpaces: args['clean-up-spaces'] ?? cleanUpSetting(args['tokenizer-config']),
  });
  const aborted = evaluation.abortReason !== undefined;
  warnIfPerformanceLog(logPath);
  if (aborted) {
    console.error(
      `mlperf-llm: ${logPath} is the log of an ABORTED run (${evaluation.abortReason}): ${evaluation.emptyAnswers} of ` +
        `${evaluation.samples} samples were answered empty at the abort, so these scores are no result`,
    );
  }
  console.log(formatEvaluationDict(evaluation.scores));
  if (evaluation.check) {
    for (const check of evaluation.check.checks) {
      console.log(`  ${check.passed ? 'pass' : 'FAIL'}  ${check.metric} = ${check.value} (${check.bound})`);
    }
    console.log(
      `${evaluation.check.passed ? 'PASS' : 'FAIL'}: ${evaluation.samples} samples against the ${evaluation.target} 99% targets` +
        (aborted ? ' (an aborted run: no result)' : ''),
    );
  }
  const dir = dirname(logPath);
  writeFileSync(join(dir, 'accuracy.json'), `${JSON.stringify(accuracySummary(evaluation), null, 2)}\n`);
  if (existsSync(join(dir, 'result.json'))) {
    const result = readRunResult(dir);
    result.accuracy = accuracySummary(evaluation);
    writeRunResult(result);
  }
  if (aborted) process.exitCode = EXIT_CODES.aborted;
  else if (evaluation.check && !evaluation.check.passed) process.exitCode = EXIT_CODES.accuracyFailed;
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: 'evaluate',
  describe: "Score an accuracy log the way MLPerf's evaluation.py does",
  builder: (yargs) =>
    yargs
      .option('log', {
        type: 'string',
        demandOption: true,
        describe: 'mlperf_log_accuracy.json, or the run folder holding it',
      })
      .option('dataset', {
        type: 'string',
        default: SAMPLE_DATASET,
        defaultDescription: 'the shipped sample articles',
        describe: 'the cnn_eval.json the run used',
      })
      .option('dtype', {
        choices: ['int32', 'int64'] as const,
        default: 'int32' as const,
        describe: 'element type of the logged token ids',
      })
      .option('target', {
        choices: ['auto', 'datacenter', 'edge', 'none'] as const,
        default: 'auto' as const,
        describe:
          "MLPerf's 99% targets to check (auto: by dataset size, 13,368 datacenter / 5,000 edge, none otherwise)",
      })
      .option('tokenizer-config', {
        type: 'string',
        describe:
          "a tokenizer folder whose tokenizer_config.json sets clean_up_tokenization_spaces (default: Llama-3.1's, on)",
      })
      .option('clean-up-spaces', {
        type: 'boolean',
        describe:
          "drop spaces before punctuation and contractions after decoding, as evaluation.py's transformers does (--no-clean-up-spaces: off)",
      }) as unknown as Argv<EvaluateArgs>,
  handler,
};
