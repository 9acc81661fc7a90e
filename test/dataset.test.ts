// The CNN-DailyMail dataset: the shipped sample set, validation errors that name the record and
// field, and prepare-dataset's real Parquet path on a file written here.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parquetWriteFile } from 'hyparquet-writer';
import { loadDataset, parseDataset } from '../lib/llm/dataset.js';
import { prepareDataset, readArticlesJson } from '../lib/llm/prepare-dataset.js';
import { promptFor } from '../lib/llm/prompt.js';
import { SAMPLE_ARTICLES, SAMPLE_DATASET } from '../lib/llm/sample-dataset.js';
import { defaultTokenizer } from '../lib/tokenizer/tokenizer.js';
import { tempDir } from './helpers.js';

test('the shipped sample set is what prepare-dataset makes of the shipped articles', async () => {
  const output = join(tempDir('sample'), 'cnn_eval.json');
  await prepareDataset({ source: SAMPLE_ARTICLES, output, cacheDir: tempDir('cache'), encoder: defaultTokenizer() });
  assert.equal(
    readFileSync(output, 'utf8'),
    readFileSync(SAMPLE_DATASET, 'utf8'),
    'regenerate data/cnn_eval_sample.json with prepare-dataset',
  );
  const dataset = loadDataset(SAMPLE_DATASET);
  assert.equal(dataset.size, 20);
  const tokenizer = defaultTokenizer();
  for (let i = 0; i < dataset.size; i++) {
    const prompt = dataset.prompt(i);
    assert.equal(prompt[0], tokenizer.bosId, 'prompts start with BOS');
    assert.equal(tokenizer.decode(prompt), promptFor(dataset.article(i)));
  }
});

test('prepare-dataset reads CNN-DailyMail Parquet (article, highlights) and keeps the first --total-count', async () => {
  const dir = tempDir('parquet');
  const articles = readArticlesJson(SAMPLE_ARTICLES);
  const source = join(dir, 'validation-00000-of-00001.parquet');
  await parquetWriteFile({
    filename: source,
    columnData: [
      { name: 'article', data: articles.map((a) => a.article), type: 'STRING' },
      { name: 'highlights', data: articles.map((a) => a.highlights), type: 'STRING' },
      { name: 'id', data: articles.map((_, i) => `id-${i}`), type: 'STRING' },
    ],
  });
  const output = join(dir, 'cnn_eval_5.json');
  const count = await prepareDataset({ source, output, totalCount: 5, cacheDir: dir, encoder: defaultTokenizer() });
  assert.equal(count, 5);
  const fromParquet = JSON.parse(readFileSync(output, 'utf8')) as unknown[];
  const shipped = JSON.parse(readFileSync(SAMPLE_DATASET, 'utf8')) as unknown[];
  assert.deepEqual(fromParquet, shipped.slice(0, 5));
});

test('a missing source and an unreadable Parquet file are clear errors', async () => {
  const dir = tempDir('bad-source');
  const common = { output: join(dir, 'out.json'), cacheDir: dir, encoder: defaultTokenizer() };
  await assert.rejects(prepareDataset({ ...common, source: join(dir, 'nope.parquet') }), {
    code: 'ERR_PREPARE_SOURCE',
    message: /does not exist/,
  });
  writeFileSync(join(dir, 'junk.parquet'), 'not parquet at all');
  await assert.rejects(prepareDataset({ ...common, source: join(dir, 'junk.parquet') }), {
    code: 'ERR_PREPARE_SOURCE',
    message: /cannot read .* as CNN-DailyMail Parquet/,
  });
});

const malformed: [string, string, RegExp][] = [
  ['not JSON', '{"oops"', /is not valid JSON/],
  ['not an array', '{"records": []}', /must be a JSON array of \{instruction, input, tok_input, output\} records/],
  ['empty', '[]', /has no records/],
  [
    'a record without input',
    '[{"instruction":"t","tok_input":[1],"output":"s"}]',
    /record 0 field "input" is undefined, not the article text/,
  ],
  [
    'a token id out of range',
    '[{"instruction":"t","input":"a","tok_input":[1],"output":"s"},{"instruction":"t","input":"a","tok_input":[128000, 999999],"output":"s"}]',
    /record 1 field "tok_input"\[1\] is 999999, not a Llama-3.1 token id/,
  ],
  [
    'token ids as text',
    '[{"instruction":"t","input":"a","tok_input":"1 2 3","output":"s"}]',
    /record 0 field "tok_input" is a string of 5 characters, not a non-empty array of token ids/,
  ],
];

for (const [what, text, message] of malformed) {
  test(`a dataset that is ${what} fails with a message naming the problem`, () => {
    assert.throws(
      () => parseDataset(text, 'cnn_eval.json'),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_DATASET_FORMAT');
        assert.match(error.message, message);
        assert.equal(error.message.split('\n').length, 1, 'one line');
        return true;
      },
    );
  });
}

test('a folder or a missing file is a read error that says what to pass', () => {
  assert.throws(() => loadDataset(tempDir('folder')), {
    code: 'ERR_DATASET_READ',
    message: /is a folder — pass the cnn_eval.json file itself/,
  });
  assert.throws(() => loadDataset('/nonexistent/cnn_eval.json'), { code: 'ERR_DATASET_READ' });
});
