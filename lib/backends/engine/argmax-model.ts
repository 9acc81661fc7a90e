/**
 * The engine's on-device greedy choice as a tiny ONNX model: the last position of the decoder's
 * logits, cast to float, ArgMax over the vocabulary. The engine runs it as a second session on
 * the logits where the decoder left them, so per step only token ids reach the host.
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

/** The arg-max model for logits of `type` [batch, length, vocab] → int64 token ids [batch, 1]. */
export function argmaxModel(type: LogitsType): Uint8Array {
  const g = new GraphBuilder();
  const logits = g.input(ARGMAX_INPUT, ONNX_TYPES[type], ['batch', 'length', 'vocab']);
  g.output(ARGMAX_OUTPUT, OnnxDataType.INT64, ['batch', 1]);
  // Slice before the cast: a prefill's logits cover every prompt position, only the last counts.
  const last = g.op('Slice', [logits, g.int64([-1]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]);
  // ArgMax has no bfloat16 kernel; float32 also keeps ties resolved the same way on every type.
  const scores = type === 'float32' ? last : g.op('Cast', [last], { to: OnnxDataType.FLOAT });
  g.op('ArgMax', [scores], { axis: -1, keepdims: 0 }, ARGMAX_OUTPUT);
  return encodeModel({
    irVersion: 8,
    opsets: [{ domain: '', version: 17 }],
    producerName: 'mlperf-loadgen-node engine',
    producerVersion: '1',
    graph: g.build(`argmax_${type}`),
  }).toBytes();
}

/** The arg-max models for every logits type, as createEngine takes them. */
export function argmaxModels(): Record<LogitsType, Uint8Array> {
  return { float32: argmaxModel('float32'), float16: argmaxModel('float16'), bfloat16: argmaxModel('bfloat16') };
}
