/**
 * The one line that says what the native engine settled on when it loaded: slots, maxLength,
 * where the KV cache lives and how much memory it takes, and what was free.
 *
 * @packageDocumentation
 */
import type { NativeEngineInfo } from './native-engine.js';

/** Bytes in the largest binary unit that keeps the figure at 1 or more (tiny models: KiB). */
function size(bytes: number): string {
  for (const [unit, scale] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
  ] as const)
    if (bytes >= scale) return `${(bytes / scale).toFixed(1)} ${unit}`;
  return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

/** E.g. "engine on cuda:0 (ONNX Runtime 1.29.0): 256 slots of maxLength 1128 tokens, …". */
export function describeEngineSetup(info: NativeEngineInfo): string {
  const device = info.device === 'cuda' ? `cuda:${info.deviceId}` : 'cpu';
  const slots =
    info.slots < info.requestedSlots
      ? `${info.slots} slots (maxConcurrency asked for ${info.requestedSlots}; ${info.fitSlots} fit)`
      : `${info.slots} slot${info.slots === 1 ? '' : 's'}`;
  const where =
    info.kvLocation === 'cuda'
      ? 'on the device'
      : info.device === 'cuda'
        ? 'on the host (this export runs its attention on the CPU: exact but slow)'
        : 'in host memory';
  return (
    `engine on ${device} (ONNX Runtime ${info.runtimeVersion}): ${slots} of maxLength ${info.maxLength} tokens, ` +
    `${size(info.kvCacheBytes)} of ${info.kvType} KV cache ${where} (${size(info.bytesPerSlot)} a slot); ` +
    `${size(info.freeBytes)} of ${size(info.totalBytes)} ${info.kvLocation === 'cuda' ? 'device' : 'host'} memory was free after the model, ` +
    `${size(info.reserveBytes)} kept for logits and workspace` +
    (info.device === 'cuda' ? `; CUDA graphs ${info.cudaGraph ? 'on' : 'off'}` : '')
  );
}
