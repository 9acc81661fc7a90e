/**
 * The `mlperf-llm` command line: its commands, and how failures are printed. `main.ts` is the
 * executable that runs it.
 *
 * @packageDocumentation
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { complianceCommand } from './commands/compliance.js';
import { doctorCommand } from './commands/doctor.js';
import { evaluateCommand } from './commands/evaluate.js';
import { prepareDatasetCommand } from './commands/prepare-dataset.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { isCoded } from '../errors.js';
import { loadgenVersion } from '../loadgen/index.js';
import { packageVersion } from '../package-paths.js';
import { setupCudaCommand } from './commands/setup-cuda.js';

/** Prints a known failure as one line (its message names the fix); anything else with its stack. */
function reportFailure(error: unknown): never {
  if (isCoded(error) || error instanceof TypeError) {
    console.error(`mlperf-llm: ${(error as Error).message.split('\n')[0]}`);
  } else {
    console.error(error);
  }
  process.exit(1);
}

/** Runs the command line given as `argv` (process.argv's shape); exits the process on failure. */
export async function runProgram(argv: readonly string[]): Promise<void> {
  try {
    await yargs(hideBin([...argv]))
      .scriptName('mlperf-llm')
      .command(runCommand)
      .command(evaluateCommand)
      .command(reportCommand)
      .command(complianceCommand)
      .command(prepareDatasetCommand)
      .command(serveCommand)
      .command(setupCudaCommand)
      .command(doctorCommand)
      .demandCommand(
        1,
        'give a command: run, evaluate, report, compliance, prepare-dataset, serve, setup-cuda or doctor',
      )
      .strict()
      .recommendCommands()
      .fail((message, error) => {
        if (error) reportFailure(error);
        console.error(`mlperf-llm: ${message.replace(/\s*\n\s*/g, ' ')} (see mlperf-llm --help)`);
        process.exit(2);
      })
      // Without an explicit version yargs prints the version of the project it is run from.
      .version(`mlperf-llm ${packageVersion} (mlperf-loadgen-node), LoadGen ${loadgenVersion}`)
      .help()
      .parseAsync();
  } catch (error) {
    reportFailure(error);
  }
}
