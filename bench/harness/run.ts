// Harness overhead: tokens/s of the onnxruntime decode loop on its own (backend.generate over
// every prompt, no LoadGen) against the same model, prompts and batch size through the whole
// harness (LoadGen Offline, QSL, SUT scheduling, completions). Prints a table and writes
// bench/RESULTS.md. Runs alternate, and the median of each side counts.
//
//   npm run bench:harness [-- --samples 100 --repeats 3 --batch 16]
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import type { GenerationRequest } from '../../lib/backends/backend.js';
import { createOnnxRuntimeBackend } from '../../lib/backends/onnxruntime-loader.js';
import { loadDataset, type Dataset } from '../../lib/llm/dataset.js';
import { runLlmBenchmark } from '../../lib/llm/harness.js';
import { MAX_NEW_TOKENS } from '../../lib/llm/prompt.js';
import { SAMPLE_DATASET } from '../../lib/llm/sample-dataset.js';
import { ensureTinyModel } from '../../lib/model/tiny-llama.js';
import { markdownTable, median, textTable, writeResultsSection } from '../results-file.js';

const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `${name}-`));

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '100' },
    repeats: { type: 'string', default: '3' },
    batch: { type: 'string', default: '16' },
  },
});
const samples = Number(values.samples);
const repeats = Number(values.repeats);
const batch = Number(values.batch);

/** The shipped sample set repeated to `count` samples (distinct prompts do not matter to speed). */
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

async function decodeLoopTokensPerSecond(dataset: Dataset, modelDir: string): Promise<number> {
  const backend = await createOnnxRuntimeBackend({ modelDir, device: 'cpu', maxConcurrency: batch });
  try {
    let tokens = 0;
    const started = performance.now();
    // Same admission as the SUT: never more than `batch` requests in flight, refilled as they finish.
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let open = 0;
      const admit = (): void => {
        while (open < batch && next < dataset.size) {
          const index = next++;
          open++;
          const request: GenerationRequest = {
            prompt: dataset.prompt(index),
            maxNewTokens: MAX_NEW_TOKENS,
            sampleIndex: index,
            events: {
              onTokens: () => undefined,
              onComplete: (generated) => {
                tokens += generated.length;
                open--;
                if (next === dataset.size && open === 0) resolve();
                else admit();
              },
              onError: reject,
            },
          };
          backend.generate([request]);
        }
      };
      admit();
    });
    return tokens / ((performance.now() - started) / 1000);
  } finally {
    await backend.close();
  }
}

async function harnessTokensPerSecond(dataset: Dataset, modelDir: string): Promise<number> {
  const backend = await createOnnxRuntimeBackend({ modelDir, device: 'cpu', maxConcurrency: batch });
  try {
    const result = await runLlmBenchmark({
      scenario: 'Offline',
      mode: 'performance',
      backend,
      dataset,
      maxConcurrency: batch,
      minDurationMs: 1000,
      minQueryCount: dataset.size,
      outputDir: tempDir('bench-harness-run'),
    });
    return result.tokensPerSecond ?? 0;
  } finally {
    await backend.close();
  }
}

const modelDir = await ensureTinyModel();
const dataset = benchDataset(samples);
const raw: number[] = [];
const harness: number[] = [];
for (let i = 0; i < repeats; i++) {
  raw.push(await decodeLoopTokensPerSecond(dataset, modelDir));
  harness.push(await harnessTokensPerSecond(dataset, modelDir));
  process.stderr.write(
    `  round ${i + 1}: decode loop ${raw.at(-1)!.toFixed(0)} tok/s, harness ${harness.at(-1)!.toFixed(0)} tok/s\n`,
  );
}
const rawMedian = median(raw);
const harnessMedian = median(harness);
const ratio = harnessMedian / rawMedian;
const overhead = (1 - ratio) * 100;
const header = ['path', 'tokens/s (median)', 'runs'];
const rows = [
  ['onnxruntime decode loop alone', rawMedian.toFixed(0), raw.map((x) => x.toFixed(0)).join(', ')],
  ['whole harness, LoadGen Offline', harnessMedian.toFixed(0), harness.map((x) => x.toFixed(0)).join(', ')],
];
const verdict = `harness ÷ decode loop = ${ratio.toFixed(3)}× (overhead ${overhead.toFixed(1)} %; target ≤ 5 %: ${overhead <= 5 ? 'met' : 'missed'})`;
console.log(`\n${textTable(header, rows)}\n\n${verdict}\n`);
writeResultsSection(
  'harness-overhead',
  [
    '## LLM harness overhead: decode loop alone vs the whole harness (Offline)',
    '',
    `Run ${new Date().toISOString().slice(0, 10)} by \`npm run bench:harness\` on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}: ` +
      `the embedded tiny model on CPU, ${samples} prompts (the sample articles repeated, ~170 tokens each), 128 new tokens each, ` +
      `at most ${batch} sequences in flight on both sides, ${repeats} alternating runs each. The harness number is LoadGen's ` +
      '"Tokens per second" (tokens ÷ time to the last completion); the decode loop\'s is tokens ÷ wall time of backend.generate over the same prompts.',
    '',
    markdownTable(header, rows),
    '',
    verdict,
  ].join('\n'),
);
console.log('written to bench/RESULTS.md');
