/**
 * One benchmark run from the command line, as `run` and `compliance` make it: flag checks,
 * backend, signals, progress, and the run itself.
 *
 * @packageDocumentation
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LlmMode } from '../llm/benchmark-settings.js';
import { loadDataset, type Dataset } from '../llm/dataset.js';
import { runLlmBenchmark } from '../llm/harness.js';
import { defaultTokenizer } from '../tokenizer/tokenizer.js';
import type { RunResult } from '../report/run-result.js';
import { hasCode } from '../errors.js';
import { describeEndpointEvent } from '../backends/endpoint-pool.js';
import type { Backend } from '../backends/backend.js';
import { createBackend, prepareOpenAIBackend, type BackendChoice } from './backend-choice.js';
import { ProgressLine, progressLine } from './progress.js';
import { RunSignals } from './run-signals.js';
import { checkNumericFlags, checkOutputDir, checkSampleCount, checkUserConf } from './run-checks.js';
import type { RunArgs } from './run-flags.js';

/** What a command runs the benchmark with, beyond `run`'s flags. */
export interface RunSession {
  /** The mode to ask LoadGen for. */
  mode: LlmMode;
  /** Where the logs go (the caller's default applied). */
  outputDir: string;
  /**
   * The audit config to hand LoadGen (a compliance test's); without one LoadGen looks for
   * ./audit.config, and a stray one is warned about.
   */
  auditConfig?: string | undefined;
}

/**
 * Runs the benchmark as `run` does: checks the flags before the model loads, handles Ctrl-C and
 * SIGTERM, and shows progress. Resolves with the result (result.json is written), or with
 * undefined when the run was stopped or aborted: then the message is printed and
 * `process.exitCode` set.
 */
export async function executeRun(args: RunArgs, session: RunSession): Promise<RunResult | undefined> {
  // Everything the user wrote that can be checked is checked before the model loads.
  checkNumericFlags(args as unknown as Record<string, unknown>);
  checkUserConf(args['user-conf']);
  const { outputDir } = session;
  checkOutputDir(outputDir);
  const progress = new ProgressLine();
  const choice: BackendChoice = {
    backend: args.backend,
    model: args.model,
    device: args.device,
    dtype: args.dtype,
    engine: args.engine,
    cudaGraph: args['cuda-graph'],
    maxNewTokens: args['max-new-tokens'],
    // The openai backend's limits are per server; --max-concurrency caps the run as a whole.
    maxConcurrency: args.backend === 'openai' ? undefined : args['max-concurrency'],
    endpoints: args.endpoint,
    endpointsFile: args.endpoints,
    endpointConcurrency: args['endpoint-concurrency'],
    requestTimeoutMs: secondsToMs(args['request-timeout']),
    probeTimeoutMs: secondsToMs(args['probe-timeout']),
    endpointRetryTimeoutMs: secondsToMs(args['endpoint-retry-timeout'], true),
    dialect: args.dialect,
    onEndpointEvent: (event) => progress.note(`mlperf-llm: ${describeEndpointEvent(event)}`),
  };
  // Servers that are down, stuck or serve another model fail here, before the dataset loads.
  const prepared = args.backend === 'openai' ? await prepareOpenAIBackend(choice) : undefined;
  let dataset: Dataset;
  try {
    dataset = loadDataset(args.dataset);
    checkSampleCount(args['total-sample-count'], args.dataset, dataset.size);
  } catch (error) {
    await prepared?.close();
    throw error;
  }
  // A run that fails before LoadGen wrote its logs leaves no half-made folder behind.
  const outputDirExisted = existsSync(outputDir);
  // Signals are handled from the very start: a signal before the run (while the model loads)
  // stops it there; one during the run ends it early with complete logs (see ./run-signals.ts).
  const signals = new RunSignals((text) => progress.note(text));
  signals.install();
  let backend: Backend | undefined;
  // LoadGen applies ./audit.config without saying so; a left-over one turns this run into a compliance test.
  if (session.auditConfig === undefined && existsSync('audit.config')) {
    console.error(
      `mlperf-llm: warning: ${resolve('audit.config')} exists, and LoadGen applies it to this run (a compliance test's settings, e.g. TEST06's); remove it for a normal run`,
    );
  }
  try {
    const tokenizer = defaultTokenizer();
    backend = await createBackend({ ...choice, prepared }, { dataset, tokenizer });
    const setup = backend.setup?.();
    if (setup !== undefined) console.error(`mlperf-llm: ${setup.summary}`);
    if (signals.stoppedBy !== undefined) {
      console.error('mlperf-llm: stopped before the run started; nothing was written');
      process.exitCode = signals.exitCode();
      return undefined;
    }
    let result: Awaited<ReturnType<typeof runLlmBenchmark>>;
    try {
      result = await runLlmBenchmark({
        scenario: args.scenario,
        mode: session.mode,
        suite: args.suite,
        backend,
        dataset,
        totalSampleCount: args['total-sample-count'],
        maxNewTokens: args['max-new-tokens'],
        maxConcurrency: args['max-concurrency'],
        targetQps: args['target-qps'],
        targetLatencyMs: args['target-latency'],
        minDurationMs: args['min-duration'],
        minQueryCount: args['min-query-count'],
        userConf: args['user-conf'],
        outputDir,
        auditConfig: session.auditConfig,
        enableTrace: args.trace,
        sampleTimeoutMs: secondsToMs(args['sample-timeout'], true),
        signal: signals.signal,
        tokenizer,
        onStart: (run) => signals.running(run),
        onProgress: (p, elapsed, plan) => progress.update(progressLine(p, elapsed, plan)),
      });
    } catch (error) {
      if (!outputDirExisted && !existsSync(join(outputDir, 'mlperf_log_detail.txt')))
        rmSync(outputDir, { recursive: true, force: true });
      if (signals.stoppedBy === undefined || !hasCode(error, 'ABORT_ERR')) throw error;
      progress.done();
      console.error(
        `mlperf-llm: the run was aborted (${signals.describe()}) and ended ${signals.secondsSinceStop().toFixed(1)} s ` +
          `after the signal; LoadGen's logs in ${outputDir} are complete and record the abort, and result.json says ` +
          '"aborted": this run is no result',
      );
      process.exitCode = signals.exitCode();
      return undefined;
    }
    progress.done();
    return result;
  } finally {
    progress.done();
    signals.runEnded();
    await (backend ?? prepared)?.close();
    signals.uninstall();
  }
}

/** A seconds flag (every timeout flag is in seconds) as the ms the library takes; 0 stays 0 where it means none. */
function secondsToMs(seconds: number | undefined, zeroIsNone = false): number | undefined {
  if (seconds === undefined) return undefined;
  return zeroIsNone && seconds === 0 ? 0 : Math.max(1, Math.round(seconds * 1000));
}
