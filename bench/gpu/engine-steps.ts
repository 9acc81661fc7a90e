// Decode-step benchmark of the native engine: loads a model folder once, then for each batch
// size B runs B synthetic prompts of the same length together and reports the engine thread's
// own time per decode step while all B requests were decoding (so prefills and partial batches
// do not count), the decode throughput B / step time, the mean prefill time, and the whole
// batch's tokens per second end to end. Prints a table; --out writes the same as JSON.
//
//   node dist/bench/gpu/engine-steps.js --model <folder> --device cuda [--batches 1,8,32,64]
//        [--prompt-length 800] [--new-tokens 128] [--memory-limit-gib 22] [--out steps.json]
//   node dist/bench/gpu/engine-steps.js --tiny --batches 1,4 --prompt-length 64   (CPU smoke run)
//   node dist/bench/gpu/engine-steps.js --tiny --dtype bf16 --device cuda          (CUDA path, no builder)
//   add --cuda-graph to replay decode steps as CUDA graphs
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { GenerationRequest } from '../../lib/backends/backend.js';
import { createEngineBackend, type EngineBackend, readEngineModelConfig } from '../../lib/backends/engine/index.js';
import { generateLlamaWeights } from '../../lib/model/llama-weights.js';
import { llamaModelFiles, writeModelFolder } from '../../lib/model/model-folder.js';
import { WeightRandom } from '../../lib/model/prng.js';
import { TINY_LLAMA, TINY_LLAMA_SEED } from '../../lib/model/tiny-llama-spec.js';
import { textTable } from '../results-file.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    tiny: { type: 'boolean', default: false },
    dtype: { type: 'string', default: 'fp32' },
    device: { type: 'string', default: 'cpu' },
    'device-id': { type: 'string', default: '0' },
    batches: { type: 'string', default: '1,8,32,64' },
    'prompt-length': { type: 'string', default: '800' },
    'new-tokens': { type: 'string', default: '128' },
    'memory-limit-gib': { type: 'string' },
    threads: { type: 'string' },
    'cuda-graph': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

function fail(message: string): never {
  process.stderr.write(`engine-steps: ${message}\n`);
  process.exit(2);
}

const positive = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a positive integer, got ${text}`);
  return value;
};
const batches = (values.batches ?? '').split(',').map((text) => positive('batches', text.trim()));
const promptLength = positive('prompt-length', values['prompt-length']);
const newTokens = positive('new-tokens', values['new-tokens']);
const device = values.device === 'cuda' ? 'cuda' : values.device === 'cpu' ? 'cpu' : fail('--device is cpu or cuda');
if (!values.model && !values.tiny) fail('pass --model <folder> (a model-builder GroupQueryAttention export) or --tiny');
const DTYPES = { fp32: 'float32', fp16: 'float16', bf16: 'bfloat16' } as const;
const dtype = DTYPES[values.dtype as keyof typeof DTYPES] ?? fail('--dtype is fp32, fp16 or bf16 (with --tiny)');

/**
 * A random-weight tiny GroupQueryAttention model (head size 16) in `dtype` whose rotary tables
 * cover `length`. bfloat16 runs on CUDA only (GroupQueryAttention's CPU kernel has no bfloat16).
 */
async function tinyModel(length: number): Promise<string> {
  const arch = { ...TINY_LLAMA, headSize: 16 };
  const dir = join(mkdtempSync(join(tmpdir(), 'engine-steps-')), 'tiny-gqa');
  const files = llamaModelFiles(arch, generateLlamaWeights(arch, TINY_LLAMA_SEED), {
    ioDtype: dtype,
    producerVersion: 'bench',
    attention: 'group-query-attention',
    rotaryCacheLength: length,
  });
  return writeModelFolder(dir, files);
}

/** `count` prompts of `length` tokens: BOS, then ids drawn from a fixed seed (content does not matter to speed). */
function syntheticPrompts(count: number, length: number, vocab: number): Int32Array[] {
  const random = new WeightRandom(20260801);
  return Array.from({ length: count }, () =>
    Int32Array.from({ length }, (_, i) => (i === 0 ? 128000 : 1000 + (random.nextUint32() % (vocab - 2000)))),
  );
}

/** Runs `prompts` together and resolves with the wall time once every one has completed. */
function runTogether(
  backend: EngineBackend,
  prompts: readonly Int32Array[],
): Promise<{ seconds: number; tokens: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let open = prompts.length;
    let tokens = 0;
    backend.generate(
      prompts.map((prompt, i): GenerationRequest => ({
        prompt,
        maxNewTokens: newTokens,
        sampleIndex: i,
        events: {
          onTokens: () => {},
          onComplete: (generated) => {
            tokens += generated.length;
            if (--open === 0) resolve({ seconds: (performance.now() - started) / 1000, tokens });
          },
          onError: reject,
        },
      })),
    );
  });
}

const maxLength = promptLength + newTokens;
const modelDir = values.model ?? (await tinyModel(maxLength));
const backend = await createEngineBackend({
  modelDir,
  device,
  deviceId: Number(values['device-id']),
  maxConcurrency: Math.max(...batches),
  maxLength,
  // Model-builder exports stop at EOS ids; random weights rarely produce one, but never cut a step count short.
  eosTokenIds: [-1],
  cudaGraph: values['cuda-graph'],
  ...(values.threads ? { intraOpNumThreads: positive('threads', values.threads) } : {}),
  ...(values['memory-limit-gib'] ? { memoryLimitBytes: Math.floor(Number(values['memory-limit-gib']) * 2 ** 30) } : {}),
});
const info = backend.info;
process.stderr.write(
  `engine-steps: ${info.device} ONNX Runtime ${info.runtimeVersion}, KV ${info.kvType} on ${info.kvLocation}, CUDA graphs ${info.cudaGraph ? 'on' : 'off'}, ${info.slots} slots of ${maxLength} tokens ` +
    `(${(info.bytesPerSlot / 2 ** 20).toFixed(1)} MiB each), ${(info.freeBytes / 2 ** 30).toFixed(2)} GiB free at start\n`,
);

interface Row {
  batch: number;
  msPerStep: number | null;
  decodeTokensPerSecond: number | null;
  fullBatchSteps: number;
  prefillMsPerRequest: number;
  wallSeconds: number;
  endToEndTokensPerSecond: number;
}
const rows: Row[] = [];
const vocab = (await readEngineModelConfig(modelDir)).vocabSize;
try {
  // One short run first: the first runs on a device pay for kernel selection and workspace growth.
  await runTogether(backend, syntheticPrompts(1, Math.min(promptLength, 16), vocab));
  for (const batch of batches) {
    if (batch > info.slots) {
      process.stderr.write(`engine-steps: batch ${batch} skipped: only ${info.slots} slots fit\n`);
      continue;
    }
    backend.generationTime(true);
    const { seconds, tokens } = await runTogether(backend, syntheticPrompts(batch, promptLength, vocab));
    const stats = backend.generationTime();
    const full = stats.decode.find((bucket) => bucket.rows === batch);
    const msPerStep = full && full.runs > 0 ? full.ms / full.runs : null;
    rows.push({
      batch,
      msPerStep,
      decodeTokensPerSecond: msPerStep === null ? null : (batch * 1000) / msPerStep,
      fullBatchSteps: full?.runs ?? 0,
      prefillMsPerRequest: stats.prefill.runs > 0 ? stats.prefill.ms / stats.prefill.runs : 0,
      wallSeconds: seconds,
      endToEndTokensPerSecond: tokens / seconds,
    });
  }
} finally {
  await backend.close();
}

const fixed = (value: number | null, digits: number): string => (value === null ? '-' : value.toFixed(digits));
process.stdout.write(
  `${textTable(
    ['batch', 'ms/step', 'decode tok/s', 'steps', 'prefill ms/req', 'wall s', 'end-to-end tok/s'],
    rows.map((row) => [
      String(row.batch),
      fixed(row.msPerStep, 2),
      fixed(row.decodeTokensPerSecond, 1),
      String(row.fullBatchSteps),
      fixed(row.prefillMsPerRequest, 1),
      fixed(row.wallSeconds, 2),
      fixed(row.endToEndTokensPerSecond, 1),
    ]),
  )}\n`,
);
if (values.out) {
  const report = { model: modelDir, tiny: values.tiny, promptLength, newTokens, maxLength, info, results: rows };
  writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`engine-steps: wrote ${values.out}\n`);
}
