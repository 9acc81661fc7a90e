/**
 * Writes a Llama decoder as a model folder in the onnxruntime-genai builder layout:
 * `model.onnx` and `genai_config.json`, each replaced atomically.
 *
 * @packageDocumentation
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { genaiConfigFor, genaiConfigText } from './genai-config.js';
import type { LlamaArchitecture } from './llama-architecture.js';
import { buildLlamaOnnx, type LlamaOnnxOptions } from './llama-onnx.js';
import type { LlamaWeights } from './llama-weights.js';
import { encodeModel } from '../onnx/onnx-proto.js';
import { GENAI_CONFIG_FILE } from '../genai-layout.js';

/** File names inside a model folder. */
export const MODEL_FOLDER_FILES = {
  model: 'model.onnx',
  config: GENAI_CONFIG_FILE,
} as const;

/** The files of a model folder, in memory. */
export interface ModelFolderFiles {
  model: Uint8Array;
  config: string;
}

/** Serializes `arch` with `weights` to model.onnx bytes and genai_config.json text. */
export function llamaModelFiles(
  arch: LlamaArchitecture,
  weights: LlamaWeights,
  options: LlamaOnnxOptions,
): ModelFolderFiles {
  return {
    model: encodeModel(buildLlamaOnnx(arch, weights, options)).toBytes(),
    config: genaiConfigText(
      genaiConfigFor(
        arch,
        MODEL_FOLDER_FILES.model,
        options.attention === 'group-query-attention',
        options.attention === 'multi-head-attention',
      ),
    ),
  };
}

/** Writes `data` to `path` through a temporary file and a rename, so readers never see a partial file. */
export async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes `files` into `dir` (created if needed) and returns the folder's absolute path. */
export async function writeModelFolder(dir: string, files: ModelFolderFiles): Promise<string> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  await writeAtomically(join(folder, MODEL_FOLDER_FILES.model), files.model);
  await writeAtomically(join(folder, MODEL_FOLDER_FILES.config), files.config);
  return folder;
}
