/**
 * Where the engine finds ONNX Runtime: the libonnxruntime.so.1 that onnxruntime-node ships, so
 * the engine and onnxruntime-node share one runtime in the process. Resolved without importing
 * onnxruntime-node (which would load its own binding).
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendError } from '../../errors.js';

/** The runtime's file name inside onnxruntime-node's binding folder (Linux). */
export const RUNTIME_FILE = 'libonnxruntime.so.1';

/** The onnxruntime-node version whose runtime (C API 27 or newer) the engine is tested with. */
export const ENGINE_ONNXRUNTIME_VERSION = '1.29.0';

/**
 * The path of onnxruntime-node's libonnxruntime.so.1. Throws ERR_BACKEND_UNAVAILABLE when
 * onnxruntime-node is not installed, the platform has no such file, or it is missing.
 */
export function defaultRuntimePath(): string {
  if (process.platform !== 'linux') {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `engine: runs on Linux only (this is ${process.platform}/${process.arch}); use the onnxruntime backend's JS path`,
    );
  }
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  } catch (error) {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `engine: onnxruntime-node is not installed, and the engine uses its ONNX Runtime; install it next to this package (npm install onnxruntime-node@${ENGINE_ONNXRUNTIME_VERSION}) or pass runtimePath`,
      { cause: error },
    );
  }
  // The binding lives in bin/napi-v6/<platform>/<arch> of the package (entry: dist/index.js).
  const path = join(dirname(dirname(entry)), 'bin', 'napi-v6', process.platform, process.arch, RUNTIME_FILE);
  if (!existsSync(path)) {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `engine: ${path} is missing; reinstall onnxruntime-node@${ENGINE_ONNXRUNTIME_VERSION} or pass runtimePath`,
    );
  }
  return path;
}
