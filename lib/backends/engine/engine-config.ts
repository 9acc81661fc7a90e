/**
 * What the engine needs from a model folder beyond what {@link readGenaiConfig} checks: that the
 * export appends to its KV cache in place (`search.past_present_share_buffer`, which the model
 * builder writes true for its GroupQueryAttention exports) and the attention head count.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { BackendError } from '../../errors.js';
import { type GenaiDecoderConfig, readGenaiConfig } from '../onnxruntime/genai-config.js';

/** A decoder folder the engine can run. */
export interface EngineModelConfig extends GenaiDecoderConfig {
  /** `model.decoder.num_attention_heads`, or 0 when absent. */
  numAttentionHeads: number;
}

/**
 * Reads `modelDir/genai_config.json` for the engine. Throws ERR_BACKEND_MODEL for a folder the
 * onnxruntime backend would refuse, and for an export whose past and present do not share one
 * buffer (the engine keeps one cache per slot and lets the model append to it).
 */
export async function readEngineModelConfig(modelDir: string): Promise<EngineModelConfig> {
  const config = await readGenaiConfig(modelDir);
  // readGenaiConfig has parsed the file already; the two extra keys are read here.
  const root = JSON.parse(await readFile(config.configPath, 'utf8')) as {
    search?: { past_present_share_buffer?: unknown };
    model?: { decoder?: { num_attention_heads?: unknown } };
  };
  if (root.search?.past_present_share_buffer !== true) {
    throw new BackendError(
      'ERR_BACKEND_MODEL',
      `engine: ${config.configPath} does not set search.past_present_share_buffer to true, so its decoder writes a new KV cache each step; ` +
        `the engine needs an export that appends in place: a GroupQueryAttention model from the onnxruntime-genai builder ` +
        `(-e cuda -p fp16|bf16, or -e cpu -p fp32), or use the onnxruntime backend's JS path for this model`,
    );
  }
  const heads = root.model?.decoder?.num_attention_heads;
  return {
    ...config,
    numAttentionHeads: typeof heads === 'number' && Number.isInteger(heads) && heads > 0 ? heads : 0,
  };
}
