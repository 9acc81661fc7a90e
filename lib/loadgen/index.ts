/**
 * The LoadGen binding: LoadGen's Python API by its Python names, plus {@link runTest}.
 *
 * @packageDocumentation
 */
import { native } from './native.js';

export { addonFile } from './native.js';
export type { AddonFile, AddonKind } from './addon-loader.js';

export { TestScenario, TestMode, LoggingMode, scenarioName } from './enums.js';
export type { TestScenarioName, TestModeName, LoggingModeName } from './enums.js';
export { TestSettings, ConfigType, testSettingsFieldNames } from './settings/test-settings.js';
export { LogSettings, LogOutputSettings } from './settings/log-settings.js';
export { QuerySample, QuerySampleResponse } from './samples.js';
export { QuerySamplesComplete, FirstTokenComplete, completeSamples, completeFirstTokens } from './completion.js';
export type { ResponseLike } from './completion.js';
export {
  ConstructSUT,
  ConstructFastSUT,
  ConstructQSL,
  DestroySUT,
  DestroyFastSUT,
  DestroyQSL,
  StartTest,
  StartTestWithLogSettings,
  SUTHandle,
  QSLHandle,
} from './python-api.js';
export type { MaybePromise } from './python-api.js';
export { runTest } from './run-test.js';
export type {
  RunTestOptions,
  RunTestResult,
  SystemUnderTest,
  QuerySampleLibrary,
  LogFiles,
  TestControl,
} from './run-test.js';
export type { TestSettingsInit, LogOptions, SnakeToCamel } from './settings/init.js';
export type { RunStats } from './test-execution.js';
export { LoadgenError, CodedError, ERROR_CODES, type ErrorCode } from '../errors.js';
export { diagnoseConfigFile } from './settings/config-file.js';
export type { ConfigProblem } from './settings/config-file.js';

/** The version of the LoadGen this addon was built from (e.g. "6.0.17"). */
export const loadgenVersion: string = native.loadgenVersion;
