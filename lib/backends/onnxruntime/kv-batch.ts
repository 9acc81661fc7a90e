/**
 * The KV cache of a decode batch: for every layer a key and a value tensor
 * [batch, kvHeads, width, headSize], each row right-padded — row r's first `length` slots are
 * valid, the rest is padding the attention never reads. A step's present tensors become the next
 * step's past as they are; when rows join or leave, the surviving rows are copied into a new,
 * narrower or wider batch.
 *
 * @packageDocumentation
 */
import { Tensor } from 'onnxruntime-node';

/** Float type of the KV (and logits) tensors: float32 data, or float16 bit patterns. */
export type KvType = 'float32' | 'float16';

/** The element storage of one such tensor. */
export type KvData = Float32Array | Uint16Array;

/** Geometry shared by every tensor of a KV batch. */
export interface KvLayout {
  type: KvType;
  layers: number;
  kvHeads: number;
  headSize: number;
}

/** Typed-array view of a float tensor's data (float16 as bit patterns, whatever array type onnxruntime used). */
export function floatTensorData(tensor: Tensor, type: KvType): KvData {
  const data = tensor.data as unknown as ArrayBufferView & { length: number };
  if (type === 'float32') {
    if (!(data instanceof Float32Array)) throw new TypeError(`expected float32 data, got ${tensor.type}`);
    return data;
  }
  // onnxruntime-common hands float16 data out as a Uint16Array, or a Float16Array where the runtime has one.
  return data instanceof Uint16Array ? data : new Uint16Array(data.buffer, data.byteOffset, data.length);
}

/** Where a row's valid slots currently are: row `index` of `batch`, `length` slots. */
export interface KvRowSource {
  batch: KvBatch;
  index: number;
  length: number;
}

/** The past/present tensors of one batch, per layer. */
export class KvBatch {
  /** The tensors' batch dimension. */
  readonly batchSize: number;
  /** The tensors' sequence dimension (padded length). */
  readonly width: number;
  readonly keys: readonly Tensor[];
  readonly values: readonly Tensor[];

  constructor(batchSize: number, width: number, keys: readonly Tensor[], values: readonly Tensor[]) {
    this.batchSize = batchSize;
    this.width = width;
    this.keys = keys;
    this.values = values;
  }

  /**
   * A batch of `sources.length` rows of width `width` (≥ every source's length), row i copied from
   * sources[i]; padding slots are zero.
   */
  static gather(layout: KvLayout, sources: readonly (KvRowSource | null)[], width: number): KvBatch {
    const batchSize = sources.length;
    const { kvHeads, headSize } = layout;
    const dims = [batchSize, kvHeads, width, headSize];
    const make = (pick: (batch: KvBatch) => readonly Tensor[], layer: number): Tensor => {
      const out: KvData =
        layout.type === 'float32'
          ? new Float32Array(batchSize * kvHeads * width * headSize)
          : new Uint16Array(batchSize * kvHeads * width * headSize);
      sources.forEach((source, row) => {
        if (source === null || source.length === 0) return;
        const from = floatTensorData(pick(source.batch)[layer]!, layout.type);
        const count = source.length * headSize;
        for (let head = 0; head < kvHeads; head++) {
          const start = (source.index * kvHeads + head) * source.batch.width * headSize;
          const at = (row * kvHeads + head) * width * headSize;
          if (out instanceof Float32Array) out.set((from as Float32Array).subarray(start, start + count), at);
          else out.set((from as Uint16Array).subarray(start, start + count), at);
        }
      });
      return new Tensor(layout.type, out, dims);
    };
    const keys: Tensor[] = [];
    const values: Tensor[] = [];
    for (let layer = 0; layer < layout.layers; layer++) {
      keys.push(make((b) => b.keys, layer));
      values.push(make((b) => b.values, layer));
    }
    return new KvBatch(batchSize, width, keys, values);
  }
}
