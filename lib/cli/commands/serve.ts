/**
 * `mlperf-llm serve`: a backend as an OpenAI-compatible streaming server, fit to be one node of
 * a cluster that one `mlperf-llm run` drives.
 *
 * Once it listens (its backend loaded), it prints one line a cluster script can wait for, on
 * stdout: `mlperf-llm serve: ready at http://host:port`; `GET /health` answers 200 from then on.
 * SIGTERM or SIGINT shut it down gracefully: no new requests, the streams in flight finish
 * within `--shutdown-grace`, the rest end with an error event, and the process exits with 0.
 * A second signal ends the grace period at once.
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { FixedRateBackend } from '../../backends/fixed-rate.js';
import type { Backend } from '../../backends/backend.js';
import { loadDataset } from '../../llm/dataset.js';
import { defaultTokenizer } from '../../tokenizer/tokenizer.js';
import { sampleIndexByPrompt, startOpenAIServer } from '../../serve/index.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PROMPTS_PER_REQUEST } from '../../serve/server.js';
import { createBackend, DEVICES, DTYPES } from '../backend-choice.js';
import { SAMPLE_DATASET } from '../defaults.js';
import { BackendError } from '../../errors.js';

/** What serve can put behind the API. */
export const SERVE_BACKENDS = ['onnxruntime', 'fixed-rate', 'replay'] as const;

/** Default of --shutdown-grace: long enough for a 128-token answer at 10 tokens/s, with room. */
const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

interface ServeArgs {
  backend: (typeof SERVE_BACKENDS)[number];
  model?: string;
  device: (typeof DEVICES)[number];
  dtype: (typeof DTYPES)[number];
  'tokens-per-second'?: number;
  dataset: string;
  'max-concurrency'?: number;
  host: string;
  port: number;
  'served-model-name': string;
  'max-body-bytes': number;
  'max-prompt-tokens'?: number;
  'max-prompts-per-request': number;
  'shutdown-grace': number;
}

function builder(yargs: Argv): Argv<ServeArgs> {
  return yargs
    .option('backend', {
      choices: SERVE_BACKENDS,
      default: 'onnxruntime' as const,
      describe:
        'what generates: onnxruntime (a model), fixed-rate (synthetic: tokens at --tokens-per-second per stream, no model), replay (the dataset references)',
    })
    .option('model', {
      type: 'string',
      describe: 'onnxruntime: model folder in the onnxruntime-genai builder layout (default: the embedded tiny model)',
    })
    .option('device', { choices: DEVICES, default: 'cpu' as const })
    .option('dtype', { choices: DTYPES, default: 'auto' as const })
    .option('tokens-per-second', { type: 'number', describe: 'fixed-rate: tokens per second of each stream' })
    .option('dataset', {
      type: 'string',
      default: SAMPLE_DATASET,
      defaultDescription: 'the shipped sample articles',
      describe: 'replay: the cnn_eval.json whose references it answers with',
    })
    .option('max-concurrency', { type: 'number', describe: 'most prompts generating at once (the rest wait)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on (0.0.0.0 for all)' })
    .option('port', { type: 'number', default: 8000, describe: 'port to listen on (0: a free one)' })
    .option('served-model-name', {
      type: 'string',
      default: 'meta-llama/Llama-3.1-8B-Instruct',
      describe: 'the name clients pass as "model"',
    })
    .option('max-body-bytes', {
      type: 'number',
      default: DEFAULT_MAX_BODY_BYTES,
      describe: 'largest request body (larger: HTTP 413)',
    })
    .option('max-prompt-tokens', {
      type: 'number',
      describe: 'longest prompt in tokens (longer: HTTP 400); default: only the context length bounds it',
    })
    .option('max-prompts-per-request', {
      type: 'number',
      default: DEFAULT_MAX_PROMPTS_PER_REQUEST,
      describe: 'most prompts in one request (more: HTTP 400)',
    })
    .option('shutdown-grace', {
      type: 'number',
      default: DEFAULT_SHUTDOWN_GRACE_MS,
      describe: 'on SIGTERM, how long streams in flight may take to finish (ms)',
    }) as unknown as Argv<ServeArgs>;
}

async function handler(args: ServeArgs): Promise<void> {
  const tokenizer = defaultTokenizer();
  let backend: Backend;
  let sampleIndexOf: ((prompt: Int32Array) => number) | undefined;
  switch (args.backend) {
    case 'fixed-rate':
      if (args['tokens-per-second'] === undefined) {
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          'serve --backend fixed-rate needs --tokens-per-second <n>, the rate of each stream',
        );
      }
      backend = new FixedRateBackend({
        tokensPerSecond: args['tokens-per-second'],
        ...(args['max-concurrency'] === undefined ? {} : { maxConcurrency: args['max-concurrency'] }),
      });
      break;
    case 'replay': {
      const dataset = loadDataset(args.dataset);
      backend = await createBackend(
        { backend: 'replay', device: args.device, dtype: args.dtype, maxConcurrency: args['max-concurrency'] },
        { dataset, tokenizer },
      );
      sampleIndexOf = sampleIndexByPrompt(Array.from({ length: dataset.size }, (_, i) => dataset.prompt(i)));
      break;
    }
    case 'onnxruntime':
      backend = await createBackend({
        backend: 'onnxruntime',
        model: args.model,
        device: args.device,
        dtype: args.dtype,
        maxConcurrency: args['max-concurrency'],
      });
      break;
  }
  const server = await startOpenAIServer({
    backend,
    tokenizer,
    modelName: args['served-model-name'],
    host: args.host,
    port: args.port,
    maxBodyBytes: args['max-body-bytes'],
    maxPromptsPerRequest: args['max-prompts-per-request'],
    ...(args['max-prompt-tokens'] === undefined ? {} : { maxPromptTokens: args['max-prompt-tokens'] }),
    ...(sampleIndexOf === undefined ? {} : { sampleIndexOf }),
  }).catch(async (error: unknown) => {
    await backend.close();
    throw error;
  });
  console.error(`mlperf-llm serve: ${backend.name} as "${args['served-model-name']}" (SIGTERM or Ctrl-C to stop)`);
  // The line cluster scripts wait for; /health answers 200 from now on.
  console.log(`mlperf-llm serve: ready at ${server.url}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      // A second signal: no more grace.
      void server.shutdown(0);
      return;
    }
    stopping = true;
    const grace = args['shutdown-grace'];
    console.error(
      `mlperf-llm serve: shutting down (${server.openRequests} requests open, up to ${grace} ms for them to finish)`,
    );
    void (async () => {
      await server.shutdown(grace);
      await backend.close();
      console.error('mlperf-llm serve: stopped');
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Serve a backend over an OpenAI-compatible API (completions, streaming), as one node of a cluster',
  builder,
  handler,
};
