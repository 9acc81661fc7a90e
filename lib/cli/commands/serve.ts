/**
 * `mlperf-llm serve`: the onnxruntime backend as an OpenAI-compatible streaming server.
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { defaultTokenizer } from '../../tokenizer/tokenizer.js';
import { startOpenAIServer } from '../../serve/index.js';
import { createBackend, DEVICES, DTYPES } from '../backend-choice.js';

interface ServeArgs {
  model?: string;
  device: (typeof DEVICES)[number];
  dtype: (typeof DTYPES)[number];
  'max-concurrency'?: number;
  host: string;
  port: number;
  'served-model-name': string;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Serve the onnxruntime backend over an OpenAI-compatible API (completions, streaming)',
  builder: (yargs) =>
    yargs
      .option('model', {
        type: 'string',
        describe: 'model folder in the onnxruntime-genai builder layout (default: the embedded tiny model)',
      })
      .option('device', { choices: DEVICES, default: 'cpu' as const })
      .option('dtype', { choices: DTYPES, default: 'auto' as const })
      .option('max-concurrency', { type: 'number', describe: 'most requests generating at once' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on (0.0.0.0 for all)' })
      .option('port', { type: 'number', default: 8000 })
      .option('served-model-name', {
        type: 'string',
        default: 'meta-llama/Llama-3.1-8B-Instruct',
        describe: 'the name clients pass as "model"',
      }) as unknown as Argv<ServeArgs>,
  handler: async (args) => {
    const tokenizer = defaultTokenizer();
    const backend = await createBackend({
      backend: 'onnxruntime',
      model: args.model,
      device: args.device,
      dtype: args.dtype,
      maxConcurrency: args['max-concurrency'],
    });
    const server = await startOpenAIServer({
      backend,
      tokenizer,
      modelName: args['served-model-name'],
      host: args.host,
      port: args.port,
    });
    console.log(`serving ${backend.name} as "${args['served-model-name']}" at ${server.url} (Ctrl-C to stop)`);
    const stop = async (): Promise<void> => {
      await server.close();
      await backend.close();
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  },
};
