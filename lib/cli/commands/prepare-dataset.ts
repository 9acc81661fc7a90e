/**
 * `mlperf-llm prepare-dataset`: builds MLPerf's cnn_eval.json from CNN-DailyMail 3.0.0's
 * validation split (downloaded, or a local Parquet file), or a sample set from a JSON file of
 * articles.
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { CNN_DAILYMAIL_VALIDATION_URL, prepareDataset } from '../../llm/prepare-dataset.js';
import { defaultTokenizer } from '../../tokenizer/tokenizer.js';
import { cacheDir } from '../defaults.js';

interface PrepareArgs {
  source?: string;
  output: string;
  'total-count'?: number;
}

export const prepareDatasetCommand: CommandModule<object, PrepareArgs> = {
  command: 'prepare-dataset',
  describe: "Build MLPerf's cnn_eval.json from CNN-DailyMail 3.0.0 (validation split)",
  builder: (yargs) =>
    yargs
      .option('source', {
        type: 'string',
        describe: `Parquet file or URL of the validation split, or a JSON file of {input, output} articles (default: ${CNN_DAILYMAIL_VALIDATION_URL})`,
      })
      .option('output', { type: 'string', default: 'cnn_eval.json', describe: 'file to write' })
      .option('total-count', { type: 'number', describe: 'keep the first N articles' }) as unknown as Argv<PrepareArgs>,
  handler: async (args) => {
    const count = await prepareDataset({
      source: args.source,
      output: args.output,
      totalCount: args['total-count'],
      cacheDir: cacheDir(),
      encoder: defaultTokenizer(),
    });
    console.log(`wrote ${count} records to ${args.output}`);
  },
};
