/**
 * LoadGen's enums, with the names and values of the Python binding (`lg.TestScenario.Server`).
 *
 * @packageDocumentation
 */

/** The four LoadGen scenarios (values match `mlperf::TestScenario`). */
export const TestScenario = Object.freeze({ SingleStream: 0, MultiStream: 1, Server: 2, Offline: 3 } as const);
/** A LoadGen scenario: one of the values of {@link TestScenario}. */
export type TestScenario = (typeof TestScenario)[keyof typeof TestScenario];

/** What a test measures (values match `mlperf::TestMode`). */
export const TestMode = Object.freeze({
  SubmissionRun: 0,
  AccuracyOnly: 1,
  PerformanceOnly: 2,
  FindPeakPerformance: 3,
} as const);
/** A LoadGen test mode: one of the values of {@link TestMode}. */
export type TestMode = (typeof TestMode)[keyof typeof TestMode];

/** How LoadGen writes its logs (values match `mlperf::LoggingMode`; LoadGen implements AsyncPoll only). */
export const LoggingMode = Object.freeze({ AsyncPoll: 0, EndOfTestOnly: 1, Synchronous: 2 } as const);
/** A LoadGen logging mode: one of the values of {@link LoggingMode}. */
export type LoggingMode = (typeof LoggingMode)[keyof typeof LoggingMode];

/** Names of the scenarios, in LoadGen's spelling (as used in config files). */
export type TestScenarioName = keyof typeof TestScenario;
/** Names of the test modes. */
export type TestModeName = keyof typeof TestMode;
/** Names of the logging modes. */
export type LoggingModeName = keyof typeof LoggingMode;

/** LoadGen's name for a scenario value, as `FromConfig` and config files spell it. */
export function scenarioName(value: TestScenario): TestScenarioName {
  return (Object.keys(TestScenario) as TestScenarioName[]).find((name) => TestScenario[name] === value)!;
}

/**
 * Reads an enum given as its value or its name; returns undefined when it is neither.
 * @internal
 */
export function enumValue<T extends Record<string, number>>(table: T, value: unknown): T[keyof T] | undefined {
  if (typeof value === 'number' && Object.values(table).includes(value)) return value as T[keyof T];
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(table, value)) return table[value as keyof T];
  return undefined;
}
