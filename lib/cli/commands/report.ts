/**
 * `mlperf-llm report`: prints a finished run's table again (or its result.json), or writes its
 * HTML report (`--html`; with several folders, also a page comparing them).
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { formatRunResult, readRunResult } from '../../report/run-result.js';
import { writeHtmlReports } from '../../report/html/index.js';

interface ReportArgs {
  dir: string[];
  json: boolean;
  html: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir..>',
  describe: 'Print the results of a run folder again',
  builder: (yargs) =>
    yargs
      .positional('dir', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'one or more folders written by "mlperf-llm run"',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print result.json instead of the table',
      })
      .option('html', {
        type: 'boolean',
        default: false,
        describe: 'write report.html into each folder (charts, settings); with several folders also compare.html',
      }) as unknown as Argv<ReportArgs>,
  handler: (args) => {
    if (args.html) {
      const { pages, compare } = writeHtmlReports(args.dir);
      for (const page of pages) console.log(`wrote ${page}`);
      if (compare) console.log(`wrote ${compare} (the runs side by side)`);
      return;
    }
    for (const dir of args.dir) {
      const result = readRunResult(dir);
      console.log(args.json ? JSON.stringify(result, null, 2) : formatRunResult(result));
    }
  },
};
