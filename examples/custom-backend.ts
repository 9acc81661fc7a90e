// Using the harness from another project with your own backend: implement `Backend` (token-id
// prompts in, token events out) and hand it to runLlmBenchmark. This one "generates" by
// replaying each prompt's last tokens backwards — a stand-in for your inference engine.
// Run: npm run example:custom-backend
import {
  formatRunResult,
  loadDataset,
  runLlmBenchmark,
  SAMPLE_DATASET,
  type Backend,
  type GenerationListener,
  type GenerationRequest,
} from 'mlperf-loadgen-node';

class ReverseEchoBackend implements Backend {
  readonly name = 'reverse-echo';
  readonly maxBatchSize = 8;

  async generate(requests: readonly GenerationRequest[], listener: GenerationListener): Promise<void> {
    for (const request of requests) {
      // Pretend to compute: yield to the event loop as a real engine would between steps.
      await new Promise((resolve) => setImmediate(resolve));
      const length = Math.min(request.maxNewTokens, request.prompt.length);
      const tokens = request.prompt.slice(-length).reverse();
      listener.onTokens(request.key, tokens.subarray(0, 1));
      listener.onTokens(request.key, tokens.subarray(1));
      listener.onComplete(request.key, tokens, length === request.maxNewTokens ? 'length' : 'stop');
    }
  }

  async close(): Promise<void> {}
}

const result = await runLlmBenchmark({
  scenario: 'Offline',
  mode: 'accuracy',
  backend: new ReverseEchoBackend(),
  dataset: loadDataset(SAMPLE_DATASET),
  outputDir: 'results/example-custom-backend',
});
console.log(formatRunResult(result));
