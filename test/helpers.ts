// Shared pieces of the tests: temporary folders, short settings per scenario, and a null SUT
// whose responses encode the sample index so accuracy logs can be checked byte for byte.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, FinishReason, GenerationRequest } from '../lib/backends/backend.js';
import { completeSamples } from '../lib/loadgen/completion.js';
import type { TestModeName, TestScenarioName } from '../lib/loadgen/enums.js';
import type { TestSettingsInit } from '../lib/loadgen/settings/init.js';

export const SCENARIOS: readonly TestScenarioName[] = ['SingleStream', 'MultiStream', 'Server', 'Offline'];

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `loadgen-${name}-`));
}

/** Settings for a run of a fraction of a second that a null SUT passes as VALID. */
export function quickSettings(scenario: TestScenarioName, mode: TestModeName, minDurationMs = 300): TestSettingsInit {
  const base: TestSettingsInit = { scenario, mode, minDurationMs, minQueryCount: 100 };
  switch (scenario) {
    case 'SingleStream':
      // Below any real null-SUT latency: LoadGen generates min_duration / this many queries and
      // a run that uses them up before the minimum duration is INVALID (a fast, idle machine did).
      return { ...base, singleStreamExpectedLatencyNs: 1_000 };
    case 'MultiStream':
      // LoadGen's early stopping for MultiStream's 99th percentile needs at least 662 queries; a
      // busy machine may not reach them within the minimum duration, so ask for them outright.
      return { ...base, multiStreamExpectedLatencyNs: 5_000, minQueryCount: 700 };
    case 'Server':
      // A generous latency bound and the ~460 queries early stopping needs at the 99th percentile:
      // a null SUT on a busy machine can be starved for a tenth of a second, and that is no failure.
      return { ...base, serverTargetQps: 2000, serverTargetLatencyNs: 5_000_000_000, minQueryCount: 600 };
    case 'Offline':
      return { ...base, offlineExpectedQps: 2000 };
  }
}

/** The bytes the null SUT answers sample `index` with: two int32s. */
export function responseFor(index: number): Buffer {
  return Buffer.from(new Int32Array([index, index ^ 0x5a5a]).buffer);
}

/** Packs the responses for a batch of samples into one buffer plus offsets. */
export function packResponses(indices: Uint32Array): { data: Int32Array; offsets: Uint32Array } {
  const data = new Int32Array(indices.length * 2);
  const offsets = new Uint32Array(indices.length + 1);
  for (let i = 0; i < indices.length; i++) {
    data[2 * i] = indices[i]!;
    data[2 * i + 1] = indices[i]! ^ 0x5a5a;
    offsets[i + 1] = (i + 1) * 8;
  }
  return { data, offsets };
}

/**
 * A SUT that answers every sample with {@link responseFor}. Offline answers after `delayMs`, so
 * the run lasts its minimum duration (a null SUT finishing at once is INVALID there).
 */
export function nullSut(delayMs = 0): { issueQuery(ids: Float64Array, indices: Uint32Array): void } {
  return {
    issueQuery(ids, indices) {
      const { data, offsets } = packResponses(indices);
      if (delayMs > 0) setTimeout(() => completeSamples(ids, data, offsets), delayMs);
      else completeSamples(ids, data, offsets);
    },
  };
}

/** A request as the tests name them: by a key of their own. */
export interface KeyedRequest {
  key: number;
  prompt: Int32Array;
  maxNewTokens: number;
  sampleIndex: number;
}

/** Receives the events of keyed requests. */
export interface KeyedListener {
  onTokens(key: number, tokens: Int32Array): void;
  onComplete(key: number, tokens: Int32Array, reason: FinishReason): void;
}

/**
 * Runs keyed requests on a backend and settles when every one has ended: resolves when all
 * completed, rejects with the first error (later events of the call are then not passed on).
 */
export function generateAll(
  backend: Backend,
  requests: readonly KeyedRequest[],
  listener: KeyedListener,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let open = requests.length;
    let failed = false;
    if (open === 0) return resolve();
    const ended = (): void => {
      if (--open === 0 && !failed) resolve();
    };
    backend.generate(
      requests.map((request): GenerationRequest => ({
        prompt: request.prompt,
        maxNewTokens: request.maxNewTokens,
        sampleIndex: request.sampleIndex,
        events: {
          onTokens: (tokens) => {
            if (!failed) listener.onTokens(request.key, tokens.slice());
          },
          onComplete: (tokens, reason) => {
            if (!failed) listener.onComplete(request.key, tokens, reason);
            ended();
          },
          onError: (error) => {
            if (!failed) reject(error);
            failed = true;
            ended();
          },
        },
      })),
      signal,
    );
  });
}

/** Prompts of the tiny-model decoding tests: BOS alone, short and longer ones, of different lengths. */
export const TINY_PROMPTS: readonly Int32Array[] = [
  [128000, 791, 4062, 14198],
  [128000],
  [128000, 40, 1093, 311, 1373, 264, 2363, 11, 323, 1243, 358, 3287, 433],
  [
    128000, 3923, 374, 279, 7438, 315, 2324, 30, 578, 4320, 374, 220, 2983, 13, 1102, 596, 264, 3187, 315, 9660, 323,
    13533,
  ],
  [128000, 9906, 1917],
].map((p) => Int32Array.from(p));
