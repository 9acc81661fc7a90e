// ROUGE per pair, the tokenizer and the Porter stemmer against rouge_score 0.1.2 and nltk 3.8.1
// (recorded in test/fixtures/accuracy/rouge-parity.json by scripts/accuracy/make-fixture.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { porterStem, postprocessText, rougeScores, rougeTokenize } from '../lib/accuracy/index.js';

type Triple = [precision: number, recall: number, fmeasure: number];

interface Pair {
  id: number;
  prediction: string;
  reference: string;
  processedPrediction: string;
  processedReference: string;
  scores: Record<'rouge1' | 'rouge2' | 'rougeL' | 'rougeLsum', Triple>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/accuracy/rouge-parity.json', import.meta.url), 'utf8'),
) as {
  pairs: Pair[];
  tokenizations: { text: string; tokens: string[] }[];
  stems: [word: string, stem: string][];
};

const METRICS = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;

describe('post-processing', () => {
  it('strips, sentence-splits and joins with newlines exactly as evaluation.py', () => {
    assert.ok(fixture.pairs.length >= 200);
    const mismatches = fixture.pairs.flatMap((pair) => {
      const out = [];
      if (postprocessText(pair.prediction) !== pair.processedPrediction) out.push({ id: pair.id, side: 'prediction' });
      if (postprocessText(pair.reference) !== pair.processedReference) out.push({ id: pair.id, side: 'reference' });
      return out;
    });
    assert.deepEqual(mismatches, []);
  });
});

describe('rougeScores', () => {
  it("agrees with rouge_score's precision, recall and F-measure for every pair (to 1e-4; in fact bit for bit)", () => {
    const far: unknown[] = [];
    let inexact = 0;
    for (const pair of fixture.pairs) {
      const scores = rougeScores(pair.processedReference, pair.processedPrediction);
      for (const metric of METRICS) {
        const actual: Triple = [scores[metric].precision, scores[metric].recall, scores[metric].fmeasure];
        const expected = pair.scores[metric];
        if (actual.some((v, i) => Math.abs(v - expected[i]!) > 1e-4))
          far.push({ id: pair.id, metric, actual, expected });
        if (actual.some((v, i) => v !== expected[i])) inexact++;
      }
    }
    assert.deepEqual(far, []);
    assert.equal(inexact, 0, 'every value should equal the Python double exactly');
  });

  it('scores the reference as the target: swapping the texts changes rougeLsum', () => {
    // Summary-level LCS counts hits per reference sentence, so the argument order matters.
    // Values from rouge_score 0.1.2: score(target, prediction) one way and the other.
    const reference = 'sun\ndog cat dog';
    const prediction = 'cat dog\nsun cat dog';
    assert.deepEqual(rougeScores(reference, prediction).rougeLsum, {
      precision: 0.6,
      recall: 0.75,
      fmeasure: 0.6666666666666665,
    });
    assert.deepEqual(rougeScores(prediction, reference).rougeLsum, {
      precision: 1,
      recall: 0.8,
      fmeasure: 0.888888888888889,
    });
    const recorded = fixture.pairs.filter(
      (p) => p.processedReference.includes('\n') && p.processedPrediction !== p.processedReference,
    );
    const differs = recorded.some(
      (p) => rougeScores(p.processedPrediction, p.processedReference).rougeLsum.fmeasure !== p.scores.rougeLsum[2],
    );
    assert.ok(differs, 'some recorded pair should score differently with the texts swapped');
  });

  it('gives zeros when either side has no tokens', () => {
    for (const [reference, prediction] of [
      ['', 'Something happened.'],
      ['Something happened.', ''],
      ['!!!', '...'],
    ]) {
      const scores = rougeScores(reference!, prediction!);
      for (const metric of METRICS)
        assert.deepEqual(
          scores[metric],
          { precision: 0, recall: 0, fmeasure: 0 },
          `${metric} of ${reference}/${prediction}`,
        );
    }
  });
});

describe('rougeTokenize', () => {
  it("splits, lowercases and stems as rouge_score's default tokenizer", () => {
    for (const { text, tokens } of fixture.tokenizations)
      assert.deepEqual(rougeTokenize(text), tokens, JSON.stringify(text));
  });

  it('handles the characters whose lowercase is ASCII', () => {
    assert.deepEqual(rougeTokenize('İstanbul', false), ['i', 'stanbul']);
    assert.deepEqual(rougeTokenize('300 \u212a', false), ['300', 'k']);
    assert.deepEqual(rougeTokenize('café Zürich', false), ['caf', 'z', 'rich']);
  });
});

describe('porterStem', () => {
  it("equals nltk 3.8.1's PorterStemmer (NLTK_EXTENSIONS) on every recorded word", () => {
    assert.ok(fixture.stems.length > 1000);
    const mismatches = fixture.stems
      .filter(([word, stem]) => porterStem(word) !== stem)
      .map(([word, stem]) => ({ word, stem, actual: porterStem(word) }));
    assert.deepEqual(mismatches, []);
  });

  it('applies the NLTK extensions', () => {
    assert.equal(porterStem('skies'), 'sky'); // irregular form
    assert.equal(porterStem('dying'), 'die'); // irregular form
    assert.equal(porterStem('ties'), 'tie'); // four-letter "ies"
    assert.equal(porterStem('generously'), 'gener');
    assert.equal(porterStem('archaeologi'), 'archaeolog'); // logi -> log
  });
});
