// Decode clean-up as transformers' clean_up_tokenization_spaces (evaluation.py's Llama-3.1 decode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanUpSetting, cleanUpTokenizationSpaces } from '../lib/accuracy/clean-up-spaces.js';

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../test/fixtures/accuracy/clean-up-spaces.json', import.meta.url)), 'utf8'),
) as { cases: { decoded: string; cleaned: string }[] };

test('clean-up of decoded texts matches the fixture made from the documented replacement rules', () => {
  assert.ok(fixture.cases.length > 5);
  for (const { decoded, cleaned } of fixture.cases) assert.equal(cleanUpTokenizationSpaces(decoded), cleaned, decoded);
});

test('cleanUpSetting reads clean_up_tokenization_spaces from tokenizer_config.json, default on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clean-up-'));
  assert.equal(cleanUpSetting(undefined), true);
  assert.equal(cleanUpSetting(dir), true);
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ clean_up_tokenization_spaces: false }));
  assert.equal(cleanUpSetting(dir), false);
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ clean_up_tokenization_spaces: true }));
  assert.equal(cleanUpSetting(dir), true);
});
