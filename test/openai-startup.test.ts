// Issue 11, point 5: `mlperf-llm run --backend openai` checks its servers before anything
// loads. A server that takes the connection and never answers fails the start-up probe within
// the probe's own limit (not the 2-minute request timeout), and `--model` must be a model the
// server serves. Real HTTP servers only: node:http ones that misbehave in one way each, and the
// real `mlperf-llm serve` for the happy path and the wrong model. The CLI runs as a child
// process, so the servers in this process keep answering while it runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from './helpers.js';
import { CLI, startServe, stopServe, type ServeProcess } from './serve-process.js';

const SERVED = 'meta-llama/Llama-3.1-8B-Instruct';
/** A dataset path that does not exist: a probe that fails first shows it ran before the dataset loaded. */
const NO_DATASET = '/nonexistent/cnn_eval.json';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mlperf-llm <args>` in `cwd` without blocking this process's servers. */
function cli(args: readonly string[], cwd: string): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** A run that must fail with exit code 1 and one line, leaving nothing in `cwd`; returns the line. */
async function failsAtStart(args: readonly string[]): Promise<string> {
  const cwd = tempDir('openai-startup');
  const run = await cli(['run', '--backend', 'openai', '--output-dir', 'out', ...args], cwd);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  // No output folder, so no LoadGen log: the run never started.
  assert.deepEqual(readdirSync(cwd), []);
  return lines[0]!;
}

/** A node:http server on loopback, with its URL. */
async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Reads a request's JSON body. */
async function bodyOf(request: IncomingMessage): Promise<{ model?: string; max_tokens?: number }> {
  let text = '';
  for await (const chunk of request) text += (chunk as Buffer).toString();
  return JSON.parse(text) as { model?: string; max_tokens?: number };
}

/** Streams a one-token completion in vLLM's format. */
function oneToken(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(`data: ${JSON.stringify({ choices: [{ text: 'a', token_ids: [64], finish_reason: 'length' }] })}\n\n`);
  response.end('data: [DONE]\n\n');
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('a server that accepts the connection and never answers', () => {
  let hung: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    hung = await listen(() => {});
  });
  after(() => hung.close());

  test('fails the start-up probe at its 10 s default, not the request timeout, before the dataset loads', async () => {
    // A 10-minute request timeout: a message naming the probe's 10 s shows which limit ended it.
    const line = await failsAtStart([
      '--endpoint',
      hung.url,
      '--model',
      SERVED,
      '--request-timeout',
      '600',
      '--dataset',
      NO_DATASET,
    ]);
    assert.equal(
      line,
      `mlperf-llm: openai: ${hung.url} accepted the connection but sent nothing within 10 s (the start-up probe, ` +
        'GET /v1/models; --probe-timeout 10); is the server stuck or overloaded, and is --endpoint right? ' +
        'raise --probe-timeout (seconds) if it is only slow',
    );
  });

  test('a --request-timeout shorter than the probe limit bounds the probe too, and is the flag named', async () => {
    const line = await failsAtStart(['--endpoint', hung.url, '--request-timeout', '0.5', '--dataset', NO_DATASET]);
    assert.match(line, new RegExp(`${escape(hung.url)} accepted the connection but sent nothing within 0\\.5 s`));
    assert.match(line, /\(the start-up probe, GET \/v1\/models; --request-timeout 0\.5\).*raise --request-timeout/);
  });

  test('with several servers and none answering, the error names each one and its problem', async () => {
    const other = await listen(() => {});
    try {
      const line = await failsAtStart(['--endpoint', hung.url, '--endpoint', other.url, '--probe-timeout', '0.5']);
      assert.match(line, /^mlperf-llm: openai: no endpoint answered the start-up probe: /);
      for (const url of [hung.url, other.url]) {
        assert.ok(line.includes(`${url}: ${url} accepted the connection but sent nothing within 0.5 s`), line);
      }
      assert.match(line, /--probe-timeout 0\.5/);
    } finally {
      await other.close();
    }
  });
});

test(
  'a server that never completes the TCP handshake fails the probe within its limit, as "could not connect"',
  { skip: process.platform !== 'linux' && 'needs Linux, which drops SYNs to a full accept queue' },
  async () => {
    // A listener whose process is stopped accepts nothing: once its queue of one is full, the
    // kernel drops further SYNs, as a firewall or a dead host does (Node would wait for its
    // connect for minutes: the OS's SYN retries).
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () { console.log(this.address().port) })",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const fillers: Socket[] = [];
    try {
      const port = await new Promise<string>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
      );
      child.kill('SIGSTOP');
      // The queue takes backlog + 1 = 2 handshakes; the rest of the fillers and the run's wait.
      let connected = 0;
      await new Promise<void>((resolve) => {
        for (let i = 0; i < 4; i++) {
          const socket = connect(Number(port), '127.0.0.1').on('error', () => {});
          socket.once('connect', () => ++connected === 2 && resolve());
          fillers.push(socket);
        }
      });
      const url = `http://127.0.0.1:${port}`;
      const line = await failsAtStart(['--endpoint', url, '--probe-timeout', '0.5', '--dataset', NO_DATASET]);
      assert.equal(
        line,
        `mlperf-llm: openai: could not connect to ${url} within 0.5 s (the start-up probe, GET /v1/models; ` +
          '--probe-timeout 0.5); is --endpoint right, and is the host up?',
      );
    } finally {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    }
  },
);

test('every timeout flag takes seconds: --request-timeout and --probe-timeout more than 0, finite, at most a day', async () => {
  for (const [flag, value, shown] of [
    ['--request-timeout', '0', '0'],
    ['--request-timeout', '-5', '-5'],
    ['--request-timeout', 'Infinity', 'Infinity'],
    ['--request-timeout', '120000000', '120000000'],
    ['--probe-timeout', '0', '0'],
  ] as const) {
    const line = await failsAtStart(['--endpoint', 'http://127.0.0.1:9', flag, value]);
    assert.equal(
      line,
      `mlperf-llm: ${flag} ${shown}: give a number of seconds greater than 0 and at most 86400 (a day) (see mlperf-llm run --help)`,
    );
  }
  const line = await failsAtStart(['--endpoint', 'http://127.0.0.1:9', '--request-timeout', 'soon']);
  assert.match(line, /^mlperf-llm: --request-timeout is not a number: give a number of seconds/);
  // The other timeouts are seconds too (0: none); a value written in ms is caught by the day's bound.
  for (const [flag, value] of [
    ['--endpoint-retry-timeout', '60000000'],
    ['--sample-timeout', '-1'],
  ] as const) {
    const refused = await failsAtStart(['--endpoint', 'http://127.0.0.1:9', flag, value]);
    assert.equal(
      refused,
      `mlperf-llm: ${flag} ${value}: give a number of seconds from 0 to 86400 (a day) (see mlperf-llm run --help)`,
    );
  }
});

describe('--model is checked against what the server serves', () => {
  test('GET /v1/models lists other names: the run is refused, listing them', async () => {
    const server = await listen((request, response) => {
      if (request.url === '/v1/models') {
        json(response, 200, {
          object: 'list',
          data: ['llama-a', 'llama-b'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })),
        });
      } else json(response, 500, { error: { message: 'only the model list works here' } });
    });
    try {
      const line = await failsAtStart(['--endpoint', server.url, '--model', 'wrong-name', '--dataset', NO_DATASET]);
      assert.equal(
        line,
        `mlperf-llm: --model wrong-name: the endpoint ${server.url} serves llama-a, llama-b; pass one of those`,
      );
    } finally {
      await server.close();
    }
  });

  describe('a server without GET /v1/models: a one-token completion tells', () => {
    let server: Awaited<ReturnType<typeof listen>>;
    before(async () => {
      server = await listen((request, response) => {
        if (request.method !== 'POST' || request.url !== '/v1/completions') {
          json(response, 404, { detail: 'Not Found' });
          return;
        }
        void bodyOf(request).then((body) => {
          if (body.model !== 'served-name') {
            json(response, 404, {
              error: { message: `The model \`${body.model}\` does not exist.`, type: 'NotFoundError', code: 404 },
            });
          } else oneToken(response);
        });
      });
    });
    after(() => server.close());

    test("an unknown model is the server's 404, as a one-line error naming --model", async () => {
      const line = await failsAtStart(['--endpoint', server.url, '--model', 'wrong-name', '--dataset', NO_DATASET]);
      assert.equal(
        line,
        `mlperf-llm: --model wrong-name: the endpoint ${server.url} does not serve it (HTTP 404: The model ` +
          '`wrong-name` does not exist.); it has no GET /v1/models to list its models, so pass the name its server was started with',
      );
    });

    test('without --model the run is refused: only the user knows the name', async () => {
      const line = await failsAtStart(['--endpoint', server.url, '--dataset', NO_DATASET]);
      assert.match(line, new RegExp(`the endpoint ${escape(server.url)} has no GET /v1/models .*pass --model`));
    });

    test('the served name passes the probe, and the run gets to the dataset', async () => {
      // The dataset is the next thing the run reads: its error shows the probe passed.
      const line = await failsAtStart(['--endpoint', server.url, '--model', 'served-name', '--dataset', NO_DATASET]);
      assert.match(line, new RegExp(`^mlperf-llm: .*${escape(NO_DATASET)}`));
    });
  });
});

describe('against the real `mlperf-llm serve`', () => {
  let serve: ServeProcess;
  before(async () => {
    serve = await startServe(['--backend', 'fixed-rate', '--tokens-per-second', '2000', '--port', '0']);
  });
  after(() => stopServe(serve));

  test("answers GET /v1/models in OpenAI's format, and a wrong model with 404 model_not_found", async () => {
    const list = (await (await fetch(`${serve.url}/v1/models`)).json()) as {
      object: string;
      data: { id: string; object: string; created: number; owned_by: string }[];
    };
    assert.equal(list.object, 'list');
    assert.deepEqual(
      list.data.map((m) => [m.id, m.object, typeof m.created, typeof m.owned_by]),
      [[SERVED, 'model', 'number', 'string']],
    );
    const wrong = await fetch(`${serve.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'wrong-name', prompt: [128000], max_tokens: 1 }),
    });
    assert.equal(wrong.status, 404);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'model_not_found');
  });

  test('--model wrong-name is refused at start-up, naming the model serve serves', async () => {
    const line = await failsAtStart(['--endpoint', serve.url, '--model', 'wrong-name', '--dataset', NO_DATASET]);
    assert.equal(line, `mlperf-llm: --model wrong-name: the endpoint ${serve.url} serves ${SERVED}; pass one of those`);
  });

  test('the served model runs, with the flags set (exit 0, VALID)', async () => {
    const cwd = tempDir('openai-startup-ok');
    const run = await cli(
      [
        'run',
        '--backend',
        'openai',
        '--endpoint',
        serve.url,
        '--model',
        SERVED,
        '--request-timeout',
        '30',
        '--probe-timeout',
        '5',
        '--max-new-tokens',
        '16',
        '--output-dir',
        'out',
      ],
      cwd,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /validity\s+VALID/);
    assert.ok(existsSync(join(cwd, 'out', 'mlperf_log_detail.txt')));
  });

  describe('with several servers', () => {
    test('one that never answers is out (named, with the probe and its flag); the run goes on', async () => {
      const hung = await listen(() => {});
      try {
        const cwd = tempDir('openai-startup-pair');
        const run = await cli(
          [
            'run',
            '--backend',
            'openai',
            '--endpoint',
            serve.url,
            '--endpoint',
            hung.url,
            '--probe-timeout',
            '0.5',
            '--max-new-tokens',
            '16',
            '--output-dir',
            'out',
          ],
          cwd,
        );
        assert.equal(run.status, 0, run.stderr);
        assert.ok(
          run.stderr.includes(
            `mlperf-llm: endpoint ${hung.url} is out: openai: ${hung.url} accepted the connection but sent nothing ` +
              'within 0.5 s (the start-up probe, GET /v1/models; --probe-timeout 0.5)',
          ),
          run.stderr,
        );
        assert.ok(!run.stderr.includes(`endpoint ${serve.url} is out`), run.stderr);
      } finally {
        await hung.close();
      }
    });

    test('one that serves another model refuses the run, naming that one', async () => {
      const other = await listen((request, response) => {
        if (request.url === '/v1/models') json(response, 200, { object: 'list', data: [{ id: 'llama-other' }] });
        else json(response, 404, { detail: 'Not Found' });
      });
      try {
        const line = await failsAtStart([
          '--endpoint',
          serve.url,
          '--endpoint',
          other.url,
          '--model',
          SERVED,
          '--dataset',
          NO_DATASET,
        ]);
        assert.equal(
          line,
          `mlperf-llm: --model ${SERVED}: the endpoint ${other.url} serves llama-other; pass one of those`,
        );
        // Without --model the run would take serve's model, which the other does not have either.
        const implicit = await failsAtStart([
          '--endpoint',
          serve.url,
          '--endpoint',
          other.url,
          '--dataset',
          NO_DATASET,
        ]);
        assert.equal(
          implicit,
          `mlperf-llm: the endpoint ${other.url} serves llama-other, not ${SERVED} (the first model of ${serve.url}, ` +
            'which the run uses without --model); start every server with the same served model name, or pass --model',
        );
      } finally {
        await other.close();
      }
    });
  });
});

test('a request that gets no answer within --request-timeout fails the run, naming the flag, its value and the server', async () => {
  // Passes the probe (the model list, one-token completions), then never answers a real request.
  const stalled: ServerResponse[] = [];
  const server = await listen((request, response) => {
    if (request.url === '/v1/models') {
      json(response, 200, { object: 'list', data: [{ id: SERVED, object: 'model' }] });
      return;
    }
    void bodyOf(request).then((body) => (body.max_tokens === 1 ? oneToken(response) : stalled.push(response)));
  });
  try {
    const cwd = tempDir('openai-startup-stall');
    const run = await cli(
      [
        'run',
        '--backend',
        'openai',
        '--endpoint',
        server.url,
        '--request-timeout',
        '0.5',
        '--endpoint-retry-timeout',
        '0.5',
        '--total-sample-count',
        '2',
        '--output-dir',
        'out',
      ],
      cwd,
    );
    assert.equal(run.status, 1, run.stderr);
    assert.ok(stalled.length > 0, 'real requests reached the server');
    const last = run.stderr.trim().split('\n').at(-1)!;
    assert.ok(
      last.includes(
        `${server.url} accepted the connection but sent nothing within 0.5 s (the request, POST /v1/completions; ` +
          '--request-timeout 0.5)',
      ),
      run.stderr,
    );
    assert.match(last, /raise --request-timeout \(seconds\) if it is only slow/);
  } finally {
    for (const response of stalled) response.destroy();
    await server.close();
  }
});
