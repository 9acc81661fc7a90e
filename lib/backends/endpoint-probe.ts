/**
 * The health probe of one OpenAI-compatible server: it is fit for a run when it lists the run's
 * model at `GET /v1/models` and streams back the token ids of a one-token completion (the
 * harness reads token ids, which some servers send only when asked in their own dialect).
 * The dispatcher probes every endpoint before a run and, while one is down, again with backoff.
 *
 * @packageDocumentation
 */
import type { OpenAICompletionsClient } from './openai-client.js';
import { BackendError } from '../errors.js';

/** What to probe with. */
export interface ProbeOptions {
  /** The model the run uses; undefined: the first one the server lists. */
  readonly model: string | undefined;
  /** The prompt of the one-token completion (token ids the server must accept). */
  readonly prompt: Int32Array;
  /** The longest each of the two exchanges may stay silent, in ms. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Probes the server behind `client`; resolves with the model it serves for the run, rejects with
 * the reason it is not fit (a one-line coded error naming the URL).
 */
export async function probeEndpoint(client: OpenAICompletionsClient, options: ProbeOptions): Promise<string> {
  const served = await client.listModels(options.signal, options.timeoutMs);
  const model = options.model ?? served[0];
  if (model === undefined) {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `openai: ${client.baseUrl}/v1/models lists no model; start the server with a model`,
    );
  }
  if (!served.includes(model)) {
    throw new BackendError(
      'ERR_BACKEND_REQUEST',
      `openai: ${client.baseUrl} serves ${served.map((id) => `"${id}"`).join(', ')}, not "${model}"; ` +
        'start every server with the same served model name, or pass --model',
    );
  }
  await client.streamCompletion({
    prompt: options.prompt,
    maxTokens: 1,
    model,
    timeoutMs: options.timeoutMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return model;
}
