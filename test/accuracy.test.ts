// The whole evaluation against evaluation.py's printed results (recorded in
// test/fixtures/accuracy/rouge-parity.json by scripts/accuracy/make-fixture.mjs), the numpy and
// Python numerics it relies on, the targets, and the printed format.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  ACCURACY_REFERENCE,
  ACCURACY_TARGETS,
  checkAccuracy,
  evaluateSummaries,
  formatEvaluationDict,
  numpyMean,
  numpyRound,
  parseEvaluationDict,
  pythonFloatRepr,
  pythonRound,
  type AccuracyScores,
} from '../lib/accuracy/index.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/accuracy/rouge-parity.json', import.meta.url), 'utf8'),
) as {
  pairs: { prediction: string; reference: string; tokens: number }[];
  aggregates: { name: string; indices: number[]; withTokens: boolean; printed: string }[];
  numeric: {
    rounding: { x: number; numpy4: string; python1: string; python4: string }[];
    means: { n: number; a: number; b: number; m: number; mean: string }[];
  };
};

describe('evaluateSummaries', () => {
  it('prints exactly what evaluation.py prints, for the whole fixture and for subsets', () => {
    assert.ok(fixture.aggregates.length >= 5);
    for (const aggregate of fixture.aggregates) {
      const pairs = aggregate.indices.map((i) => fixture.pairs[i]!);
      const scores = evaluateSummaries(
        pairs.map((p) => p.prediction),
        pairs.map((p) => p.reference),
        aggregate.withTokens ? { tokenCounts: pairs.map((p) => p.tokens) } : {},
      );
      assert.equal(formatEvaluationDict(scores), aggregate.printed, aggregate.name);
    }
  });

  it('counts gen_len in code points, as Python len() does', () => {
    const scores = evaluateSummaries(['  Launch 🚀 done.  '], ['Launch done.']);
    assert.equal(scores.gen_len, 'Launch 🚀 done.'.length - 1);
    assert.equal(scores.gen_num, 1);
    assert.equal(scores.rouge1, 100);
  });

  it('reports tokens per sample only when token counts are given', () => {
    const without = evaluateSummaries(['A cat.', 'A dog.'], ['A cat.', 'A dog.']);
    assert.equal(without.tokens_per_sample, undefined);
    assert.equal(without.gen_tok_len, undefined);
    const withCounts = evaluateSummaries(
      ['A cat.', 'A dog.', 'A cow.', 'A hen.'],
      ['A cat.', 'A dog.', 'A cow.', 'A hen.'],
      { tokenCounts: [3, 2, 2, 2] },
    );
    assert.equal(withCounts.gen_tok_len, 9);
    assert.equal(withCounts.tokens_per_sample, 2.2); // 2.25 rounds half to even
  });

  it('rejects inputs it cannot score with ERR_ACCURACY_INPUT', () => {
    assert.throws(() => evaluateSummaries(['a'], ['a', 'b']), {
      code: 'ERR_ACCURACY_INPUT',
      message: /1 predictions but 2 references/,
    });
    assert.throws(() => evaluateSummaries([], []), { code: 'ERR_ACCURACY_INPUT', message: /no predictions/ });
    assert.throws(() => evaluateSummaries(['a'], ['a'], { tokenCounts: [1, 2] }), {
      code: 'ERR_ACCURACY_INPUT',
      message: /2 token counts for 1 predictions/,
    });
    assert.throws(() => evaluateSummaries(['a'], ['a'], { tokenCounts: [-1] }), {
      code: 'ERR_ACCURACY_INPUT',
      message: /non-negative integers/,
    });
    assert.throws(() => evaluateSummaries([42 as unknown as string], ['a']), {
      code: 'ERR_ACCURACY_INPUT',
      message: /prediction 0 is not a string/,
    });
  });
});

describe('numerics', () => {
  it("rounds like numpy's round(np.float64, 4) and Python's round(float, n), and prints like str(float)", () => {
    const mismatches = fixture.numeric.rounding.filter(
      (c) =>
        pythonFloatRepr(numpyRound(c.x, 4)) !== c.numpy4 ||
        pythonFloatRepr(pythonRound(c.x, 1)) !== c.python1 ||
        pythonFloatRepr(pythonRound(c.x, 4)) !== c.python4,
    );
    assert.deepEqual(mismatches, []);
    // The two roundings differ on some recorded values, so each comparison above can fail.
    assert.ok(fixture.numeric.rounding.some((c) => c.numpy4 !== c.python4));
  });

  it("averages like numpy 1.x's np.mean (blocked pairwise summation)", () => {
    for (const { n, a, b, m, mean } of fixture.numeric.means) {
      const values = Array.from({ length: n }, (_, k) => ((k * a + b) % m) / m);
      assert.equal(pythonFloatRepr(numpyMean(values)), mean, `n=${n} a=${a}`);
    }
  });

  it('prints floats the way Python does', () => {
    assert.equal(pythonFloatRepr(35.793), '35.793');
    assert.equal(pythonFloatRepr(38), '38.0');
    assert.equal(pythonFloatRepr(0), '0.0');
    assert.equal(pythonFloatRepr(0.0001), '0.0001');
    assert.equal(pythonFloatRepr(0.00001), '1e-05');
    assert.equal(pythonFloatRepr(1.5e16), '1.5e+16');
  });
});

describe('checkAccuracy', () => {
  const reference = (target: 'datacenter' | 'edge'): AccuracyScores => ({ ...ACCURACY_REFERENCE[target] });

  it('passes the reference results of both categories', () => {
    for (const target of ['datacenter', 'edge'] as const) {
      const result = checkAccuracy(reference(target), target);
      assert.equal(result.passed, true, target);
      assert.deepEqual(
        result.checks.map((c) => c.metric),
        ['rouge1', 'rouge2', 'rougeL', 'rougeLsum', 'gen_len'],
      );
    }
  });

  it('fails exactly the metric that is below its bound', () => {
    for (const metric of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const) {
      const scores = reference('datacenter');
      scores[metric] = ACCURACY_TARGETS.datacenter[metric] - 0.0001;
      const result = checkAccuracy(scores, 'datacenter');
      assert.equal(result.passed, false);
      assert.deepEqual(
        result.checks.filter((c) => !c.passed).map((c) => c.metric),
        [metric],
      );
      scores[metric] = ACCURACY_TARGETS.datacenter[metric]; // the bound itself passes
      assert.equal(checkAccuracy(scores, 'datacenter').passed, true);
    }
  });

  it("compares with the submission checker's unrounded bounds, reference × 0.99", () => {
    // 38.3914 is 38.7792 × 0.99 (38.391408) rounded to the printed 4 decimals, and below it.
    const scores = { ...reference('datacenter'), rouge1: 38.3914 };
    assert.equal(checkAccuracy(scores, 'datacenter').passed, false);
    assert.equal(checkAccuracy(scores, 'datacenter').checks[0]?.bound, '>= 38.391408');
    assert.equal(checkAccuracy({ ...scores, rouge1: 38.3915 }, 'datacenter').passed, true);
    // gen_len is an integer, so reference × 0.9 and × 1.1 become this integer range.
    assert.deepEqual(ACCURACY_TARGETS.datacenter.genLen, [7_350_880, 8_984_408]);
  });

  it('requires gen_len inside its range, bounds included', () => {
    const [min, max] = ACCURACY_TARGETS.edge.genLen;
    const at = (genLen: number) => checkAccuracy({ ...reference('edge'), gen_len: genLen }, 'edge');
    assert.equal(at(min).passed, true);
    assert.equal(at(max).passed, true);
    assert.equal(at(min - 1).passed, false);
    assert.equal(at(max + 1).passed, false);
    assert.equal(at(min - 1).checks.find((c) => c.metric === 'gen_len')?.bound, 'in [2746002, 3356224]');
  });

  it('applies each category its own targets', () => {
    // Datacenter-passing scores below the edge rouge1 target fail edge.
    const scores = { ...reference('edge'), rouge1: 38.5 };
    assert.equal(checkAccuracy(scores, 'edge').passed, false);
    assert.equal(
      checkAccuracy({ ...scores, gen_len: ACCURACY_REFERENCE.datacenter.gen_len }, 'datacenter').passed,
      true,
    );
    assert.equal(checkAccuracy(scores, 'edge').checks[0]?.bound, '>= 38.6694');
  });

  it('rejects an unknown category', () => {
    assert.throws(() => checkAccuracy(reference('edge'), 'mobile' as 'edge'), { code: 'ERR_ACCURACY_INPUT' });
  });
});

describe('formatEvaluationDict', () => {
  it("prints evaluation.py's dict", () => {
    assert.equal(
      formatEvaluationDict({ ...ACCURACY_REFERENCE.datacenter }),
      "{'rouge1': '38.7792', 'rouge2': '15.9075', 'rougeL': '24.4957', 'rougeLsum': '35.793', 'gen_len': 8167644, 'gen_num': 13368}",
    );
    assert.equal(
      formatEvaluationDict({
        rouge1: 40,
        rouge2: 16.1,
        rougeL: 25,
        rougeLsum: 36,
        gen_len: 10,
        gen_num: 2,
        gen_tok_len: 9,
        tokens_per_sample: 4.5,
      }),
      "{'rouge1': '40.0', 'rouge2': '16.1', 'rougeL': '25.0', 'rougeLsum': '36.0', 'gen_len': 10, 'gen_num': 2, 'gen_tok_len': 9, 'tokens_per_sample': 4.5}",
    );
  });

  it('reads back with the submission checker patterns', () => {
    const printed = formatEvaluationDict({ ...ACCURACY_REFERENCE.edge, gen_tok_len: 600_000, tokens_per_sample: 120 });
    assert.deepEqual(parseEvaluationDict(printed), {
      ...ACCURACY_REFERENCE.edge,
      gen_tok_len: 600_000,
      tokens_per_sample: 120,
    });
    // The checker's own expressions for the ROUGE values and gen_len.
    assert.equal(/.*'rougeLsum':\s+'?([\d.]+)'?.*/.exec(printed)?.[1], '36.124');
    assert.equal(/.*'gen_len':\s([\d.]+).*/.exec(printed)?.[1], '3051113');
    assert.throws(() => parseEvaluationDict("{'rouge1': '1.0'}"), { code: 'ERR_ACCURACY_INPUT', message: /rouge2/ });
  });
});
