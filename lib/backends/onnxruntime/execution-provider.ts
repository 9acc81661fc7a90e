/**
 * Creating the onnxruntime session on the requested device, and turning a missing CUDA provider
 * into an actionable error. onnxruntime-node ships the CPU runtime only; its CUDA provider is two
 * extra shared libraries that its install script normally downloads next to the binding.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { BackendError } from '../../errors.js';
import { withoutValueInfo } from '../../onnx/value-info.js';

/** Where the backend runs the model. */
export type Device = 'cpu' | 'cuda';

/** The onnxruntime-node version this backend is built against (provider libraries must match it). */
export const ONNXRUNTIME_VERSION = '1.29.0';

/** The shared libraries onnxruntime loads for its CUDA execution provider. */
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'] as const;

/** The folder of onnxruntime-node's native binding, where it looks for provider libraries. */
export function bindingFolder(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  // The binding lives in bin/napi-v6/<platform>/<arch> of the package (entry: dist/index.js).
  return join(dirname(dirname(entry)), 'bin', 'napi-v6', process.platform, process.arch);
}

/** The ERR_BACKEND_UNAVAILABLE error for a CUDA provider that cannot be loaded. */
export function cudaUnavailableError(detail: string, cause?: unknown): BackendError {
  const folder = bindingFolder();
  const missing = CUDA_PROVIDER_FILES.filter((file) => !existsSync(join(folder, file)));
  const what =
    missing.length > 0
      ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing from ${folder}`
      : `the provider libraries in ${folder} are present, so a CUDA or cuDNN library they depend on is probably missing`;
  return new BackendError(
    'ERR_BACKEND_UNAVAILABLE',
    `onnxruntime: the CUDA execution provider is unavailable (${detail}): ${what}. ` +
      `Run "mlperf-llm setup-cuda" (CUDA 13, driver >= 580) or "mlperf-llm setup-cuda --cuda 12" (driver >= 525): it installs ${CUDA_PROVIDER_FILES.join(' and ')} of onnxruntime ${ONNXRUNTIME_VERSION} into ${folder}; ` +
      `then "mlperf-llm doctor" names any CUDA or cuDNN library missing from LD_LIBRARY_PATH and the pip command that brings it. Or use device 'cpu'.`,
    { cause },
  );
}

/** Whether an onnxruntime error says a provider's shared library could not be loaded. */
function isProviderLoadFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /failed to load (shared )?library|cannot open shared object|providers_(cuda|shared)|libcu(dart|blas|dnn)/i.test(
    message,
  );
}

/**
 * Throws ERR_BACKEND_UNAVAILABLE when the device cannot work here: for CUDA, a platform other than
 * linux/x64 or provider libraries missing from the binding folder (checked before asking
 * onnxruntime, which otherwise logs its own loader errors first).
 */
export function assertDeviceAvailable(device: Device): void {
  if (device !== 'cuda') return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `onnxruntime: device 'cuda' is supported on linux/x64 only (this is ${process.platform}/${process.arch}); use device 'cpu'`,
    );
  }
  const folder = bindingFolder();
  if (CUDA_PROVIDER_FILES.some((file) => !existsSync(join(folder, file))))
    throw cudaUnavailableError('provider libraries not installed');
}

/** Session options beyond the device. */
export interface SessionSettings {
  device: Device;
  /** CUDA device ordinal. Default 0. */
  deviceId?: number;
  /** Threads inside one operator (CPU). Default: onnxruntime's choice (physical cores). */
  intraOpNumThreads?: number;
  /**
   * Load the model without its shape hints (GraphProto.value_info): the file is read, stripped in
   * memory and handed to onnxruntime as bytes, its external data still read from the model's
   * folder. Needed by the builder's MultiHeadAttention exports (lib/onnx/value-info.ts).
   */
  withoutShapeHints?: boolean;
}

/**
 * Opens `modelPath` on the device. onnxruntime failing to load the CUDA provider (its libraries or
 * theirs missing) becomes ERR_BACKEND_UNAVAILABLE; any other failure to load becomes
 * ERR_BACKEND_MODEL. Call {@link assertDeviceAvailable} first to fail fast without onnxruntime's
 * own loader messages on stderr.
 */
export async function openSession(modelPath: string, settings: SessionSettings): Promise<InferenceSession> {
  const options: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(settings.intraOpNumThreads !== undefined ? { intraOpNumThreads: settings.intraOpNumThreads } : {}),
  };
  if (settings.device === 'cuda') {
    options.executionProviders = [{ name: 'cuda', deviceId: settings.deviceId ?? 0 }];
  } else {
    options.executionProviders = ['cpu'];
  }
  try {
    if (settings.withoutShapeHints !== true) return await InferenceSession.create(modelPath, options);
    const { bytes } = withoutValueInfo(await readFile(modelPath));
    // From bytes, onnxruntime resolves external data (model.onnx.data) against this folder.
    options.extra = { session: { model_external_initializers_file_folder_path: dirname(modelPath) } };
    return await InferenceSession.create(bytes, options);
  } catch (error) {
    if (settings.device === 'cuda' && isProviderLoadFailure(error))
      throw cudaUnavailableError((error as Error).message, error);
    // TensorProto.DataType 16: onnxruntime-node opens the session, then finds no JS tensor type
    // for the bfloat16 inputs and outputs (a model builder -p bf16 export).
    if (/Unsupported data type: 16\b/.test((error as Error).message)) {
      throw new BackendError(
        'ERR_BACKEND_MODEL',
        `onnxruntime: ${modelPath} has bfloat16 inputs or outputs, which onnxruntime-node's JavaScript API cannot hold; ` +
          `run it with the native engine (--engine native --device cuda), or export a float16 or float32 model (model builder -p fp16 or -p fp32)`,
        { cause: error },
      );
    }
    throw new BackendError(
      'ERR_BACKEND_MODEL',
      `onnxruntime: cannot load ${modelPath}: ${(error as Error).message}; check that the file is a complete ONNX model (re-export or re-download it)`,
      { cause: error },
    );
  }
}
