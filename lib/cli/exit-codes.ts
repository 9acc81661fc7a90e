/**
 * The exit codes of `mlperf-llm`, in one place (the README's CLI section lists them).
 *
 * @packageDocumentation
 */
import type { RunResult } from '../report/run-result.js';

/** What each exit code means. */
export const EXIT_CODES = Object.freeze({
  /** The run is VALID (and, for accuracy runs against a target, it passed). */
  ok: 0,
  /** An error: the message on stderr names it and the fix. */
  failed: 1,
  /** The command line is wrong (an unknown flag or value). */
  usage: 2,
  /** The accuracy target was not met (run --mode accuracy|submission, evaluate). */
  accuracyFailed: 3,
  /** LoadGen judged the performance run INVALID; the table says why and which flag fixes it. */
  invalid: 4,
  /** `evaluate` read the logs of an aborted run: complete, but no result (samples answered empty at the abort). */
  aborted: 5,
  /** `compliance TEST06`: a check failed; verify_accuracy.txt and the output name the samples. */
  complianceFailed: 6,
  /** Interrupted by Ctrl-C (SIGINT, 128 + 2); the logs are complete and record the abort. */
  interrupted: 130,
  /** Ended by SIGTERM (128 + 15), as Slurm and Kubernetes stop jobs; the logs are complete. */
  terminated: 143,
} as const);

/** The exit code a finished run deserves. */
export function runExitCode(result: RunResult): number {
  if (result.validity === 'INVALID') return EXIT_CODES.invalid;
  if (result.accuracy?.passed === false) return EXIT_CODES.accuracyFailed;
  return EXIT_CODES.ok;
}
