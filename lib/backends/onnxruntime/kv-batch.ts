/**
 * The KV cache of a decode batch: for every layer a key and a value tensor
 * [batch, kvHeads, width, headSize], each row right-padded — row r's first `length` slots are
 * valid, the rest is padding the attention never reads. A step's present tensors become the next
 * step's past as they are; when rows join or leave, the surviving rows are copied into a new,
 * narrower or wider batch.
 *
 * Exports whose present is Concat(past, new) (the builder's MultiHeadAttention layout) put every
 * step's token after the whole past, so a short row's padding ends up between its tokens. Such a
 * batch records which slots hold tokens ({@link KvBatch.slots}); copying rows into a new batch
 * packs each row's tokens to the front again.
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
  /**
   * Which slots hold a token, row by row ([batchSize × width], 1 where a slot does), for a batch
   * whose rows may have holes; null when every row's tokens are its first slots.
   */
  readonly slots: Uint8Array | null;

  constructor(
    batchSize: number,
    width: number,
    keys: readonly Tensor[],
    values: readonly Tensor[],
    slots: Uint8Array | null = null,
  ) {
    if (slots !== null && slots.length !== batchSize * width)
      throw new RangeError(`slots has ${slots.length} entries, expected ${batchSize} × ${width}`);
    this.batchSize = batchSize;
    this.width = width;
    this.keys = keys;
    this.values = values;
    this.slots = slots;
  }

  /**
   * A batch of `sources.length` rows of width `width` (≥ every source's length), row i copied from
   * sources[i] with its tokens packed to the front (in slot order); padding slots are zero.
   */
  static gather(layout: KvLayout, sources: readonly (KvRowSource | null)[], width: number): KvBatch {
    const batchSize = sources.length;
    const { kvHeads, headSize } = layout;
    const dims = [batchSize, kvHeads, width, headSize];
    const runs = sources.map((source) => (source === null || source.length === 0 ? [] : tokenRuns(source)));
    const make = (pick: (batch: KvBatch) => readonly Tensor[], layer: number): Tensor => {
      const out: KvData =
        layout.type === 'float32'
          ? new Float32Array(batchSize * kvHeads * width * headSize)
          : new Uint16Array(batchSize * kvHeads * width * headSize);
      sources.forEach((source, row) => {
        if (source === null || source.length === 0) return;
        const from = floatTensorData(pick(source.batch)[layer]!, layout.type);
        for (let head = 0; head < kvHeads; head++) {
          const rowStart = (source.index * kvHeads + head) * source.batch.width;
          let at = (row * kvHeads + head) * width * headSize;
          for (const [first, end] of runs[row]!) {
            const start = (rowStart + first) * headSize;
            const stop = (rowStart + end) * headSize;
            if (out instanceof Float32Array) out.set((from as Float32Array).subarray(start, stop), at);
            else out.set((from as Uint16Array).subarray(start, stop), at);
            at += stop - start;
          }
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

/** The slot ranges [first, end) holding a source row's tokens, in order. */
function tokenRuns(source: KvRowSource): [number, number][] {
  const { batch, index, length } = source;
  if (batch.slots === null) return [[0, length]];
  const slots = batch.slots.subarray(index * batch.width, (index + 1) * batch.width);
  const runs: [number, number][] = [];
  let count = 0;
  for (let slot = 0; slot < slots.length; slot++) {
    if (slots[slot] === 0) continue;
    const first = slot;
    while (slot < slots.length && slots[slot] !== 0) slot++;
    runs.push([first, slot]);
    count += slot - first;
  }
  if (count !== length)
    throw new RangeError(`row ${index} of the KV batch holds ${count} tokens, but ${length} were expected`);
  return runs;
}
