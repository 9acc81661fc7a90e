/**
 * `POST /v1/completions`: runs every prompt of the request on the backend at once and answers
 * with one JSON completion, or, with `"stream": true`, with Server-Sent Events: one
 * `data: {chunk}` per generation step of a prompt, an optional usage chunk, then `data: [DONE]`.
 *
 * Token ids follow vLLM's `return_token_ids` convention: with `"return_token_ids": true` each
 * choice carries `prompt_token_ids` (streaming: in its first chunk only) and `token_ids` (streaming:
 * the tokens new in that chunk; they include the end-of-sequence token, which the text omits).
 * TensorRT-LLM's `"detokenize": false` is honoured too: the same fields, and empty text.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import type { ConcurrencyLimiter } from '../util/concurrency-limiter.js';
import { ApiError, apiErrorFromBackend } from './api-error.js';
import { type CompletionContext, type CompletionJob, parseCompletionRequest } from './completion-request.js';
import { type CompletionPiece, type CompletionResult, runCompletion } from './completion-run.js';
import { StopStrings } from './stop-strings.js';

/** What the endpoint serves with. */
export interface CompletionsEndpointContext extends CompletionContext {
  readonly backend: Backend;
  /** Keeps at most `maxConcurrency` prompts on the backend, across all requests. */
  readonly slots: ConcurrencyLimiter;
  /** The dataset sample of a prompt (for replay); absent: -1. */
  readonly sampleIndexOf?: (prompt: Int32Array) => number;
  /** A backend request key unique among requests in flight. */
  nextKey(): number;
}

/** Token counts of an answer. */
interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/**
 * Answers one completions request whose body parsed as `body`. Never rejects: failures become
 * OpenAI error answers (or, once streaming has begun, an error event).
 */
export async function serveCompletions(
  body: unknown,
  response: ServerResponse,
  context: CompletionsEndpointContext,
  serverSignal: AbortSignal,
): Promise<void> {
  let job: CompletionJob;
  try {
    job = parseCompletionRequest(body, context);
  } catch (error) {
    writeError(response, apiErrorFromBackend(error));
    return;
  }
  // Generation stops when the client goes away before its answer is written, or the server closes.
  const gone = new AbortController();
  const onClose = (): void => {
    if (!response.writableFinished) gone.abort(new Error('the client closed the connection'));
  };
  response.on('close', onClose);
  const signal = AbortSignal.any([gone.signal, serverSignal]);
  // Each prompt of the request listens to it.
  setMaxListeners(0, signal);
  const answer = job.stream ? new StreamAnswer(response, job, context.modelName) : undefined;
  const stop = new StopStrings(job.stop);
  const runs = job.prompts.map((prompt, index) =>
    runCompletion({
      backend: context.backend,
      tokenizer: context.tokenizer,
      slots: context.slots,
      key: context.nextKey(),
      prompt,
      sampleIndex: context.sampleIndexOf?.(prompt.tokens) ?? -1,
      stop,
      detokenize: job.detokenize,
      signal,
      onPiece: answer && ((piece) => answer.piece(index, piece)),
    }),
  );
  try {
    const results = await allOrFirstError(runs, () => gone.abort(new Error('another prompt of the request failed')));
    if (answer) answer.end(usageOf(job, results));
    else writeJson(response, 200, completionBody(job, results, context.modelName));
  } catch (error) {
    if (response.destroyed) return;
    const apiError = serverSignal.aborted
      ? new ApiError(503, 'the server is shutting down; retry against a running server')
      : apiErrorFromBackend(error);
    if (answer?.started) answer.fail(apiError);
    else writeError(response, apiError);
  } finally {
    response.off('close', onClose);
  }
}

/** The non-streaming answer. */
function completionBody(j: CompletionJob, results: readonly CompletionResult[], model: string): object {
  return {
    id: completionId(),
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: results.map((result, index) => ({
      index,
      text: result.text,
      logprobs: null,
      finish_reason: result.finishReason,
      ...(j.returnTokenIds
        ? { prompt_token_ids: Array.from(j.prompts[index]!.tokens), token_ids: Array.from(result.tokens) }
        : {}),
    })),
    usage: usageOf(j, results),
  };
}

/** The streamed answer: chunks written as pieces arrive, headers with the first one. */
class StreamAnswer {
  readonly id = completionId();
  readonly #created = Math.floor(Date.now() / 1000);
  readonly #response: ServerResponse;
  readonly #job: CompletionJob;
  readonly #model: string;
  readonly #promptSent: boolean[];
  /** Whether the headers and a first event are out (errors then go in-stream). */
  started = false;

  constructor(res: ServerResponse, j: CompletionJob, model: string) {
    this.#response = res;
    this.#job = j;
    this.#model = model;
    this.#promptSent = j.prompts.map(() => false);
  }

  piece(index: number, piece: CompletionPiece): void {
    const choice: Record<string, unknown> = {
      index,
      text: piece.text,
      logprobs: null,
      finish_reason: piece.finishReason ?? null,
    };
    if (this.#job.returnTokenIds) {
      if (!this.#promptSent[index]) choice.prompt_token_ids = Array.from(this.#job.prompts[index]!.tokens);
      choice.token_ids = Array.from(piece.tokens);
    }
    this.#promptSent[index] = true;
    this.#write({ ...this.#head(), choices: [choice], ...(this.#job.includeUsage ? { usage: null } : {}) });
  }

  end(usage: Usage): void {
    if (this.#job.includeUsage) this.#write({ ...this.#head(), choices: [], usage });
    this.#send('[DONE]');
    this.#response.end();
  }

  fail(error: ApiError): void {
    this.#send(JSON.stringify(error.toBody()));
    this.#send('[DONE]');
    this.#response.end();
  }

  #head(): object {
    return { id: this.id, object: 'text_completion', created: this.#created, model: this.#model };
  }

  #write(chunk: object): void {
    this.#send(JSON.stringify(chunk));
  }

  #send(data: string): void {
    // A client that went away gets nothing more; its generation is being aborted.
    if (this.#response.destroyed || this.#response.writableEnded) return;
    if (!this.started) {
      this.started = true;
      this.#response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
    }
    this.#response.write(`data: ${data}\n\n`);
  }
}

/** Resolves with all results, or rejects with the first failure once every run has settled. */
async function allOrFirstError<T>(runs: readonly Promise<T>[], onFirstError: () => void): Promise<T[]> {
  let failed = false;
  let firstError: unknown;
  const settled = await Promise.allSettled(
    runs.map((run) =>
      run.catch((error: unknown) => {
        // The first failure is what the client hears about, not the aborts it causes.
        if (!failed) {
          failed = true;
          firstError = error;
          onFirstError();
        }
        throw error;
      }),
    ),
  );
  if (failed) throw firstError;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
}

function usageOf(job: CompletionJob, results: readonly CompletionResult[]): Usage {
  const prompt = job.prompts.reduce((sum, p) => sum + p.tokens.length, 0);
  const completion = results.reduce((sum, r) => sum + r.tokens.length, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function completionId(): string {
  return `cmpl-${randomUUID().replaceAll('-', '')}`;
}

/** Writes a JSON answer. */
export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Writes an OpenAI error answer. */
export function writeError(response: ServerResponse, error: ApiError): void {
  writeJson(response, error.status, error.toBody());
}
