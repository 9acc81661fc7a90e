/**
 * Reads and validates `genai_config.json`, the description the onnxruntime-genai model builder
 * writes next to a decoder export: decoder file name, input/output names (with `%d` for the layer
 * index), layer and head counts, special token ids.
 *
 * @packageDocumentation
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  BUILDER_IO_NAMES,
  BUILDER_POSITION_IDS_NAME,
  type DecoderIoNames,
  GENAI_CONFIG_FILE,
} from '../../genai-layout.js';
import { BackendError } from '../../errors.js';

export { GENAI_CONFIG_FILE, type DecoderIoNames, layerName } from '../../genai-layout.js';

/** What a model-builder export folder contains, for error messages. */
export const BUILDER_FOLDER_HINT =
  'an onnxruntime-genai model-builder export folder holds genai_config.json, the decoder (e.g. model.onnx, plus model.onnx.data for large models) and tokenizer files; ' +
  'create one with the builder (python -m onnxruntime_genai.models.builder -m <model> -o <folder> -p fp16|fp32|int4 -e cuda|cpu), or use the embedded tiny model (ensureTinyModel)';

/** The parts of genai_config.json the backend uses. */
export interface GenaiDecoderConfig {
  /** Absolute path of the config file. */
  configPath: string;
  /** Absolute path of the decoder model. */
  decoderPath: string;
  /** `model.type`, e.g. "llama". */
  type: string;
  numHiddenLayers: number;
  numKeyValueHeads: number;
  headSize: number;
  vocabSize: number;
  /** `model.context_length`: longest prompt + generation the model supports. */
  contextLength: number;
  bosTokenId: number | null;
  eosTokenIds: readonly number[];
  names: DecoderIoNames;
  /**
   * The position_ids input's name when `model.decoder.inputs` lists one (the builder's
   * MultiHeadAttention exports), else null.
   */
  positionIds: string | null;
  /** `search.past_present_share_buffer`, or null when absent. */
  pastPresentShareBuffer: boolean | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `modelDir/genai_config.json`; throws ERR_BACKEND_MODEL naming what is missing or malformed. */
export async function readGenaiConfig(modelDir: string): Promise<GenaiDecoderConfig> {
  const folder = resolve(modelDir);
  const folderStat = await stat(folder).catch(() => null);
  if (folderStat === null || !folderStat.isDirectory()) {
    throw new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: model folder ${folder} does not exist or is not a directory; ${BUILDER_FOLDER_HINT}`,
    );
  }
  const configPath = join(folder, GENAI_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    throw new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: ${configPath} is missing or unreadable; ${BUILDER_FOLDER_HINT}`,
      { cause: error },
    );
  }
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (error) {
    throw new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: ${configPath} is not valid JSON (${(error as Error).message}); restore the file the model builder wrote`,
      { cause: error },
    );
  }
  const invalid = (key: string, expected: string): BackendError =>
    new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: ${configPath}: "${key}" is missing or not ${expected}; a model-builder genai_config.json has it — regenerate the config (builder option --extra_options config_only=true) or fix the key`,
    );

  const model = isObject(root) ? root['model'] : undefined;
  if (!isObject(model)) throw invalid('model', 'an object');
  const decoder = model['decoder'];
  if (!isObject(decoder)) throw invalid('model.decoder', 'an object');

  const positiveInt = (object: { [key: string]: Json }, key: string, path: string): number => {
    const value = object[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalid(path, 'a positive integer');
    return value;
  };
  const tokenId = (value: Json | undefined): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0;
  const name = (object: Json | undefined, key: string, path: string, fallback: string, perLayer: boolean): string => {
    // Missing names take genai's defaults, as genai itself does.
    const value = isObject(object) ? object[key] : undefined;
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value === '' || (perLayer && !value.includes('%d')))
      throw invalid(path, perLayer ? 'a name pattern with %d' : 'a non-empty string');
    return value;
  };

  const filename = decoder['filename'];
  if (typeof filename !== 'string' || filename === '') throw invalid('model.decoder.filename', 'a file name');
  const vocabSize = positiveInt(model, 'vocab_size', 'model.vocab_size');
  const eosRaw = model['eos_token_id'];
  const eosTokenIds = tokenId(eosRaw)
    ? [eosRaw]
    : Array.isArray(eosRaw) && eosRaw.length > 0 && eosRaw.every(tokenId)
      ? (eosRaw as number[])
      : null;
  if (eosTokenIds === null) throw invalid('model.eos_token_id', 'a token id or a non-empty list of token ids');
  const bos = model['bos_token_id'];
  const contextLength =
    model['context_length'] === undefined
      ? Number.MAX_SAFE_INTEGER
      : positiveInt(model, 'context_length', 'model.context_length');
  const type = model['type'];

  const inputs = decoder['inputs'];
  const outputs = decoder['outputs'];
  if (inputs !== undefined && !isObject(inputs)) throw invalid('model.decoder.inputs', 'an object');
  if (outputs !== undefined && !isObject(outputs)) throw invalid('model.decoder.outputs', 'an object');
  const names: DecoderIoNames = {
    inputIds: name(inputs, 'input_ids', 'model.decoder.inputs.input_ids', BUILDER_IO_NAMES.inputIds, false),
    attentionMask: name(
      inputs,
      'attention_mask',
      'model.decoder.inputs.attention_mask',
      BUILDER_IO_NAMES.attentionMask,
      false,
    ),
    pastKey: name(inputs, 'past_key_names', 'model.decoder.inputs.past_key_names', BUILDER_IO_NAMES.pastKey, true),
    pastValue: name(
      inputs,
      'past_value_names',
      'model.decoder.inputs.past_value_names',
      BUILDER_IO_NAMES.pastValue,
      true,
    ),
    logits: name(outputs, 'logits', 'model.decoder.outputs.logits', BUILDER_IO_NAMES.logits, false),
    presentKey: name(
      outputs,
      'present_key_names',
      'model.decoder.outputs.present_key_names',
      BUILDER_IO_NAMES.presentKey,
      true,
    ),
    presentValue: name(
      outputs,
      'present_value_names',
      'model.decoder.outputs.present_value_names',
      BUILDER_IO_NAMES.presentValue,
      true,
    ),
  };

  const positionIds =
    isObject(inputs) && inputs['position_ids'] !== undefined
      ? name(inputs, 'position_ids', 'model.decoder.inputs.position_ids', BUILDER_POSITION_IDS_NAME, false)
      : null;
  const search = isObject(root) ? root['search'] : undefined;
  const share = isObject(search) ? search['past_present_share_buffer'] : undefined;
  if (share !== undefined && typeof share !== 'boolean') throw invalid('search.past_present_share_buffer', 'a boolean');

  return {
    configPath,
    decoderPath: join(folder, filename),
    type: typeof type === 'string' ? type : 'unknown',
    numHiddenLayers: positiveInt(decoder, 'num_hidden_layers', 'model.decoder.num_hidden_layers'),
    numKeyValueHeads: positiveInt(decoder, 'num_key_value_heads', 'model.decoder.num_key_value_heads'),
    headSize: positiveInt(decoder, 'head_size', 'model.decoder.head_size'),
    vocabSize,
    contextLength,
    bosTokenId: tokenId(bos) ? bos : null,
    eosTokenIds,
    names,
    positionIds,
    pastPresentShareBuffer: share ?? null,
  };
}
