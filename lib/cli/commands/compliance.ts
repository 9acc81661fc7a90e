/**
 * `mlperf-llm compliance TEST06`: MLPerf's TEST06 for Llama-3.1-8B. It runs the benchmark (any
 * `run` flag but --mode) with TEST06's audit settings handed to LoadGen, verifies the logs and
 * writes verify_accuracy.txt beside them; `--verify <dir>` verifies a finished run's folder.
 *
 * @packageDocumentation
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { TEST06_AUDIT_SETTINGS, writeScratchTest06AuditConfig } from '../../compliance/test06-audit.js';
import {
  checkTest06Options,
  formatTest06Verification,
  verifyTest06,
  writeTest06Verification,
  type Test06Verification,
} from '../../compliance/test06-verify.js';
import { formatRunResult, readRunResult, writeRunResult, type RunResult } from '../../report/run-result.js';
import { defaultOutputDir } from '../defaults.js';
import { EXIT_CODES } from '../exit-codes.js';
import { runFlags, type RunArgs } from '../run-flags.js';
import { executeRun } from '../run-session.js';

interface ComplianceArgs extends RunArgs {
  test: 'TEST06';
  verify?: string;
  'eos-token-id'?: number[];
}

function builder(yargs: Argv): Argv<ComplianceArgs> {
  return runFlags(
    yargs
      .positional('test', { choices: ['TEST06'] as const, demandOption: true, describe: 'the compliance test' })
      .option('verify', {
        type: 'string',
        describe:
          'verify the logs in this folder instead of running (verify_accuracy.txt goes there, or to --output-dir)',
      })
      .option('eos-token-id', {
        type: 'number',
        array: true,
        describe: "end-of-sequence ids of the check (default Llama-3.1's: 128001 128008 128009)",
      })
      .epilogue(
        'TEST06 passes when every logged output starts with its first-token record (not Offline), holds no EOS ' +
          'but possibly as its last token, and has as many tokens as reported and at most --max-new-tokens. ' +
          `Exit codes: ${EXIT_CODES.ok} pass, ${EXIT_CODES.complianceFailed} a check failed (verify_accuracy.txt names ` +
          `the samples), ${EXIT_CODES.failed} an error (e.g. the folder is not a TEST06 run's).`,
      ),
    { withMode: false, outputDirDefault: 'results/<scenario>-TEST06-<timestamp>/' },
  ) as unknown as Argv<ComplianceArgs>;
}

/** Prints the verification and sets the exit code. */
function report(verification: Test06Verification, path: string): void {
  console.log(formatTest06Verification(verification).trimEnd());
  console.log(`wrote ${path}`);
  console.log(verification.passed ? 'TEST06: PASS' : 'TEST06: FAIL');
  process.exitCode = verification.passed ? EXIT_CODES.ok : EXIT_CODES.complianceFailed;
}

/** Records the verification in result.json (the `compliance` and `test06` fields) in `dir`, the run's log folder. */
function recordIn(result: RunResult, dir: string, verification: Test06Verification): void {
  result.compliance = 'TEST06';
  result.test06 = verification;
  // A copied folder's result.json names the original one: the logs verified are these.
  result.logDir = resolve(dir);
  // The audit config overrode these after the user.conf; the table shows them last, as LoadGen applied them.
  const sources = { ...result.settingSources };
  for (const [key, value] of Object.entries(TEST06_AUDIT_SETTINGS))
    sources[key] = { value: String(value), source: 'TEST06 audit.config, applied by LoadGen over user.conf' };
  result.settingSources = sources;
  writeRunResult(result);
}

/** `--verify <dir>`: checks a finished run's logs; result.json beside them is updated when the file goes there too. */
function verifyFolder(args: ComplianceArgs, dir: string): void {
  const options = { eosTokenIds: args['eos-token-id'], maxOutputTokens: args['max-new-tokens'] };
  const verification = verifyTest06(dir, options);
  const outputDir = args['output-dir'] ?? dir;
  mkdirSync(outputDir, { recursive: true });
  const path = writeTest06Verification(outputDir, verification);
  if (resolve(outputDir) === resolve(dir) && existsSync(resolve(dir, 'result.json')))
    recordIn(readRunResult(dir), dir, verification);
  report(verification, path);
}

async function handler(args: ComplianceArgs): Promise<void> {
  if (args.verify !== undefined) {
    verifyFolder(args, args.verify);
    return;
  }
  const options = { eosTokenIds: args['eos-token-id'], maxOutputTokens: args['max-new-tokens'] };
  checkTest06Options(options);
  const outputDir = args['output-dir'] ?? defaultOutputDir(args.scenario, 'TEST06');
  // Handed to LoadGen by path from a scratch folder: neither the working folder nor the output
  // folder is left with an audit.config, and a stray ./audit.config is not read.
  const audit = writeScratchTest06AuditConfig();
  let result: RunResult | undefined;
  try {
    result = await executeRun(args, { mode: 'performance', outputDir, auditConfig: audit.path });
  } finally {
    audit.remove();
  }
  if (result === undefined) return;
  const verification = verifyTest06(result.logDir, options);
  const path = writeTest06Verification(result.logDir, verification);
  recordIn(result, result.logDir, verification);
  console.log(formatRunResult(result));
  if (result.validity === 'INVALID') {
    console.log(
      'note: LoadGen judged this 100-query performance run INVALID; TEST06 checks the logged outputs only, so that does not fail it',
    );
  }
  report(verification, path);
}

export const complianceCommand: CommandModule<object, ComplianceArgs> = {
  command: 'compliance <test>',
  describe: "Run and verify an MLPerf compliance test (TEST06: the outputs' first token, EOS and length)",
  builder,
  handler,
};
