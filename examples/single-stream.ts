// SingleStream (the edge suite): one sample at a time; LoadGen reports the 90th percentile latency.
// Runs on the embedded tiny model and the shipped sample articles: npm run example:single-stream
import {
  createOnnxRuntimeBackend,
  ensureTinyModel,
  formatRunResult,
  loadDataset,
  runLlmBenchmark,
  SAMPLE_DATASET,
} from 'mlperf-loadgen-node';

const backend = await createOnnxRuntimeBackend({ modelDir: await ensureTinyModel(), device: 'cpu', maxConcurrency: 1 });
try {
  const result = await runLlmBenchmark({
    scenario: 'SingleStream',
    mode: 'performance',
    backend,
    dataset: loadDataset(SAMPLE_DATASET),
    outputDir: 'results/example-single-stream',
  });
  console.log(formatRunResult(result));
} finally {
  await backend.close();
}
