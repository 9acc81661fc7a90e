// The OpenAI-compatible server, driven by the official `openai` client over loopback: a real
// replay backend behind it, the real Llama-3.1 tokenizer in front.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { Backend } from '../lib/backends/backend.js';
import { FixedRateBackend } from '../lib/backends/fixed-rate.js';
import { createOnnxRuntimeBackend } from '../lib/backends/onnxruntime/index.js';
import { ReplayBackend } from '../lib/backends/replay.js';
import { LlamaTokenizer } from '../lib/tokenizer/tokenizer.js';
import { ensureTinyModel } from '../lib/model/tiny-llama.js';
import { IncrementalText } from '../lib/serve/incremental-text.js';
import { sampleIndexByPrompt, startOpenAIServer, type OpenAIServer } from '../lib/serve/index.js';
import { StopStrings } from '../lib/serve/stop-strings.js';
import { SseParser } from '../lib/backends/openai-sse.js';
import { generateAll } from './helpers.js';

const MODEL = 'test-llama';

/** The choice fields vLLM's `return_token_ids` adds. */
type WithIds = { token_ids?: number[]; prompt_token_ids?: number[] };

const tokenizer = LlamaTokenizer.load();
const EOT = tokenizer.eosIds[2]!; // <|eot_id|>, what Llama 3.1 Instruct ends a turn with
const PROMPTS = [
  'Summarize the following news article: the cat sat on the mat all day.',
  'Summarize the following news article: shares rose sharply on Tuesday.',
  'Summarize the following news article: a café opened in the old town.',
  'Summarize the following news article: the rocket launch was delayed.',
];
const ANSWERS = [
  'A cat sat on a mat for the whole day, and nobody knows why it sat there.',
  'Shares rose 🚀 sharply on Tuesday after strong results.',
  'A new café — naïve décor, crème brûlée — opened in the old town.',
  'The launch was delayed by a day because of the weather at the pad, officials said on Monday evening.',
];
const prompts = PROMPTS.map((text) => tokenizer.encode(text));
const answers = ANSWERS.map((text) => Int32Array.from([...tokenizer.encode(text, { addBos: false }), EOT]));

function replay(maxConcurrency = 4): Backend {
  return new ReplayBackend({ answers, maxConcurrency });
}

function clientOf(server: OpenAIServer, apiKey = 'unused'): OpenAI {
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
}

/** The text and token ids of a streamed one-prompt completion (asked with return_token_ids), joined. */
async function collect(stream: AsyncIterable<OpenAI.Completion>): Promise<{ text: string; ids: number[] }> {
  let text = '';
  const ids: number[] = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0]! as OpenAI.CompletionChoice & WithIds;
    text += choice.text;
    ids.push(...choice.token_ids!);
  }
  return { text, ids };
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    return error as InstanceType<typeof OpenAI.APIError>;
  }
  assert.fail('expected the request to fail');
}

describe('serve', () => {
  let server: OpenAIServer;
  let client: OpenAI;

  before(async () => {
    server = await startOpenAIServer({
      backend: replay(),
      tokenizer,
      modelName: MODEL,
      port: 0,
      sampleIndexOf: sampleIndexByPrompt(prompts),
    });
    client = clientOf(server);
  });
  after(() => server.close());

  test('a text prompt completes with the decoded backend tokens, token ids and usage', async () => {
    const completion = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[0]!,
      max_tokens: 100,
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.equal(completion.object, 'text_completion');
    assert.equal(completion.model, MODEL);
    assert.equal(completion.choices.length, 1);
    const choice = completion.choices[0]! as OpenAI.CompletionChoice & WithIds;
    assert.equal(choice.text, tokenizer.decode(answers[0]!));
    assert.equal(choice.text, ANSWERS[0]);
    assert.equal(choice.finish_reason, 'stop');
    assert.deepEqual(choice.token_ids, Array.from(answers[0]!));
    assert.deepEqual(choice.prompt_token_ids, Array.from(prompts[0]!));
    assert.equal(choice.prompt_token_ids![0], tokenizer.bosId);
    assert.deepEqual(completion.usage, {
      prompt_tokens: prompts[0]!.length,
      completion_tokens: answers[0]!.length,
      total_tokens: prompts[0]!.length + answers[0]!.length,
    });
  });

  test('a token-id prompt is used as is; without return_token_ids no ids come back', async () => {
    const completion = await client.completions.create({
      model: MODEL,
      prompt: Array.from(prompts[1]!),
      max_tokens: 100,
    });
    const choice = completion.choices[0]! as OpenAI.CompletionChoice & WithIds;
    assert.equal(choice.text, ANSWERS[1]);
    assert.equal(choice.token_ids, undefined);
    assert.equal(choice.prompt_token_ids, undefined);
    assert.equal(completion.usage?.prompt_tokens, prompts[1]!.length);
  });

  test('max_tokens cuts the completion with finish_reason length; the default is 16', async () => {
    const three = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[3]!,
      max_tokens: 3,
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    const choice = three.choices[0]! as OpenAI.CompletionChoice & WithIds;
    assert.equal(choice.finish_reason, 'length');
    assert.deepEqual(choice.token_ids, Array.from(answers[3]!.subarray(0, 3)));
    assert.equal(choice.text, tokenizer.decode(answers[3]!.subarray(0, 3)));
    assert.equal(three.usage?.completion_tokens, 3);

    assert.ok(answers[3]!.length > 16);
    const byDefault = await client.completions.create({ model: MODEL, prompt: PROMPTS[3]! });
    assert.equal(byDefault.choices[0]!.finish_reason, 'length');
    assert.equal(byDefault.usage?.completion_tokens, 16);
    assert.equal(byDefault.choices[0]!.text, tokenizer.decode(answers[3]!.subarray(0, 16)));
  });

  test('streaming sends text deltas and token ids that add up to the completion, then usage and [DONE]', async () => {
    // Answer 1 has an emoji whose UTF-8 bytes span three tokens.
    const stream = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[1]!,
      max_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsStreaming);
    let text = '';
    const ids: number[] = [];
    const finishReasons: unknown[] = [];
    let chunks = 0;
    let promptIds: number[] | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.choices.length === 0) {
        usage = chunk.usage;
        continue;
      }
      assert.equal(usage, undefined, 'the usage chunk comes last');
      const choice = chunk.choices[0]! as OpenAI.CompletionChoice & WithIds;
      assert.equal(chunk.usage, null);
      assert.ok(!choice.text.includes('\uFFFD'), 'a character cut between tokens is never sent half');
      if (chunks === 1) promptIds = choice.prompt_token_ids;
      else assert.equal(choice.prompt_token_ids, undefined, 'prompt ids come in the first chunk only');
      text += choice.text;
      ids.push(...choice.token_ids!);
      if (choice.finish_reason !== null) finishReasons.push(choice.finish_reason);
    }
    assert.equal(text, tokenizer.decode(answers[1]!));
    assert.deepEqual(ids, Array.from(answers[1]!));
    assert.deepEqual(promptIds, Array.from(prompts[1]!));
    assert.deepEqual(finishReasons, ['stop']);
    assert.deepEqual(usage, {
      prompt_tokens: prompts[1]!.length,
      completion_tokens: answers[1]!.length,
      total_tokens: prompts[1]!.length + answers[1]!.length,
    });
  });

  test('a list of prompts gives one choice per prompt, streamed or not', async () => {
    const completion = await client.completions.create({
      model: MODEL,
      prompt: [PROMPTS[2]!, PROMPTS[0]!],
      max_tokens: 100,
    });
    assert.deepEqual(
      completion.choices.map((c) => [c.index, c.text]),
      [
        [0, ANSWERS[2]],
        [1, ANSWERS[0]],
      ],
    );
    assert.equal(completion.usage?.completion_tokens, answers[2]!.length + answers[0]!.length);

    const stream = await client.completions.create({
      model: MODEL,
      prompt: [Array.from(prompts[0]!), Array.from(prompts[2]!)],
      max_tokens: 100,
      stream: true,
    });
    const texts = ['', ''];
    for await (const chunk of stream) for (const choice of chunk.choices) texts[choice.index] += choice.text;
    assert.deepEqual(texts, [ANSWERS[0], ANSWERS[2]]);
  });

  test('stop strings end the text before them, streamed or not', async () => {
    const cut = ANSWERS[3]!.indexOf(' because');
    const completion = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[3]!,
      max_tokens: 100,
      stop: [' because', 'never appears'],
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    const choice = completion.choices[0]! as OpenAI.CompletionChoice & WithIds;
    assert.equal(choice.text, ANSWERS[3]!.slice(0, cut));
    assert.equal(choice.finish_reason, 'stop');
    // The tokens end with the one that completed the stop string, where a server would stop.
    let through = 1;
    while (!tokenizer.decode(answers[3]!.subarray(0, through)).includes(' because')) through++;
    assert.deepEqual(choice.token_ids, Array.from(answers[3]!.subarray(0, through)));
    assert.equal(completion.usage!.completion_tokens, through);

    // The emoji is made of three tokens: a stop string inside it still matches once it is whole.
    const stream = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[1]!,
      max_tokens: 100,
      stop: '🚀',
      stream: true,
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsStreaming);
    const { text, ids } = await collect(stream);
    assert.equal(text, 'Shares rose ');
    through = 1;
    while (!tokenizer.decode(answers[1]!.subarray(0, through)).includes('🚀')) through++;
    assert.deepEqual(ids, Array.from(answers[1]!.subarray(0, through)));
  });

  test('detokenize false (the TensorRT-LLM convention) returns token ids and no text', async () => {
    const completion = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[0]!,
      max_tokens: 100,
      detokenize: false,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    const choice = completion.choices[0]! as OpenAI.CompletionChoice & WithIds;
    assert.equal(choice.text, '');
    assert.deepEqual(choice.token_ids, Array.from(answers[0]!));
  });

  test('GET /v1/models lists the model, GET /health answers 200', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    assert.deepEqual(models, [MODEL]);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
  });

  test('parameters that would change greedy output are 400 errors naming the parameter', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ temperature: 0.7 }, 'temperature'],
      [{ presence_penalty: 0.5 }, 'presence_penalty'],
      [{ frequency_penalty: 1 }, 'frequency_penalty'],
      [{ n: 2 }, 'n'],
      [{ best_of: 3 }, 'best_of'],
      [{ logit_bias: { '9906': 5 } }, 'logit_bias'],
      [{ logprobs: 1 }, 'logprobs'],
      [{ echo: true }, 'echo'],
      [{ repetition_penalty: 1.1 }, 'repetition_penalty'],
    ];
    for (const [extra, param] of cases) {
      const error = await rejection(
        client.completions.create({
          model: MODEL,
          prompt: PROMPTS[0]!,
          ...extra,
        } as OpenAI.CompletionCreateParamsNonStreaming),
      );
      assert.ok(error instanceof OpenAI.BadRequestError, `${param}: ${String(error)}`);
      assert.equal(error.param, param);
      assert.equal(error.type, 'invalid_request_error');
      assert.match(error.message, new RegExp(param));
    }
    // Greedy-neutral values are accepted.
    const neutral = await client.completions.create({
      model: MODEL,
      prompt: PROMPTS[0]!,
      max_tokens: 2,
      temperature: 0,
      top_p: 0.9,
      seed: 7,
      n: 1,
      presence_penalty: 0,
    });
    assert.equal(neutral.choices[0]!.text, tokenizer.decode(answers[0]!.subarray(0, 2)));
  });

  test('malformed requests are 400, an unknown model 404, unknown routes 404 and wrong methods 405', async () => {
    const post = (body: string): Promise<Response> =>
      fetch(`${server.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const malformed = await post('{"model": "test-llama", "prompt": ');
    assert.equal(malformed.status, 400);
    const body = (await malformed.json()) as { error: { type: string; code: string; message: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.code, 'invalid_json');
    assert.match(body.error.message, /not valid JSON/);
    assert.equal((await post('[1, 2]')).status, 400);
    assert.equal((await post('{"max_tokens": 4}')).status, 400);

    for (const [params, param] of [
      [{ prompt: [1, 'a'] }, 'prompt'],
      [{ prompt: [] }, 'prompt'],
      [{ prompt: [tokenizer.vocabSize] }, 'prompt'],
      [{ prompt: 'hi', max_tokens: 0 }, 'max_tokens'],
      [{ prompt: 'hi', stream_options: { include_usage: true } }, 'stream_options'],
    ] as const) {
      const error = await rejection(
        client.completions.create({ model: MODEL, ...params } as unknown as OpenAI.CompletionCreateParamsNonStreaming),
      );
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.param, param);
    }

    const unknownModel = await rejection(client.completions.create({ model: 'gpt-4', prompt: 'hi' }));
    assert.ok(unknownModel instanceof OpenAI.NotFoundError);
    assert.match(unknownModel.message, /gpt-4.*test-llama/);

    assert.equal((await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}' })).status, 404);
    const wrongMethod = await fetch(`${server.url}/v1/completions`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
  });

  test('a prompt the backend cannot serve is a 400 with its message, streamed or not', async () => {
    // Replay answers only the dataset's prompts.
    const error = await rejection(client.completions.create({ model: MODEL, prompt: 'not in the dataset' }));
    assert.ok(error instanceof OpenAI.BadRequestError);
    assert.match(error.message, /replay: no reference answer/);
    const streamed = await rejection(
      client.completions.create({ model: MODEL, prompt: 'not in the dataset', stream: true }),
    );
    assert.ok(streamed instanceof OpenAI.BadRequestError);
  });

  test('concurrent clients are all served, at most maxConcurrency prompts on the backend at once', async () => {
    const requests = Array.from({ length: 12 }, async (_, i) => {
      const sample = i % PROMPTS.length;
      // Separate clients: separate connections.
      const own = clientOf(server);
      if (i % 2 === 0) {
        const completion = await own.completions.create({ model: MODEL, prompt: PROMPTS[sample]!, max_tokens: 100 });
        return [sample, completion.choices[0]!.text] as const;
      }
      const stream = await own.completions.create({
        model: MODEL,
        prompt: PROMPTS[sample]!,
        max_tokens: 100,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
      return [sample, text] as const;
    });
    for (const [sample, text] of await Promise.all(requests)) assert.equal(text, ANSWERS[sample]);
    const stats = server.stats();
    assert.ok(stats.peakRunning >= 1 && stats.peakRunning <= 4, `peak ${stats.peakRunning}`);
    assert.equal(stats.running, 0);
    assert.equal(stats.waiting, 0);
  });
});

describe('serve(onnxruntime tiny model)', () => {
  let onnx: Backend;
  let server: OpenAIServer;
  before(async () => {
    onnx = await createOnnxRuntimeBackend({ modelDir: await ensureTinyModel(), device: 'cpu', maxConcurrency: 2 });
    server = await startOpenAIServer({ backend: onnx, tokenizer, modelName: 'tiny-llama', port: 0 });
  });
  after(async () => {
    await server.close();
    await onnx.close();
  });

  test('streamed text, token by token, adds up to the decode of the generated tokens', async () => {
    // The tiny model's tokens are random text, with characters cut between tokens.
    const stream = await clientOf(server).completions.create({
      model: 'tiny-llama',
      prompt: PROMPTS[2]!,
      max_tokens: 40,
      stream: true,
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsStreaming);
    const { text, ids } = await collect(stream);
    assert.ok(ids.length > 0 && ids.length <= 40);
    assert.equal(text, tokenizer.decode(Int32Array.from(ids)));
    // The same as asking the backend directly.
    let direct: number[] = [];
    await generateAll(onnx, [{ key: 1, prompt: prompts[2]!, maxNewTokens: 40, sampleIndex: -1 }], {
      onTokens() {},
      onComplete: (_key, tokens) => (direct = Array.from(tokens)),
    });
    assert.deepEqual(ids, direct);
  });

  test('a client that disconnects mid-stream has its generation aborted', { timeout: 60_000 }, async () => {
    const gone = new AbortController();
    const response = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: PROMPTS[0], max_tokens: 100_000, stream: true }),
      signal: gone.signal,
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    await reader.read(); // the first token's chunk
    assert.equal(server.stats().running, 1);
    gone.abort();
    // Generating 100k tokens would take far longer than the test's timeout: only an abort frees the slot.
    while (server.stats().running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // The backend is free for the next client.
    const next = await clientOf(server).completions.create({ model: 'tiny-llama', prompt: PROMPTS[0]!, max_tokens: 3 });
    assert.equal(next.usage?.completion_tokens, 3);
  });
});

describe('streamed text', () => {
  test('token by token, a character cut between tokens is held back until whole', () => {
    const tokens = answers[1]!;
    const text = new IncrementalText(tokenizer);
    let emitted = '';
    let heldBack = 0;
    for (let i = 0; i < tokens.length; i++) {
      text.push(tokens.subarray(i, i + 1));
      if (text.stableLength < text.text.length) heldBack++;
      const piece = text.text.slice(emitted.length, text.stableLength);
      assert.ok(!piece.includes('\uFFFD'), `piece ${i}: ${JSON.stringify(piece)}`);
      emitted += piece;
    }
    assert.ok(heldBack >= 2, 'the emoji spans three tokens');
    emitted += text.finish(emitted.length).slice(emitted.length);
    assert.equal(emitted, tokenizer.decode(tokens));
  });

  test('stop strings are found across pieces, and a possible start of one is held back', () => {
    const stop = new StopStrings(['council met', '', 'vote']);
    assert.equal(stop.maxLength, 11);
    assert.equal(stop.partialTail('the council'), 7);
    assert.equal(stop.partialTail('we vo'), 2);
    assert.equal(stop.partialTail('nothing'), 0);
    assert.deepEqual(stop.find('the council met, then a vote', 0), { start: 4, end: 15 });
    assert.deepEqual(stop.find('the council met, then a vote', 5), { start: 24, end: 28 });
    assert.equal(stop.find('no stop here', 0), undefined);
    assert.ok(new StopStrings(['']).empty);
  });
});

describe('serve options', () => {
  test('the context length caps max_tokens and rejects prompts that leave no room', async () => {
    const server = await startOpenAIServer({
      backend: replay(),
      tokenizer,
      modelName: MODEL,
      port: 0,
      contextLength: prompts[0]!.length + 5,
      sampleIndexOf: sampleIndexByPrompt(prompts),
    });
    try {
      const client = clientOf(server);
      const capped = await client.completions.create({ model: MODEL, prompt: PROMPTS[0]!, max_tokens: 100 });
      assert.equal(capped.usage?.completion_tokens, 5);
      assert.equal(capped.choices[0]!.finish_reason, 'length');
      const error = await rejection(
        client.completions.create({ model: MODEL, prompt: `${PROMPTS[0]} and then some more words to overflow` }),
      );
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.match(error.message, /context/);
    } finally {
      await server.close();
    }
  });

  test('with an API key, /v1 requests need it as a bearer token', async () => {
    const server = await startOpenAIServer({
      backend: replay(),
      tokenizer,
      modelName: MODEL,
      port: 0,
      apiKey: 'secret',
      sampleIndexOf: sampleIndexByPrompt(prompts),
    });
    try {
      const error = await rejection(
        clientOf(server, 'wrong').completions.create({ model: MODEL, prompt: PROMPTS[0]! }),
      );
      assert.ok(error instanceof OpenAI.AuthenticationError);
      const completion = await clientOf(server, 'secret').completions.create({
        model: MODEL,
        prompt: PROMPTS[0]!,
        max_tokens: 100,
      });
      assert.equal(completion.choices[0]!.text, ANSWERS[0]);
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('a port in use is a coded error naming it', async () => {
    const server = await startOpenAIServer({ backend: replay(), tokenizer, modelName: MODEL, port: 0 });
    try {
      const port = Number(new URL(server.url).port);
      await assert.rejects(
        startOpenAIServer({ backend: replay(), tokenizer, modelName: MODEL, port }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'ERR_SERVE_LISTEN');
          assert.match(error.message, new RegExp(`:${port} \\(EADDRINUSE\\)`));
          return true;
        },
      );
    } finally {
      await server.close();
    }
  });

  test('request limits: body size is 413, prompts per request and prompt length are 400 naming the limit', async () => {
    const server = await startOpenAIServer({
      backend: replay(),
      tokenizer,
      modelName: MODEL,
      port: 0,
      maxBodyBytes: 2_000,
      maxPromptsPerRequest: 2,
      maxPromptTokens: prompts[0]!.length,
      sampleIndexOf: sampleIndexByPrompt(prompts),
    });
    try {
      const client = clientOf(server);
      const tooLong = await rejection(
        client.completions.create({ model: MODEL, prompt: `${PROMPTS[0]} and one more word`, max_tokens: 4 }),
      );
      assert.ok(tooLong instanceof OpenAI.BadRequestError);
      assert.equal(tooLong.param, 'prompt');
      assert.equal(tooLong.code, 'prompt_too_long');
      assert.match(tooLong.message, new RegExp(`at most ${prompts[0]!.length} \\(serve --max-prompt-tokens\\)`));
      // A prompt at the limit is served.
      const atLimit = await client.completions.create({ model: MODEL, prompt: PROMPTS[0]!, max_tokens: 100 });
      assert.equal(atLimit.choices[0]!.text, ANSWERS[0]);

      const tooMany = await rejection(
        client.completions.create({ model: MODEL, prompt: [PROMPTS[0]!, PROMPTS[1]!, PROMPTS[2]!], max_tokens: 4 }),
      );
      assert.ok(tooMany instanceof OpenAI.BadRequestError);
      assert.equal(tooMany.code, 'too_many_prompts');
      assert.match(tooMany.message, /3 prompts; this server takes at most 2 per request/);

      const big = await fetch(`${server.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, prompt: 'x'.repeat(3_000) }),
      });
      assert.equal(big.status, 413);
      const body = (await big.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'body_too_large');
      assert.match(body.error.message, /over 2000 bytes \(serve --max-body-bytes\)/);
    } finally {
      await server.close();
    }
  });
});

describe('serve shutdown', () => {
  /** Reads an event stream to its end: the data payloads, in order. */
  async function events(response: Response, onFirst?: () => void): Promise<string[]> {
    const parser = new SseParser();
    const payloads: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const before = payloads.length;
      payloads.push(...parser.push(decoder.decode(chunk, { stream: true })));
      if (before === 0 && payloads.length > 0) onFirst?.();
    }
    payloads.push(...parser.end());
    return payloads;
  }

  const stream = (server: OpenAIServer, maxTokens: number): Promise<Response> =>
    fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        prompt: PROMPTS[0],
        max_tokens: maxTokens,
        stream: true,
        detokenize: false,
      }),
    });

  test('a graceful shutdown lets a stream in flight finish, and takes no new request', async () => {
    const backend = new FixedRateBackend({ tokensPerSecond: 50 });
    const server = await startOpenAIServer({ backend, tokenizer, modelName: MODEL, port: 0 });
    let shutdown: Promise<void> | undefined;
    const payloads = await events(await stream(server, 10), () => {
      shutdown = server.shutdown(60_000);
    });
    await shutdown;
    const chunks = payloads
      .filter((p) => p !== '[DONE]')
      .map((p) => JSON.parse(p) as { choices: { token_ids: number[]; finish_reason: string | null }[] });
    assert.equal(payloads.at(-1), '[DONE]');
    assert.deepEqual(
      chunks.flatMap((c) => c.choices[0]!.token_ids),
      Array.from(FixedRateBackend.tokensFor(prompts[0]!, 10)),
    );
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'length');
    await assert.rejects(fetch(`${server.url}/health`), 'it no longer listens');
    await backend.close();
  });

  test('streams still going when the grace period ends get an error event, then [DONE]', async () => {
    const backend = new FixedRateBackend({ tokensPerSecond: 50 });
    const server = await startOpenAIServer({ backend, tokenizer, modelName: MODEL, port: 0 });
    let shutdown: Promise<void> | undefined;
    // 100,000 tokens at 50 a second: only the end of the grace period ends it.
    const payloads = await events(await stream(server, 100_000), () => {
      shutdown = server.shutdown(100);
    });
    await shutdown;
    assert.equal(payloads.at(-1), '[DONE]');
    const last = JSON.parse(payloads.at(-2)!) as { error?: { message: string } };
    assert.match(last.error!.message, /shutting down/);
    assert.equal(server.stats().running, 0);
    await backend.close();
  });
});
