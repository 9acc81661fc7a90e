/**
 * `mlperf-llm submission`: lays out an MLPerf closed-division submission tree from the folders of
 * performance, accuracy and TEST06 runs (see lib/submission/tree.ts for what it checks and writes).
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { writeSubmissionTree } from '../../submission/tree.js';

interface SubmissionArgs {
  system: string;
  from: string[];
  output: string;
  submitter?: string;
  division: 'closed';
  measurements?: string;
}

function handler(args: SubmissionArgs): void {
  const tree = writeSubmissionTree({
    system: args.system,
    from: args.from,
    output: args.output,
    submitter: args.submitter,
    division: args.division,
    measurements: args.measurements,
  });
  for (const warning of tree.warnings) console.error(`mlperf-llm: warning: ${warning}`);
  for (const dir of tree.scenarioDirs) console.log(`wrote ${dir}`);
  console.log(
    `submission tree in ${tree.root}; check it with MLPerf's checker: ` +
      `python3 tools/submission/submission_checker/main.py --input ${tree.root} --version v6.1`,
  );
}

export const submissionCommand: CommandModule<object, SubmissionArgs> = {
  command: 'submission',
  describe: 'Lay out a closed-division submission tree from performance, accuracy and TEST06 run folders',
  builder: (yargs) =>
    yargs
      .option('system', {
        type: 'string',
        demandOption: true,
        describe: 'the system description JSON; its file name (without .json) names the system in the tree',
      })
      .option('from', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'run folders of "mlperf-llm run" (performance, accuracy) and "mlperf-llm compliance TEST06"',
      })
      .option('output', {
        type: 'string',
        demandOption: true,
        describe: "the submission folder to create (the checker's --input); must not exist or be empty",
      })
      .option('submitter', {
        type: 'string',
        describe: "the submitter folder name (default: the system description's submitter)",
      })
      .option('division', { choices: ['closed'] as const, default: 'closed' as const, describe: 'MLPerf division' })
      .option('measurements', {
        type: 'string',
        describe:
          'a JSON file with starting_weights_filename, weight_data_types, weight_transformations (and optionally input_data_types, retraining) for measurements.json',
      }) as unknown as Argv<SubmissionArgs>,
  handler,
};
