/**
 * One decoder model opened with onnxruntime, checked against its genai_config.json, with the two
 * calls the decode loop makes: a prompt prefill that keeps only the KV cache, and a batched step
 * of one token per row.
 *
 * Two kinds of model-builder export, told apart by the position_ids input:
 *
 * - Without it (GroupQueryAttention, rotary fused; `-p fp32 -e cpu`, `-e cuda`, and the embedded
 *   tiny model's standard-op graph): the feeds follow GroupQueryAttention's semantics for separate
 *   past/present buffers. A row's attention_mask is `length` ones then zeros; only the sum counts.
 *   With past width P and mask width P + seq, the row's new tokens take positions and present
 *   slots `length − seq` … `length − 1`, so right-padded rows of different lengths share one step.
 * - With it (MultiHeadAttention + RotaryEmbedding; `-p fp16 -e cpu`, see lib/model/builder-mha.ts):
 *   positions come only from position_ids, present is Concat(past, new), and the mask is read slot
 *   by slot. A step feeds each row its own position (its token count) and a mask that is 1 on the
 *   slots holding its tokens — the past's, holes left out — and on the new last slot; the present
 *   batch remembers those slots. The export's causal mask cannot take a prompt chunk after a past,
 *   so a prompt is prefilled in one run. Its shape hints are wrong and make onnxruntime fail at the
 *   first decode step, so it must be opened without them (SessionSettings.withoutShapeHints).
 *
 * @packageDocumentation
 */
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { type GenaiDecoderConfig, layerName } from './genai-config.js';
import { BUILDER_POSITION_IDS_NAME } from '../../genai-layout.js';
import { KvBatch, type KvLayout, type KvType } from './kv-batch.js';
import { BackendError } from '../../errors.js';

/** The I/O float type a caller may insist on. */
export type DtypeOption = 'fp32' | 'fp16';

/** A validated decoder session. */
export class DecoderSession {
  readonly session: InferenceSession;
  readonly config: GenaiDecoderConfig;
  readonly kvLayout: KvLayout;
  /**
   * The position_ids input this model takes (MultiHeadAttention exports), or null (positions
   * derived from attention_mask).
   */
  readonly positionIds: string | null;
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

    // Named by the config, or the builder's default name when the config leaves it out (as genai reads it).
    const positionIds =
      config.positionIds ?? (session.inputNames.includes(BUILDER_POSITION_IDS_NAME) ? BUILDER_POSITION_IDS_NAME : null);
    this.positionIds = positionIds;
    const fed = [
      names.inputIds,
      names.attentionMask,
      ...(positionIds === null ? [] : [positionIds]),
      ...this.#pastKeys,
      ...this.#pastValues,
    ];
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
        `the model also needs ${extraInputs.join(', ')}, which this backend does not feed; it feeds ${names.inputIds}, ${names.attentionMask}, ` +
          `${positionIds ?? BUILDER_POSITION_IDS_NAME} (MultiHeadAttention exports) and the past KV cache, as the model builder's -e cpu and -e cuda exports take them`,
      );
    }
    if (positionIds !== null && config.pastPresentShareBuffer === true) {
      throw this.#mismatch(
        `the model takes ${positionIds} and search.past_present_share_buffer is true: a GroupQueryAttention export with the rotary embedding outside the operator ` +
          `(the model builder's -e dml layout), which this backend does not run; export with -e cpu or -e cuda`,
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
   * what the chunk size bounds. A model with position_ids takes the whole prompt in one run
   * (its causal mask cannot continue a prompt), whatever `chunkSize` says.
   */
  async prefill(tokens: Int32Array, chunkSize: number): Promise<KvBatch> {
    let kv = KvBatch.gather(this.kvLayout, [null], 0); // one row, no slots yet
    const fetches = [...this.#presentKeys, ...this.#presentValues];
    const step = this.positionIds === null ? chunkSize : tokens.length;
    for (let start = 0; start < tokens.length; start += step) {
      const chunk = tokens.subarray(start, start + step);
      const width = kv.width + chunk.length;
      const feeds = this.#feeds(
        BigInt64Array.from(chunk, (t) => BigInt(t)),
        [1, chunk.length],
        maskOf([width], width),
        kv,
        this.positionIds === null ? undefined : BigInt64Array.from(chunk, (_, i) => BigInt(start + i)),
      );
      kv = this.#presents(await this.session.run(feeds, fetches), 1, width);
    }
    return kv;
  }

  /**
   * One decode step: row i feeds `tokens[i]` after `lengths[i]` cached slots of `past`
   * (right-padded to past.width; for a model with position_ids, the slots `past.slots` marks when
   * it has holes). Returns the logits tensor and the grown KV batch (width + 1).
   */
  async step(
    tokens: Int32Array,
    lengths: readonly number[],
    past: KvBatch,
  ): Promise<{ logits: Tensor; present: KvBatch }> {
    const batch = tokens.length;
    const width = past.width + 1;
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t));
    if (this.positionIds === null) {
      const mask = maskOf(
        lengths.map((l) => l + 1),
        width,
      );
      const result = await this.session.run(this.#feeds(ids, [batch, 1], mask, past));
      return { logits: result[this.config.names.logits]!, present: this.#presents(result, batch, width) };
    }
    // The new token lands in the last slot: the row's tokens so far, holes excluded, plus it.
    const slots = new Uint8Array(batch * width);
    for (let row = 0; row < batch; row++) {
      if (past.slots !== null) slots.set(past.slots.subarray(row * past.width, (row + 1) * past.width), row * width);
      else slots.fill(1, row * width, row * width + lengths[row]!);
      slots[(row + 1) * width - 1] = 1;
    }
    const data = new BigInt64Array(slots.length);
    slots.forEach((flag, slot) => {
      if (flag !== 0) data[slot] = 1n;
    });
    const mask = { data, dims: [batch, width] };
    const positions = BigInt64Array.from(lengths, (l) => BigInt(l));
    const result = await this.session.run(this.#feeds(ids, [batch, 1], mask, past, positions));
    return { logits: result[this.config.names.logits]!, present: this.#presents(result, batch, width, slots) };
  }

  #feeds(
    ids: BigInt64Array,
    idsDims: readonly number[],
    mask: { data: BigInt64Array; dims: readonly number[] },
    past: KvBatch,
    positions?: BigInt64Array,
  ): InferenceSession.FeedsType {
    const feeds: Record<string, Tensor> = {
      [this.config.names.inputIds]: new Tensor('int64', ids, idsDims),
      [this.config.names.attentionMask]: new Tensor('int64', mask.data, mask.dims),
    };
    if (this.positionIds !== null) feeds[this.positionIds] = new Tensor('int64', positions!, idsDims);
    for (let l = 0; l < this.kvLayout.layers; l++) {
      feeds[this.#pastKeys[l]!] = past.keys[l]!;
      feeds[this.#pastValues[l]!] = past.values[l]!;
    }
    return feeds;
  }

  #presents(
    result: InferenceSession.ReturnType,
    batch: number,
    width: number,
    slots: Uint8Array | null = null,
  ): KvBatch {
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
    return new KvBatch(batch, width, keys, values, slots);
  }
}

/** attention_mask rows: `lengths[i]` ones, then zeros up to `width`. */
function maskOf(lengths: readonly number[], width: number): { data: BigInt64Array; dims: readonly number[] } {
  const data = new BigInt64Array(lengths.length * width);
  lengths.forEach((length, row) => data.fill(1n, row * width, row * width + length));
  return { data, dims: [lengths.length, width] };
}
