/**
 * `mlperf-llm run`: one benchmark run; with no arguments, Offline on the embedded tiny model and
 * the shipped sample articles.
 *
 * @packageDocumentation
 */
import type { CommandModule } from 'yargs';
import { formatRunResult } from '../../report/run-result.js';
import { defaultOutputDir } from '../defaults.js';
import { runExitCode } from '../exit-codes.js';
import { runFlags, type RunArgs } from '../run-flags.js';
import { executeRun } from '../run-session.js';

async function handler(args: RunArgs): Promise<void> {
  const mode = args.mode ?? 'performance';
  const result = await executeRun(args, {
    mode,
    outputDir: args['output-dir'] ?? defaultOutputDir(args.scenario, mode),
  });
  if (result === undefined) return;
  console.log(formatRunResult(result));
  if (result.requestedMode !== undefined) {
    console.error(
      `mlperf-llm: warning: asked for --mode ${result.requestedMode}, but LoadGen ran ${result.loadgenMode ?? result.mode}` +
        `${result.auditConfig ? ` (it applied ${result.auditConfig})` : ''}; result.json records the run as ${result.mode}`,
    );
  }
  process.exitCode = runExitCode(result);
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run the benchmark (no arguments: Offline on the embedded tiny model and sample articles)',
  builder: (yargs) => runFlags(yargs, { withMode: true, outputDirDefault: 'results/<scenario>-<mode>-<timestamp>/' }),
  handler,
};
