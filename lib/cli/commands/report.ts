/**
 * `mlperf-llm report`: prints a finished run's table again (or its result.json).
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { formatRunResult, readRunResult } from '../../report/run-result.js';

interface ReportArgs {
  dir: string;
  json: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir>',
  describe: 'Print the results of a run folder again',
  builder: (yargs) =>
    yargs
      .positional('dir', { type: 'string', demandOption: true, describe: 'a folder written by "mlperf-llm run"' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print result.json instead of the table',
      }) as unknown as Argv<ReportArgs>,
  handler: (args) => {
    const result = readRunResult(args.dir);
    console.log(args.json ? JSON.stringify(result, null, 2) : formatRunResult(result));
  },
};
