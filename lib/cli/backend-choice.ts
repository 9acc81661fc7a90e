/**
 * Makes the generation backend a command asked for: onnxruntime (a model folder, or the embedded
 * tiny model), OpenAI-compatible servers (one or several: the dispatcher, with failover), or
 * replay of the dataset's references.
 *
 * @packageDocumentation
 */
import type { Backend } from '../backends/backend.js';
import { createEngineBackend } from '../backends/engine/engine-backend.js';
import { createOnnxRuntimeBackend } from '../backends/onnxruntime-loader.js';
import type { EndpointSpec } from '../backends/endpoint-list.js';
import { readEndpointList } from '../backends/endpoint-list.js';
import type { EndpointEvent } from '../backends/endpoint-pool.js';
import type { OpenAIDialect } from '../backends/openai-client.js';
import { OpenAIDispatcher } from '../backends/openai-dispatcher.js';
import { ReplayBackend } from '../backends/replay.js';
import type { Dataset } from '../llm/dataset.js';
import type { LlamaTokenizer } from '../tokenizer/tokenizer.js';
import { ensureTinyModel } from '../model/tiny-llama.js';
import { BackendError } from '../errors.js';

export const BACKENDS = ['onnxruntime', 'openai', 'replay'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const DEVICES = ['cpu', 'cuda'] as const;
export const DTYPES = ['auto', 'fp32', 'fp16'] as const;

/** What the backend flags say. */
export interface BackendChoice {
  backend: BackendName;
  /** Model folder (onnxruntime) or served model name (openai). */
  model?: string | undefined;
  device: (typeof DEVICES)[number];
  dtype: (typeof DTYPES)[number];
  maxConcurrency?: number | undefined;
  /** openai: the servers' URLs (`--endpoint`, repeatable). */
  endpoints?: readonly (string | EndpointSpec)[] | undefined;
  /** openai: a file listing more servers (`--endpoints`). */
  endpointsFile?: string | undefined;
  /** openai: the concurrency limit of a server that does not give its own. */
  endpointConcurrency?: number | undefined;
  /** onnxruntime: the native engine or the JS path; default native on cuda, js on cpu. */
  engine?: (typeof ENGINES)[number] | undefined;
  /** onnxruntime native engine on cuda: decode steps as CUDA graphs. */
  cudaGraph?: boolean | undefined;
  /** onnxruntime engine: generation limit per sample, which sizes the KV slots with the longest prompt. */
  maxNewTokens?: number | undefined;
  /** openai: the longest a server may stay silent during a request (ms). */
  requestTimeoutMs?: number | undefined;
  /** openai: the longest a server may stay silent during a health probe (ms; the request timeout if shorter). */
  probeTimeoutMs?: number | undefined;
  /**
   * openai: the dispatcher {@link prepareOpenAIBackend} made (its servers' models checked);
   * createBackend finishes its probe instead of making another.
   */
  prepared?: OpenAIDispatcher | undefined;
  /** openai: how long to wait for a server to come back while all are down (ms). */
  endpointRetryTimeoutMs?: number | undefined;
  /** openai: how servers are asked for token ids ('vllm': vLLM, SGLang, serve; 'trtllm': trtllm-serve). */
  dialect?: OpenAIDialect | undefined;
  /** openai: receives each change of a server's health. */
  onEndpointEvent?: ((event: EndpointEvent) => void) | undefined;
}

/** Default concurrency (rows decoded together) of the onnxruntime backend when none is given. */
export const DEFAULT_ONNX_CONCURRENCY = 16;

/** Default slot count asked of the native engine (it makes fewer when fewer fit in device memory). */
export const DEFAULT_ENGINE_CONCURRENCY = 64;

/** Which onnxruntime path runs the model: the native engine (device-resident KV) or onnxruntime-node's JS API. */
export const ENGINES = ['native', 'js'] as const;

/** The run's data: replay answers with its references; openai probes servers with its first prompt. */
export interface DatasetSource {
  dataset: Dataset;
  tokenizer: LlamaTokenizer;
}

/**
 * The openai backend's first step, which needs no dataset: makes the dispatcher over the
 * servers the flags name and asks each which models it serves, so that a wrong `--endpoint` or
 * `--model` fails before anything loads. Rejects (having closed it) as
 * {@link OpenAIDispatcher.checkModels} does; pass the result to {@link createBackend} as
 * `prepared`.
 */
export async function prepareOpenAIBackend(choice: BackendChoice): Promise<OpenAIDispatcher> {
  const endpoints = [
    ...(choice.endpoints ?? []),
    ...(choice.endpointsFile === undefined ? [] : readEndpointList(choice.endpointsFile)),
  ];
  if (endpoints.length === 0) {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      'the openai backend needs --endpoint <url> of an OpenAI-compatible server (e.g. --endpoint http://127.0.0.1:8000), or --endpoints <file>',
    );
  }
  const dispatcher = new OpenAIDispatcher({
    endpoints,
    model: choice.model,
    endpointConcurrency: choice.endpointConcurrency,
    requestTimeoutMs: choice.requestTimeoutMs,
    probeTimeoutMs: choice.probeTimeoutMs,
    retryTimeoutMs: choice.endpointRetryTimeoutMs,
    dialect: choice.dialect,
    onEvent: choice.onEndpointEvent,
  });
  try {
    await dispatcher.checkModels();
  } catch (error) {
    await dispatcher.close();
    throw error;
  }
  return dispatcher;
}

/** Creates the backend; replay needs `data`, openai uses it when given, onnxruntime ignores it. */
export async function createBackend(choice: BackendChoice, data?: DatasetSource): Promise<Backend> {
  switch (choice.backend) {
    case 'onnxruntime':
      // On a GPU the native engine keeps the KV cache on the device; onnxruntime-node's JS API
      // would copy it to the host every step. `engine: 'js'` keeps the JS path (CPU default).
      if ((choice.engine ?? (choice.device === 'cuda' ? 'native' : 'js')) === 'native') {
        const longest = data
          ? Math.max(...Array.from({ length: data.dataset.size }, (_, i) => data.dataset.prompt(i).length))
          : 0;
        return createEngineBackend({
          modelDir: choice.model ?? (await ensureTinyModel()),
          device: choice.device,
          maxConcurrency: choice.maxConcurrency ?? DEFAULT_ENGINE_CONCURRENCY,
          ...(choice.cudaGraph !== undefined ? { cudaGraph: choice.cudaGraph } : {}),
          ...(longest > 0 && choice.maxNewTokens !== undefined ? { maxLength: longest + choice.maxNewTokens } : {}),
        });
      }
      return createOnnxRuntimeBackend({
        modelDir: choice.model ?? (await ensureTinyModel()),
        device: choice.device,
        maxConcurrency: choice.maxConcurrency ?? DEFAULT_ONNX_CONCURRENCY,
        ...(choice.dtype === 'auto' ? {} : { dtype: choice.dtype }),
      });
    case 'openai': {
      const dispatcher = choice.prepared ?? (await prepareOpenAIBackend(choice));
      try {
        // A prompt of the run itself: every server must take it (a served replay knows no other).
        await dispatcher.start(data === undefined || data.dataset.size === 0 ? undefined : data.dataset.prompt(0));
      } catch (error) {
        await dispatcher.close();
        throw error;
      }
      return dispatcher;
    }
    case 'replay': {
      if (data === undefined)
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          'the replay backend needs the dataset whose references it replays',
        );
      const { dataset, tokenizer } = data;
      const answers = Array.from({ length: dataset.size }, (_, i) =>
        tokenizer.encode(dataset.reference(i), { addBos: false }),
      );
      return new ReplayBackend({
        answers,
        ...(choice.maxConcurrency === undefined ? {} : { maxConcurrency: choice.maxConcurrency }),
      });
    }
  }
}
