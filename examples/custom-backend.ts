// Using the harness from another project with your own backend: implement `Backend` (token-id
// prompts in, each request's events out to the sink it carries) and hand it to runLlmBenchmark. This one "generates" by
// replaying each prompt's last tokens backwards — a stand-in for your inference engine.
// Run: npm run example:custom-backend
import {
  formatRunResult,
  loadDataset,
  runLlmBenchmark,
  SAMPLE_DATASET,
  type Backend,
  type GenerationRequest,
} from 'mlperf-loadgen-node';

class ReverseEchoBackend implements Backend {
  readonly name = 'reverse-echo';
  readonly maxConcurrency = 8;

  // Returns at once; every request ends with exactly one onComplete or onError.
  generate(requests: readonly GenerationRequest[], signal?: AbortSignal): void {
    for (const request of requests) {
      // Pretend to compute: answer on a later turn of the event loop, as a real engine would.
      setImmediate(() => {
        if (signal?.aborted) return request.events.onError(signal.reason);
        const length = Math.min(request.maxNewTokens, request.prompt.length);
        const tokens = request.prompt.slice(-length).reverse();
        request.events.onTokens(tokens.subarray(0, 1));
        request.events.onTokens(tokens.subarray(1));
        request.events.onComplete(tokens, length === request.maxNewTokens ? 'length' : 'stop');
      });
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
