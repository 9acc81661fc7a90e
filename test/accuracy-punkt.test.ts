// Punkt sentence splitting against nltk 3.8.1's sent_tokenize (recorded in
// test/fixtures/accuracy/rouge-parity.json by scripts/accuracy/make-fixture.mjs), the loading of
// the fetched parameters, and the fetch script's reader of the model module.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  defaultPunktParamsFile,
  englishPunktParameters,
  loadPunktParameters,
  PUNKT_PARAMS_ENV,
  PunktSentenceTokenizer,
  punktParametersFromJson,
  sentTokenize,
} from '../lib/accuracy/index.js';
import { tempDir } from './helpers.js';

interface Split {
  text: string;
  sentences: string[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/accuracy/rouge-parity.json', import.meta.url), 'utf8'),
) as {
  sentenceSplits: Split[];
};

describe('sentTokenize', () => {
  it('splits every recorded text exactly as nltk.sent_tokenize', () => {
    assert.ok(fixture.sentenceSplits.length >= 100, 'the fixture should hold at least 100 texts');
    const mismatches = fixture.sentenceSplits
      .map(({ text, sentences }) => ({ text, expected: sentences, actual: sentTokenize(text) }))
      .filter(({ expected, actual }) => JSON.stringify(expected) !== JSON.stringify(actual));
    assert.deepEqual(mismatches, []);
  });

  it('covers the heuristics the fixture was written for', () => {
    // Splits that hinge on abbreviations, initials, numbers, realignment and sentence starters.
    const recorded = new Map(fixture.sentenceSplits.map((s) => [s.text, s.sentences]));
    const expectations: [string, number][] = [
      ['Mr. Brown met Dr. Green at 5 p.m. They talked.', 2],
      ['The meeting ended at 5 p.m. the next day.', 1],
      ['J. R. R. Tolkien wrote it.', 1],
      ['(He left.) She stayed.', 2],
    ];
    for (const [text, count] of expectations) {
      assert.equal(recorded.get(text)?.length, count, text);
      assert.equal(sentTokenize(text).length, count, text);
    }
    assert.deepEqual(sentTokenize('(He left.) She stayed.'), ['(He left.)', 'She stayed.']);
    assert.deepEqual(sentTokenize('Very bad acting!!! I promise.'), ['Very bad acting!!!', 'I promise.']);
  });

  it('returns nothing for empty or blank text', () => {
    assert.deepEqual(sentTokenize(''), []);
    assert.deepEqual(sentTokenize(' \n\t '), []);
  });
});

describe('Punkt parameters', () => {
  it('drive the decisions: without "dr" as an abbreviation, "Dr." ends a sentence', () => {
    const text = 'Dr. Smith arrived. He sat down.';
    assert.deepEqual(sentTokenize(text), ['Dr. Smith arrived.', 'He sat down.']);
    const bare = new PunktSentenceTokenizer(
      punktParametersFromJson({ abbrevTypes: [], collocations: [], sentStarters: [], orthoContext: {} }),
    );
    assert.deepEqual(bare.tokenize(text), ['Dr.', 'Smith arrived.', 'He sat down.']);
  });

  it('loads the English model fetched at install time', () => {
    const params = englishPunktParameters();
    assert.equal(params.abbrevTypes.size, 156);
    assert.equal(params.sentStarters.size, 39);
    assert.equal(
      [...params.collocations.values()].reduce((n, s) => n + s.size, 0),
      37,
    );
    assert.equal(params.orthoContext.size, 20366);
    assert.ok(params.abbrevTypes.has('u.s') && params.abbrevTypes.has('dr'));
  });

  it('matches the SHA-256 pinned in third_party/punkt.lock.json', async () => {
    const { createHash } = await import('node:crypto');
    const lock = JSON.parse(readFileSync(new URL('../../third_party/punkt.lock.json', import.meta.url), 'utf8')) as {
      output: { sha256: string };
    };
    const actual = createHash('sha256').update(readFileSync(defaultPunktParamsFile())).digest('hex');
    assert.equal(actual, lock.output.sha256);
  });

  it('fails with ERR_ACCURACY_PUNKT naming the fetch command when the file is missing', () => {
    const missing = join(tempDir('punkt'), 'english.json');
    assert.throws(
      () => loadPunktParameters(missing),
      (error: Error & { code?: string }) =>
        error.code === 'ERR_ACCURACY_PUNKT' &&
        error.message.includes(missing) &&
        error.message.includes('node scripts/accuracy/punkt-params.mjs'),
    );
  });

  it('fails with ERR_ACCURACY_PUNKT on a malformed file', () => {
    const dir = tempDir('punkt');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ abbrevTypes: 'dr', collocations: [], sentStarters: [], orthoContext: {} }));
    assert.throws(() => loadPunktParameters(bad), { code: 'ERR_ACCURACY_PUNKT', message: /abbrevTypes/ });
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{');
    assert.throws(() => loadPunktParameters(notJson), { code: 'ERR_ACCURACY_PUNKT', message: /not valid JSON/ });
  });

  it(`reads ${PUNKT_PARAMS_ENV} when no file is given`, () => {
    const file = join(tempDir('punkt'), 'custom.json');
    writeFileSync(
      file,
      JSON.stringify({
        abbrevTypes: ['zz'],
        collocations: [['a', 'b']],
        sentStarters: ['the'],
        orthoContext: { the: 16 },
      }),
    );
    const saved = process.env[PUNKT_PARAMS_ENV];
    process.env[PUNKT_PARAMS_ENV] = file;
    try {
      const params = loadPunktParameters();
      assert.deepEqual([...params.abbrevTypes], ['zz']);
      assert.equal(params.orthoContext.get('the'), 16);
      assert.ok(params.collocations.get('a')?.has('b'));
    } finally {
      if (saved === undefined) delete process.env[PUNKT_PARAMS_ENV];
      else process.env[PUNKT_PARAMS_ENV] = saved;
    }
  });
});

describe('the fetch script', () => {
  const script = new URL('../../scripts/accuracy/punkt-params.mjs', import.meta.url).href;

  it('reads Python literals as data', async () => {
    const { parsePythonLiterals } = (await import(script)) as {
      parsePythonLiterals(source: string): Map<string, unknown>;
    };
    const names = parsePythonLiterals(
      '"""Doc."""\n# comment\nA = \'it\\\'s\'\nB = frozenset((\'x\', "y\\u00e9",))\nC = {\'k\': 4, "l\'s": 32}\nD = frozenset((("a", \'b\'),))\nE = -3\n',
    );
    assert.equal(names.get('A'), "it's");
    assert.deepEqual(names.get('B'), ['x', 'yé']);
    assert.deepEqual(
      names.get('C'),
      new Map([
        ['k', 4],
        ["l's", 32],
      ]),
    );
    assert.deepEqual(names.get('D'), [['a', 'b']]);
    assert.equal(names.get('E'), -3);
  });

  it('refuses anything that is not a literal', async () => {
    const { parsePythonLiterals } = (await import(script)) as {
      parsePythonLiterals(source: string): Map<string, unknown>;
    };
    assert.throws(
      () => parsePythonLiterals("A = __import__('os').system('true')\n"),
      /cannot read the Punkt model module/,
    );
    assert.throws(() => parsePythonLiterals('import os\n'), /cannot read the Punkt model module/);
    assert.throws(() => parsePythonLiterals("A = frozenset(('x',), ('y',))\n"), /cannot read the Punkt model module/);
  });
});
