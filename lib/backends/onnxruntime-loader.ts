/**
 * Loads the onnxruntime backend on first use, so that importing this package (for LoadGen alone,
 * or with another backend) does not load onnxruntime-node's large native library.
 *
 * @packageDocumentation
 */
import type { OnnxRuntimeBackend, OnnxRuntimeBackendOptions } from './onnxruntime/index.js';
import { BackendError } from '../errors.js';

export type { OnnxRuntimeBackend, OnnxRuntimeBackendOptions } from './onnxruntime/index.js';

/** Creates the onnxruntime backend (see lib/backends/onnxruntime/). */
export async function createOnnxRuntimeBackend(options: OnnxRuntimeBackendOptions): Promise<OnnxRuntimeBackend> {
  let module: typeof import('./onnxruntime/index.js');
  try {
    module = await import('./onnxruntime/index.js');
  } catch (error) {
    throw new BackendError(
      'ERR_BACKEND_UNAVAILABLE',
      `onnxruntime-node could not be loaded (${(error as Error).message}); install it next to this package (npm install onnxruntime-node@1.29.0)`,
      { cause: error },
    );
  }
  return module.createOnnxRuntimeBackend(options);
}
