/**
 * Writes `genai_config.json` in the layout the onnxruntime-genai model builder produces for a
 * decoder-only model, so a folder made here and a builder export are read the same way.
 *
 * @packageDocumentation
 */
import type { LlamaArchitecture } from './llama-architecture.js';
import { LLAMA_IO_NAMES } from './llama-onnx.js';
import { BUILDER_POSITION_IDS_NAME } from '../genai-layout.js';

/**
 * The genai_config.json object for a Llama decoder written by {@link buildLlamaOnnx} to `filename`
 * in the folder. `pastPresentShareBuffer` says the graph can append to its KV cache in place (the
 * GroupQueryAttention variant can, as the builder's GroupQueryAttention exports do; the
 * standard-op graph writes a fresh present). `positionIds` lists the position_ids input after
 * attention_mask, as the builder does for its MultiHeadAttention exports.
 */
export function genaiConfigFor(
  arch: LlamaArchitecture,
  filename: string,
  pastPresentShareBuffer = false,
  positionIds = false,
): Record<string, unknown> {
  return {
    model: {
      bos_token_id: arch.bosTokenId,
      context_length: arch.contextLength,
      decoder: {
        session_options: { log_id: 'onnxruntime-genai', provider_options: [] },
        filename,
        head_size: arch.headSize,
        hidden_size: arch.hiddenSize,
        inputs: {
          input_ids: LLAMA_IO_NAMES.inputIds,
          attention_mask: LLAMA_IO_NAMES.attentionMask,
          ...(positionIds ? { position_ids: BUILDER_POSITION_IDS_NAME } : {}),
          past_key_names: LLAMA_IO_NAMES.pastKey,
          past_value_names: LLAMA_IO_NAMES.pastValue,
        },
        outputs: {
          logits: LLAMA_IO_NAMES.logits,
          present_key_names: LLAMA_IO_NAMES.presentKey,
          present_value_names: LLAMA_IO_NAMES.presentValue,
        },
        num_attention_heads: arch.numAttentionHeads,
        num_hidden_layers: arch.numHiddenLayers,
        num_key_value_heads: arch.numKeyValueHeads,
      },
      eos_token_id: [...arch.eosTokenIds],
      pad_token_id: arch.padTokenId,
      type: 'llama',
      vocab_size: arch.vocabSize,
    },
    search: {
      diversity_penalty: 0.0,
      do_sample: false,
      early_stopping: true,
      length_penalty: 1.0,
      max_length: arch.contextLength,
      min_length: 0,
      no_repeat_ngram_size: 0,
      num_beams: 1,
      num_return_sequences: 1,
      past_present_share_buffer: pastPresentShareBuffer,
      repetition_penalty: 1.0,
      temperature: 1.0,
      top_k: 1,
      top_p: 1.0,
    },
  };
}

/** genai_config.json text: 4-space indentation and a final newline, as the builder writes it. */
export function genaiConfigText(config: Record<string, unknown>): string {
  return `${JSON.stringify(config, null, 4)}\n`;
}
