/**
 * The flags of `mlperf-llm run`, shared with `mlperf-llm compliance` (which runs the benchmark
 * under a compliance test's settings).
 *
 * @packageDocumentation
 */
import type { Argv } from 'yargs';
import { LLM_MODES, LLM_SCENARIOS, type LlmMode, type LlmScenario, type Suite } from '../llm/benchmark-settings.js';
import { MAX_NEW_TOKENS } from '../llm/prompt.js';
import type { OpenAIDialect } from '../backends/openai-client.js';
import { BACKENDS, DEVICES, DTYPES, ENGINES, type BackendName } from './backend-choice.js';
import { SAMPLE_DATASET } from './defaults.js';

/** The flags of `run`, as yargs parses them (`compliance` takes them all but --mode). */
export interface RunArgs {
  scenario: LlmScenario;
  /** Absent for compliance tests, which fix the mode. */
  mode?: LlmMode;
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

/**
 * Adds `run`'s flags to a command; `withMode: false` leaves out --mode (a compliance test fixes
 * it) and `outputDirDefault` describes where logs go when --output-dir is not given.
 */
export function runFlags(yargs: Argv, options: { withMode: boolean; outputDirDefault: string }): Argv<RunArgs> {
  const withScenario = yargs.option('scenario', {
    choices: LLM_SCENARIOS,
    default: 'Offline' as LlmScenario,
    describe: 'LoadGen scenario (Interactive runs as Server with tighter latency bounds)',
  });
  const withMode = options.withMode
    ? withScenario.option('mode', {
        choices: LLM_MODES,
        default: 'performance' as LlmMode,
        describe: 'performance, accuracy (scored afterwards), or submission (both)',
      })
    : withScenario;
  return withMode
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
      describe:
        'native engine on cuda: replay decode steps as CUDA graphs, one launch per step (default on; --no-cuda-graph: off)',
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
      describe: `where logs go (default ${options.outputDirDefault})`,
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
        'openai backend: with every server down, how long to wait for one to come back before the run fails (seconds, default 60)',
    })
    .option('dialect', {
      choices: ['vllm', 'trtllm'] as const,
      default: 'vllm' as OpenAIDialect,
      describe: 'openai backend: how servers are asked for token ids (vllm: vLLM, SGLang, serve; trtllm: trtllm-serve)',
    })
    .option('sample-timeout', {
      type: 'number',
      describe:
        "fail the run when a sample generates this long without completing (seconds, 0: never; default 10x the scenario's per-sample latency bound)",
    })
    .option('trace', {
      type: 'boolean',
      default: false,
      describe: "write LoadGen's trace file",
    }) as unknown as Argv<RunArgs>;
}
