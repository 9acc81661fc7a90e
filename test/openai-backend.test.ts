// The `openai` backend end to end: it drives our `serve` over loopback, which serves a real
// backend; what comes back must be what that backend gives when called directly.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Backend, FinishReason } from '../lib/backends/backend.js';
import { createOnnxRuntimeBackend } from '../lib/backends/onnxruntime/index.js';
import { createOpenAIBackend, type OpenAIBackend } from '../lib/backends/openai.js';
import { SseParser } from '../lib/backends/openai-sse.js';
import { ReplayBackend } from '../lib/backends/replay.js';
import { LlamaTokenizer } from '../lib/tokenizer/tokenizer.js';
import { ensureTinyModel } from '../lib/model/tiny-llama.js';
import { sampleIndexByPrompt, startOpenAIServer, type OpenAIServer } from '../lib/serve/index.js';
import { generateAll, type KeyedListener, type KeyedRequest } from './helpers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLlmBenchmark } from '../lib/llm/harness.js';

const MODEL = 'test-llama';
const tokenizer = LlamaTokenizer.load();
const EOT = tokenizer.eosIds[2]!;
const prompts = Array.from({ length: 10 }, (_, i) =>
  tokenizer.encode(`Summarize the following news article: story number ${i} about the town council.`),
);
const answers = Array.from({ length: 10 }, (_, i) =>
  Int32Array.from([
    ...tokenizer.encode(`Story ${i}: the council met, argued for ${i + 2} hours 🚀 and voted.`, { addBos: false }),
    EOT,
  ]),
);

/** Everything a listener heard, in order. */
type Event =
  | { kind: 'tokens'; key: number; tokens: number[] }
  | { kind: 'complete'; key: number; tokens: number[]; reason: FinishReason };

function recorder(onEvent?: (event: Event) => void): { events: Event[]; listener: KeyedListener } {
  const events: Event[] = [];
  const push = (event: Event): void => {
    events.push(event);
    onEvent?.(event);
  };
  return {
    events,
    listener: {
      onTokens: (key, tokens) => push({ kind: 'tokens', key, tokens: Array.from(tokens) }),
      onComplete: (key, tokens, reason) => push({ kind: 'complete', key, tokens: Array.from(tokens), reason }),
    },
  };
}

function requestsFor(indices: readonly number[], maxNewTokens = 128): KeyedRequest[] {
  return indices.map((sample) => ({ key: 100 + sample, prompt: prompts[sample]!, maxNewTokens, sampleIndex: sample }));
}

/** Per request key: the completion event, checked to follow first-token-first ordering. */
function completions(events: readonly Event[]): Map<number, { tokens: number[]; reason: FinishReason }> {
  const done = new Map<number, { tokens: number[]; reason: FinishReason }>();
  const streamed = new Map<number, number[]>();
  for (const event of events) {
    assert.ok(!done.has(event.key), `nothing comes after request ${event.key} completed`);
    if (event.kind === 'tokens') {
      assert.ok(event.tokens.length > 0, 'every onTokens call carries tokens');
      streamed.set(event.key, [...(streamed.get(event.key) ?? []), ...event.tokens]);
    } else {
      assert.ok(streamed.has(event.key), `request ${event.key}: its first token comes before its completion`);
      assert.deepEqual(streamed.get(event.key), event.tokens, 'the streamed tokens add up to the completed ones');
      done.set(event.key, { tokens: event.tokens, reason: event.reason });
    }
  }
  return done;
}

/** A loopback port nothing listens on: one just released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function codeAndMessage(promise: Promise<unknown>): Promise<{ code: string; message: string; name: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code: string };
    return { code: e.code, message: e.message, name: e.name };
  }
  assert.fail('expected a rejection');
}

describe('openai backend against serve(replay)', () => {
  let replay: Backend;
  let server: OpenAIServer;
  const backends: OpenAIBackend[] = [];
  const open = (options: Partial<Parameters<typeof createOpenAIBackend>[0]> = {}): OpenAIBackend => {
    const backend = createOpenAIBackend({ endpoint: server.url, ...options });
    backends.push(backend);
    return backend;
  };

  before(async () => {
    replay = new ReplayBackend({ answers });
    server = await startOpenAIServer({
      backend: replay,
      tokenizer,
      modelName: MODEL,
      port: 0,
      sampleIndexOf: sampleIndexByPrompt(prompts),
    });
  });
  after(async () => {
    for (const backend of backends) await backend.close();
    await server.close();
  });

  test('gives the same tokens and finish reasons as the served backend called directly, first token first', async () => {
    const backend = open({ model: MODEL, maxConcurrency: 4 });
    assert.equal(backend.maxConcurrency, 4);
    assert.equal(backend.name, `openai(${server.url})`);
    for (const maxNewTokens of [128, 5]) {
      const requests = requestsFor([0, 1, 2, 3, 4, 5], maxNewTokens);
      const direct = recorder();
      await generateAll(replay, requests, direct.listener);
      const viaHttp = recorder();
      await generateAll(backend, requests, viaHttp.listener);
      const expected = completions(direct.events);
      const got = completions(viaHttp.events);
      assert.equal(got.size, requests.length);
      assert.deepEqual(got, expected);
      for (const { reason, tokens } of got.values()) {
        if (maxNewTokens === 5) assert.deepEqual([reason, tokens.length], ['length', 5]);
        else assert.equal(reason, 'stop');
      }
    }
  });

  test('finds the model at /v1/models when none is given, and speaks the TensorRT-LLM dialect too', async () => {
    const backend = open({ dialect: 'trtllm' });
    assert.equal(await backend.client.model(), MODEL);
    const heard = recorder();
    await generateAll(backend, requestsFor([7]), heard.listener);
    assert.deepEqual(completions(heard.events).get(107), { tokens: Array.from(answers[7]!), reason: 'stop' });
  });

  test('the SUT keeps at most maxConcurrency requests in flight through it; the backend queues nothing', async () => {
    // A server of its own, whose count of concurrent requests is this run's alone.
    const own = await startOpenAIServer({
      backend: replay,
      tokenizer,
      modelName: MODEL,
      port: 0,
      sampleIndexOf: sampleIndexByPrompt(prompts),
    });
    try {
      const backend = open({ endpoint: own.url, model: MODEL });
      const inFlight: number[] = [];
      const probe = setInterval(() => inFlight.push(backend.inFlight), 1);
      const result = await runLlmBenchmark({
        scenario: 'Offline',
        mode: 'performance',
        backend,
        dataset: {
          path: 'the test prompts',
          size: prompts.length,
          prompt: (i) => prompts[i]!,
          article: () => '',
          reference: () => '',
        },
        maxConcurrency: 2,
        outputDir: mkdtempSync(join(tmpdir(), 'openai-concurrency-')),
      });
      clearInterval(probe);
      assert.equal(result.samplesCompleted, prompts.length);
      assert.ok(Math.max(0, ...inFlight) <= 2, `in flight: ${Math.max(...inFlight)}`);
      assert.ok(own.stats().peakRunning <= 2, `the server saw ${own.stats().peakRunning} at once`);
      assert.equal(backend.inFlight, 0);
    } finally {
      await own.close();
    }
  });

  test('an abort stops the reporting and rejects with an AbortError', async () => {
    const backend = open({ model: MODEL });
    const abort = new AbortController();
    const heard = recorder((event) => {
      if (event.kind === 'tokens') abort.abort(new Error('enough'));
    });
    const outcome = await codeAndMessage(generateAll(backend, requestsFor([3]), heard.listener, abort.signal));
    assert.equal(outcome.name, 'AbortError');
    assert.deepEqual(
      heard.events.map((e) => e.kind),
      ['tokens'],
    );
    // Aborted before it starts: nothing is sent.
    await assert.rejects(generateAll(backend, requestsFor([3]), recorder().listener, abort.signal), {
      name: 'AbortError',
    });
  });

  test("a request the server rejects is ERR_BACKEND_REQUEST with the server's message", async () => {
    const wrongModel = open({ model: 'not-served' });
    const outcome = await codeAndMessage(generateAll(wrongModel, requestsFor([0]), recorder().listener));
    assert.equal(outcome.code, 'ERR_BACKEND_REQUEST');
    assert.match(outcome.message, /HTTP 404/);
    assert.match(outcome.message, /not-served.*does not exist/);

    const backend = open({ model: MODEL });
    const heard = recorder();
    const unknownPrompt = {
      key: 1,
      prompt: tokenizer.encode('a prompt replay has no answer for'),
      maxNewTokens: 8,
      sampleIndex: -1,
    };
    const rejected = await codeAndMessage(generateAll(backend, [unknownPrompt], heard.listener));
    assert.equal(rejected.code, 'ERR_BACKEND_REQUEST');
    assert.match(rejected.message, /HTTP 400.*replay: no reference answer/);
    assert.deepEqual(heard.events, []);
  });

  test('a failing server is ERR_BACKEND_FAILED carrying its message', async () => {
    // A real failure: serve fronting an openai backend whose own server is gone.
    const deadPort = await closedPort();
    const orphan = createOpenAIBackend({ endpoint: `http://127.0.0.1:${deadPort}`, model: MODEL });
    const proxy = await startOpenAIServer({ backend: orphan, tokenizer, modelName: MODEL, port: 0 });
    try {
      const backend = open({ endpoint: proxy.url, model: MODEL });
      const outcome = await codeAndMessage(generateAll(backend, requestsFor([0]), recorder().listener));
      assert.equal(outcome.code, 'ERR_BACKEND_FAILED');
      assert.match(outcome.message, new RegExp(`${proxy.url}/v1/completions failed \\(HTTP 503\\)`));
      assert.match(outcome.message, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${deadPort}/v1/completions`));
    } finally {
      await proxy.close();
      await orphan.close();
    }
  });

  test('a closed backend refuses more work', async () => {
    const backend = createOpenAIBackend({ endpoint: server.url, model: MODEL });
    await backend.close();
    const outcome = await codeAndMessage(generateAll(backend, requestsFor([0]), recorder().listener));
    assert.equal(outcome.code, 'ERR_BACKEND_UNAVAILABLE');
  });
});

describe('openai backend against serve(onnxruntime tiny model)', () => {
  test('streams the tokens the model generates when called directly, one chunk per token', async () => {
    const onnx = await createOnnxRuntimeBackend({
      modelDir: await ensureTinyModel(),
      device: 'cpu',
      maxConcurrency: 2,
    });
    const server = await startOpenAIServer({ backend: onnx, tokenizer, modelName: 'tiny-llama', port: 0 });
    // One request at a time both ways: the same batch shapes, so the same floating-point sums.
    const backend = createOpenAIBackend({ endpoint: server.url, maxConcurrency: 1 });
    try {
      const requests = requestsFor([0, 1, 2], 24);
      const direct = recorder();
      for (const request of requests) await generateAll(onnx, [request], direct.listener);
      const viaHttp = recorder();
      await generateAll(backend, requests, viaHttp.listener);
      const expected = completions(direct.events);
      assert.deepEqual(completions(viaHttp.events), expected);
      for (const { tokens, reason } of expected.values())
        assert.equal(reason, tokens.length === 24 ? 'length' : 'stop');
      // The model streams token by token, and so does the HTTP side.
      const firstEvent = viaHttp.events[0]!;
      assert.deepEqual([firstEvent.kind, firstEvent.kind === 'tokens' && firstEvent.tokens.length], ['tokens', 1]);
      assert.equal(
        viaHttp.events.filter((e) => e.kind === 'tokens').length,
        direct.events.filter((e) => e.kind === 'tokens').length,
      );
    } finally {
      await backend.close();
      await server.close();
      await onnx.close();
    }
  });
});

describe('openai backend without a server', () => {
  test('an endpoint nobody listens on is ERR_BACKEND_UNAVAILABLE, in one line naming the URL', async () => {
    const port = await closedPort();
    for (const options of [
      { endpoint: `http://127.0.0.1:${port}`, model: MODEL },
      { endpoint: `127.0.0.1:${port}/v1/` },
    ]) {
      const backend = createOpenAIBackend(options);
      try {
        const outcome = await codeAndMessage(generateAll(backend, requestsFor([0]), recorder().listener));
        assert.equal(outcome.code, 'ERR_BACKEND_UNAVAILABLE');
        assert.match(outcome.message, new RegExp(`http://127\\.0\\.0\\.1:${port}/v1/(completions|models)`));
        assert.match(outcome.message, /ECONNREFUSED.*--endpoint/);
        assert.ok(!outcome.message.includes('\n'), outcome.message);
      } finally {
        await backend.close();
      }
    }
  });

  test('an endpoint that accepts connections but never answers times out as ERR_BACKEND_UNAVAILABLE', async () => {
    // A listener that takes connections and says nothing, like a hung server.
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const backend = createOpenAIBackend({ endpoint: url, model: MODEL, requestTimeoutMs: 300 });
    try {
      const outcome = await codeAndMessage(generateAll(backend, requestsFor([0]), recorder().listener));
      assert.equal(outcome.code, 'ERR_BACKEND_UNAVAILABLE');
      assert.ok(
        outcome.message.includes(
          `${url} accepted the connection but sent nothing within 0.3 s (the request, POST /v1/completions; --request-timeout 0.3)`,
        ),
        outcome.message,
      );
      assert.ok(!outcome.message.includes('\n'));
    } finally {
      await backend.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('an endpoint that is not an http URL is refused at once', () => {
    assert.throws(() => createOpenAIBackend({ endpoint: 'ftp://example.invalid' }), {
      code: 'ERR_BACKEND_UNAVAILABLE',
      message: /not http/,
    });
  });
});

test('the event-stream parser takes events split anywhere, CRLF line ends and multi-line data', () => {
  const stream =
    ': comment\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: line one\ndata:line two\n\ndata: [DONE]\n\ndata: tail';
  for (const size of [1, 3, 7, stream.length]) {
    const parser = new SseParser();
    const events: string[] = [];
    for (let at = 0; at < stream.length; at += size) events.push(...parser.push(stream.slice(at, at + size)));
    events.push(...parser.end());
    assert.deepEqual(events, ['{"a":1}', 'line one\nline two', '[DONE]', 'tail'], `pieces of ${size}`);
  }
});
