#!/usr/bin/env node
/**
 * `mlperf-llm`: the MLPerf Llama-3.1-8B benchmark harness on the official LoadGen.
 *
 * @packageDocumentation
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { evaluateCommand } from './commands/evaluate.js';
import { prepareDatasetCommand } from './commands/prepare-dataset.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';

/** Prints a known failure as one line (its message names the fix); anything else with its stack. */
function reportFailure(error: unknown): never {
  // A backend failure inside a LoadGen run arrives wrapped; its cause says what to fix.
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if ((error as { code?: unknown }).code === 'ERR_LOADGEN_CALLBACK_FAILED' && cause instanceof Error && typeof (cause as { code?: unknown }).code === 'string') {
    error = cause;
  }
  const coded = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
  if (coded || error instanceof TypeError) {
    console.error(`mlperf-llm: ${(error as Error).message.split('\n')[0]}`);
  } else {
    console.error(error);
  }
  process.exit(1);
}

try {
  await yargs(hideBin(process.argv))
    .scriptName('mlperf-llm')
    .command(runCommand)
    .command(evaluateCommand)
    .command(reportCommand)
    .command(prepareDatasetCommand)
    .command(serveCommand)
    .demandCommand(1, 'give a command: run, evaluate, report, prepare-dataset or serve')
    .strict()
    .recommendCommands()
    .fail((message, error) => {
      if (error) reportFailure(error);
      console.error(`mlperf-llm: ${message.replace(/\s*\n\s*/g, ' ')} (see mlperf-llm --help)`);
      process.exit(2);
    })
    .help()
    .parseAsync();
} catch (error) {
  reportFailure(error);
}
