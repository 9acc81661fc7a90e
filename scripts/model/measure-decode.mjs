// Measures the onnxruntime backend's greedy decode speed on the embedded tiny model (CPU):
// N requests of ~500-token prompts, 128 new tokens each, all in one batch of N.
// Usage (after `npx tsc -p .`): node scripts/model/measure-decode.mjs [batch sizes…] [--threads N]
import { createOnnxRuntimeBackend } from '../../dist/lib/backends/onnxruntime/index.js';
import { ensureTinyModel } from '../../dist/lib/model/tiny-llama.js';

const args = process.argv.slice(2);
const threadsAt = args.indexOf('--threads');
const threads = threadsAt >= 0 ? Number(args.splice(threadsAt, 2)[1]) : undefined;
const batches = args.length > 0 ? args.map(Number) : [1, 8, 32];
const PROMPT_TOKENS = 500;
const NEW_TOKENS = 128;

/** A deterministic ~500-token prompt per index (BOS, then ordinary-vocabulary ids). */
function prompt(index) {
  const ids = new Int32Array(PROMPT_TOKENS - 8 + (index % 17));
  ids[0] = 128000;
  for (let i = 1; i < ids.length; i++) ids[i] = (index * 7919 + i * 104729) % 120000;
  return ids;
}

const modelDir = await ensureTinyModel();
for (const batch of batches) {
  const backend = await createOnnxRuntimeBackend({
    modelDir,
    device: 'cpu',
    maxBatchSize: batch,
    ...(threads ? { intraOpNumThreads: threads } : {}),
  });
  const requests = Array.from({ length: batch }, (_, i) => ({
    key: i,
    prompt: prompt(i),
    maxNewTokens: NEW_TOKENS,
    sampleIndex: i,
  }));
  let firstToken = 0;
  let generated = 0;
  const start = performance.now();
  await backend.generate(requests, {
    onTokens(_key, tokens) {
      if (firstToken === 0) firstToken = performance.now();
      generated += tokens.length;
    },
    onComplete() {},
  });
  const end = performance.now();
  await backend.close();
  const decodeSeconds = (end - firstToken) / 1000;
  console.log(
    `batch ${String(batch).padStart(2)}: ${generated} tokens; prefill ${((firstToken - start) / 1000).toFixed(2)} s; ` +
      `decode ${decodeSeconds.toFixed(2)} s = ${((generated - batch) / decodeSeconds).toFixed(0)} tokens/s; ` +
      `end to end ${(generated / ((end - start) / 1000)).toFixed(0)} tokens/s`,
  );
}
