#!/usr/bin/env node
// Turns the GPU benchmark's results.json (bench/gpu/run.sh, via collect.py) into the GPU section
// of bench/RESULTS.md: ms per decode step and tokens/s at each batch size for the engine, PyTorch
// eager and the weight-streaming roofline; the LoadGen runs (Offline, the Server sweep's highest
// VALID rate within MLPerf's latency bounds, today's JS path); the token check against Hugging
// Face; exact versions; and a projection for an A30.
//
// Usage: node bench/gpu/report.mjs <results.json> [--write]   (--write replaces the section in
// bench/RESULTS.md; without it the section is printed). Needs the compiled tree (npx tsc).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable, writeResultsSection } from '../../dist/bench/results-file.js';

/** Llama-3.1-8B in bf16: 8.03e9 parameters × 2 bytes, all read once per decode step. */
const WEIGHT_BYTES = 16.06e9;
/** KV cache per token per sequence: 32 layers × (key + value) × 8 heads × 128 × 2 bytes. */
const KV_BYTES_PER_TOKEN = 32 * 2 * 8 * 128 * 2;
/** MLPerf's longest prompt plus the output limit: what one KV slot must hold. */
const MLPERF_MAX_LENGTH = 2540 + 128;
/** MLPerf Server latency bounds for llama3_1-8b. */
const TTFT_LIMIT_NS = 2e9;
const TPOT_LIMIT_NS = 100e6;
/** The issue's targets. */
const TARGET_BATCH1_ROOFLINE_FRACTION = 0.5;
const TARGET_OFFLINE_TOKENS_PER_S = 3000;
/** Spec memory bandwidths, for the A30 projection (measured copies run below spec on both). */
const H200_SPEC_BYTES_PER_S = 4.8e12;
const A30 = { name: 'A30', bytesPerSecond: 933e9, memoryBytes: 24 * 2 ** 30 };
/** Device memory an engine keeps besides weights and KV: CUDA context, cuBLAS workspace, activations, logits. */
const RESERVE_BYTES = 1.5 * 2 ** 30;
const BATCHES = [1, 8, 32, 64, 128, 256, 512];

const fmt = (value, digits = 1) =>
  value === undefined || value === null || Number.isNaN(value) ? '—' : Number(value).toFixed(digits);
const ratio = (value) =>
  value === undefined || value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
const ms = (ns) => (ns === undefined || ns === null ? '—' : `${(ns / 1e6).toFixed(ns < 1e9 ? 1 : 0)} ms`);

/** The engine's ms per step by batch, from engine-steps.js's output (several shapes accepted);
 * `key` picks the run without (engine_steps) or with CUDA graphs (engine_steps_graph). */
function engineSteps(results, key = 'engine_steps') {
  const data = results[key];
  const rows = Array.isArray(data) ? data : (data?.steps ?? data?.results ?? []);
  const byBatch = new Map();
  for (const row of rows) {
    const batch = row.batch ?? row.batchSize;
    const step = row.msPerStep ?? row.ms_per_step ?? row.stepMs;
    if (Number.isFinite(batch) && Number.isFinite(step)) byBatch.set(batch, step);
  }
  return byBatch;
}

/** Per batch, the faster of the two decode modes' ms per step. */
function bestSteps(results) {
  const best = new Map(engineSteps(results));
  for (const [batch, step] of engineSteps(results, 'engine_steps_graph'))
    if (!best.has(batch) || step < best.get(batch)) best.set(batch, step);
  return best;
}

function eagerSteps(results) {
  const byBatch = new Map();
  for (const row of results.torch_eager ?? []) if (row.kind === 'torch_eager') byBatch.set(row.batch, row);
  return byBatch;
}

/** ms per step the weights alone need at the measured bandwidth, and with the KV cache of `context` tokens per row. */
function rooflineMs(bandwidth, batch, context = 0) {
  return ((WEIGHT_BYTES + batch * context * KV_BYTES_PER_TOKEN) / bandwidth) * 1e3;
}

/** Linear interpolation of ms/step between measured batch sizes. */
function interpolate(byBatch, batch) {
  const known = [...byBatch.keys()].sort((a, b) => a - b);
  if (known.length === 0) return undefined;
  if (byBatch.has(batch)) return byBatch.get(batch);
  const below = known.filter((b) => b < batch).pop();
  const above = known.find((b) => b > batch);
  if (below === undefined || above === undefined) return undefined;
  const t = (batch - below) / (above - below);
  return byBatch.get(below) * (1 - t) + byBatch.get(above) * t;
}

function versionsLine(results) {
  const v = results.versions ?? {};
  const py = v.python ?? {};
  const staged = v.staged ?? {};
  const doctor = results.machine?.doctor;
  const parts = [
    `onnxruntime-node ${staged.onnxruntime?.node ?? '?'} with the CUDA ${staged.provider?.cuda ?? '?'} provider from ${staged.provider?.name ?? '?'}@${staged.provider?.version ?? '?'}`,
    `model builder onnxruntime-genai ${py.onnxruntime_genai ?? staged.genai?.version ?? '?'}`,
    `torch ${py.torch ?? '?'}`,
    `transformers ${py.transformers ?? '?'}`,
    `onnx ${py.onnx ?? '?'}`,
    `onnx-ir ${py.onnx_ir ?? '?'}`,
    `Node ${staged.node?.version ?? '?'}`,
    `LoadGen ${doctor?.loadgen?.version ?? Object.values(results.runs ?? {})[0]?.loadgenVersion ?? '?'}`,
  ];
  return parts.join(', ');
}

function stepTable(results, bandwidth) {
  const plain = engineSteps(results);
  const graphs = engineSteps(results, 'engine_steps_graph');
  const eager = eagerSteps(results);
  const best = bestSteps(results);
  const rows = BATCHES.filter((batch) => plain.has(batch) || graphs.has(batch) || eager.has(batch)).map((batch) => {
    const e = best.get(batch);
    const t = eager.get(batch);
    const context = (t?.prompt_tokens ?? 800) + (t?.new_tokens ?? 128) / 2;
    const roof = bandwidth ? rooflineMs(bandwidth, batch) : undefined;
    const roofKv = bandwidth ? rooflineMs(bandwidth, batch, context) : undefined;
    return [
      String(batch),
      fmt(plain.get(batch), 2),
      fmt(graphs.get(batch), 2),
      fmt(e === undefined ? undefined : (batch / e) * 1e3, 0),
      fmt(t?.ms_per_step, 2),
      fmt(t?.decode_tokens_per_s, 0),
      fmt(roof, 2),
      fmt(roofKv, 2),
      ratio(e && t ? t.ms_per_step / e : undefined),
      ratio(e && roof ? roof / e : undefined),
      ratio(e && roofKv ? roofKv / e : undefined),
    ];
  });
  const headers = [
    'batch',
    'engine ms/step',
    plain.size > 0 ? 'with CUDA graphs' : 'engine ms/step (CUDA graphs)',
    'engine tok/s (best)',
    'PyTorch eager ms/step',
    'eager tok/s',
    'roofline ms/step (weights)',
    'roofline ms/step (weights + KV)',
    'engine speed-up over eager',
    'engine speed ÷ roofline (weights)',
    'engine speed ÷ roofline (weights + KV)',
  ];
  // A run without the plain decode steps (only graphs) leaves that column out.
  const keep = headers.map((_, i) => i !== 1 || plain.size > 0);
  return markdownTable(
    headers.filter((_, i) => keep[i]),
    rows.map((row) => row.filter((_, i) => keep[i])),
  );
}

/** A run's device time in short: prefill seconds (ms each), decode seconds (ms per step at its mean batch). */
function deviceTime(time) {
  if (!time) return '—';
  const steps = time.decode.reduce((sum, b) => sum + b.runs, 0);
  const decodeMs = time.decode.reduce((sum, b) => sum + b.ms, 0);
  const rows = time.decode.reduce((sum, b) => sum + b.rows * b.runs, 0);
  const each = time.prefill.runs > 0 ? time.prefill.ms / time.prefill.runs : 0;
  return (
    `prefill ${fmt(time.prefill.ms / 1e3, 1)} s (${fmt(each, 1)} ms each); ` +
    `decode ${fmt(decodeMs / 1e3, 1)} s (${steps ? fmt(decodeMs / steps, 1) : '—'} ms/step, ${steps ? fmt(rows / steps, 0) : '—'} ${steps && Math.round(rows / steps) === 1 ? 'row' : 'rows'})`
  );
}

function runRows(results) {
  const rows = [];
  const runs = results.runs ?? {};
  for (const [name, run] of Object.entries(runs)) {
    if (!run) continue;
    rows.push([
      name,
      `${run.scenario}${run.settings?.target_qps && run.scenario === 'Server' ? ` @ ${run.settings.target_qps} QPS` : ''}`,
      String(run.samplesCompleted ?? '—'),
      fmt(run.tokensPerSecond, 0),
      fmt(run.samplesPerSecond, 2),
      ms(run.ttftNs?.p99),
      ms(run.tpotNs?.p99),
      deviceTime(run.generationTime),
      run.validity ?? (run.mode === 'accuracy' ? '(accuracy run)' : '—'),
    ]);
  }
  return rows;
}

/** The Server run with the highest target QPS that is VALID and inside both latency bounds. */
function bestServer(results) {
  return Object.values(results.runs ?? {})
    .filter((run) => run?.scenario === 'Server' && run.validity === 'VALID')
    .filter((run) => (run.ttftNs?.p99 ?? Infinity) <= TTFT_LIMIT_NS && (run.tpotNs?.p99 ?? Infinity) <= TPOT_LIMIT_NS)
    .sort((a, b) => (b.settings?.target_qps ?? 0) - (a.settings?.target_qps ?? 0))[0];
}

/** The Offline run (`offline`, `offline-<slots>`) with the most tokens per second, with its name. */
function bestOffline(results) {
  return Object.entries(results.runs ?? {})
    .filter(([name, run]) => /^offline(-\d+)?$/.test(name) && run?.validity === 'VALID')
    .map(([name, run]) => ({ ...run, name }))
    .sort((a, b) => (b.tokensPerSecond ?? 0) - (a.tokensPerSecond ?? 0))[0];
}

function teacherForcedTable(results) {
  const sets = results.teacher_forced?.sets;
  if (!sets) return undefined;
  return markdownTable(
    ['sequences', "steps at HF fp32's arg-max", 'p99 deficit', 'max deficit', 'median top-2 gap'],
    Object.entries(sets).map(([name, s]) => [
      name,
      s.argmax_rate === null ? '—' : `${(s.argmax_rate * 100).toFixed(1)} %`,
      fmt(s.p99_deficit, 3),
      fmt(s.max_deficit, 3),
      fmt(s.median_gap, 3),
    ]),
  );
}

/** "first a/n, all k: b/n" of one comparison. */
function agreement(c) {
  return c ? `${c.first_token_equal}/${c.prompts} · ${c.prefix_equal}/${c.prompts}` : '—';
}

/** Whether a comparison meets the issue's bar: every first token, all N tokens of ≥ 90 % of prompts. */
const meetsBar = (c) => c !== undefined && c.first_token_rate === 1 && c.prefix_rate >= 0.9;

/** The correctness runs' token checks, [run, check], in the order they ran. */
const tokenChecks = (results) => Object.entries(results.token_checks ?? {}).filter(([, check]) => check?.by_dtype);

/** Each correctness run's tokens against HF's in each dtype, and a one-slot run against its batched twin. */
function tokenCheckTable(results) {
  const checks = tokenChecks(results);
  if (checks.length === 0) return undefined;
  const dtypes = [...new Set(checks.flatMap(([, check]) => Object.keys(check.by_dtype)))];
  return markdownTable(
    [
      'run',
      'sequences',
      'export',
      ...dtypes.map((dtype) => `vs HF ${dtype}`),
      'vs the same export, all prompts together',
    ],
    checks.map(([name, check]) => [
      name,
      check.label ?? '—',
      check.export ?? results.exports_used?.engine ?? '—',
      ...dtypes.map((dtype) => agreement(check.by_dtype[dtype])),
      agreement(check.vs_batched),
    ]),
  );
}

/** The correctness summary lines: HF fp32 or fp16 against the bar, and batch-of-N against batch-1. */
function tokenSummary(results) {
  const checks = tokenChecks(results);
  if (checks.length === 0) return [];
  const met = checks
    .flatMap(([name, check]) => ['fp32', 'fp16'].map((dtype) => ({ name, dtype, c: check.by_dtype[dtype] })))
    .filter(({ c }) => meetsBar(c));
  const tokens = Object.values(checks[0][1].by_dtype)[0]?.prefix_tokens ?? 32;
  const lines = [
    `- Greedy tokens against HF fp32 or fp16 (bar: every first token, all ${tokens} tokens of ≥ 90 % of prompts): ${
      met.length > 0
        ? `met by ${met.map(({ name, dtype, c }) => `\`${name}\` vs ${dtype} (${agreement(c)})`).join(', ')}`
        : 'not met by any run'
    }.`,
  ];
  for (const [name, check] of checks) {
    if (!check.vs_batched) continue;
    const c = check.vs_batched;
    lines.push(
      `- Batch-1 against batch-of-N (\`${name}\`, ${check.export ?? '?'} export): ${c.first_token_equal}/${c.prompts} first tokens and ${c.prefix_equal}/${c.prompts} whole ${c.prefix_tokens}-token outputs identical${
        c.prefix_equal === c.prompts
          ? ''
          : ` (first ${c.mismatches.length === 1 ? 'difference at token' : 'differences at tokens'} ${c.mismatches.map((m) => m.first_difference_at).join(', ')})`
      }.`,
    );
  }
  return lines;
}

function a30Projection(results) {
  const perSlot = MLPERF_MAX_LENGTH * KV_BYTES_PER_TOKEN;
  const slots = Math.floor((A30.memoryBytes - WEIGHT_BYTES - RESERVE_BYTES) / perSlot);
  const scale = A30.bytesPerSecond / H200_SPEC_BYTES_PER_S;
  const engine = bestSteps(results);
  const measured1 = engine.get(1);
  const measuredSlots = interpolate(engine, slots);
  const context = 800 + 64;
  const roof1 = (A30.bytesPerSecond / WEIGHT_BYTES).toFixed(0);
  const roofSlots = (slots / ((WEIGHT_BYTES + slots * context * KV_BYTES_PER_TOKEN) / A30.bytesPerSecond)).toFixed(0);
  const offline = bestOffline(results)?.tokensPerSecond;
  const rows = [
    [
      'KV cache per slot at max_length 2668',
      `${(perSlot / 2 ** 20).toFixed(1)} MiB`,
      '32 layers × K,V × 8 heads × 128 × 2 B × 2668',
    ],
    [
      'slots that fit',
      String(slots),
      `(24 GiB − 16.06 GB weights − ${RESERVE_BYTES / 2 ** 30} GiB reserve) ÷ per-slot KV`,
    ],
    [
      'batch-1 decode',
      measured1 ? `${fmt((1e3 / measured1) * scale, 0)} tok/s` : '—',
      `H200 engine × ${A30.bytesPerSecond / 1e9}/${H200_SPEC_BYTES_PER_S / 1e9} GB/s (roofline ${roof1} tok/s)`,
    ],
    [
      `decode at ${slots} slots (~864-token context)`,
      measuredSlots ? `${fmt((slots / (measuredSlots / scale)) * 1e3, 0)} tok/s` : '—',
      `H200 engine ms/step interpolated at batch ${slots}, ÷ the bandwidth ratio (roofline ${roofSlots} tok/s)`,
    ],
    [
      'Offline through LoadGen',
      offline ? `≈ ${fmt(offline * scale, 0)} tok/s` : '—',
      'H200 Offline × bandwidth ratio; an upper bound: fewer slots, and prefill is compute-bound (A30 165 vs H200 989 TFLOP/s bf16)',
    ],
  ];
  return markdownTable(['A30 (933 GB/s, 24 GB)', 'value', 'how'], rows);
}

export function gpuSection(results) {
  const bandwidth = results.roofline?.copy_bytes_per_s_rw;
  const gpu = (results.machine?.gpu ?? '').split('\n')[0] || 'an unnamed GPU';
  const ckpt = results.checkpoint;
  const exports = results.exports ?? {};
  const eager64 = eagerSteps(results).get(64);
  const engine = bestSteps(results);
  const lines = [];
  lines.push(
    ckpt?.tiny
      ? '## GPU benchmark: DRY RUN on a 2-layer model of the same family (not the 8B shape)'
      : '## GPU: Llama-3.1-8B shape, random bf16 weights, through the harness',
  );
  lines.push('');
  lines.push(
    `Run by \`bench/gpu/run.sh\` on ${gpu}. Versions: ${versionsLine(results)}. ` +
      `Model: Llama-3.1-8B-Instruct's published config with transformers' random init (std 0.02, seed ${ckpt?.seed ?? '?'}), ` +
      `exported by the official builder (\`-p bf16 -e cuda\`: ${fmt(exports.bf16?.wall_s, 0)} s` +
      `${exports.fp16?.wall_s ? `; fp16: ${fmt(exports.fp16.wall_s, 0)} s` : ''}` +
      `${exports.fp32 ? `; fp32, \`-e cpu\` (its GroupQueryAttention export; the engine runs it on CUDA with attention on the host): ${fmt(exports.fp32.wall_s, 0)} s` : ''}). ` +
      `Prompts: synthetic, ${results.dataset?.mean_prompt_tokens ?? '~800'} tokens on average, 128 new tokens. ` +
      `Roofline: ${WEIGHT_BYTES / 1e9} GB of weights (and the KV cache read, ~864 tokens a row) per step at the measured ` +
      `device-to-device copy rate ${bandwidth ? `${(bandwidth / 1e12).toFixed(2)} TB/s` : '—'} (read + write).`,
  );
  lines.push('');
  lines.push(stepTable(results, bandwidth));
  lines.push('');
  const runRowsList = runRows(results);
  if (runRowsList.length > 0) {
    lines.push(
      markdownTable(
        ['run', 'scenario', 'samples', 'tokens/s', 'samples/s', 'TTFT p99', 'TPOT p99', 'device time', 'validity'],
        runRowsList,
      ),
    );
    lines.push('');
  }
  const offline = bestOffline(results);
  const best = bestServer(results);
  const batch1 = engine.get(1);
  const roof1 = bandwidth ? rooflineMs(bandwidth, 1) : undefined;
  const summary = [
    `- Offline through LoadGen${offline ? ` (\`${offline.name}\`)` : ''}: ${fmt(offline?.tokensPerSecond, 0)} tok/s` +
      ` (${ratio(offline && eager64 ? offline.tokensPerSecond / eager64.tokens_per_s : undefined)} PyTorch eager at batch 64; target ${TARGET_OFFLINE_TOKENS_PER_S}: ${offline ? (offline.tokensPerSecond >= TARGET_OFFLINE_TOKENS_PER_S ? 'met' : 'missed') : 'not run'}).`,
    `- Server: highest VALID target QPS with TTFT p99 ≤ 2 s and TPOT p99 ≤ 100 ms: ${
      best ? `${best.settings?.target_qps} QPS (${fmt(best.tokensPerSecond, 0)} tok/s)` : 'none of the rates tried'
    }.`,
    `- Batch-1 decode: ${batch1 ? `${fmt(1e3 / batch1, 0)} tok/s = ${ratio(roof1 / batch1)} the roofline` : '—'} (target ≥ ${TARGET_BATCH1_ROOFLINE_FRACTION}×${
      roof1 ? `, ${fmt((TARGET_BATCH1_ROOFLINE_FRACTION * 1e3) / roof1, 0)} tok/s` : ''
    }: ${batch1 && roof1 ? (roof1 / batch1 >= TARGET_BATCH1_ROOFLINE_FRACTION ? 'met' : 'missed') : 'not run'}).`,
  ];
  lines.push(...summary, ...tokenSummary(results));
  const tokens = tokenCheckTable(results);
  if (tokens) {
    lines.push('');
    lines.push(
      'Greedy tokens of the harness (accuracy runs on the reference prompts) against Hugging Face `generate` on the same weights, ' +
        'per dtype HF computed in, and a one-slot run against the same export with all prompts decoding together; ' +
        'each cell: first tokens equal · whole outputs equal, of the prompts:',
    );
    lines.push('');
    lines.push(tokens);
  }
  const forced = teacherForcedTable(results);
  if (forced) {
    lines.push('');
    lines.push(
      "Teacher-forced (`bench/gpu/teacher_forced.py`): each generated step judged on HF float32's logits at that position; deficit = the best logit minus the chosen token's:",
    );
    lines.push('');
    lines.push(forced);
  }
  lines.push('');
  lines.push(a30Projection(results));
  const failed = Object.values(results.steps ?? {}).filter((step) => step.rc !== 0);
  if (failed.length > 0 || (results.remaining ?? []).length > 0) {
    lines.push('');
    if (failed.length > 0)
      lines.push(
        `Steps that failed: ${failed.map((step) => `${step.step} (exit ${step.rc}${step.timed_out ? ', timed out' : ''})`).join(', ')}.`,
      );
    if ((results.remaining ?? []).length > 0) lines.push(`Steps not run: ${results.remaining.join(', ')}.`);
  }
  return lines.join('\n');
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { write: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    console.error('usage: node bench/gpu/report.mjs <results.json> [--write]');
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(positionals[0], 'utf8'));
  const section = gpuSection(results);
  if (values.write) {
    writeResultsSection('gpu', section);
    console.log('report: bench/RESULTS.md section "gpu" written');
  } else {
    console.log(section);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
