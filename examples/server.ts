// Server: queries arrive as a Poisson process at targetQps; each sample reports its first
// token to LoadGen (time to first token) and completes with all its tokens (time per output token).
// Runs on the embedded tiny model and the shipped sample articles: npm run example:server
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
    scenario: 'Server',
    mode: 'performance',
    backend,
    dataset: loadDataset(SAMPLE_DATASET),
    targetQps: 5,
    outputDir: 'results/example-server',
  });
  console.log(formatRunResult(result));
} finally {
  await backend.close();
}
