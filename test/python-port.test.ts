// Python harnesses ported line by line to the Python-style API: LoadGen's token-metrics Server
// demo (loadgen/demos/token_metrics/py_demo_server.py) and a reference-style Server SUT whose
// issue_queries keeps only query_samples[0]. Both rely on one callback per LoadGen query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as mlperf_loadgen from '../lib/loadgen/index.js';
import type { QuerySample } from '../lib/loadgen/index.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readDetail } from '../lib/report/detail.js';
import { readSummary } from '../lib/report/summary.js';
import { tempDir } from './helpers.js';

// ---- The port of py_demo_server.py (its structure and names kept; sizes recorded for the test) ----

const callbackSizes: number[] = [];
let completed = 0;

function f(x: number, y: number): number {
  return 4 + 3 * x * y + x ** 3 + y ** 2;
}

function create_responses(n: number, m: number, mod = 4): number[][] {
  const r: number[][] = [];
  for (let i = 0; i < n; i++) r.push(Array.from({ length: m + (i % mod) }, (_, j) => f(i, j)));
  return r;
}
const responses = create_responses(1024, 20);

function load_samples_to_ram(query_samples: number[]): void {
  void query_samples;
}

function unload_samples_from_ram(query_samples: number[]): void {
  void query_samples;
}

/** Python runs this on a thread of its own; here it is an async task. */
async function process_query_async(query_samples: QuerySample[]): Promise<void> {
  const query_responses: mlperf_loadgen.QuerySampleResponse[] = [];
  for (const s of query_samples) {
    const response_array = Int32Array.from(responses[s.index]!);
    const token = response_array.subarray(0, 1);
    await sleep(0.2);
    const response_token = new Uint8Array(token.buffer, token.byteOffset, token.byteLength);
    mlperf_loadgen.FirstTokenComplete([
      new mlperf_loadgen.QuerySampleResponse(s.id, response_token, response_token.byteLength),
    ]);
    await sleep(20);
    const n_tokens = response_array.length;
    const response_bytes = new Uint8Array(response_array.buffer);
    query_responses.push(
      new mlperf_loadgen.QuerySampleResponse(s.id, response_bytes, response_bytes.byteLength, n_tokens),
    );
  }
  mlperf_loadgen.QuerySamplesComplete(query_responses);
  completed += query_responses.length;
}

function issue_query(query_samples: QuerySample[]): void {
  callbackSizes.push(query_samples.length);
  void process_query_async(query_samples);
}

function flush_queries(): void {}

interface Args {
  mode: 'performance' | 'accuracy';
  target_qps: number;
  target_latency_ns: number;
  min_query_count: number;
  min_duration_ms: number;
}

async function main(args: Args): Promise<void> {
  const settings = new mlperf_loadgen.TestSettings();
  settings.scenario = mlperf_loadgen.TestScenario.Server;
  if (args.mode === 'performance') settings.mode = mlperf_loadgen.TestMode.PerformanceOnly;
  else settings.mode = mlperf_loadgen.TestMode.AccuracyOnly;
  settings.server_target_qps = args.target_qps;
  settings.server_target_latency_ns = args.target_latency_ns;
  settings.min_query_count = args.min_query_count;
  settings.min_duration_ms = args.min_duration_ms;
  settings.use_token_latencies = true;

  const sut = mlperf_loadgen.ConstructSUT(issue_query, flush_queries);
  const qsl = mlperf_loadgen.ConstructQSL(1024, 128, load_samples_to_ram, unload_samples_from_ram);
  await mlperf_loadgen.StartTest(sut, qsl, settings);
  mlperf_loadgen.DestroyQSL(qsl);
  mlperf_loadgen.DestroySUT(sut);
}

// ---- A reference-style Server SUT: issue_queries queues query_samples[0], a worker answers ----

class SUTServer {
  readonly sizes: number[] = [];
  completed = 0;
  private readonly query_queue: QuerySample[] = [];
  private wake: (() => void) | null = null;
  private stopped = false;
  private blockedOnce = false;

  constructor(private readonly blockMs: number) {
    void this.process_queries();
  }

  issue_queries(query_samples: QuerySample[]): void {
    this.sizes.push(query_samples.length);
    this.query_queue.push(query_samples[0]!);
    this.wake?.();
  }

  flush_queries(): void {}

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async process_queries(): Promise<void> {
    for (;;) {
      while (this.query_queue.length === 0) {
        if (this.stopped) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
      const sample = this.query_queue.shift()!;
      // Keep the JS thread busy once, as a slow tokenizer would: LoadGen keeps issuing meanwhile,
      // so the next delivery from the native side holds many queries.
      if (!this.blockedOnce) {
        this.blockedOnce = true;
        const until = Date.now() + this.blockMs;
        while (Date.now() < until) {
          // busy
        }
      }
      const tokens = Int32Array.of(sample.index, 1, 2, 3);
      mlperf_loadgen.FirstTokenComplete([new mlperf_loadgen.QuerySampleResponse(sample.id, tokens.subarray(0, 1))]);
      await sleep(1);
      mlperf_loadgen.QuerySamplesComplete([
        new mlperf_loadgen.QuerySampleResponse(sample.id, tokens, tokens.byteLength, tokens.length),
      ]);
      this.completed++;
    }
  }
}

/** Samples LoadGen issued, from its detail log. */
function issuedCount(dir: string): number {
  return Number(readDetail(join(dir, 'mlperf_log_detail.txt')).get('generated_query_count'));
}

test('line-by-line port of py_demo_server.py: VALID, every sample completed, one callback per query', async () => {
  const dir = tempDir('py-demo-server');
  process.chdir(dir);
  await main({
    mode: 'performance',
    target_qps: 100,
    target_latency_ns: 100000000,
    min_query_count: 100,
    // Python's default is 30 s; 6 s gives early stopping the ~500 queries it needs at 100 QPS.
    min_duration_ms: 6000,
  });
  const summary = readSummary(join(dir, 'mlperf_log_summary.txt'));
  assert.equal(summary.fields['Result is'], 'VALID');
  assert.ok(callbackSizes.length >= 100);
  assert.deepEqual(new Set(callbackSizes), new Set([1]));
  assert.equal(completed, callbackSizes.length);
  assert.equal(issuedCount(dir), callbackSizes.length);
});

test('reference-style issue_queries taking query_samples[0]: every sample completed although deliveries coalesce', async () => {
  const dir = tempDir('py-reference-server');
  const server = new SUTServer(200);
  const sut = mlperf_loadgen.ConstructSUT(
    (samples) => server.issue_queries(samples),
    () => server.flush_queries(),
  );
  const qsl = mlperf_loadgen.ConstructQSL(
    1024,
    128,
    () => undefined,
    () => undefined,
  );
  const settings = new mlperf_loadgen.TestSettings();
  settings.scenario = mlperf_loadgen.TestScenario.Server;
  settings.mode = mlperf_loadgen.TestMode.PerformanceOnly;
  settings.server_target_qps = 500;
  settings.server_target_latency_ns = 1_000_000_000;
  settings.ttft_latency = 1_000_000_000;
  settings.tpot_latency = 1_000_000_000;
  settings.min_query_count = 1000;
  settings.min_duration_ms = 2000;
  settings.use_token_latencies = true;
  const logSettings = new mlperf_loadgen.LogSettings();
  logSettings.log_output.outdir = dir;
  await mlperf_loadgen.StartTestWithLogSettings(sut, qsl, settings, logSettings);
  server.stop();
  const summary = readSummary(join(dir, 'mlperf_log_summary.txt'));
  assert.equal(summary.fields['Result is'], 'VALID');
  assert.deepEqual(new Set(server.sizes), new Set([1]));
  assert.equal(server.completed, server.sizes.length);
  assert.equal(issuedCount(dir), server.sizes.length);
});

test('QuerySampleResponse(id, 0, 0), a Python null SUT line, completes a sample with no data', async () => {
  const dir = tempDir('py-null-response');
  let issued = 0;
  const sut = mlperf_loadgen.ConstructFastSUT(
    (ids) => {
      issued += ids.length;
      mlperf_loadgen.QuerySamplesComplete(Array.from(ids, (id) => new mlperf_loadgen.QuerySampleResponse(id, 0, 0)));
    },
    () => undefined,
  );
  const qsl = mlperf_loadgen.ConstructQSL(
    64,
    64,
    () => undefined,
    () => undefined,
  );
  const settings = new mlperf_loadgen.TestSettings();
  settings.scenario = mlperf_loadgen.TestScenario.Offline;
  settings.mode = mlperf_loadgen.TestMode.AccuracyOnly;
  const logSettings = new mlperf_loadgen.LogSettings();
  logSettings.log_output.outdir = dir;
  await mlperf_loadgen.StartTestWithLogSettings(sut, qsl, settings, logSettings);
  assert.equal(issued, 64);
  const entries = readAccuracyLog(join(dir, 'mlperf_log_accuracy.json'));
  assert.equal(entries.length, 64);
  for (const entry of entries) assert.equal(entry.data.length, 0);
});
