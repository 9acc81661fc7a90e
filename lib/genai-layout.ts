/**
 * The onnxruntime-genai model builder's naming for a decoder folder, in one place: the generator
 * here writes these names, and the onnxruntime backend falls back to them when a
 * genai_config.json leaves one out.
 *
 * @packageDocumentation
 */

/** The config file's name inside a model folder. */
export const GENAI_CONFIG_FILE = 'genai_config.json';

/** Input and output names of the decoder; `%d` stands for the layer index. */
export interface DecoderIoNames {
  inputIds: string;
  attentionMask: string;
  pastKey: string;
  pastValue: string;
  logits: string;
  presentKey: string;
  presentValue: string;
}

/** The builder's default decoder input/output names. */
export const BUILDER_IO_NAMES: Readonly<DecoderIoNames> = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  pastKey: 'past_key_values.%d.key',
  pastValue: 'past_key_values.%d.value',
  logits: 'logits',
  presentKey: 'present.%d.key',
  presentValue: 'present.%d.value',
};

/**
 * The builder's name for the position_ids input, which its exports have when the rotary embedding
 * runs outside the attention operator (MultiHeadAttention exports, e.g. `-p fp16 -e cpu`).
 */
export const BUILDER_POSITION_IDS_NAME = 'position_ids';

/** Replaces `%d` in a name pattern with the layer index. */
export function layerName(pattern: string, layer: number): string {
  return pattern.replace('%d', String(layer));
}
