/**
 * Validation of test settings and their conversion to and from the plain object native code
 * reads. The field list and every default come from the native struct itself (LoadGen's
 * TestSettings, read through the addon), so the class, the checks and the conversion cannot drift
 * from LoadGen.
 *
 * @packageDocumentation
 */
import { TestMode, TestScenario, enumValue } from '../enums.js';
import { native, type NativeTestSettings } from '../native.js';
import { codedTypeError, describeValue } from '../../errors.js';

/** How a field travels: its JS type and checks. */
type FieldKind = 'scenario' | 'mode' | 'double' | 'positive' | 'fraction' | 'uint64' | 'seed' | 'bool' | 'int';

/** One field of TestSettings: the Python/JS name, the C++ name, and its kind. */
export interface TestSettingsField {
  readonly name: string;
  readonly native: string;
  readonly kind: FieldKind;
}

/** The two fields whose Python names differ from their C++ names. */
const PYTHON_NAMES: Readonly<Record<string, string>> = {
  server_ttft_latency: 'ttft_latency',
  server_tpot_latency: 'tpot_latency',
};

/** Fields whose checks are narrower than their C++ type says. */
const NARROWER: Readonly<Record<string, FieldKind>> = {
  scenario: 'scenario',
  mode: 'mode',
  single_stream_expected_latency_ns: 'positive',
  single_stream_target_latency_percentile: 'fraction',
  multi_stream_expected_latency_ns: 'positive',
  multi_stream_target_latency_percentile: 'fraction',
  server_target_qps: 'positive',
  server_target_latency_percentile: 'fraction',
  server_find_peak_qps_decimals_of_precision: 'int',
  server_find_peak_qps_boundary_step_size: 'positive',
  offline_expected_qps: 'positive',
};

/** The kind a field's native default implies: bigint for uint64_t, boolean, or number (a double). */
function kindOf(nativeName: string, value: number | bigint | boolean): FieldKind {
  if (typeof value === 'bigint') return nativeName.endsWith('_seed') ? 'seed' : 'uint64';
  return typeof value === 'boolean' ? 'bool' : 'double';
}

/**
 * LoadGen's own defaults (a value-initialised `mlperf::TestSettings`), as native code reports
 * them: the one list of fields, in LoadGen's declaration order.
 */
const NATIVE_DEFAULTS: Readonly<NativeTestSettings> = Object.freeze(native.testSettingsDefaults());

/** Every field of LoadGen's TestSettings, in declaration order, derived from the native struct. */
export const TEST_SETTINGS_FIELDS: readonly TestSettingsField[] = Object.freeze(
  Object.entries(NATIVE_DEFAULTS).map(([nativeName, value]) => ({
    name: PYTHON_NAMES[nativeName] ?? nativeName,
    native: nativeName,
    kind: NARROWER[nativeName] ?? kindOf(nativeName, value),
  })),
);

const UINT64_LIMIT = 1n << 64n;

function invalid(owner: string, name: string, expected: string, value: unknown): TypeError {
  return codedTypeError(
    'ERR_LOADGEN_INVALID_SETTINGS',
    `${owner}.${name} must be ${expected} (got ${describeValue(value)})`,
  );
}

/**
 * Checks a 64-bit unsigned setting and returns it as a bigint.
 * @internal
 */
export function toUint64(value: unknown, owner: string, name: string): bigint {
  if (typeof value === 'bigint') {
    if (value >= 0n && value < UINT64_LIMIT) return value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  const hint = typeof value === 'number' && value < 0 ? ' — durations, counts and latencies cannot be negative' : '';
  throw invalid(owner, name, `a non-negative integer (number or bigint)${hint}`, value);
}

function toNativeField(spec: TestSettingsField, value: unknown, owner: string): number | bigint | boolean {
  switch (spec.kind) {
    case 'scenario': {
      const scenario = enumValue(TestScenario, value);
      if (scenario === undefined)
        throw invalid(owner, spec.name, `a TestScenario (${Object.keys(TestScenario).join(', ')})`, value);
      return scenario;
    }
    case 'mode': {
      const mode = enumValue(TestMode, value);
      if (mode === undefined)
        throw invalid(owner, spec.name, `a TestMode (${Object.keys(TestMode).join(', ')})`, value);
      return mode;
    }
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw invalid(owner, spec.name, 'a finite number ≥ 0', value);
      return value;
    case 'positive':
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
        throw invalid(owner, spec.name, 'a finite number > 0', value);
      return value;
    case 'fraction':
      if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
        throw invalid(owner, spec.name, 'a fraction in (0, 1], e.g. 0.99 for the 99th percentile', value);
      }
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
        throw invalid(owner, spec.name, 'a non-negative 32-bit integer', value);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw invalid(owner, spec.name, 'a boolean', value);
      return value;
    case 'uint64':
    case 'seed':
      return toUint64(value, owner, spec.name);
  }
}

/**
 * Validates settings (a TestSettings or any object with its fields) and converts them to the
 * object native code reads.
 * @throws TypeError with code `ERR_LOADGEN_INVALID_SETTINGS` naming the first bad field
 * @internal
 */
export function toNativeTestSettings(settings: object, owner = 'settings'): NativeTestSettings {
  const source = settings as Record<string, unknown>;
  const result: NativeTestSettings = {};
  for (const spec of TEST_SETTINGS_FIELDS) result[spec.native] = toNativeField(spec, source[spec.name], owner);
  if (result.server_num_issue_query_threads !== 0n) {
    throw invalid(
      owner,
      'server_num_issue_query_threads',
      '0: this binding issues queries from LoadGen’s own thread',
      source.server_num_issue_query_threads,
    );
  }
  if (typeof source.accuracy_log_probability === 'number' && source.accuracy_log_probability > 1) {
    throw invalid(owner, 'accuracy_log_probability', 'a fraction in [0, 1]', source.accuracy_log_probability);
  }
  return result;
}

/**
 * Converts native settings back to TestSettings fields: seeds stay bigints, other 64-bit fields
 * become numbers when they fit exactly.
 * @internal
 */
export function fromNativeTestSettings(nativeSettings: NativeTestSettings): Record<string, number | bigint | boolean> {
  const result: Record<string, number | bigint | boolean> = {};
  for (const spec of TEST_SETTINGS_FIELDS) {
    const value = nativeSettings[spec.native]!;
    result[spec.name] =
      spec.kind === 'uint64' && typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value;
  }
  return result;
}

/** LoadGen's defaults as TestSettings fields (a fresh object each call). */
export function defaultTestSettings(): Record<string, number | bigint | boolean> {
  return fromNativeTestSettings(NATIVE_DEFAULTS);
}
