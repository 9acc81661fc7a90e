/**
 * One MLPerf Llama-3.1-8B run: user.conf and LoadGen settings, the dataset's QSL, the LLM SUT on
 * a backend, LoadGen's run, the accuracy score of accuracy and submission runs, and result.json
 * beside LoadGen's four log files (written once, the same for the library and the CLI).
 *
 * @packageDocumentation
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Backend } from '../backends/backend.js';
import { loadgenVersion } from '../loadgen/index.js';
import { runTest } from '../loadgen/run-test.js';
import { estimateEarlyEnd, type EarlyEnd } from '../loadgen/early-end.js';
import type { TestSettings } from '../loadgen/settings/test-settings.js';
import { codedRangeError, codedTypeError, describeValue, hasCode, messageOf } from '../errors.js';
import { evaluateAccuracyLog, type TokenDecoder } from '../accuracy/score-log.js';
import {
  accuracySummary,
  ranAccuracyPass,
  summarizeRun,
  writeRunResult,
  type RunResult,
} from '../report/run-result.js';
import { defaultTokenizer } from '../tokenizer/tokenizer.js';
import {
  benchmarkTestSettings,
  defaultSuite,
  loadgenScenario,
  keysSetIn,
  modelKey,
  suiteOfSampleCount,
  writeUserConf,
  type LlmMode,
  type LlmScenario,
  type Suite,
} from './benchmark-settings.js';
import type { Dataset } from './dataset.js';
import { MAX_NEW_TOKENS } from './prompt.js';
import { DatasetQsl } from './qsl.js';
import { progressPlan, type ProgressPlan } from './progress-plan.js';
import { LlmSut, type SampleTime, type SutProgress } from './sut.js';

/** Options of {@link runLlmBenchmark}. */
export interface LlmBenchmarkOptions {
  scenario: LlmScenario;
  mode: LlmMode;
  /** Default: edge for SingleStream, datacenter otherwise. */
  suite?: Suite | undefined;
  backend: Backend;
  dataset: Dataset;
  /** Use the first N samples; default all. */
  totalSampleCount?: number | undefined;
  /** Default 128 (MLPerf). */
  maxNewTokens?: number | undefined;
  /** Most samples generating at once; default the backend's `maxConcurrency`. */
  maxConcurrency?: number | undefined;
  targetQps?: number | undefined;
  targetLatencyMs?: number | undefined;
  minDurationMs?: number | undefined;
  minQueryCount?: number | undefined;
  /** A user.conf to start from (flags override its values). */
  userConf?: string | undefined;
  /** Folder for LoadGen's logs, user.conf and result.json (created). */
  outputDir: string;
  /**
   * The audit config LoadGen looks for at the start of the test (a compliance test's settings,
   * which override the run's). Default "audit.config" in the working folder, as LoadGen's.
   */
  auditConfig?: string | undefined;
  /** Write LoadGen's trace file (large for long runs). Default false. */
  enableTrace?: boolean | undefined;
  /**
   * Ends the run early: LoadGen's logs are still written completely, and the promise rejects
   * with an `ABORT_ERR` error.
   */
  signal?: AbortSignal | undefined;
  /** Decodes the logged tokens of accuracy and submission runs; default the Llama-3.1 tokenizer. */
  tokenizer?: TokenDecoder | undefined;
  /** Called about twice a second while the run goes. */
  onProgress?: ((progress: Readonly<SutProgress>, elapsedSeconds: number, plan: ProgressPlan) => void) | undefined;
  /**
   * Fails the run with `ERR_SAMPLE_TIMEOUT` when a sample has been generating this long (ms)
   * without completing. Default 10× the scenario's per-sample bound (`defaultSampleTimeoutMs`); 0 turns it off.
   */
  sampleTimeoutMs?: number | undefined;
  /** Called once LoadGen's test has started, with what a caller can ask of the running test. */
  onStart?: ((run: RunningBenchmark) => void) | undefined;
}

/** A benchmark run in progress, as {@link LlmBenchmarkOptions.onStart} hands it out. */
export interface RunningBenchmark {
  /** The run's log folder. */
  readonly outputDir: string;
  /** How long the run would take to end if it were aborted now (what to tell the user at Ctrl-C). */
  estimateEarlyEnd(): EarlyEnd;
}

/**
 * How many times a sample's latency bound the default sample timeout allows: far beyond any
 * sample of a valid run, so it only ends runs whose backend has stopped answering.
 */
const SAMPLE_TIMEOUT_FACTOR = 10;

/**
 * The default per-sample timeout: 10x the longest a sample may take within the scenario's
 * token-latency bounds (TTFT + TPOT x maxNewTokens; Server: 10 x (2 s + 0.1 s x 128) = 148 s).
 * Offline and SingleStream have no such bound; they get 10x Server's bound.
 */
export function defaultSampleTimeoutMs(settings: TestSettings, scenario: LlmScenario, maxNewTokens: number): number {
  const bounded = scenario === 'Server' || scenario === 'Interactive';
  const factor = bounded ? SAMPLE_TIMEOUT_FACTOR : SAMPLE_TIMEOUT_FACTOR * SAMPLE_TIMEOUT_FACTOR;
  const ttftMs = Number(settings.ttft_latency) / 1e6;
  const tpotMs = Number(settings.tpot_latency) / 1e6;
  const bound = ttftMs + tpotMs * maxNewTokens;
  // Settings without token bounds (a user.conf that drops them): Server's own, 2 s + 0.1 s per token.
  const perSample = Number.isFinite(bound) && bound > 0 ? bound : 2000 + 100 * maxNewTokens;
  return Math.ceil(factor * perSample);
}

/** Why a run ended early, in result.json's words: the abort's own reason, or the error that ended it. */
function abortReasonFor(error: unknown): string {
  if (hasCode(error, 'ABORT_ERR')) return messageOf((error as Error).cause ?? error);
  return messageOf(error);
}

/** Writes each sample's times, in ms from the run's start, for the HTML report's charts. */
function writeSampleTimes(path: string, times: readonly SampleTime[], started: number): void {
  const ms = (t: number): number => Math.round((t - started) * 1000) / 1000;
  const samples = times.map(([issued, first, done, tokens]) => [
    ms(issued),
    first === null ? null : ms(first),
    ms(done),
    tokens,
  ]);
  writeFileSync(
    path,
    `${JSON.stringify({ fields: ['issuedMs', 'firstTokenMs', 'completedMs', 'tokens'], samples })}\n`,
  );
}

/**
 * Runs the benchmark and returns its result (also written to `<outputDir>/result.json`);
 * accuracy and submission runs are scored as MLPerf's evaluation.py scores them (against the
 * 99% targets when the dataset is an official one).
 *
 * @throws an `ABORT_ERR` error when `signal` fired; the backend's error when generation failed
 */
export async function runLlmBenchmark(options: LlmBenchmarkOptions): Promise<RunResult> {
  const outputDir = resolve(options.outputDir);
  mkdirSync(outputDir, { recursive: true });
  const suite = options.suite ?? defaultSuite(options.scenario);
  const qsl = new DatasetQsl(options.dataset, options.totalSampleCount);
  const userConfPath = join(outputDir, 'user.conf');
  const settingSources = writeUserConf(userConfPath, {
    scenario: options.scenario,
    suite,
    sampleCount: qsl.totalSampleCount,
    targetQps: options.targetQps,
    targetLatencyMs: options.targetLatencyMs,
    minDurationMs: options.minDurationMs,
    minQueryCount: options.minQueryCount,
    baseUserConf: options.userConf,
  });
  const settings = benchmarkTestSettings(userConfPath, options.scenario, suite, options.mode);
  const maxNewTokens = options.maxNewTokens ?? MAX_NEW_TOKENS;
  const sampleTimeoutMs = options.sampleTimeoutMs ?? defaultSampleTimeoutMs(settings, options.scenario, maxNewTokens);
  if (typeof sampleTimeoutMs !== 'number' || !(sampleTimeoutMs >= 0)) {
    const message = `sampleTimeoutMs (the CLI's --sample-timeout, in seconds) must be a number of milliseconds, 0 for none (got ${describeValue(sampleTimeoutMs)})`;
    throw typeof sampleTimeoutMs === 'number'
      ? codedRangeError('ERR_INVALID_ARG_VALUE', message)
      : codedTypeError('ERR_INVALID_ARG_TYPE', message);
  }
  const sut = new LlmSut({
    backend: options.backend,
    qsl,
    maxNewTokens,
    reportFirstToken: settings.use_token_latencies && loadgenScenario(options.scenario) !== 'Offline',
    maxConcurrency: options.maxConcurrency,
    signal: options.signal,
    sampleTimeoutMs,
  });

  const startedAt = new Date();
  const started = performance.now();
  const elapsedSeconds = (): number => (performance.now() - started) / 1000;
  const auditConfig = options.auditConfig ?? 'audit.config';
  const plan = progressPlan(
    settings,
    options.mode,
    qsl.totalSampleCount,
    auditKeys(auditConfig, options.scenario, suite),
  );
  const ticker = options.onProgress
    ? setInterval(() => options.onProgress!(sut.progress, elapsedSeconds(), plan), 500)
    : undefined;
  ticker?.unref();
  const detailLog = join(outputDir, 'mlperf_log_detail.txt');
  let failure: { error: unknown } | undefined;
  try {
    const running = runTest({
      sut,
      qsl,
      settings,
      log: { outdir: outputDir, enableTrace: options.enableTrace ?? false },
      auditConfig,
      signal: options.signal,
    });
    options.onStart?.({ outputDir, estimateEarlyEnd: () => estimateEarlyEnd(detailLog, performance.now() - started) });
    await running;
  } catch (error) {
    failure = { error };
  } finally {
    if (ticker) clearInterval(ticker);
    sut.endTest();
  }
  options.onProgress?.(sut.progress, elapsedSeconds(), plan);
  // A run that failed before LoadGen wrote its logs (bad settings, an unwritable folder) has nothing to summarize.
  if (failure && !existsSync(detailLog)) throw failure.error;

  const durationSeconds = elapsedSeconds();
  writeSampleTimes(join(outputDir, 'sample_times.json'), sut.sampleTimes, started);
  const result = summarizeRun({
    scenario: options.scenario,
    mode: options.mode,
    modelKey: modelKey(options.scenario, suite),
    backend: options.backend.name,
    dataset: { path: options.dataset.path, samples: qsl.totalSampleCount },
    samplesCompleted: sut.progress.completed,
    generatedTokens: sut.progress.generatedTokens,
    durationSeconds,
    startedAt: startedAt.toISOString(),
    logDir: outputDir,
    loadgenVersion,
    settingSources,
    auditConfig: resolve(auditConfig),
    ...(failure ? { aborted: true, abortReason: abortReasonFor(failure.error) } : {}),
  });
  const endpoints = options.backend.endpointStats?.();
  if (endpoints !== undefined) {
    result.endpoints = endpoints.map((e) => ({
      ...e,
      tokensPerSecond: durationSeconds > 0 ? e.tokens / durationSeconds : 0,
    }));
  }
  const setup = options.backend.setup?.();
  if (setup !== undefined) result.backendSetup = setup;
  const generationTime = options.backend.generationTime?.();
  if (generationTime !== undefined) {
    result.generationTime = { ...generationTime, decode: generationTime.decode.filter((bucket) => bucket.runs > 0) };
  }
  if (failure) {
    // The samples answered empty at the abort would only drag the scores down: no scoring.
    writeRunResult(result);
    throw failure.error;
  }
  // Scored only when LoadGen ran an accuracy pass: an audit config can turn an accuracy run into
  // a performance one, whose sampled responses are no accuracy result (result.json says so).
  if (ranAccuracyPass(result)) {
    const evaluation = evaluateAccuracyLog({
      logPath: join(outputDir, 'mlperf_log_accuracy.json'),
      dataset: options.dataset,
      tokenizer: options.tokenizer ?? defaultTokenizer(),
      // MLPerf's targets hold for the full datasets only; a sample set gets scores alone.
      target: suiteOfSampleCount(qsl.totalSampleCount),
    });
    result.accuracy = accuracySummary(evaluation);
  }
  writeRunResult(result);
  return result;
}

/** The keys the audit config LoadGen will read sets for this run, for the progress plan; none when there is no such file. */
function auditKeys(path: string, scenario: LlmScenario, suite: Suite): Map<string, { value: string }> | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return keysSetIn(readFileSync(path, 'utf8'), modelKey(scenario, suite), loadgenScenario(scenario));
  } catch {
    return undefined;
  }
}
