/**
 * The compiled addon and the exact shape of what it exports. Everything above this module talks
 * to LoadGen only through {@link native}.
 *
 * @packageDocumentation
 */
import { isInstalledCopy, packageRoot } from '../package-paths.js';
import type { NativeEngineBinding } from '../backends/engine/native-engine.js';
import { type AddonFile, loadAddon } from './addon-loader.js';

/** TestSettings as native code reads and writes them: C++ field names, uint64 fields as bigint. */
export interface NativeTestSettings {
  [field: string]: number | bigint | boolean;
}

/** LogSettings as native code reads and writes them (C++ field names). */
export interface NativeLogSettings {
  log_output: {
    outdir: string;
    prefix: string;
    suffix: string;
    prefix_with_datetime: boolean;
    copy_detail_to_stdout: boolean;
    copy_summary_to_stdout: boolean;
  };
  log_mode: number;
  log_mode_async_poll_interval_ms: bigint;
  enable_trace: boolean;
}

/** What a finished test reports besides LoadGen's own logs. */
export interface RunStats {
  /** True when the run was ended early (signal, failing callback, shutdown). */
  aborted: boolean;
  /** Why it was ended early, or null. */
  abortReason: string | null;
  /** How many issueQuery deliveries JS received (bursts of queries are coalesced into one). */
  batchesDelivered: number;
  /** Samples delivered to JS. */
  samplesDelivered: number;
  /** Samples JS completed. */
  samplesCompleted: number;
  /** Samples the binding completed itself with empty responses after the run was aborted. */
  samplesDrained: number;
  /** Completions JS sent for samples the binding had already drained (ignored). */
  lateCompletions: number;
}

/** Configuration of one native test run (read by native/start_config.cc; see docs/design.md). */
export interface NativeStartConfig {
  sutName: string;
  qslName: string;
  totalSampleCount: number;
  performanceSampleCount: number;
  settings: NativeTestSettings;
  logSettings: NativeLogSettings;
  auditConfig: string;
  /** Busy-poll window of the LoadGen/JS hand-off in nanoseconds (0 disables); see native/spin_wait.h. */
  busyPollNs?: number;
  /** `querySizes` splits the samples into LoadGen's queries; absent when they are one query. */
  onIssue(ids: Float64Array, indices: Uint32Array, querySizes?: Uint32Array): void;
  onFlush(): void;
  onQslRequest(kind: 'load' | 'unload', seq: number, indices: Uint32Array): void;
}

/** Everything the addon exports (the generation engine's export is typed in lib/backends/engine/). */
export interface NativeBinding extends NativeEngineBinding {
  readonly loadgenVersion: string;
  startTest(config: NativeStartConfig): Promise<RunStats>;
  abortTest(reason: string, waitForLoadgen?: boolean): boolean;
  settleQslRequest(seq: number): void;
  completeSamples(
    ids: Float64Array,
    data: ArrayBufferView | null,
    offsets: Uint32Array | null,
    nTokens: Int32Array | null,
    count?: number,
  ): number;
  completeFirstTokens(
    ids: Float64Array,
    data: ArrayBufferView | null,
    offsets: Uint32Array | null,
    count?: number,
  ): number;
  testSettingsDefaults(): NativeTestSettings;
  logSettingsDefaults(): NativeLogSettings;
  testSettingsFromConfig(
    settings: NativeTestSettings,
    path: string,
    model: string,
    scenario: string,
    confType: number,
  ): { status: number; settings: NativeTestSettings };
}

/** The functions and values every current addon exports; an addon lacking one is stale. */
const REQUIRED_EXPORTS: ReadonlyArray<keyof NativeBinding> = [
  'loadgenVersion',
  'startTest',
  'abortTest',
  'settleQslRequest',
  'completeSamples',
  'completeFirstTokens',
  'testSettingsDefaults',
  'logSettingsDefaults',
  'testSettingsFromConfig',
  'createEngine',
];

const loaded = loadAddon<NativeBinding>(packageRoot, isInstalledCopy, REQUIRED_EXPORTS);

/** The loaded addon. */
export const native: NativeBinding = loaded.binding;

/** Which file the addon was loaded from: a shipped prebuild or a source build. */
export const addonFile: AddonFile = Object.freeze({ path: loaded.path, kind: loaded.kind });
