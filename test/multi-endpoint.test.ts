// One LoadGen over several OpenAI-compatible servers (the openai dispatcher): real `serve`
// processes on loopback (the synthetic fixed-rate backend, whose answers depend on the prompt
// alone), runs through all of them while one is killed, and servers that fail in the ways nodes
// fail: 500 for everything, a hang, one that comes up late, all gone. Every run must log every
// sample exactly once with the tokens a single server gives, or fail with an error that names
// each server's problem.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Backend, EndpointStats } from '../lib/backends/backend.js';
import { parseEndpointList } from '../lib/backends/endpoint-list.js';
import { Endpoint, EndpointPool, type EndpointEvent } from '../lib/backends/endpoint-pool.js';
import { FixedRateBackend } from '../lib/backends/fixed-rate.js';
import { OpenAICompletionsClient } from '../lib/backends/openai-client.js';
import { createOpenAIDispatcher, type OpenAIDispatcher } from '../lib/backends/openai-dispatcher.js';
import { ReplayBackend } from '../lib/backends/replay.js';
import type { LlmMode, LlmScenario } from '../lib/llm/benchmark-settings.js';
import { loadDataset } from '../lib/llm/dataset.js';
import { runLlmBenchmark } from '../lib/llm/harness.js';
import { SAMPLE_DATASET } from '../lib/llm/sample-dataset.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import type { RunResult } from '../lib/report/run-result.js';
import { startOpenAIServer } from '../lib/serve/index.js';
import { LlamaTokenizer } from '../lib/tokenizer/tokenizer.js';
import { generateAll, tempDir } from './helpers.js';
import { freePort, startServe, stopServe, type ServeProcess } from './serve-process.js';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const MAX_NEW_TOKENS = 32;
// 32 tokens at 100 tokens/s: a request takes about a third of a second, so a run of twenty
// samples over a few servers lasts long enough to lose one in the middle.
const RATE = '100';
const PER_ENDPOINT = 2;
const dataset = loadDataset(SAMPLE_DATASET);

/** Short timeouts for tests; the defaults are for clusters. */
const QUICK = {
  endpointConcurrency: PER_ENDPOINT,
  requestTimeoutMs: 2_000,
  probeTimeoutMs: 1_000,
  probeMinDelayMs: 50,
  probeMaxDelayMs: 200,
  probePrompt: dataset.prompt(0),
};

function fixedRateServe(port = 0): Promise<ServeProcess> {
  return startServe(['--backend', 'fixed-rate', '--tokens-per-second', RATE, '--port', String(port)]);
}

async function dispatcher(
  endpoints: string[],
  options: { retryTimeoutMs?: number; events?: EndpointEvent[] } = {},
): Promise<OpenAIDispatcher> {
  return createOpenAIDispatcher({
    endpoints,
    ...QUICK,
    retryTimeoutMs: options.retryTimeoutMs ?? 60_000,
    onEvent: (event) => options.events?.push(event),
  });
}

function run(
  backend: OpenAIDispatcher,
  scenario: LlmScenario,
  mode: LlmMode,
  outputDir = tempDir('multi'),
): Promise<RunResult> {
  return runLlmBenchmark({ scenario, mode, backend, dataset, maxNewTokens: MAX_NEW_TOKENS, outputDir });
}

/** The accuracy log of a run, by sample; fails unless every sample is there exactly once. */
function logged(result: RunResult): Map<number, string> {
  const entries = readAccuracyLog(join(result.logDir, 'mlperf_log_accuracy.json'));
  const bySample = new Map<number, string>();
  for (const entry of entries) {
    assert.ok(!bySample.has(entry.qslIndex), `sample ${entry.qslIndex} is logged twice`);
    bySample.set(entry.qslIndex, entry.data.toString('hex'));
    if (entry.tokenData !== undefined) assert.deepEqual(entry.tokenData, entry.data.subarray(0, 4), 'first token');
  }
  assert.deepEqual(
    [...bySample.keys()].sort((a, b) => a - b),
    Array.from({ length: dataset.size }, (_, i) => i),
  );
  return bySample;
}

function statsOf(backend: OpenAIDispatcher, url: string): EndpointStats {
  return backend.endpointStats().find((e) => e.url === url)!;
}

/** Calls `action` once `ready()` holds, checking every few ms (the run goes on meanwhile). */
function when(ready: () => boolean, action: () => void | Promise<void>): { done: Promise<boolean>; cancel(): void } {
  let settle!: (fired: boolean) => void;
  let failed!: (error: unknown) => void;
  const done = new Promise<boolean>((resolve, reject) => {
    settle = resolve;
    failed = reject;
  });
  let timer: NodeJS.Timeout | undefined = setInterval(() => {
    if (!ready()) return;
    clearInterval(timer);
    timer = undefined;
    Promise.resolve()
      .then(action)
      .then(() => settle(true), failed);
  }, 2);
  return {
    done,
    cancel() {
      if (timer === undefined) return;
      clearInterval(timer);
      settle(false);
    },
  };
}

/** The endpoint has a request in flight and has completed one: it is in the middle of the run. */
const busy = (backend: OpenAIDispatcher, url: string) => (): boolean => {
  const s = statsOf(backend, url);
  return s.completed >= 1 && s.requests - s.completed - s.errors >= 1;
};

describe('one LoadGen over three serve processes', { timeout: 300_000 }, () => {
  const serves: ServeProcess[] = [];
  let reference: Map<number, string>;

  before(async () => {
    serves.push(...(await Promise.all([fixedRateServe(), fixedRateServe(), fixedRateServe()])));
    // The single-endpoint run every other run must match.
    const single = await dispatcher([serves[0]!.url]);
    try {
      reference = logged(await run(single, 'Offline', 'accuracy'));
    } finally {
      await single.close();
    }
    // The synthetic server's answers are a function of the prompt: the reference is those.
    for (const [index, hex] of reference) {
      const expected = FixedRateBackend.tokensFor(dataset.prompt(index), MAX_NEW_TOKENS);
      assert.equal(hex, Buffer.from(expected.buffer).toString('hex'));
    }
  });
  after(async () => {
    await Promise.all(serves.map((serve) => stopServe(serve)));
  });

  for (const scenario of ['Offline', 'Server'] as const) {
    test(`${scenario}: one of three killed mid-run; every sample once, as one server gives it`, async () => {
      // Replace the one the previous test killed.
      for (let i = 0; i < serves.length; i++) {
        if (serves[i]!.child.exitCode !== null || serves[i]!.child.signalCode !== null)
          serves[i] = await fixedRateServe();
      }
      const events: EndpointEvent[] = [];
      const backend = await dispatcher(
        serves.map((serve) => serve.url),
        { events },
      );
      const victim = serves[1]!;
      const kill = when(busy(backend, victim.url), () => stopServe(victim));
      let result: RunResult;
      try {
        // Submission: the accuracy pass logs every sample once, the performance pass judges validity.
        result = await run(backend, scenario, 'submission');
      } finally {
        kill.cancel();
        await backend.close();
      }
      assert.ok(await kill.done, 'the victim was killed while it had requests in flight');
      assert.deepEqual(logged(result), reference);
      if (scenario === 'Offline') assert.equal(result.validity, 'VALID', result.invalidReason);
      else assert.ok(result.validity === 'VALID' || result.invalidReason, 'an INVALID run says why');

      const endpoints = result.endpoints!;
      assert.equal(endpoints.length, 3);
      const dead = endpoints.find((e) => e.url === victim.url)!;
      assert.equal(dead.state, 'down');
      assert.equal(dead.outages, 1);
      assert.ok(dead.errors >= 1 && dead.reissued >= 1, JSON.stringify(dead));
      assert.ok(dead.downSeconds > 0);
      assert.match(dead.lastError!, new RegExp(victim.url.replace(/[.]/g, '\\.')));
      for (const alive of endpoints.filter((e) => e !== dead)) {
        assert.deepEqual([alive.state, alive.errors, alive.outages], ['up', 0, 0]);
      }
      // Every request sent ended once: completed, or failed on the victim.
      const sent = endpoints.reduce((sum, e) => sum + e.requests, 0);
      const ended = endpoints.reduce((sum, e) => sum + e.completed + e.errors, 0);
      assert.equal(sent, ended);
      assert.equal(
        endpoints.reduce((sum, e) => sum + e.completed, 0),
        result.samplesCompleted,
      );
      assert.equal(
        endpoints.reduce((sum, e) => sum + e.tokens, 0),
        result.generatedTokens,
      );
      assert.deepEqual(
        events.map((e) => [e.type, e.url]),
        [['down', victim.url]],
      );
      assert.equal(events[0]!.reissued, dead.reissued);
    });
  }

  test('a server down at the start is reported out, and takes the run over when it comes up', async () => {
    const port = await freePort();
    const late = `http://127.0.0.1:${port}`;
    const first = serves.find((serve) => serve.child.exitCode === null && serve.child.signalCode === null)!;
    const events: EndpointEvent[] = [];
    const backend = await dispatcher([first.url, late], { events });
    assert.deepEqual(
      events.map((e) => [e.type, e.url]),
      [['out', late]],
    );
    assert.match(events[0]!.reason!, /ECONNREFUSED/);
    let started: ServeProcess | undefined;
    // Once the run is under way, the only server up dies and the late one starts: the run must
    // wait for it, and finish on it.
    const swap = when(busy(backend, first.url), async () => {
      await stopServe(first);
      started = await fixedRateServe(port);
    });
    let result: RunResult;
    try {
      result = await run(backend, 'Offline', 'accuracy');
    } finally {
      swap.cancel();
      await backend.close();
      if (started) serves.push(started);
    }
    assert.ok(await swap.done);
    assert.deepEqual(logged(result), reference);
    const joined = result.endpoints!.find((e) => e.url === late)!;
    assert.equal(joined.healthyAtStart, false);
    assert.equal(joined.state, 'up');
    assert.ok(joined.completed >= 1, JSON.stringify(joined));
    assert.ok(joined.downSeconds > 0);
    assert.deepEqual(
      events.map((e) => [e.type, e.url]),
      [
        ['out', late],
        ['down', first.url],
        ['up', late],
      ],
    );
  });

  test('every server down: the run fails naming each one, after its logs are written', async () => {
    const pair = await Promise.all([fixedRateServe(), fixedRateServe()]);
    serves.push(...pair);
    const backend = await dispatcher(
      pair.map((serve) => serve.url),
      { retryTimeoutMs: 300 },
    );
    const outputDir = tempDir('multi-all-down');
    const kill = when(busy(backend, pair[0]!.url), () => Promise.all(pair.map((serve) => stopServe(serve))).then());
    try {
      await assert.rejects(run(backend, 'Offline', 'accuracy', outputDir), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_BACKEND_UNAVAILABLE');
        assert.match(error.message, /every endpoint is down and none came back within 300 ms/);
        for (const serve of pair) assert.ok(error.message.includes(`${serve.url}: `), error.message);
        assert.match(error.message, /--endpoint-retry-timeout/);
        return true;
      });
    } finally {
      kill.cancel();
      await backend.close();
    }
    assert.ok(await kill.done);
    for (const file of ['mlperf_log_summary.txt', 'mlperf_log_detail.txt', 'mlperf_log_accuracy.json']) {
      assert.ok(existsSync(join(outputDir, file)), file);
    }
  });

  describe('servers that misbehave', () => {
    let fakes: FakeServer[] = [];
    after(async () => {
      for (const fake of fakes) await fake.close();
      fakes = [];
    });

    const healthy = (): ServeProcess =>
      serves.find((serve) => serve.child.exitCode === null && serve.child.signalCode === null)!;

    test('500 for every request: out from the start, the run goes on without it', async () => {
      const broken = await fakeServer('always-500');
      fakes.push(broken);
      const events: EndpointEvent[] = [];
      const backend = await dispatcher([healthy().url, broken.url], { events });
      let result: RunResult;
      try {
        assert.deepEqual(
          events.map((e) => [e.type, e.url]),
          [['out', broken.url]],
        );
        assert.match(events[0]!.reason!, /HTTP 500/);
        result = await run(backend, 'Offline', 'submission');
      } finally {
        await backend.close();
      }
      assert.equal(result.validity, 'VALID', result.invalidReason);
      assert.deepEqual(logged(result), reference);
      const out = result.endpoints!.find((e) => e.url === broken.url)!;
      assert.deepEqual([out.healthyAtStart, out.state, out.requests], [false, 'down', 0]);
      assert.match(out.lastError!, /HTTP 500/);
    });

    for (const mode of ['error-500', 'stall'] as const) {
      test(`passes the health probe, then ${mode === 'stall' ? 'never answers' : 'answers 500'}: its requests go elsewhere`, async () => {
        const flaky = await fakeServer(mode);
        fakes.push(flaky);
        const events: EndpointEvent[] = [];
        const backend = await createOpenAIDispatcher({
          endpoints: [healthy().url, flaky.url],
          ...QUICK,
          requestTimeoutMs: 300,
          onEvent: (event) => events.push(event),
        });
        let result: RunResult;
        try {
          assert.deepEqual(events, [], 'both are healthy at the start');
          result = await run(backend, 'Offline', 'accuracy');
        } finally {
          await backend.close();
        }
        assert.deepEqual(logged(result), reference);
        const bad = result.endpoints!.find((e) => e.url === flaky.url)!;
        assert.equal(bad.completed, 0);
        assert.ok(bad.errors >= 1 && bad.outages >= 1, JSON.stringify(bad));
        assert.match(
          bad.lastError!,
          mode === 'stall' ? /within 0\.3 s \(the request, .*--request-timeout 0\.3\)/ : /HTTP 500/,
        );
        assert.equal(
          result.endpoints!.reduce((sum, e) => sum + e.completed, 0),
          dataset.size,
        );
        assert.ok(flaky.completions > 0, 'it was given real requests');
      });
    }

    test('never answers at all (a listener that accepts and says nothing): out from the start', async () => {
      const sockets: Socket[] = [];
      const silent = createTcpServer((socket) => sockets.push(socket.on('error', () => {})));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const events: EndpointEvent[] = [];
      const backend = await createOpenAIDispatcher({
        endpoints: [healthy().url, url],
        ...QUICK,
        probeTimeoutMs: 300,
        onEvent: (event) => events.push(event),
      });
      let result: RunResult;
      try {
        assert.deepEqual(
          events.map((e) => [e.type, e.url]),
          [['out', url]],
        );
        assert.match(
          events[0]!.reason!,
          /sent nothing within 0\.3 s \(the start-up probe, GET \/v1\/models; --probe-timeout 0\.3\)/,
        );
        result = await run(backend, 'Offline', 'accuracy');
      } finally {
        await backend.close();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
      assert.deepEqual(logged(result), reference);
      const out = result.endpoints!.find((e) => e.url === url)!;
      assert.deepEqual([out.healthyAtStart, out.requests], [false, 0]);
    });

    test('no server healthy at the start: one error naming each', async () => {
      const broken = await fakeServer('always-500');
      fakes.push(broken);
      const dead = `http://127.0.0.1:${await freePort()}`;
      await assert.rejects(dispatcher([broken.url, dead]), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_BACKEND_UNAVAILABLE');
        assert.match(error.message, /no endpoint answered the start-up probe/);
        assert.ok(error.message.includes(`${broken.url}: `) && /HTTP 500/.test(error.message), error.message);
        assert.ok(error.message.includes(`${dead}: `) && /ECONNREFUSED/.test(error.message), error.message);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
    });
  });
});

/** A server that speaks just enough of the API to fail in one way. */
interface FakeServer {
  readonly url: string;
  /** Real (more than one token) completion requests it received. */
  readonly completions: number;
  close(): Promise<void>;
}

/**
 * 'always-500': 500 for every request. 'error-500' and 'stall' answer the health probe (the model
 * list, a one-token completion) and then, for real requests, answer 500 or never answer.
 */
async function fakeServer(mode: 'always-500' | 'error-500' | 'stall'): Promise<FakeServer> {
  let completions = 0;
  const stalled: ServerResponse[] = [];
  const fail = (response: ServerResponse): void => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: 'the engine is dead', type: 'server_error' } }));
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (mode === 'always-500') return fail(response);
      if (request.method === 'GET' && request.url === '/v1/models') {
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model' }] }));
      }
      const { max_tokens: maxTokens } = JSON.parse(body) as { max_tokens: number };
      if (maxTokens === 1) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          `data: ${JSON.stringify({ choices: [{ text: '', token_ids: [9906], finish_reason: 'length' }] })}\n\n`,
        );
        return response.end('data: [DONE]\n\n');
      }
      completions++;
      if (mode === 'error-500') return fail(response);
      stalled.push(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get completions() {
      return completions;
    },
    close: async () => {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a request whose server fails in the middle of its stream', () => {
  const prompt = dataset.prompt(3);
  const tokenizer = LlamaTokenizer.load();

  /** Streams one request through a dispatcher over [first, second]; `first` is closed after 3 tokens. */
  async function failOver(
    second: Backend,
  ): Promise<{ streamed: number[][]; completed: number[]; stats: EndpointStats[] }> {
    const first = new FixedRateBackend({ tokensPerSecond: 200 });
    const servers = [
      await startOpenAIServer({ backend: first, tokenizer, modelName: MODEL, port: 0 }),
      await startOpenAIServer({ backend: second, tokenizer, modelName: MODEL, port: 0, sampleIndexOf: () => 0 }),
    ];
    const backend = await createOpenAIDispatcher({
      endpoints: servers.map((server) => server.url),
      ...QUICK,
      probePrompt: prompt,
    });
    const streamed: number[][] = [];
    let completed: number[] = [];
    try {
      await generateAll(backend, [{ key: 1, prompt, maxNewTokens: 20, sampleIndex: 0 }], {
        onTokens: (_key, tokens) => {
          streamed.push(Array.from(tokens));
          // The first server goes away mid-stream; the request was sent to it (the first in turn).
          if (streamed.length === 3) void servers[0]!.close();
        },
        onComplete: (_key, tokens) => (completed = Array.from(tokens)),
      });
      return { streamed, completed, stats: backend.endpointStats() };
    } finally {
      await backend.close();
      for (const server of servers) await server.close();
      await first.close();
      await second.close();
    }
  }

  test('its re-issue regenerates from scratch; only the tokens not passed on yet are passed on', async () => {
    const { streamed, completed, stats } = await failOver(new FixedRateBackend({ tokensPerSecond: 1000 }));
    const expected = Array.from(FixedRateBackend.tokensFor(prompt, 20));
    assert.deepEqual(completed, expected);
    assert.deepEqual(streamed.flat(), expected, 'streamed once each, in order, adding up to the completion');
    assert.deepEqual(
      stats.map((s) => [s.requests, s.completed, s.errors, s.reissued, s.reissuedAfterFirstToken]),
      [
        [1, 0, 1, 1, 1],
        [1, 1, 0, 0, 0],
      ],
    );
  });

  test('a re-issue that answers differently completes with its own tokens and streams no more', async () => {
    const other = Int32Array.from({ length: 20 }, (_, i) => 2000 + i);
    const { streamed, completed } = await failOver(new ReplayBackend({ answers: [other] }));
    assert.deepEqual(completed, Array.from(other), "the completing attempt's tokens, whatever was streamed");
    const first = Array.from(FixedRateBackend.tokensFor(prompt, 20));
    assert.deepEqual(streamed.flat(), first.slice(0, streamed.length), 'only what the first server streamed');
  });
});

describe('endpoint choice', () => {
  const pool = (specs: Array<{ limit: number; weight?: number }>): { pool: EndpointPool; endpoints: Endpoint[] } => {
    const endpoints = specs.map(
      (spec, i) =>
        new Endpoint(
          i,
          new OpenAICompletionsClient({ endpoint: `http://10.0.0.${i + 1}:8000` }),
          spec.limit,
          spec.weight ?? 1,
        ),
    );
    const p = new EndpointPool(endpoints, {
      model: MODEL,
      probe: { minDelayMs: 1, maxDelayMs: 1, timeoutMs: 1, timeoutFlag: '--probe-timeout' },
      onUp: () => {},
    });
    // Choice looks at each endpoint's own state.
    for (const endpoint of endpoints) endpoint.state = 'up';
    return { pool: p, endpoints };
  };
  const take = (p: EndpointPool, n: number): number[] =>
    Array.from({ length: n }, () => {
      const endpoint = p.choose();
      if (endpoint === undefined) return -1;
      endpoint.outstanding++;
      return endpoint.index;
    });

  test('least outstanding first, equals in turn, never over an endpoint’s limit', () => {
    const { pool: p, endpoints } = pool([{ limit: 2 }, { limit: 3 }, { limit: 1 }]);
    assert.deepEqual(take(p, 3), [0, 1, 2]);
    assert.deepEqual(take(p, 4), [0, 1, 1, -1]);
    assert.deepEqual(
      endpoints.map((e) => e.outstanding),
      [2, 3, 1],
    );
    endpoints[1]!.outstanding = 0;
    assert.deepEqual(take(p, 1), [1]);
  });

  test('weights scale the share of equally busy endpoints', () => {
    const { pool: p, endpoints } = pool([
      { limit: 100, weight: 1 },
      { limit: 100, weight: 3 },
    ]);
    take(p, 40);
    assert.deepEqual(
      endpoints.map((e) => e.outstanding),
      [10, 30],
    );
  });

  test('an endpoint that is down or avoided gets nothing', () => {
    const { pool: p, endpoints } = pool([{ limit: 4 }, { limit: 4 }]);
    endpoints[0]!.state = 'down';
    assert.deepEqual(take(p, 5), [1, 1, 1, 1, -1]);
    endpoints[0]!.state = 'up';
    assert.equal(p.choose(new Set([endpoints[0]!])), undefined, 'the other one is full');
  });
});

describe('endpoints file', () => {
  test('one URL per line, with optional concurrency and weight; comments and blank lines skipped', () => {
    const text =
      '# the cluster\n\nhttp://node1:8000\n  node2:8000   concurrency=64 weight=2  # bigger\nhttp://node3:8000/v1 weight=0.5\n';
    assert.deepEqual(parseEndpointList(text, 'nodes.txt'), [
      { url: 'http://node1:8000' },
      { url: 'node2:8000', maxConcurrency: 64, weight: 2 },
      { url: 'http://node3:8000/v1', weight: 0.5 },
    ]);
  });

  for (const [text, message] of [
    ['http://a:1\nhttp://b:1 concurrency=0\n', /^nodes\.txt line 2: "concurrency=0" needs a positive integer/],
    ['http://a:1 weight=-1', /^nodes\.txt line 1: "weight=-1" needs a positive number/],
    ['http://a:1\n\nhttp://a:1/', /^nodes\.txt line 3: http:\/\/a:1\/ is listed twice \(also line 1\)/],
    ['http://a:1 batch=4', /^nodes\.txt line 1: unknown field "batch=4"/],
    ['concurrency=4', /^nodes\.txt line 1: "concurrency=4" is not a URL/],
    ['# nothing\n\n', /^nodes\.txt lists no endpoint/],
  ] as const) {
    test(`a bad file is ERR_ENDPOINT_LIST naming the file and line: ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseEndpointList(text, 'nodes.txt'), { code: 'ERR_ENDPOINT_LIST', message });
    });
  }
});
