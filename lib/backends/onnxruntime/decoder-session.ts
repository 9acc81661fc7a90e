/**
 * One decoder model opened with onnxruntime, checked against its genai_config.json, with the two
 * calls the decode loop makes: a prompt prefill that keeps only the KV cache, and a batched step
 * of one token per row.
 *
 * The feeds follow GroupQueryAttention's semantics for separate past/present buffers (what a
 * model-builder export computes, and the embedded tiny model reproduces with standard ops): a
 * row's attention_mask is `length` ones then zeros; only the sum counts. With past width P and
 * mask width P + seq, the row's new tokens take positions and present slots `length − seq` …
 * `length − 1`, so right-padded rows of different lengths share one step.
 *
 * @packageDocumentation
 */
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { type GenaiDecoderConfig, layerName } from './genai-config.js';
import { KvBatch, type KvLayout, type KvType } from './kv-batch.js';
import { BackendError } from '../../errors.js';

/** The I/O float type a caller may insist on. */
export type DtypeOption = 'fp32' | 'fp16';

/** A validated decoder session. */
export class DecoderSession {
  readonly session: InferenceSession;
  readonly config: GenaiDecoderConfig;
  readonly kvLayout: KvLayout;
  readonly #pastKeys: string[];
  readonly #pastValues: string[];
  readonly #presentKeys: string[];
  readonly #presentValues: string[];

  /** Validates `session` against `config`; throws ERR_BACKEND_MODEL naming the mismatch. */
  constructor(session: InferenceSession, config: GenaiDecoderConfig, dtype?: DtypeOption) {
    this.session = session;
    this.config = config;
    const { names, numHiddenLayers: layers } = config;
    this.#pastKeys = Array.from({ length: layers }, (_, l) => layerName(names.pastKey, l));
    this.#pastValues = Array.from({ length: layers }, (_, l) => layerName(names.pastValue, l));
    this.#presentKeys = Array.from({ length: layers }, (_, l) => layerName(names.presentKey, l));
    this.#presentValues = Array.from({ length: layers }, (_, l) => layerName(names.presentValue, l));

    const fed = [names.inputIds, names.attentionMask, ...this.#pastKeys, ...this.#pastValues];
    const needed = [names.logits, ...this.#presentKeys, ...this.#presentValues];
    const missingInputs = fed.filter((name) => !session.inputNames.includes(name));
    const extraInputs = session.inputNames.filter((name) => !fed.includes(name));
    const missingOutputs = needed.filter((name) => !session.outputNames.includes(name));
    if (missingInputs.length > 0 || missingOutputs.length > 0) {
      throw this.#mismatch(
        `${[...missingInputs.map((n) => `input ${n}`), ...missingOutputs.map((n) => `output ${n}`)].join(', ')} named by the config ${missingInputs.length + missingOutputs.length > 1 ? 'are' : 'is'} not in the model ` +
          `(model inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')})`,
      );
    }
    if (extraInputs.length > 0) {
      throw this.#mismatch(
        `the model also needs ${extraInputs.join(', ')}, which this backend does not feed; it runs decoder exports whose attention derives positions from attention_mask ` +
          `(model-builder GroupQueryAttention with fused rotary embeddings, no position_ids)`,
      );
    }

    const metadata = (list: readonly InferenceSession.ValueMetadata[], name: string): InferenceSession.ValueMetadata =>
      list.find((m) => m.name === name)!;
    const past = metadata(session.inputMetadata, this.#pastKeys[0]!);
    if (!past.isTensor || (past.type !== 'float32' && past.type !== 'float16')) {
      throw this.#mismatch(
        `${past.name} must be a float32 or float16 tensor, got ${past.isTensor ? past.type : 'a non-tensor'}`,
      );
    }
    const logits = metadata(session.outputMetadata, names.logits);
    if (!logits.isTensor || (logits.type !== 'float32' && logits.type !== 'float16')) {
      throw this.#mismatch(
        `${names.logits} must be a float32 or float16 tensor, got ${logits.isTensor ? logits.type : 'a non-tensor'}`,
      );
    }
    const shape = past.shape;
    if (
      shape.length !== 4 ||
      (typeof shape[1] === 'number' && shape[1] !== config.numKeyValueHeads) ||
      (typeof shape[3] === 'number' && shape[3] !== config.headSize)
    ) {
      throw this.#mismatch(
        `${past.name} has shape [${shape.join(', ')}], expected [batch, ${config.numKeyValueHeads} (num_key_value_heads), past, ${config.headSize} (head_size)]`,
      );
    }
    const kvType: KvType = past.type;
    if (dtype !== undefined && (dtype === 'fp16') !== (kvType === 'float16')) {
      throw this.#mismatch(
        `dtype ${dtype} was requested but the model's KV cache is ${kvType}; pass dtype ${kvType === 'float16' ? 'fp16' : 'fp32'} or leave it out`,
      );
    }
    this.kvLayout = { type: kvType, layers, kvHeads: config.numKeyValueHeads, headSize: config.headSize };
  }

  #mismatch(detail: string): BackendError {
    return new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: ${this.config.decoderPath} does not match ${this.config.configPath}: ${detail}`,
    );
  }

  /**
   * Runs `tokens` as the prompt of one row, `chunkSize` tokens per run (a first prompt, then
   * continuations of it), and returns only the KV cache. The logits output is not fetched, so it
   * is never copied out; onnxruntime still computes it for every position of a chunk, which is
   * what the chunk size bounds.
   */
  async prefill(tokens: Int32Array, chunkSize: number): Promise<KvBatch> {
    let kv = KvBatch.gather(this.kvLayout, [null], 0); // one row, no slots yet
    const fetches = [...this.#presentKeys, ...this.#presentValues];
    for (let start = 0; start < tokens.length; start += chunkSize) {
      const chunk = tokens.subarray(start, start + chunkSize);
      const width = kv.width + chunk.length;
      const feeds = this.#feeds(
        BigInt64Array.from(chunk, (t) => BigInt(t)),
        [1, chunk.length],
        maskOf([width], width),
        kv,
      );
      kv = this.#presents(await this.session.run(feeds, fetches), 1, width);
    }
    return kv;
  }

  /**
   * One decode step: row i feeds `tokens[i]` after `lengths[i]` cached slots of `past`
   * (right-padded to past.width). Returns the logits tensor and the grown KV batch (width + 1).
   */
  async step(
    tokens: Int32Array,
    lengths: readonly number[],
    past: KvBatch,
  ): Promise<{ logits: Tensor; present: KvBatch }> {
    const batch = tokens.length;
    const width = past.width + 1;
    const feeds = this.#feeds(
      BigInt64Array.from(tokens, (t) => BigInt(t)),
      [batch, 1],
      maskOf(
        lengths.map((l) => l + 1),
        width,
      ),
      past,
    );
    const result = await this.session.run(feeds);
    return { logits: result[this.config.names.logits]!, present: this.#presents(result, batch, width) };
  }

  #feeds(
    ids: BigInt64Array,
    idsDims: readonly number[],
    mask: { data: BigInt64Array; dims: readonly number[] },
    past: KvBatch,
  ): InferenceSession.FeedsType {
    const feeds: Record<string, Tensor> = {
      [this.config.names.inputIds]: new Tensor('int64', ids, idsDims),
      [this.config.names.attentionMask]: new Tensor('int64', mask.data, mask.dims),
    };
    for (let l = 0; l < this.kvLayout.layers; l++) {
      feeds[this.#pastKeys[l]!] = past.keys[l]!;
      feeds[this.#pastValues[l]!] = past.values[l]!;
    }
    return feeds;
  }

  #presents(result: InferenceSession.ReturnType, batch: number, width: number): KvBatch {
    const keys = this.#presentKeys.map((name) => result[name]!);
    const values = this.#presentValues.map((name) => result[name]!);
    const dims = keys[0]!.dims;
    if (dims[0] !== batch || dims[2] !== width) {
      // A shared-buffer export (present as wide as the past buffer) cannot be driven this way.
      throw new BackendError(
        'ERR_BACKEND_MODEL',
        `onnxruntime: ${this.#presentKeys[0]} came back [${dims.join(', ')}], expected [${batch}, ${this.kvLayout.kvHeads}, ${width}, ${this.kvLayout.headSize}]; the model must append to separate past/present buffers`,
      );
    }
    return new KvBatch(batch, width, keys, values);
  }
}

/** attention_mask rows: `lengths[i]` ones, then zeros up to `width`. */
function maskOf(lengths: readonly number[], width: number): { data: BigInt64Array; dims: readonly number[] } {
  const data = new BigInt64Array(lengths.length * width);
  lengths.forEach((length, row) => data.fill(1n, row * width, row * width + length));
  return { data, dims: [lengths.length, width] };
}
