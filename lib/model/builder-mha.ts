/**
 * The attention of the onnxruntime-genai model builder's MultiHeadAttention exports, written for
 * the embedded Llama graph ({@link buildLlamaOnnx} with `attention: 'multi-head-attention'`).
 *
 * What the builder writes for a Llama (read from its source, builders/base.py, and checked by
 * running its 0.18.0 wheel on a random two-layer Llama config):
 *
 * - Which attention operator: GroupQueryAttention only for the (execution provider, I/O type)
 *   pairs it lists — (cpu, float32), (cuda, float16/bfloat16), (dml, float16), (webgpu,
 *   float16/float32), (trt-rtx, float16/bfloat16); else packed com.microsoft Attention where that
 *   is listed (e.g. cuda float32); else MultiHeadAttention. `-p fp16 -e cpu` has float16 I/O and
 *   falls through to MultiHeadAttention.
 * - GroupQueryAttention fuses the rotary embedding (except on dml) and takes no position_ids;
 *   MultiHeadAttention gets a separate com.microsoft RotaryEmbedding for q and for k (attributes
 *   interleaved 0, num_heads 0, rotary_embedding_dim 0), fed by a graph input `position_ids`
 *   int64 [batch_size, sequence_length] and initializers cos_cache/sin_cache
 *   [context_length, head_size/2] in the I/O type.
 * - Inputs, in order: input_ids int64 [batch_size, sequence_length], attention_mask int64
 *   [batch_size, total_sequence_length], position_ids, every layer's past_key_values.N.key, then
 *   every layer's past_key_values.N.value, [batch_size, kv_heads, past_sequence_length,
 *   kv_cache_dim] in the I/O type. Outputs: logits [batch_size, sequence_length, vocab] (I/O type),
 *   every present.N.key, then every present.N.value [batch_size, kv_heads, total_sequence_length,
 *   kv_cache_dim].
 * - With fewer KV heads than query heads (Llama 3.1 8B: 8 and 32) it writes repeat_kv: present =
 *   Concat(past, new keys) on the sequence axis — the new tokens take the last slots whatever the
 *   mask says — then each KV head repeated for its group, reshaped to [B, past + S, heads·hd], and
 *   MultiHeadAttention(q, k, v, attention_bias) with num_heads, scale 1/√head_size,
 *   unidirectional 0 and no past inputs. With equal head counts MultiHeadAttention takes
 *   past/present itself. Its shape hint for the repeated K/V says sequence_length where it spans
 *   past + S (see lib/onnx/value-info.ts for what that does in onnxruntime).
 * - The 2-D attention_mask becomes a 4-D additive bias [B, heads, S, T]: a causal [S, S]
 *   triangle expanded to [B, 1, S, past + S] (past read from past_key_values.0.key), plus
 *   "lowest value where attention_mask is 0", tiled over the heads. The mask is read slot by slot,
 *   so holes are allowed; the causal expand only works for past 0 or S 1.
 * - genai_config.json lists `position_ids` among the decoder inputs (after attention_mask) and
 *   sets search.past_present_share_buffer to false (true exactly for GroupQueryAttention).
 *
 * The embedded graph follows that layout and those semantics with the same operators; it keeps
 * float32 weights and computes the projections, norms and MLP in float32, casting to the I/O type
 * around the attention as its other variants do (the builder stores float16 weights and computes
 * everything in float16).
 *
 * @packageDocumentation
 */
import type { GraphBuilder } from '../onnx/graph-builder.js';
import type { LlamaArchitecture } from './llama-architecture.js';
import { OnnxDataType } from '../onnx/onnx-proto.js';
import { BUILDER_IO_NAMES, BUILDER_POSITION_IDS_NAME, layerName } from '../genai-layout.js';

/** I/O types of the MultiHeadAttention layout. */
export type MhaIoDtype = 'float32' | 'float16';

/**
 * What the MultiHeadAttention layers share: the position_ids input, the rotary caches, and the
 * additive mask [B, heads, S, T] in the I/O type (0 where a query may look, the type's lowest
 * value elsewhere).
 */
export interface MhaInputs {
  positionIds: string;
  attentionBias: string;
  cosCache: string;
  sinCache: string;
}

const IO_TYPE = { float32: OnnxDataType.FLOAT, float16: OnnxDataType.FLOAT16 } as const;

/**
 * Declares the builder's inputs and outputs for this layout and returns every layer's past key
 * and value input names.
 */
export function mhaInputsAndOutputs(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  ioDtype: MhaIoDtype,
): { key: string; value: string }[] {
  const ioType = IO_TYPE[ioDtype];
  const layers = Array.from({ length: arch.numHiddenLayers }, (_, l) => l);
  const kv = arch.numKeyValueHeads;
  g.input(BUILDER_POSITION_IDS_NAME, OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  const pastShape = ['batch_size', kv, 'past_sequence_length', 'kv_cache_dim'];
  const keys = layers.map((l) => g.input(layerName(BUILDER_IO_NAMES.pastKey, l), ioType, pastShape));
  const values = layers.map((l) => g.input(layerName(BUILDER_IO_NAMES.pastValue, l), ioType, pastShape));
  g.output(BUILDER_IO_NAMES.logits, ioType, ['batch_size', 'sequence_length', arch.vocabSize]);
  const presentShape = ['batch_size', kv, 'total_sequence_length', 'kv_cache_dim'];
  for (const l of layers) g.output(layerName(BUILDER_IO_NAMES.presentKey, l), ioType, presentShape);
  for (const l of layers) g.output(layerName(BUILDER_IO_NAMES.presentValue, l), ioType, presentShape);
  return layers.map((l) => ({ key: keys[l]!, value: values[l]! }));
}

/** The shared values: the additive mask built from attention_mask and the shapes, plus `caches`. */
export function mhaInputs(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  ioDtype: MhaIoDtype,
  names: { inputIds: string; attentionMask: string; pastKey: string },
  caches: { cosCache: string; sinCache: string },
): MhaInputs {
  const ioType = IO_TYPE[ioDtype];
  const lowest = ioDtype === 'float16' ? -65504 : -3.4028234663852886e38;
  const float = (value: number): string => (ioDtype === 'float16' ? g.float16([value], []) : g.float32([value], []));
  const zero = g.int64([0], []);
  const one = g.int64([1], []);
  const asVector = (scalar: string): string => g.op('Unsqueeze', [scalar, g.int64([0])]);
  const idsShape = g.op('Shape', [names.inputIds]);
  const seqScalar = g.op('Gather', [idsShape, one], { axis: 0 });
  const batch = asVector(g.op('Gather', [idsShape, zero], { axis: 0 }));
  const seq = asVector(seqScalar);
  const pastLength = g.op('Gather', [g.op('Shape', [names.pastKey]), g.int64([2], [])], { axis: 0 });
  const total = asVector(g.op('Add', [seqScalar, pastLength]));

  // Causal: query i sees slots 0..i of its own chunk; broadcast to past + S columns, which only
  // a first prompt (past 0) or a single new token (S 1) allows, as in the builder's graph.
  const range = g.op('Range', [zero, seqScalar, one]);
  const column = g.op('Reshape', [g.op('Add', [range, one]), g.op('Concat', [seq, g.int64([1])], { axis: 0 })]);
  const triangle = g.op('Where', [g.op('Less', [range, column]), float(0), float(lowest)]); // [S, S]
  const causal = g.op('Expand', [
    g.op('Unsqueeze', [triangle, g.int64([0, 1])]),
    g.op('Concat', [batch, g.int64([1]), seq, total], { axis: 0 }),
  ]);

  // Padding: every slot on its own, lowest where attention_mask is 0.
  const maskShape = g.op('Shape', [names.attentionMask]);
  const maskBatch = asVector(g.op('Gather', [maskShape, zero], { axis: 0 }));
  const maskWidth = asVector(g.op('Gather', [maskShape, one], { axis: 0 }));
  const spread = g.op('Expand', [
    g.op('Unsqueeze', [names.attentionMask, g.int64([1, 2])]),
    g.op('Concat', [maskBatch, g.int64([1]), seq, maskWidth], { axis: 0 }),
  ]);
  const inverted = g.op('Sub', [float(1), g.op('Cast', [spread], { to: ioType })]);
  const padding = g.op('Where', [g.op('Cast', [inverted], { to: OnnxDataType.BOOL }), float(lowest), inverted]);

  return {
    positionIds: BUILDER_POSITION_IDS_NAME,
    // Two lowest values add up to −∞ in the I/O type, which softmax turns into a zero weight.
    attentionBias: g.op('Tile', [g.op('Add', [padding, causal]), g.int64([1, arch.numAttentionHeads, 1, 1])]),
    ...caches,
  };
}

/**
 * One layer's attention; q, k and v are [B, S, ·] in the I/O type, the result [B, S, heads·hd].
 * Writes the layer's present outputs under the given names.
 */
export function multiHeadAttention(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  ioDtype: MhaIoDtype,
  qkv: { q: string; k: string; v: string },
  past: { key: string; value: string },
  shared: MhaInputs,
  present: { key: string; value: string },
): string {
  const { numAttentionHeads: heads, numKeyValueHeads: kvHeads } = arch;
  const rotate = (x: string): string =>
    g.opN(
      'RotaryEmbedding',
      [x, shared.positionIds, shared.cosCache, shared.sinCache],
      1,
      { interleaved: 0, num_heads: 0, rotary_embedding_dim: 0 },
      undefined,
      'com.microsoft',
    )[0]!;
  const q = rotate(qkv.q);
  const k = rotate(qkv.k);
  // scale is left at its default, 1/√head_size: the value the builder writes.
  const attributes = { num_heads: heads, unidirectional: 0 };
  if (kvHeads === heads) {
    return g.opN(
      'MultiHeadAttention',
      [q, k, qkv.v, '', '', shared.attentionBias, past.key, past.value],
      3,
      attributes,
      [`${present.key}/attention`, present.key, present.value],
      'com.microsoft',
    )[0]!;
  }
  const keys = repeatKv(g, arch, ioDtype, k, past.key, present.key);
  const values = repeatKv(g, arch, ioDtype, qkv.v, past.value, present.value);
  return g.opN(
    'MultiHeadAttention',
    [q, keys, values, '', '', shared.attentionBias],
    1,
    attributes,
    undefined,
    'com.microsoft',
  )[0]!;
}

/**
 * repeat_kv: present = Concat(past, new) [B, kvHeads, P + S, hd] (written to `presentName`), then
 * every KV head repeated for its heads / kvHeads query heads, as [B, P + S, heads·hd].
 */
function repeatKv(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  ioDtype: MhaIoDtype,
  flat: string,
  pastInput: string,
  presentName: string,
): string {
  const { numAttentionHeads: heads, numKeyValueHeads: kvHeads, headSize } = arch;
  const fresh = g.op('Transpose', [g.op('Reshape', [flat, g.int64([0, 0, kvHeads, -1])])], { perm: [0, 2, 1, 3] });
  const present = g.op('Concat', [pastInput, fresh], { axis: 2 }, presentName);
  const shape = g.op('Shape', [present]);
  const grouped = g.op(
    'Concat',
    [
      g.op('Slice', [shape, g.int64([0]), g.int64([2])]),
      g.int64([heads / kvHeads]),
      g.op('Slice', [shape, g.int64([2]), g.int64([4])]),
    ],
    { axis: 0 },
  );
  const repeated = g.op('Expand', [g.op('Unsqueeze', [present, g.int64([2])]), grouped]);
  const merged = g.op('Reshape', [
    g.op('Transpose', [g.op('Reshape', [repeated, g.int64([0, heads, -1, headSize])])], { perm: [0, 2, 1, 3] }),
    g.int64([0, 0, heads * headSize]),
  ]);
  // The builder's (wrong) shape hint, kept: what the onnxruntime backend must cope with.
  g.annotate(merged, IO_TYPE[ioDtype], ['batch_size', 'sequence_length', heads * headSize]);
  return merged;
}
