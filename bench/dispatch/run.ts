// The dispatcher: one LoadGen Offline run over 1, 2 and 3 `mlperf-llm serve` processes whose
// backend is the synthetic fixed-rate one (every stream gets a token each 1/rate seconds, so a
// server's time per request is known exactly and costs almost no CPU). Throughput should grow
// with the number of servers; what the client adds to each sample is its overhead. A run on one
// server through the plain openai backend (no dispatcher) is the baseline of the client's CPU.
// Prints a table and writes bench/RESULTS.md; the median of the rounds counts.
//
//   npm run bench:dispatch [-- --rate 50 --concurrency 32 --waves 4 --tokens 128 --repeats 3]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Backend, FinishReason } from '../../lib/backends/backend.js';
import { createOpenAIBackend } from '../../lib/backends/openai.js';
import { createOpenAIDispatcher } from '../../lib/backends/openai-dispatcher.js';
import { loadDataset, type Dataset } from '../../lib/llm/dataset.js';
import { runLlmBenchmark } from '../../lib/llm/harness.js';
import { SAMPLE_DATASET } from '../../lib/llm/sample-dataset.js';
import { markdownTable, median, textTable, writeResultsSection } from '../results-file.js';

const CLI = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '32' },
    waves: { type: 'string', default: '4' },
    tokens: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '3' },
  },
});
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);
const waves = Number(values.waves);
const tokens = Number(values.tokens);
const repeats = Number(values.repeats);
/** What one request costs a server: `tokens` steps of 1/rate s. */
const serverSecondsPerSample = tokens / rate;

/** Starts a fixed-rate serve process; resolves with its URL once it prints its ready line. */
function startServe(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--backend',
      'fixed-rate',
      '--tokens-per-second',
      String(rate),
      '--max-concurrency',
      String(concurrency),
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^mlperf-llm serve: ready at (\S+)$/m.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

/** The shipped sample set repeated to `count` samples (the synthetic servers do not care). */
function benchDataset(count: number): Dataset {
  const sample = loadDataset(SAMPLE_DATASET);
  return {
    path: `${sample.path} (repeated to ${count})`,
    size: count,
    prompt: (index) => sample.prompt(index % sample.size),
    article: (index) => sample.article(index % sample.size),
    reference: (index) => sample.reference(index % sample.size),
  };
}

/**
 * The backend with the client's CPU time taken at its first request and at each completion, so
 * the CPU per sample covers the generation alone (not LoadGen's start or its log writing).
 */
function cpuWindowed(backend: Backend, window: { start?: NodeJS.CpuUsage; end?: NodeJS.CpuUsage }): Backend {
  return {
    name: backend.name,
    maxConcurrency: backend.maxConcurrency,
    close: () => backend.close(),
    generate(requests, signal) {
      window.start ??= process.cpuUsage();
      const wrapped = requests.map((request) => {
        const events = request.events;
        return {
          ...request,
          events: {
            onTokens: (tokens: Int32Array) => events.onTokens(tokens),
            onComplete: (tokens: Int32Array, reason: FinishReason) => {
              events.onComplete(tokens, reason);
              window.end = process.cpuUsage();
            },
            onError: (error: unknown) => events.onError(error),
          },
        };
      });
      backend.generate(wrapped, signal);
    },
  };
}

interface Measurement {
  tokensPerSecond: number;
  /** Client process CPU (every thread: LoadGen, the JS thread) per sample while generating, ms. */
  cpuMsPerSample: number;
  /** Each slot's wall time per sample beyond the server's own time, ms. */
  wallOverheadMs: number;
}

async function measure(backend: Backend, endpoints: number): Promise<Measurement> {
  const samples = endpoints * concurrency * waves;
  const window: { start?: NodeJS.CpuUsage; end?: NodeJS.CpuUsage } = {};
  const result = await runLlmBenchmark({
    scenario: 'Offline',
    mode: 'performance',
    backend: cpuWindowed(backend, window),
    dataset: benchDataset(samples),
    maxNewTokens: tokens,
    outputDir: mkdtempSync(join(tmpdir(), 'bench-dispatch-')),
  });
  const cpuMicros = window.end!.user - window.start!.user + (window.end!.system - window.start!.system);
  if (result.samplesCompleted !== samples)
    throw new Error(`${result.samplesCompleted} of ${samples} samples completed`);
  const seconds = result.generatedTokens / (result.tokensPerSecond ?? Number.NaN);
  // Every slot is busy from the start to the last completion: its time per sample is the run's
  // time over its share of the samples.
  const slotSecondsPerSample = (seconds * endpoints * concurrency) / samples;
  return {
    tokensPerSecond: result.tokensPerSecond ?? 0,
    cpuMsPerSample: cpuMicros / 1000 / samples,
    wallOverheadMs: (slotSecondsPerSample - serverSecondsPerSample) * 1000,
  };
}

const servers = await Promise.all([startServe(), startServe(), startServe()]);
const configs: Array<{ label: string; endpoints: number; make: () => Promise<Backend> }> = [
  {
    label: '1 endpoint, plain openai backend (no dispatcher)',
    endpoints: 1,
    make: async () => createOpenAIBackend({ endpoint: servers[0]!.url, model: MODEL, maxConcurrency: concurrency }),
  },
  ...[1, 2, 3].map((n) => ({
    label: `${n} endpoint${n > 1 ? 's' : ''}, dispatcher`,
    endpoints: n,
    make: () =>
      createOpenAIDispatcher({
        endpoints: servers.slice(0, n).map((server) => server.url),
        model: MODEL,
        endpointConcurrency: concurrency,
      }),
  })),
];
const runs = configs.map(() => [] as Measurement[]);
try {
  // A first run warms up the JIT and the connection pools; it does not count.
  const warmUp = await configs[1]!.make();
  await measure(warmUp, 1).finally(() => warmUp.close());
  for (let round = 0; round < repeats; round++) {
    for (const [i, config] of configs.entries()) {
      const backend = await config.make();
      try {
        runs[i]!.push(await measure(backend, config.endpoints));
      } finally {
        await backend.close();
      }
      const m = runs[i]!.at(-1)!;
      process.stderr.write(
        `  round ${round + 1}, ${config.label}: ${m.tokensPerSecond.toFixed(0)} tok/s, ${m.cpuMsPerSample.toFixed(2)} ms CPU/sample, +${m.wallOverheadMs.toFixed(1)} ms wall/sample\n`,
      );
    }
  }
} finally {
  for (const server of servers) server.child.kill('SIGTERM');
}

const medians = runs.map((list) => ({
  tokensPerSecond: median(list.map((m) => m.tokensPerSecond)),
  cpuMsPerSample: median(list.map((m) => m.cpuMsPerSample)),
  wallOverheadMs: median(list.map((m) => m.wallOverheadMs)),
}));
const oneEndpoint = medians[1]!.tokensPerSecond;
const header = [
  'configuration',
  'tokens/s (median)',
  'ideal tokens/s',
  '÷ 1 endpoint',
  'client CPU per sample',
  'wall per sample beyond the server',
];
const rows = configs.map((config, i) => {
  const m = medians[i]!;
  return [
    config.label,
    m.tokensPerSecond.toFixed(0),
    (config.endpoints * concurrency * rate).toFixed(0),
    `${(m.tokensPerSecond / oneEndpoint).toFixed(2)}×`,
    `${m.cpuMsPerSample.toFixed(2)} ms`,
    `${m.wallOverheadMs.toFixed(1)} ms`,
  ];
});
const dispatcherCpu = medians[1]!.cpuMsPerSample - medians[0]!.cpuMsPerSample;
const verdict =
  `3 endpoints ÷ 1 = ${(medians[3]!.tokensPerSecond / oneEndpoint).toFixed(2)}× (ideal 3×); ` +
  `the dispatcher's own CPU per sample (dispatcher − plain backend, 1 endpoint): ${(dispatcherCpu * 1000).toFixed(0)} µs`;
console.log(`\n${textTable(header, rows)}\n\n${verdict}\n`);
writeResultsSection(
  'dispatch',
  [
    '## Dispatcher: one LoadGen over 1, 2 and 3 servers (Offline)',
    '',
    `Run ${new Date().toISOString().slice(0, 10)} by \`npm run bench:dispatch\` on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}: ` +
      `\`mlperf-llm serve --backend fixed-rate --tokens-per-second ${rate}\` processes on loopback (synthetic: each stream gets a token every ${(1000 / rate).toFixed(0)} ms, no model), ` +
      `${concurrency} requests per server at once, ${waves} waves of ${tokens}-token requests per server (${concurrency * waves} samples per server), ${repeats} rounds, medians. ` +
      `Servers and client share the machine. Ideal: every slot always generating (servers × ${concurrency} × ${rate} tokens/s). ` +
      "Client CPU is the benchmark process (LoadGen, SUT, HTTP and SSE, dispatcher) per sample; wall beyond the server is each slot's time per sample less the " +
      `server's own ${(serverSecondsPerSample * 1000).toFixed(0)} ms (it includes waiting up to one step to join a server's batch).`,
    '',
    markdownTable(header, rows),
    '',
    verdict,
  ].join('\n'),
);
console.log('written to bench/RESULTS.md');
