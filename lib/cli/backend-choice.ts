/**
 * Makes the generation backend a command asked for: onnxruntime (a model folder, or the embedded
 * tiny model), an OpenAI-compatible endpoint, or replay of the dataset's references.
 *
 * @packageDocumentation
 */
import type { Backend } from '../backends/backend.js';
import { createOnnxRuntimeBackend } from '../backends/onnxruntime-loader.js';
import { createOpenAIBackend } from '../backends/openai.js';
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
  endpoints?: string[] | undefined;
}

/** Default concurrency (rows decoded together) of the onnxruntime backend when none is given. */
export const DEFAULT_ONNX_CONCURRENCY = 16;

/** What replay answers from: the dataset's references, tokenized. */
export interface ReplaySource {
  dataset: Dataset;
  tokenizer: LlamaTokenizer;
}

/** Creates the backend; replay needs `replay`, the others ignore it. */
export async function createBackend(choice: BackendChoice, replay?: ReplaySource): Promise<Backend> {
  switch (choice.backend) {
    case 'onnxruntime':
      return createOnnxRuntimeBackend({
        modelDir: choice.model ?? (await ensureTinyModel()),
        device: choice.device,
        maxConcurrency: choice.maxConcurrency ?? DEFAULT_ONNX_CONCURRENCY,
        ...(choice.dtype === 'auto' ? {} : { dtype: choice.dtype }),
      });
    case 'openai': {
      const endpoints = choice.endpoints ?? [];
      if (endpoints.length === 0) {
        throw new BackendError(
          'ERR_BACKEND_UNAVAILABLE',
          'the openai backend needs --endpoint <url> of an OpenAI-compatible server (e.g. --endpoint http://127.0.0.1:8000)',
        );
      }
      if (endpoints.length > 1) {
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          `got ${endpoints.length} endpoints; this version drives one OpenAI-compatible endpoint per run — pass a single --endpoint`,
        );
      }
      const backend = createOpenAIBackend({
        endpoint: endpoints[0]!,
        ...(choice.model === undefined ? {} : { model: choice.model }),
        ...(choice.maxConcurrency === undefined ? {} : { maxConcurrency: choice.maxConcurrency }),
      });
      // Fail before LoadGen starts if the server is not there. Without --model, the lookup of the
      // served model is that check, and every request reuses its answer.
      await (choice.model === undefined ? backend.client.model() : backend.client.listModels());
      return backend;
    }
    case 'replay': {
      if (replay === undefined)
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          'the replay backend needs the dataset whose references it replays',
        );
      const { dataset, tokenizer } = replay;
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
