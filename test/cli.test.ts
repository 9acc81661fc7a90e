// The mlperf-llm command line, run as a user runs it (a child process per command): the default
// run on the embedded tiny model, each scenario, accuracy runs and evaluate, serve driven by the
// openai backend, and one-line errors for bad input.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '../lib/cli/exit-codes.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import type { RunResult } from '../lib/report/run-result.js';
import { tempDir } from './helpers.js';
import { freePort, startServe, stopServe } from './serve-process.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/accuracy/rouge-parity.json', import.meta.url));

function cli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function onlyRunDir(cwd: string): string {
  const runs = readdirSync(join(cwd, 'results'));
  assert.equal(runs.length, 1);
  return join(cwd, 'results', runs[0]!);
}

function resultOf(dir: string): RunResult {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult;
}

test('"mlperf-llm run" with no arguments: a VALID Offline run on the embedded model, table and result.json', () => {
  const cwd = tempDir('cli-default');
  const run = cli(['run'], cwd);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /scenario\s+Offline \(llama3_1-8b\), performance/);
  assert.match(run.stdout, /validity\s+VALID/);
  assert.match(run.stdout, /tokens\/s\s+\d/);
  assert.match(run.stdout, /latency p50\/p90\/p95\/p99\s+\d/);
  const dir = onlyRunDir(cwd);
  assert.match(dir, /Offline-performance-\d{8}T\d{6}Z$/);
  for (const file of [
    'mlperf_log_summary.txt',
    'mlperf_log_detail.txt',
    'mlperf_log_accuracy.json',
    'mlperf_log_trace.json',
    'user.conf',
    'result.json',
  ]) {
    assert.ok(existsSync(join(dir, file)), file);
  }
  const result = resultOf(dir);
  assert.equal(result.validity, 'VALID');
  assert.equal(result.samplesCompleted, 20);
  assert.equal(result.generatedTokens, 20 * 128);
  assert.ok((result.tokensPerSecond ?? 0) > 0);
  // report prints the same table again
  const report = cli(['report', dir], cwd);
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /validity\s+VALID/);
});

for (const scenario of ['Server', 'SingleStream']) {
  test(`"mlperf-llm run --scenario ${scenario}" reports TTFT and TPOT`, () => {
    const cwd = tempDir(`cli-${scenario}`);
    const run = cli(['run', '--scenario', scenario], cwd);
    const result = resultOf(onlyRunDir(cwd));
    // The quick defaults end VALID on an ordinary machine; on one loaded past its cores the
    // latency bounds can fail, which must then be said and exit with the INVALID code.
    assert.equal(run.status, result.validity === 'INVALID' ? EXIT_CODES.invalid : 0, run.stderr);
    if (result.validity === 'INVALID') assert.ok(result.invalidReason, 'an INVALID run says why');
    assert.match(run.stdout, new RegExp(`scenario\\s+${scenario}`));
    assert.match(run.stdout, /TTFT p50\/p90\/p99\s+[\d.]+ ms/);
    assert.match(run.stdout, /TPOT p50\/p90\/p99\s+[\d.]+ ms/);
    assert.ok(result.ttftNs?.p99 !== undefined && result.tpotNs?.p99 !== undefined);
  });
}

test('"run --mode accuracy" then "evaluate" score the same samples; the table carries the scores', () => {
  const cwd = tempDir('cli-accuracy');
  const run = cli(['run', '--mode', 'accuracy', '--output-dir', 'acc'], cwd);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /accuracy\s+rouge1 [\d.]+, rouge2 [\d.]+, rougeL [\d.]+, rougeLsum [\d.]+/);
  const evaluate = cli(['evaluate', '--log', join(cwd, 'acc')], cwd);
  assert.equal(evaluate.status, 0, evaluate.stderr);
  const printed = evaluate.stdout.trim().split('\n')[0]!;
  assert.match(
    printed,
    /^\{'rouge1': '[\d.]+', 'rouge2': '[\d.]+', 'rougeL': '[\d.]+', 'rougeLsum': '[\d.]+', 'gen_len': \d+, 'gen_num': 20/,
  );
  const accuracy = resultOf(join(cwd, 'acc')).accuracy!;
  assert.equal(printed.match(/'rouge1': '([\d.]+)'/)![1], String(accuracy.rouge1));
  assert.equal(readAccuracyLog(join(cwd, 'acc', 'mlperf_log_accuracy.json')).length, 20);
});

test('the replay backend’s accuracy run scores exactly what the Python evaluation gives for the references', () => {
  const cwd = tempDir('cli-replay');
  const run = cli(['run', '--backend', 'replay', '--mode', 'accuracy', '--output-dir', 'replay'], cwd);
  assert.equal(run.status, 0, run.stderr);
  const evaluate = cli(['evaluate', '--log', join(cwd, 'replay')], cwd);
  assert.equal(evaluate.status, 0, evaluate.stderr);
  const expected = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { sampleReplay: { printed: string } }).sampleReplay
    .printed;
  // evaluation.py prints these keys; ours adds token statistics after them.
  assert.equal(
    evaluate.stdout
      .trim()
      .split('\n')[0]!
      .replace(/, 'gen_tok_len'.*\}$/, '}'),
    expected,
  );
});

test('the openai backend runs against "mlperf-llm serve" on loopback', async () => {
  const cwd = tempDir('cli-serve');
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--max-concurrency', '8'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /at (http:\/\/[^\s]+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    // The server is a process of its own, so waiting here synchronously does not stall it.
    const run = cli(
      [
        'run',
        '--backend',
        'openai',
        '--endpoint',
        url,
        '--mode',
        'accuracy',
        '--total-sample-count',
        '6',
        '--output-dir',
        'remote',
      ],
      cwd,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /backend\s+openai/);
    const entries = readAccuracyLog(join(cwd, 'remote', 'mlperf_log_accuracy.json'));
    assert.equal(entries.length, 6);
    for (const entry of entries) assert.equal(entry.data.length, 128 * 4, 'the tiny model always generates 128 tokens');
    // The same samples through the onnxruntime backend directly give the same tokens.
    const local = cli(['run', '--mode', 'accuracy', '--total-sample-count', '6', '--output-dir', 'local'], cwd);
    assert.equal(local.status, 0, local.stderr);
    const direct = new Map(
      readAccuracyLog(join(cwd, 'local', 'mlperf_log_accuracy.json')).map((e) => [e.qslIndex, e.data.toString('hex')]),
    );
    for (const entry of entries) assert.equal(entry.data.toString('hex'), direct.get(entry.qslIndex));
  } finally {
    server.kill('SIGTERM');
  }
});

test('"run --endpoints <file>": a server that is out is reported, the run goes on, the table has one row per server', async () => {
  const cwd = tempDir('cli-endpoints');
  const serve = await startServe(['--backend', 'fixed-rate', '--tokens-per-second', '400', '--port', '0']);
  try {
    const dead = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(
      join(cwd, 'nodes.txt'),
      `# the cluster\n${serve.url}  concurrency=2\n\n${dead} weight=2  # not started\n`,
    );
    const run = cli(
      ['run', '--backend', 'openai', '--endpoints', 'nodes.txt', '--max-new-tokens', '16', '--output-dir', 'nodes'],
      cwd,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stderr.includes(`mlperf-llm: endpoint ${dead} is out: `), run.stderr);
    assert.match(run.stdout, /validity\s+VALID/);
    assert.match(run.stdout, /endpoint\s+requests\s+completed\s+tokens\/s\s+errors\s+re-issued\s+down\s+state/);
    assert.match(
      run.stdout,
      new RegExp(`${dead.replace(/[.]/g, '\\.')}\\s+0\\s+0\\s+0\\.0\\s+0\\s+0\\s+[\\d.]+ s\\s+down \\(out at start\\)`),
    );
    const endpoints = resultOf(join(cwd, 'nodes')).endpoints!;
    assert.deepEqual(
      endpoints.map((e) => [e.url, e.maxConcurrency, e.weight, e.healthyAtStart]),
      [
        [serve.url, 2, 1, true],
        [dead, 256, 2, false],
      ],
    );
    assert.ok(endpoints[0]!.completed >= 20 && endpoints[0]!.tokensPerSecond > 0);
  } finally {
    await stopServe(serve);
  }
});

test('"serve" prints its ready line, and on SIGTERM lets a stream finish, then exits with 0', async () => {
  const serve = await startServe(['--backend', 'fixed-rate', '--tokens-per-second', '50', '--port', '0']);
  assert.equal((await fetch(`${serve.url}/health`)).status, 200);
  const response = await fetch(`${serve.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: [128000, 42], max_tokens: 20, stream: true, return_token_ids: true }),
  });
  const reader = response.body!.getReader();
  let text = new TextDecoder().decode((await reader.read()).value);
  serve.child.kill('SIGTERM');
  for (let part = await reader.read(); !part.done; part = await reader.read())
    text += new TextDecoder().decode(part.value);
  const ids = text
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .flatMap((line) => (JSON.parse(line.slice(6)) as { choices: { token_ids: number[] }[] }).choices[0]!.token_ids);
  assert.equal(ids.length, 20, 'the stream in flight finished');
  assert.ok(text.trimEnd().endsWith('data: [DONE]'));
  assert.equal(await serve.exited, 0);
  assert.match(serve.stderr(), /shutting down \(1 requests open, up to 30000 ms/);
  assert.match(serve.stderr(), /mlperf-llm serve: stopped/);
});

const badInput: [string, (cwd: string) => string[], RegExp][] = [
  [
    'a malformed dataset',
    (cwd) => {
      writeFileSync(
        join(cwd, 'bad.json'),
        JSON.stringify([{ instruction: 't', input: 'a', tok_input: 'oops', output: 's' }]),
      );
      return ['run', '--dataset', join(cwd, 'bad.json')];
    },
    /^mlperf-llm: dataset .*bad\.json: record 0 field "tok_input" is a string of 4 characters, not a non-empty array of token ids; fix or regenerate the file with "mlperf-llm prepare-dataset"$/,
  ],
  ['a missing model file', (cwd) => ['run', '--model', cwd], /^mlperf-llm: .*genai_config\.json.*$/],
  [
    'an unreachable endpoint',
    () => ['run', '--backend', 'openai', '--endpoint', 'http://127.0.0.1:9', '--total-sample-count', '2'],
    /^mlperf-llm: .*http:\/\/127\.0\.0\.1:9.*$/,
  ],
  [
    'a malformed endpoints file',
    (cwd) => {
      writeFileSync(join(cwd, 'nodes.txt'), 'http://127.0.0.1:9\nhttp://127.0.0.1:10 concurrency=many\n');
      return ['run', '--backend', 'openai', '--endpoints', join(cwd, 'nodes.txt')];
    },
    /^mlperf-llm: .*nodes\.txt line 2: "concurrency=many" needs a positive integer, e\.g\. concurrency=64$/,
  ],
  [
    'an unknown scenario',
    () => ['run', '--scenario', 'Batch'],
    /^mlperf-llm: Invalid values:.*scenario.*"Batch".*Offline.*Server.*SingleStream.*Interactive.*\(see mlperf-llm --help\)$/,
  ],
];

for (const [what, args, message] of badInput) {
  test(`${what} is a one-line error naming the problem and the fix`, () => {
    const cwd = tempDir('cli-bad');
    const run = cli(args(cwd), cwd);
    assert.notEqual(run.status, 0);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, message);
  });
}

test('an INVALID run prints LoadGen’s reason with the flag that fixes it, and exits 4', () => {
  const cwd = tempDir('cli-invalid');
  // The replay backend answers at once: a minute's minimum duration cannot be met.
  const run = cli(['run', '--backend', 'replay', '--min-duration', '60000', '--output-dir', 'out'], cwd);
  assert.equal(run.status, 4, run.stderr);
  assert.match(
    run.stdout,
    /validity\s+INVALID — .*minimum duration not reached \(fix: .*--target-qps.*--min-duration\)/,
  );
  assert.match(run.stdout, /min_duration\s+60000\s+\(--min-duration\)/);
  assert.equal(resultOf(join(cwd, 'out')).validity, 'INVALID');
});

test('Ctrl-C (SIGINT) ends a Server run early with complete logs and exit 130; a second one only asks to wait', async () => {
  const cwd = tempDir('cli-sigint');
  const child = spawn(
    process.execPath,
    [CLI, 'run', '--scenario', 'Server', '--backend', 'replay', '--target-qps', '2', '--output-dir', 'out'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  // Interrupt once LoadGen has started its test (its detail log exists).
  while (!existsSync(join(cwd, 'out', 'mlperf_log_detail.txt'))) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /Ctrl-C: ending the run/);
  assert.match(stderr, /still ending the run/);
  assert.match(stderr, /the run was aborted \(Ctrl-C\)/);
  const detail = readFileSync(join(cwd, 'out', 'mlperf_log_detail.txt'), 'utf8');
  assert.match(detail, /Test aborted by the Node.js harness/);
  assert.match(readFileSync(join(cwd, 'out', 'mlperf_log_summary.txt'), 'utf8'), /Result is/);
});
