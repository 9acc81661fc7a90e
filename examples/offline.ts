// Offline: the whole dataset in one LoadGen query, generated in batches.
// Runs on the embedded tiny model and the shipped sample articles: npm run example:offline
import {
  createOnnxRuntimeBackend,
  ensureTinyModel,
  formatRunResult,
  loadDataset,
  runLlmBenchmark,
  SAMPLE_DATASET,
} from 'mlperf-loadgen-node';

const backend = await createOnnxRuntimeBackend({
  modelDir: await ensureTinyModel(),
  device: 'cpu',
  maxConcurrency: 16,
});
try {
  const result = await runLlmBenchmark({
    scenario: 'Offline',
    mode: 'performance',
    backend,
    dataset: loadDataset(SAMPLE_DATASET),
    outputDir: 'results/example-offline',
  });
  console.log(formatRunResult(result));
} finally {
  await backend.close();
}
