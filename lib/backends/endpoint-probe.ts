/**
 * The health probe of one OpenAI-compatible server, in two steps:
 *
 * 1. **The model.** `GET /v1/models` must list the run's model. A server without that route
 *    (HTTP 404 or 405) is asked for a one-token completion of the model instead, so that an
 *    unknown name still fails here, as the server's "model not found", and not inside the run.
 * 2. **Token ids.** A one-token completion of a prompt of the run must stream back token ids
 *    (the harness reads token ids, which some servers send only when asked in their own dialect).
 *
 * Each exchange waits at most the probe's limit for the server to say something. Before a run
 * every server goes through step 1 before the dataset loads, and through step 2 once the prompt
 * is known; while a server is down, the dispatcher probes it again (both steps) with backoff.
 *
 * @packageDocumentation
 */
import { HttpStatusError, type OpenAICompletionsClient, type TimeoutLabel } from './openai-client.js';
import { LLAMA31_SPECIAL_TOKENS } from '../llama31.js';
import { BackendError, CodedError } from '../errors.js';

/** How long each exchange of a probe may wait, and how its error names that limit. */
export interface ProbeLimit {
  /** The longest each exchange may stay silent, in ms. */
  readonly timeoutMs: number;
  /** How a timeout error names the limit (what waited, the flag that sets it). */
  readonly timeoutLabel: TimeoutLabel;
  readonly signal?: AbortSignal | undefined;
}

/** What a server said about its models in step 1. */
export type ServedModels =
  /** The ids `GET /v1/models` lists. */
  | { readonly listed: readonly string[] }
  /** The server has no `GET /v1/models` route (the HTTP status it answered). */
  | { readonly listed: undefined; readonly status: number };

/** Step 1 without a model to check: what the server lists, or that it has no model list. */
export async function listServedModels(client: OpenAICompletionsClient, limit: ProbeLimit): Promise<ServedModels> {
  try {
    return { listed: await client.listModels(limit) };
  } catch (error) {
    if (error instanceof HttpStatusError && (error.status === 404 || error.status === 405)) {
      return { listed: undefined, status: error.status };
    }
    throw error;
  }
}

/**
 * The error of a server that does not serve the model the run asks for (ERR_ENDPOINT_MODEL):
 * names what the user passed (or where the model came from), the server, and what it serves.
 */
export function wrongModel(
  url: string,
  model: string,
  served: readonly string[],
  from: string | undefined,
): CodedError {
  const names = served.join(', ');
  return new CodedError(
    'ERR_ENDPOINT_MODEL',
    from === undefined
      ? `--model ${model}: the endpoint ${url} serves ${names}; pass one of those`
      : `the endpoint ${url} serves ${names}, not ${model} (the first model of ${from}, which the run uses without --model); ` +
          'start every server with the same served model name, or pass --model',
  );
}

/**
 * Step 1 for a server without a model list: a one-token completion of `model`. A 404 or 400
 * whose message is about the model is ERR_ENDPOINT_MODEL naming `--model`; other failures are
 * the client's errors.
 */
export async function checkModelByCompletion(
  client: OpenAICompletionsClient,
  model: string,
  limit: ProbeLimit,
  from: string | undefined,
): Promise<void> {
  try {
    // BOS alone: the prompt is not known yet, and any server takes it.
    await complete(client, model, Int32Array.of(LLAMA31_SPECIAL_TOKENS.bos), limit);
  } catch (error) {
    if (error instanceof HttpStatusError && (error.status === 404 || error.status === 400)) {
      if (/model/i.test(error.serverMessage)) {
        throw new CodedError(
          'ERR_ENDPOINT_MODEL',
          `${from === undefined ? `--model ${model}` : `the model ${model} (from ${from})`}: the endpoint ${client.baseUrl} ` +
            `does not serve it (HTTP ${error.status}: ${error.serverMessage}); it has no GET /v1/models to list its models, ` +
            'so pass the name its server was started with',
        );
      }
      if (error.status === 404) {
        throw new BackendError(
          'ERR_BACKEND_REQUEST',
          `openai: the endpoint ${client.baseUrl} has neither GET /v1/models nor POST /v1/completions (HTTP 404: ` +
            `${error.serverMessage}); is --endpoint the base URL of an OpenAI-compatible server?`,
        );
      }
    }
    throw error;
  }
}

/** Step 2: a one-token completion of `prompt` must stream token ids back. */
export async function checkCompletion(
  client: OpenAICompletionsClient,
  model: string,
  prompt: Int32Array,
  limit: ProbeLimit,
): Promise<void> {
  await complete(client, model, prompt, limit);
}

/**
 * Both steps for a server that was down: resolves once it serves `model` and streams token ids;
 * `from` is where the model came from (undefined: the user's --model), for the error.
 */
export async function probeEndpoint(
  client: OpenAICompletionsClient,
  model: string,
  from: string | undefined,
  prompt: Int32Array,
  limit: ProbeLimit,
): Promise<void> {
  const served = await listServedModels(client, limit);
  if (served.listed !== undefined && !served.listed.includes(model)) {
    throw wrongModel(client.baseUrl, model, served.listed, from);
  }
  await checkCompletion(client, model, prompt, limit);
}

async function complete(
  client: OpenAICompletionsClient,
  model: string,
  prompt: Int32Array,
  limit: ProbeLimit,
): Promise<void> {
  await client.streamCompletion({
    prompt,
    maxTokens: 1,
    model,
    timeoutMs: limit.timeoutMs,
    timeoutLabel: limit.timeoutLabel,
    ...(limit.signal === undefined ? {} : { signal: limit.signal }),
  });
}
