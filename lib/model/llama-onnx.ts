/**
 * Writes a Llama decoder as an ONNX graph of standard operators only (opset 17, IR 8), with the
 * input/output layout of an onnxruntime-genai model-builder export, so one decode loop serves both:
 *
 * - inputs `input_ids` int64 [batch, seq], `attention_mask` int64 [batch, total],
 *   `past_key_values.N.key|value` [batch, kvHeads, past, headSize];
 * - outputs `logits` [batch, seq, vocab], `present.N.key|value` [batch, kvHeads, total, headSize].
 *
 * Builder exports compute attention with com.microsoft GroupQueryAttention (rotary fused, no
 * position_ids input). This graph reproduces that operator's behaviour with the non-shared
 * past/present buffers, in standard ops:
 *
 * - a row's valid length is L = ReduceSum(attention_mask) (GQA's seqlens_k + 1); only the sum
 *   matters, the mask is read as "L tokens, left-aligned, then padding";
 * - total = the mask's width; present is [batch, kvHeads, total, headSize];
 * - the row's cached length is past = max(L − seq, 0) (0 for a first prompt, where seq = total);
 * - the new tokens sit at positions past … past + seq − 1: that is their rotary position and
 *   their slot in present; present copies past's first `past` slots and is zero elsewhere;
 * - query i attends to slots 0 … past + i (causal), nothing else.
 *
 * For cross-checking those semantics the writer can also emit the attention as the builder does,
 * one com.microsoft GroupQueryAttention node per layer (`attention: 'group-query-attention'`);
 * that variant loads only in onnxruntime builds with contrib operators. The embedded tiny model
 * uses the standard-op graph.
 *
 * `attention: 'multi-head-attention'` writes instead the layout of the builder's `-p fp16 -e cpu`
 * exports (lib/model/builder-mha.ts): an extra `position_ids` input, com.microsoft RotaryEmbedding
 * and MultiHeadAttention, presents that append the new tokens after the whole past, and a mask
 * read slot by slot.
 *
 * @packageDocumentation
 */
import { bfloat16Bits } from '../util/bfloat16.js';
import { float16Bits } from '../util/float16.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { type LlamaArchitecture, ropeInverseFrequencies } from './llama-architecture.js';
import type { LlamaLayerWeights, LlamaWeights } from './llama-weights.js';
import { OnnxDataType, type OnnxModel } from '../onnx/onnx-proto.js';
import { BUILDER_IO_NAMES, layerName } from '../genai-layout.js';
import { type MhaInputs, mhaInputs, mhaInputsAndOutputs, multiHeadAttention } from './builder-mha.js';

/** The float type of the model's float inputs and outputs (past/present KV, logits). */
export type IoDtype = 'float32' | 'float16' | 'bfloat16';

const IO_TYPES = {
  float32: OnnxDataType.FLOAT,
  float16: OnnxDataType.FLOAT16,
  bfloat16: OnnxDataType.BFLOAT16,
} as const;

/** Bit conversions of the 16-bit I/O types. */
const HALF_BITS = { float16: float16Bits, bfloat16: bfloat16Bits } as const;

/**
 * How attention is written: standard ONNX operators, the builder's GroupQueryAttention (its
 * `-p fp32 -e cpu` and `-e cuda` exports), or its MultiHeadAttention layout (`-p fp16 -e cpu`;
 * see {@link buildLlamaOnnx}).
 */
export type AttentionKind = 'standard-ops' | 'group-query-attention' | 'multi-head-attention';

/** Options of {@link buildLlamaOnnx}. */
export interface LlamaOnnxOptions {
  /**
   * float16 or bfloat16 I/O: KV cache and logits cross the model boundary in that type (compute
   * stays float32, except GroupQueryAttention's, which runs in the I/O type). bfloat16 needs the
   * GroupQueryAttention variant, and runs only where that operator has a bfloat16 kernel (CUDA).
   */
  ioDtype: IoDtype;
  /** Recorded in the model's producer_version. */
  producerVersion: string;
  /**
   * Default 'standard-ops'. 'group-query-attention' needs headSize a multiple of 16;
   * 'multi-head-attention' takes float32 or float16 I/O.
   */
  attention?: AttentionKind;
  /**
   * Rows of the rotary cos/sin caches of the GroupQueryAttention and MultiHeadAttention variants
   * (their longest sequence; the builder writes the model's context length). Default 4096.
   */
  rotaryCacheLength?: number;
}

/** The graph's input/output names (`%d` = layer index): the builder's, as genai_config.json records them. */
export const LLAMA_IO_NAMES = BUILDER_IO_NAMES;

/** Values every layer shares: positions, rotary tables, masks and the KV placement. */
interface SharedValues {
  gqa: GqaInputs | null;
  cos: string; // [B, 1, S, hd]
  sin: string; // [B, 1, S, hd]
  attentionBias: string; // [B, 1, 1, S, T], 0 where allowed, -inf elsewhere
  zeroSlot: string; // [B, kvHeads, 1, hd] zeros
  slotSource: string; // [B, kvHeads, T, hd] int64: which slot of [past, new, zero] present slot t copies
}

/** The extra inputs of GroupQueryAttention, derived from the mask as the builder does. */
interface GqaInputs {
  seqlensK: string; // int32 [B]: ReduceSum(mask) − 1
  totalSequenceLength: string; // int32 scalar: the mask's width
  cosCache: string; // [rows, hd/2]
  sinCache: string;
}

/** Builds the ONNX model of `arch` with `weights`. */
export function buildLlamaOnnx(arch: LlamaArchitecture, weights: LlamaWeights, options: LlamaOnnxOptions): OnnxModel {
  const attention = options.attention ?? 'standard-ops';
  if (attention === 'group-query-attention' && arch.headSize % 16 !== 0) {
    throw new RangeError('the GroupQueryAttention variant needs a head size that is a multiple of 16');
  }
  if (options.ioDtype === 'bfloat16' && attention !== 'group-query-attention') {
    throw new RangeError('bfloat16 I/O needs the GroupQueryAttention variant');
  }
  const mha = attention === 'multi-head-attention';
  if (mha && arch.numAttentionHeads % arch.numKeyValueHeads !== 0) {
    throw new RangeError('the MultiHeadAttention variant needs numAttentionHeads a multiple of numKeyValueHeads');
  }
  const g = new GraphBuilder();
  const ioType = IO_TYPES[options.ioDtype];
  const { numKeyValueHeads: kvHeads, headSize } = arch;

  const inputIds = g.input(LLAMA_IO_NAMES.inputIds, OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input(LLAMA_IO_NAMES.attentionMask, OnnxDataType.INT64, ['batch_size', 'total_sequence_length']);
  const past: { key: string; value: string }[] = [];
  if (mha) {
    past.push(...mhaInputsAndOutputs(g, arch, options.ioDtype as 'float32' | 'float16'));
  } else {
    const pastShape = ['batch_size', kvHeads, 'past_sequence_length', headSize];
    const presentShape = ['batch_size', kvHeads, 'total_sequence_length', headSize];
    for (let l = 0; l < arch.numHiddenLayers; l++) {
      past.push({
        key: g.input(layerName(LLAMA_IO_NAMES.pastKey, l), ioType, pastShape),
        value: g.input(layerName(LLAMA_IO_NAMES.pastValue, l), ioType, pastShape),
      });
    }
    g.output(LLAMA_IO_NAMES.logits, ioType, ['batch_size', 'sequence_length', arch.vocabSize]);
    for (let l = 0; l < arch.numHiddenLayers; l++) {
      g.output(layerName(LLAMA_IO_NAMES.presentKey, l), ioType, presentShape);
      g.output(layerName(LLAMA_IO_NAMES.presentValue, l), ioType, presentShape);
    }
  }

  const embedding = g.initializer(
    'model.embed_tokens.weight',
    OnnxDataType.FLOAT,
    [arch.vocabSize, arch.hiddenSize],
    weights.embedding,
  );
  const shared = mha
    ? null
    : g.scoped('positions', () =>
        sharedValues(
          g,
          arch,
          inputIds,
          mask,
          attention === 'group-query-attention' ? (options.rotaryCacheLength ?? 4096) : null,
          options.ioDtype,
        ),
      );
  const mhaShared = mha
    ? g.scoped('attn_mask_reformat', () =>
        mhaInputs(
          g,
          arch,
          options.ioDtype as 'float32' | 'float16',
          { inputIds, attentionMask: mask, pastKey: past[0]!.key },
          rotaryCaches(g, arch, options.rotaryCacheLength ?? 4096, options.ioDtype),
        ),
      )
    : null;

  let x = g.op('Gather', [embedding, inputIds], { axis: 0 });
  for (let l = 0; l < arch.numHiddenLayers; l++) {
    x = g.scoped(`layers.${l}`, () =>
      decoderLayer(g, arch, weights.layers[l]!, l, x, past[l]!, shared, mhaShared, options.ioDtype),
    );
  }

  const finalNorm = g.initializer('model.norm.weight', OnnxDataType.FLOAT, [arch.hiddenSize], weights.finalNorm);
  const head =
    weights.lmHead === null
      ? embedding
      : g.initializer('lm_head.weight', OnnxDataType.FLOAT, [arch.vocabSize, arch.hiddenSize], weights.lmHead);
  g.scoped('lm_head', () => {
    const normed = rmsNorm(g, x, finalNorm, arch.rmsNormEps);
    // MatMul against the transposed [vocab, hidden] matrix: onnxruntime's constant folding
    // transposes it once at load, so a tied head costs no extra bytes in the file, and the result
    // is [batch, seq, vocab] directly (a Gemm would need a reshape copy of the largest tensor).
    const scores = g.op('MatMul', [normed, g.op('Transpose', [head], { perm: [1, 0] })]);
    if (options.ioDtype !== 'float32') g.op('Cast', [scores], { to: ioType }, LLAMA_IO_NAMES.logits);
    else g.op('Identity', [scores], undefined, LLAMA_IO_NAMES.logits);
  });

  return {
    irVersion: 8,
    opsets:
      attention !== 'standard-ops'
        ? [
            { domain: '', version: 17 },
            { domain: 'com.microsoft', version: 1 },
          ]
        : [{ domain: '', version: 17 }],
    producerName: 'mlperf-loadgen-node tiny-llama',
    producerVersion: options.producerVersion,
    docString:
      'Tiny random-weight Llama-3.1-architecture decoder for tests; model-builder I/O layout, standard ONNX ops only.',
    graph: g.build('tiny_llama'),
  };
}

function sharedValues(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  inputIds: string,
  mask: string,
  rotaryCacheLength: number | null,
  ioDtype: IoDtype,
): SharedValues {
  const zero = g.int64([0], []);
  const one = g.int64([1], []);
  const batch = g.op('Gather', [g.op('Shape', [inputIds]), zero], { axis: 0 });
  const seq = g.op('Gather', [g.op('Shape', [inputIds]), one], { axis: 0 });
  const total = g.op('Gather', [g.op('Shape', [mask]), one], { axis: 0 });

  // Valid length per row and the cached length before this chunk (GQA: seqlens_k + 1 − seq, 0 for a first prompt).
  const length = g.op('ReduceSum', [mask, g.int64([1])], { keepdims: 1 }); // [B, 1]
  const pastLength = g.op('Max', [g.op('Sub', [length, seq]), zero]); // [B, 1]
  const positions = g.op('Add', [pastLength, g.op('Range', [zero, seq, one])]); // [B, S]

  // Rotary tables from positions: angle = position · inverse frequency, halves duplicated.
  const inverseFrequencies = g.float32(ropeInverseFrequencies(arch));
  const angles = g.op('Mul', [
    g.op('Cast', [g.op('Unsqueeze', [positions, g.int64([2])])], { to: OnnxDataType.FLOAT }),
    inverseFrequencies,
  ]);
  const cosHalf = g.op('Cos', [angles]);
  const sinHalf = g.op('Sin', [angles]);
  const cos = g.op('Unsqueeze', [g.op('Concat', [cosHalf, cosHalf], { axis: -1 }), g.int64([1])]);
  const sin = g.op('Unsqueeze', [g.op('Concat', [sinHalf, sinHalf], { axis: -1 }), g.int64([1])]);

  // Causal attention over slots: query at position p sees slots 0..p.
  const slots = g.op('Range', [zero, total, one]); // [T]
  const allowed = g.op('LessOrEqual', [slots, g.op('Unsqueeze', [positions, g.int64([2])])]); // [B, S, T]
  const attentionBias = g.op('Unsqueeze', [
    g.op('Where', [allowed, g.float32([0], []), g.float32([-Infinity], [])]),
    g.int64([1, 2]),
  ]);

  // Present slot t copies, from the concatenation [past (P slots), new (seq slots), one zero slot]:
  // past slot t below pastLength, new token t − pastLength in the next seq slots, the zero after.
  const pastWidth = g.op('Sub', [total, seq]);
  const relative = g.op('Sub', [slots, pastLength]); // [B, T]
  const source = g.op('Where', [
    g.op('Less', [relative, zero]),
    slots,
    g.op('Min', [g.op('Add', [pastWidth, relative]), total]),
  ]);
  const kvShape = (slotCount: string): string =>
    g.op(
      'Concat',
      [g.op('Unsqueeze', [batch, g.int64([0])]), g.int64([arch.numKeyValueHeads]), slotCount, g.int64([arch.headSize])],
      { axis: 0 },
    );
  return {
    gqa: rotaryCacheLength === null ? null : gqaInputs(g, arch, length, total, rotaryCacheLength, ioDtype),
    cos,
    sin,
    attentionBias,
    zeroSlot: g.op('ConstantOfShape', [kvShape(g.int64([1]))]),
    slotSource: g.op('Expand', [
      g.op('Unsqueeze', [source, g.int64([1, 3])]),
      kvShape(g.op('Unsqueeze', [total, g.int64([0])])),
    ]),
  };
}

function gqaInputs(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  length: string,
  total: string,
  rows: number,
  ioDtype: IoDtype,
): GqaInputs {
  return {
    seqlensK: g.op('Cast', [g.op('Squeeze', [g.op('Sub', [length, g.int64([1], [])]), g.int64([1])])], {
      to: OnnxDataType.INT32,
    }),
    totalSequenceLength: g.op('Cast', [total], { to: OnnxDataType.INT32 }),
    ...rotaryCaches(g, arch, rows, ioDtype),
  };
}

/**
 * The rotary cos/sin tables [rows, headSize / 2] (row p: position p) as initializers `cos_cache`
 * and `sin_cache` in the I/O type, which is how the contrib attention and rotary operators take them.
 */
function rotaryCaches(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  rows: number,
  ioDtype: IoDtype,
): { cosCache: string; sinCache: string } {
  const inverseFrequencies = ropeInverseFrequencies(arch);
  const half = arch.headSize / 2;
  const cos = new Float32Array(rows * half);
  const sin = new Float32Array(rows * half);
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * inverseFrequencies[i]!);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return ioDtype === 'float32'
    ? {
        cosCache: g.initializer('cos_cache', OnnxDataType.FLOAT, [rows, half], cos),
        sinCache: g.initializer('sin_cache', OnnxDataType.FLOAT, [rows, half], sin),
      }
    : {
        cosCache: g.initializer(
          'cos_cache',
          IO_TYPES[ioDtype],
          [rows, half],
          Uint16Array.from(cos, HALF_BITS[ioDtype]),
        ),
        sinCache: g.initializer(
          'sin_cache',
          IO_TYPES[ioDtype],
          [rows, half],
          Uint16Array.from(sin, HALF_BITS[ioDtype]),
        ),
      };
}

function rmsNorm(g: GraphBuilder, x: string, scale: string, eps: number): string {
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const inverse = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [meanSquare, g.float32([eps], [])])])]);
  return g.op('Mul', [g.op('Mul', [x, inverse]), scale]);
}

/** [B, S, heads·hd] → [B, heads, S, hd] */
function splitHeads(g: GraphBuilder, x: string, heads: number, headSize: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.int64([0, 0, heads, headSize])])], { perm: [0, 2, 1, 3] });
}

/** x·cos + rotate_half(x)·sin, where rotate_half([a, b]) = [−b, a] over the two halves of the head. */
function rotary(g: GraphBuilder, x: string, shared: SharedValues, headSize: number): string {
  const [first, second] = g.opN('Split', [x, g.int64([headSize / 2, headSize / 2])], 2, { axis: -1 });
  const rotated = g.op('Concat', [g.op('Neg', [second!]), first!], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, shared.cos]), g.op('Mul', [rotated, shared.sin])]);
}

/** Places this chunk's keys or values into the present buffer per GQA's non-shared semantics. */
function presentBuffer(
  g: GraphBuilder,
  pastInput: string,
  current: string,
  shared: SharedValues,
  ioDtype: IoDtype,
): string {
  const pastFloat = ioDtype === 'float16' ? g.op('Cast', [pastInput], { to: OnnxDataType.FLOAT }) : pastInput;
  // A gather, not arithmetic: whatever the padding slots of past hold never reaches present.
  const candidates = g.op('Concat', [pastFloat, current, shared.zeroSlot], { axis: 2 });
  return g.op('GatherElements', [candidates, shared.slotSource], { axis: 2 });
}

/**
 * Attention in standard ops with GroupQueryAttention's semantics; writes the layer's present
 * outputs and returns the attended values [B, S, heads·hd].
 */
function standardAttention(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  qFlat: string,
  kFlat: string,
  vFlat: string,
  past: { key: string; value: string },
  shared: SharedValues,
  ioDtype: IoDtype,
  presentKeyName: string,
  presentValueName: string,
): string {
  const { numAttentionHeads: heads, numKeyValueHeads: kvHeads, headSize } = arch;
  const q = rotary(g, splitHeads(g, qFlat, heads, headSize), shared, headSize);
  let k = rotary(g, splitHeads(g, kFlat, kvHeads, headSize), shared, headSize);
  let v = splitHeads(g, vFlat, kvHeads, headSize);
  if (ioDtype === 'float16') {
    // Attend to exactly what the float16 cache will hold, for the new tokens too.
    const roundTrip = (t: string) =>
      g.op('Cast', [g.op('Cast', [t], { to: OnnxDataType.FLOAT16 })], { to: OnnxDataType.FLOAT });
    k = roundTrip(k);
    v = roundTrip(v);
  }

  const presentKey = presentBuffer(g, past.key, k, shared, ioDtype);
  const presentValue = presentBuffer(g, past.value, v, shared, ioDtype);
  const cast = ioDtype === 'float16' ? { to: OnnxDataType.FLOAT16 } : undefined;
  g.op(cast ? 'Cast' : 'Identity', [presentKey], cast, presentKeyName);
  g.op(cast ? 'Cast' : 'Identity', [presentValue], cast, presentValueName);

  // Grouped-query attention without copying KV per query head: queries [B, kv, group, S, hd]
  // against keys [B, kv, 1, hd, T] (query head h uses KV head ⌊h / group⌋).
  const group = heads / kvHeads;
  const groupedQ = g.op('Reshape', [q, g.int64([0, kvHeads, group, -1, headSize])]);
  const keysT = g.op('Unsqueeze', [g.op('Transpose', [presentKey], { perm: [0, 1, 3, 2] }), g.int64([2])]);
  const scores = g.op('Mul', [g.op('MatMul', [groupedQ, keysT]), g.float32([1 / Math.sqrt(headSize)], [])]);
  const probabilities = g.op('Softmax', [g.op('Add', [scores, shared.attentionBias])], { axis: -1 });
  const context = g.op('MatMul', [probabilities, g.op('Unsqueeze', [presentValue, g.int64([2])])]); // [B, kv, group, S, hd]
  return g.op('Reshape', [
    g.op('Transpose', [g.op('Reshape', [context, g.int64([0, heads, -1, headSize])])], { perm: [0, 2, 1, 3] }),
    g.int64([0, 0, heads * headSize]),
  ]);
}

function decoderLayer(
  g: GraphBuilder,
  arch: LlamaArchitecture,
  w: LlamaLayerWeights,
  layer: number,
  x: string,
  past: { key: string; value: string },
  shared: SharedValues | null,
  mhaShared: MhaInputs | null,
  ioDtype: IoDtype,
): string {
  const { hiddenSize: hidden, numAttentionHeads: heads, numKeyValueHeads: kvHeads, headSize } = arch;
  const prefix = `model.layers.${layer}`;
  const weight = (name: string, dims: number[], data: Float32Array) =>
    g.initializer(`${prefix}.${name}`, OnnxDataType.FLOAT, dims, data);

  const xn = rmsNorm(g, x, weight('input_layernorm.weight', [hidden], w.inputNorm), arch.rmsNormEps);
  const qFlat = g.op('MatMul', [xn, weight('self_attn.q_proj.weight', [hidden, heads * headSize], w.qProj)]);
  const kFlat = g.op('MatMul', [xn, weight('self_attn.k_proj.weight', [hidden, kvHeads * headSize], w.kProj)]);
  const vFlat = g.op('MatMul', [xn, weight('self_attn.v_proj.weight', [hidden, kvHeads * headSize], w.vProj)]);
  const presentKeyName = layerName(LLAMA_IO_NAMES.presentKey, layer);
  const presentValueName = layerName(LLAMA_IO_NAMES.presentValue, layer);
  // The contrib operators compute in the I/O type: float16 models cast their inputs and output.
  const toIo = (t: string): string => (ioDtype === 'float32' ? t : g.op('Cast', [t], { to: IO_TYPES[ioDtype] }));
  const fromIo = (t: string): string => (ioDtype === 'float32' ? t : g.op('Cast', [t], { to: OnnxDataType.FLOAT }));
  const merged =
    mhaShared !== null
      ? fromIo(
          multiHeadAttention(
            g,
            arch,
            ioDtype as 'float32' | 'float16',
            { q: toIo(qFlat), k: toIo(kFlat), v: toIo(vFlat) },
            past,
            mhaShared,
            { key: presentKeyName, value: presentValueName },
          ),
        )
      : shared!.gqa !== null
        ? fromIo(
            g.opN(
              'GroupQueryAttention',
              [
                toIo(qFlat),
                toIo(kFlat),
                toIo(vFlat),
                past.key,
                past.value,
                shared!.gqa.seqlensK,
                shared!.gqa.totalSequenceLength,
                shared!.gqa.cosCache,
                shared!.gqa.sinCache,
              ],
              3,
              { num_heads: heads, kv_num_heads: kvHeads, do_rotary: 1, rotary_interleaved: 0 },
              [`${prefix}.attn.output`, presentKeyName, presentValueName],
              'com.microsoft',
            )[0]!,
          )
        : standardAttention(g, arch, qFlat, kFlat, vFlat, past, shared!, ioDtype, presentKeyName, presentValueName);
  const attended = g.op('MatMul', [merged, weight('self_attn.o_proj.weight', [heads * headSize, hidden], w.oProj)]);
  const afterAttention = g.op('Add', [x, attended]);

  const xn2 = rmsNorm(
    g,
    afterAttention,
    weight('post_attention_layernorm.weight', [hidden], w.postAttentionNorm),
    arch.rmsNormEps,
  );
  const gate = g.op('MatMul', [xn2, weight('mlp.gate_proj.weight', [hidden, arch.intermediateSize], w.gateProj)]);
  const up = g.op('MatMul', [xn2, weight('mlp.up_proj.weight', [hidden, arch.intermediateSize], w.upProj)]);
  const activated = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
  const down = g.op('MatMul', [activated, weight('mlp.down_proj.weight', [arch.intermediateSize, hidden], w.downProj)]);
  return g.op('Add', [afterAttention, down]);
}
