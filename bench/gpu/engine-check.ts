// Correctness check of the engine's CUDA path without the model builder: a tiny random-weight
// GroupQueryAttention model (this package's writer) in float16 and bfloat16, run on CUDA with
// all prompts batched together and one at a time (with and without CUDA graphs), against the CPU
// engine (float16; the CPU kernel has no bfloat16) and against an independent float32 forward
// pass in TypeScript (lib/model/reference-forward.ts).
//
// Two kinds of comparison:
// - Free-running: how often the first token and all N tokens agree (the issue's bar: every first
//   token, all N for at least 90 % of prompts). With random weights many steps are near-ties, so
//   rounding alone can flip one token and everything after it differs.
// - Teacher-forced: each run's own sequence is fed to the float32 reference, which scores every
//   step: is the run's token the reference's arg-max, and if not, by how much does its logit fall
//   short of the maximum (the deficit), next to the reference's own top-2 gap. A wrong position,
//   mask or KV row gives deficits of the size of the logits' spread; rounding gives deficits
//   below the rounding of the logits. That is the check that separates a bug from a near-tie.
//
//   node dist/bench/gpu/engine-check.js [--prompts 16] [--new-tokens 32] [--device-id 0] [--out check.json]
//   node dist/bench/gpu/engine-check.js --device cpu   (the same comparisons with the CPU standing in
//                                                       for CUDA, float16 only: checks the script itself)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend, GenerationRequest } from '../../lib/backends/backend.js';
import { createEngineBackend, type EngineBackend } from '../../lib/backends/engine/index.js';
import type { IoDtype } from '../../lib/model/llama-onnx.js';
import { generateLlamaWeights } from '../../lib/model/llama-weights.js';
import { argmax, referenceGreedy, referenceLastLogits } from '../../lib/model/reference-forward.js';
import { llamaModelFiles, writeModelFolder } from '../../lib/model/model-folder.js';
import { WeightRandom } from '../../lib/model/prng.js';
import { TINY_LLAMA, TINY_LLAMA_SEED } from '../../lib/model/tiny-llama-spec.js';
import { textTable } from '../results-file.js';

const { values } = parseArgs({
  options: {
    prompts: { type: 'string', default: '16' },
    'new-tokens': { type: 'string', default: '32' },
    device: { type: 'string', default: 'cuda' },
    'device-id': { type: 'string', default: '0' },
    'cuda-graph': { type: 'boolean', default: true },
    out: { type: 'string' },
  },
});
const promptCount = Number(values.prompts);
const newTokens = Number(values['new-tokens']);
const deviceId = Number(values['device-id']);
const device = values.device === 'cpu' ? 'cpu' : 'cuda';
const LONGEST_PROMPT = 200;
const maxLength = LONGEST_PROMPT + newTokens;

const arch = { ...TINY_LLAMA, headSize: 16 };
const weights = generateLlamaWeights(arch, TINY_LLAMA_SEED);
const root = mkdtempSync(join(tmpdir(), 'engine-check-'));

/** Prompts of lengths spread over 2 … LONGEST_PROMPT, BOS first, ids from a fixed seed. */
const random = new WeightRandom(7);
const prompts = Array.from({ length: promptCount }, (_, i) => {
  const length = 2 + Math.floor(((LONGEST_PROMPT - 2) * i) / Math.max(1, promptCount - 1));
  return Int32Array.from({ length }, (_, j) => (j === 0 ? 128000 : 1000 + (random.nextUint32() % 100000)));
});

async function model(dtype: IoDtype): Promise<string> {
  return writeModelFolder(
    join(root, dtype),
    llamaModelFiles(arch, weights, {
      ioDtype: dtype,
      producerVersion: 'check',
      attention: 'group-query-attention',
      rotaryCacheLength: maxLength,
    }),
  );
}

function generate(backend: Backend, batch: readonly Int32Array[]): Promise<number[][]> {
  return new Promise((resolve, reject) => {
    const results: number[][] = [];
    let open = batch.length;
    backend.generate(
      batch.map((prompt, i): GenerationRequest => ({
        prompt,
        maxNewTokens: newTokens,
        sampleIndex: i,
        events: {
          onTokens: () => {},
          onComplete: (tokens) => {
            results[i] = Array.from(tokens);
            if (--open === 0) resolve(results);
          },
          onError: reject,
        },
      })),
    );
  });
}

/** One prompt at a time. */
async function sequential(backend: Backend): Promise<number[][]> {
  const results: number[][] = [];
  for (const prompt of prompts) results.push((await generate(backend, [prompt]))[0]!);
  return results;
}

function agreement(a: number[][], b: number[][]): { firstToken: number; allTokens: number } {
  let first = 0;
  let all = 0;
  a.forEach((tokens, i) => {
    if (tokens[0] === b[i]![0]) first++;
    if (tokens.length === b[i]!.length && tokens.every((t, j) => t === b[i]![j])) all++;
  });
  return { firstToken: first / a.length, allTokens: all / a.length };
}

async function open(dir: string, device: 'cpu' | 'cuda', slots: number, cudaGraph = false): Promise<EngineBackend> {
  return createEngineBackend({
    modelDir: dir,
    device,
    deviceId,
    maxConcurrency: slots,
    maxLength,
    eosTokenIds: [-1],
    cudaGraph,
  });
}

interface TeacherForced {
  /** Steps whose token is the float32 reference's arg-max, of all steps. */
  argmaxRate: number;
  /** Largest and 99th-percentile shortfall of a chosen token's reference logit below the maximum. */
  maxDeficit: number;
  p99Deficit: number;
  /** Median top-1 minus top-2 gap of the reference logits (the scale near-ties are measured on). */
  medianGap: number;
}

/** Scores every step of each generated sequence with the float32 reference (see the header). */
function teacherForced(generated: number[][]): TeacherForced {
  const deficits: number[] = [];
  const gaps: number[] = [];
  let hits = 0;
  generated.forEach((tokens, i) => {
    const sequence = Array.from(prompts[i]!);
    for (const token of tokens) {
      const logits = referenceLastLogits(arch, weights, Int32Array.from(sequence));
      const best = argmax(logits);
      let second = -Infinity;
      for (let t = 0; t < logits.length; t++) if (t !== best && logits[t]! > second) second = logits[t]!;
      gaps.push(logits[best]! - second);
      deficits.push(logits[best]! - logits[token]!);
      if (token === best) hits++;
      sequence.push(token);
    }
  });
  const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
  const d = sorted(deficits);
  return {
    argmaxRate: hits / deficits.length,
    maxDeficit: d[d.length - 1] ?? 0,
    p99Deficit: d[Math.min(d.length - 1, Math.floor(d.length * 0.99))] ?? 0,
    medianGap: sorted(gaps)[Math.floor(gaps.length / 2)] ?? 0,
  };
}

const rows: string[][] = [];
const forcedRows: string[][] = [];
const report: Record<string, unknown> = { prompts: promptCount, newTokens, maxLength, checks: [] as unknown[] };
const checks = report.checks as unknown[];
const forced: Record<string, TeacherForced> = {};
report.teacherForced = forced;
let passed = true;
const record = (dtype: string, what: string, result: { firstToken: number; allTokens: number }, bar: boolean): void => {
  const ok = !bar || (result.firstToken === 1 && result.allTokens >= 0.9);
  if (!ok) passed = false;
  checks.push({ dtype, what, ...result, bar, ok });
  rows.push([
    dtype,
    what,
    `${(result.firstToken * 100).toFixed(0)} %`,
    `${(result.allTokens * 100).toFixed(0)} %`,
    bar ? (ok ? 'pass' : 'FAIL') : '',
  ]);
};
const score = (name: string, generated: number[][]): void => {
  const result = teacherForced(generated);
  forced[name] = result;
  forcedRows.push([
    name,
    `${(result.argmaxRate * 100).toFixed(1)} %`,
    result.p99Deficit.toFixed(4),
    result.maxDeficit.toFixed(4),
    result.medianGap.toFixed(4),
  ]);
};

// The float32 reference, free-running: what an exact implementation would generate.
const reference32 = prompts.map((prompt) => Array.from(referenceGreedy(arch, weights, prompt, newTokens)));
score('float32 reference (itself)', reference32);

for (const dtype of device === 'cuda' ? (['float16', 'bfloat16'] as const) : (['float16'] as const)) {
  const dir = await model(dtype);
  const runs: Record<string, number[][]> = {};
  const graphs = device === 'cuda' && values['cuda-graph'] ? [false, true] : [false];
  for (const graph of graphs) {
    const tag = graph ? ' graph' : '';
    const batchedEngine = await open(dir, device, promptCount, graph);
    const info = batchedEngine.info;
    process.stderr.write(
      `engine-check: ${dtype} on ${device}${tag}: KV on ${info.kvLocation}, ${info.slots} slots, CUDA graphs ${info.cudaGraph ? 'on' : 'off'}, ONNX Runtime ${info.runtimeVersion}\n`,
    );
    report[`${dtype}${graph ? 'Graph' : ''}Info`] = info;
    runs[`batch-N${tag}`] = await generate(batchedEngine, prompts);
    await batchedEngine.close();
    const singleEngine = await open(dir, device, 1, graph);
    runs[`batch-1${tag}`] = await sequential(singleEngine);
    await singleEngine.close();
    record(
      dtype,
      `${device}${tag} batch-N vs batch-1`,
      agreement(runs[`batch-N${tag}`]!, runs[`batch-1${tag}`]!),
      true,
    );
  }
  if (runs['batch-N graph']) {
    record(dtype, `${device} batch-N graph vs no graph`, agreement(runs['batch-N graph'], runs['batch-N']!), false);
  }
  if (dtype === 'float16') {
    const cpu = await open(dir, 'cpu', 1);
    runs['cpu batch-1'] = await sequential(cpu);
    await cpu.close();
    record(dtype, `${device} batch-1 vs cpu batch-1`, agreement(runs['batch-1']!, runs['cpu batch-1']), true);
    record(dtype, `${device} batch-N vs cpu batch-1`, agreement(runs['batch-N']!, runs['cpu batch-1']), true);
  }
  for (const [name, generated] of Object.entries(runs)) {
    record(
      dtype,
      `${name === 'cpu batch-1' ? name : `${device} ${name}`} vs float32 reference`,
      agreement(generated, reference32),
      false,
    );
    score(`${dtype} ${name === 'cpu batch-1' ? name : `${device} ${name}`}`, generated);
  }
}

process.stdout.write(
  `${textTable(['dtype', 'comparison', 'first token', `all ${newTokens} tokens`, 'bar'], rows)}\n\n` +
    `Teacher-forced against the float32 reference (logit units):\n` +
    `${textTable(['run', 'steps at the arg-max', 'p99 deficit', 'max deficit', 'median top-2 gap'], forcedRows)}\n` +
    `${passed ? 'PASS' : 'FAIL'}\n`,
);
report.passed = passed;
if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.exitCode = passed ? 0 : 1;
