/**
 * `mlperf-llm run`: one benchmark run; with no arguments, Offline on the embedded tiny model and
 * the shipped sample articles.
 *
 * @packageDocumentation
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { LLM_MODES, LLM_SCENARIOS, type LlmMode, type LlmScenario, type Suite } from '../../llm/benchmark-settings.js';
import { loadDataset } from '../../llm/dataset.js';
import { runLlmBenchmark } from '../../llm/harness.js';
import { MAX_NEW_TOKENS } from '../../llm/prompt.js';
import { defaultTokenizer } from '../../tokenizer/tokenizer.js';
import { formatRunResult } from '../../report/run-result.js';
import { hasCode } from '../../errors.js';
import { describeEndpointEvent } from '../../backends/endpoint-pool.js';
import type { OpenAIDialect } from '../../backends/openai-client.js';
import type { Backend } from '../../backends/backend.js';
import type { Dataset } from '../../llm/dataset.js';
import {
  BACKENDS,
  createBackend,
  DEVICES,
  DTYPES,
  ENGINES,
  prepareOpenAIBackend,
  type BackendChoice,
  type BackendName,
} from '../backend-choice.js';
import { defaultOutputDir, SAMPLE_DATASET } from '../defaults.js';
import { ProgressLine, progressLine } from '../progress.js';
import { runExitCode } from '../exit-codes.js';
import { RunSignals } from '../run-signals.js';
import { checkNumericFlags, checkOutputDir, checkSampleCount, checkUserConf } from '../run-checks.js';

interface RunArgs {
  scenario: LlmScenario;
  mode: LlmMode;
  backend: BackendName;
  model?: string;
  dataset: string;
  suite?: Suite;
  'total-sample-count'?: number;
  'max-concurrency'?: number;
  'max-new-tokens': number;
  device: (typeof DEVICES)[number];
  dtype: (typeof DTYPES)[number];
  engine?: (typeof ENGINES)[number];
  'cuda-graph'?: boolean;
  'target-qps'?: number;
  'target-latency'?: number;
  'min-duration'?: number;
  'min-query-count'?: number;
  'user-conf'?: string;
  'output-dir'?: string;
  endpoint?: string[];
  endpoints?: string;
  'endpoint-concurrency'?: number;
  'request-timeout'?: number;
  'probe-timeout'?: number;
  'endpoint-retry-timeout'?: number;
  dialect: OpenAIDialect;
  trace: boolean;
  'sample-timeout'?: number;
}

function builder(yargs: Argv): Argv<RunArgs> {
  return yargs
    .option('scenario', {
      choices: LLM_SCENARIOS,
      default: 'Offline' as LlmScenario,
      describe: 'LoadGen scenario (Interactive runs as Server with tighter latency bounds)',
    })
    .option('mode', {
      choices: LLM_MODES,
      default: 'performance' as LlmMode,
      describe: 'performance, accuracy (scored afterwards), or submission (both)',
    })
    .option('backend', { choices: BACKENDS, default: 'onnxruntime' as BackendName, describe: 'where tokens come from' })
    .option('model', {
      type: 'string',
      describe:
        'onnxruntime: model folder in the onnxruntime-genai builder layout (default: the embedded tiny model); openai: the served model name',
    })
    .option('dataset', {
      type: 'string',
      default: SAMPLE_DATASET,
      defaultDescription: 'the shipped sample articles',
      describe: "MLPerf's cnn_eval.json",
    })
    .option('suite', {
      choices: ['datacenter', 'edge'] as const,
      describe: 'MLPerf suite (model key and accuracy targets); default edge for SingleStream, else datacenter',
    })
    .option('total-sample-count', { type: 'number', describe: 'use the first N samples of the dataset' })
    .option('max-concurrency', { type: 'number', describe: "most samples generating at once (default: the backend's)" })
    .option('max-new-tokens', { type: 'number', default: MAX_NEW_TOKENS, describe: 'generation limit per sample' })
    .option('device', { choices: DEVICES, default: 'cpu' as const, describe: 'onnxruntime execution provider' })
    .option('engine', {
      choices: ENGINES,
      describe:
        'onnxruntime: native (KV cache on the device; default with --device cuda) or js (onnxruntime-node, default on cpu)',
    })
    .option('cuda-graph', {
      type: 'boolean',
      describe: 'native engine on cuda: replay decode steps as CUDA graphs (one launch per step)',
    })
    .option('dtype', {
      choices: DTYPES,
      default: 'auto' as const,
      describe: 'onnxruntime I/O type (auto: as the model has)',
    })
    .option('target-qps', {
      type: 'number',
      describe: 'Server/Interactive arrival rate, Offline expected throughput (samples/s)',
    })
    .option('target-latency', { type: 'number', describe: 'SingleStream expected latency per sample (ms)' })
    .option('min-duration', { type: 'number', describe: 'minimum run duration (ms); MLPerf: 600000' })
    .option('min-query-count', { type: 'number', describe: 'minimum number of queries' })
    .option('user-conf', { type: 'string', describe: 'a user.conf to start from (flags override it)' })
    .option('output-dir', {
      type: 'string',
      describe: 'where logs go (default results/<scenario>-<mode>-<timestamp>/)',
    })
    .option('endpoint', {
      type: 'string',
      array: true,
      describe: 'openai backend: base URL of an OpenAI-compatible server; repeat it for several nodes',
    })
    .option('endpoints', {
      type: 'string',
      describe: 'openai backend: a file with one server URL per line, each optionally with concurrency=N weight=W',
    })
    .option('endpoint-concurrency', {
      type: 'number',
      describe: 'openai backend: most requests on one server at once, where its line gives none (default 256)',
    })
    .option('request-timeout', {
      type: 'number',
      describe:
        'openai backend: the longest a server may stay silent during a request (before its first byte, or between ' +
        'two streamed chunks) before it counts as down; seconds, default 120 (a loaded server may take tens of seconds to start an answer)',
    })
    .option('probe-timeout', {
      type: 'number',
      describe:
        'openai backend: the same limit for the health probe, which checks each server before the run starts ' +
        '(GET /v1/models, a one-token completion) and while one is down; seconds, default 10, or --request-timeout if shorter',
    })
    .option('endpoint-retry-timeout', {
      type: 'number',
      describe:
        'openai backend: with every server down, how long to wait for one to come back before the run fails (ms, default 60000)',
    })
    .option('dialect', {
      choices: ['vllm', 'trtllm'] as const,
      default: 'vllm' as OpenAIDialect,
      describe: 'openai backend: how servers are asked for token ids (vllm: vLLM, SGLang, serve; trtllm: trtllm-serve)',
    })
    .option('sample-timeout', {
      type: 'number',
      describe:
        "fail the run when a sample generates this long without completing (ms, 0: never; default 10x the scenario's per-sample latency bound)",
    })
    .option('trace', {
      type: 'boolean',
      default: false,
      describe: "write LoadGen's trace file",
    }) as unknown as Argv<RunArgs>;
}

async function handler(args: RunArgs): Promise<void> {
  // Everything the user wrote that can be checked is checked before the model loads.
  checkNumericFlags(args as unknown as Record<string, unknown>);
  checkUserConf(args['user-conf']);
  const outputDir = args['output-dir'] ?? defaultOutputDir(args.scenario, args.mode);
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
    endpointRetryTimeoutMs: args['endpoint-retry-timeout'],
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
  // LoadGen applies ./audit.config without saying so; a left-over one turns this run into a compliance test.
  if (existsSync('audit.config')) {
    console.error(
      `mlperf-llm: warning: ${resolve('audit.config')} exists, and LoadGen applies it to this run (a compliance test's settings, e.g. TEST06's); remove it for a normal run`,
    );
  }
  let backend: Backend | undefined;
  try {
    const tokenizer = defaultTokenizer();
    backend = await createBackend({ ...choice, prepared }, { dataset, tokenizer });
    if (signals.stoppedBy !== undefined) {
      console.error('mlperf-llm: stopped before the run started; nothing was written');
      process.exitCode = signals.exitCode();
      return;
    }
    let result: Awaited<ReturnType<typeof runLlmBenchmark>>;
    try {
      result = await runLlmBenchmark({
        scenario: args.scenario,
        mode: args.mode,
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
        enableTrace: args.trace,
        sampleTimeoutMs: args['sample-timeout'],
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
      return;
    }
    progress.done();
    console.log(formatRunResult(result));
    process.exitCode = runExitCode(result);
  } finally {
    progress.done();
    signals.runEnded();
    await (backend ?? prepared)?.close();
    signals.uninstall();
  }
}

/** A seconds flag as the ms the backends take. */
function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.max(1, Math.round(seconds * 1000));
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run the benchmark (no arguments: Offline on the embedded tiny model and sample articles)',
  builder,
  handler,
};
