/**
 * The engine's on-device greedy choice as a tiny ONNX model: the last position of the decoder's
 * logits, cast to float, arg-max over the vocabulary. The engine runs it as a second session on
 * the logits where the decoder left them, so per step only token ids reach the host.
 *
 * The arg-max is taken in two levels: the vocabulary is cut into chunks of {@link ARGMAX_CHUNK},
 * each chunk's maximum and position in it are found, then the best chunk. ONNX Runtime's CUDA
 * ArgMax reduces one row per thread block, so a single 128,256-wide row took ~3 ms on an H200
 * (a third of a batch-1 decode step, measured with bench/gpu/profile.sh); 501 rows of 256 spread
 * over the whole device. The first maximum still wins: the first best chunk, and in it the
 * first best position.
 *
 * @packageDocumentation
 */
import { GraphBuilder } from '../../onnx/graph-builder.js';
import { encodeModel, OnnxDataType, type OnnxDataTypeValue } from '../../onnx/onnx-proto.js';

/** Float types a decoder's logits may have (the engine picks the model by the session's type). */
export type LogitsType = 'float32' | 'float16' | 'bfloat16';

/** Input and output names native/engine/argmax_session.h binds. */
export const ARGMAX_INPUT = 'logits';
export const ARGMAX_OUTPUT = 'token';

const ONNX_TYPES: Record<LogitsType, OnnxDataTypeValue> = {
  float32: OnnxDataType.FLOAT,
  float16: OnnxDataType.FLOAT16,
  bfloat16: OnnxDataType.BFLOAT16,
};

/**
 * Vocabulary chunk of the two-level arg-max: one thread block's worth of values, and a divisor of
 * Llama 3's 128,256 (other sizes are padded with -Infinity).
 */
export const ARGMAX_CHUNK = 256;

/** The arg-max model for logits of `type` [batch, length, vocab] → int64 token ids [batch, 1]. */
export function argmaxModel(type: LogitsType): Uint8Array {
  const g = new GraphBuilder();
  const logits = g.input(ARGMAX_INPUT, ONNX_TYPES[type], ['batch', 'length', 'vocab']);
  g.output(ARGMAX_OUTPUT, OnnxDataType.INT64, ['batch', 1]);
  // Slice before the cast: a prefill's logits cover every prompt position, only the last counts.
  const last = g.op('Slice', [logits, g.int64([-1]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]);
  // ArgMax has no bfloat16 kernel; float32 also keeps ties resolved the same way on every type.
  const scores = type === 'float32' ? last : g.op('Cast', [last], { to: OnnxDataType.FLOAT });
  // Pad the vocabulary to whole chunks: (chunk − vocab mod chunk) mod chunk values of -Infinity.
  const chunk = g.int64([ARGMAX_CHUNK], []);
  const vocab = g.op('Gather', [g.op('Shape', [scores]), g.int64([2], [])], { axis: 0 });
  const padding = g.op('Mod', [g.op('Sub', [chunk, g.op('Mod', [vocab, chunk])]), chunk]);
  const pads = g.op('Concat', [g.int64([0, 0, 0, 0, 0]), g.op('Unsqueeze', [padding, g.int64([0])])], { axis: 0 });
  const padded = g.op('Pad', [scores, pads, g.float32([-Infinity], [])], { mode: 'constant' });
  // [batch, 1, vocab] → [batch, chunks, chunk].
  const chunks = g.op('Reshape', [padded, g.int64([0, -1, ARGMAX_CHUNK])]);
  const chunkMax = g.op('ReduceMax', [chunks], { axes: [2], keepdims: 0 });
  const inChunk = g.op('ArgMax', [chunks], { axis: 2, keepdims: 0 });
  const best = g.op('ArgMax', [chunkMax], { axis: 1, keepdims: 1 });
  const offset = g.op('GatherElements', [inChunk, best], { axis: 1 });
  g.op('Add', [g.op('Mul', [best, chunk]), offset], undefined, ARGMAX_OUTPUT);
  return encodeModel({
    irVersion: 8,
    opsets: [{ domain: '', version: 17 }],
    producerName: 'mlperf-loadgen-node engine',
    producerVersion: '2',
    graph: g.build(`argmax_${type}`),
  }).toBytes();
}

/** The arg-max models for every logits type, as createEngine takes them. */
export function argmaxModels(): Record<LogitsType, Uint8Array> {
  return { float32: argmaxModel('float32'), float16: argmaxModel('float16'), bfloat16: argmaxModel('bfloat16') };
}
