// The progress line a terminal shows during a run: a rate only once tokens exist, and an ETA in
// performance runs (from LoadGen's minimums) as well as in accuracy runs (from the sample count).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLine } from '../lib/cli/progress.js';
import { progressPlan } from '../lib/llm/progress-plan.js';

test('an Offline run shows no 0.0 tokens/s before its first tokens, and a rate once they come', () => {
  const start = progressLine({ issued: 20, completed: 0, generatedTokens: 0, inFlight: 20 }, 3, {
    minDurationSeconds: 10,
    minQueryCount: 20,
  });
  assert.doesNotMatch(start, /0\.0 tokens\/s/);
  assert.match(start, /waiting for the first tokens/);
  const later = progressLine({ issued: 20, completed: 0, generatedTokens: 150, inFlight: 20 }, 5, {});
  assert.match(later, /30\.0 tokens\/s/);
});

test('a performance run shows an ETA: the minimum duration left, or the queries left at the rate so far', () => {
  const plan = { minDurationSeconds: 60, minQueryCount: 100 };
  // 10 of 100 queries in 20 s: 180 s for the other 90, more than the 40 s of minimum duration left.
  const byQueries = progressLine({ issued: 12, completed: 10, generatedTokens: 500, inFlight: 2 }, 20, plan);
  assert.match(byQueries, /ETA 3\.0 min/);
  // 90 of 100 in 20 s: the 40 s left of the minimum duration decide.
  const byDuration = progressLine({ issued: 92, completed: 90, generatedTokens: 500, inFlight: 2 }, 20, plan);
  assert.match(byDuration, /ETA 40 s/);
  // Offline issues every sample at once: the issued count is what must complete.
  const offline = progressLine({ issued: 400, completed: 100, generatedTokens: 500, inFlight: 64 }, 50, {
    minDurationSeconds: 1,
    minQueryCount: 1,
  });
  assert.match(offline, /ETA 2\.5 min/);
});

test('an accuracy run counts down its samples', () => {
  const text = progressLine({ issued: 20, completed: 5, generatedTokens: 500, inFlight: 4 }, 10, { samples: 20 });
  assert.match(text, /samples 5\/20 done/);
  assert.match(text, /ETA 30 s/);
});

test("an audit config's mode and minimums replace the run's in the ETA's plan (TEST06 turns accuracy into 100 queries)", async () => {
  const { TestSettings } = await import('../lib/loadgen/settings/test-settings.js');
  const { keysSetIn } = await import('../lib/llm/benchmark-settings.js');
  const { test06AuditConfigText } = await import('../lib/compliance/test06-audit.js');
  const settings = new TestSettings();
  const audit = keysSetIn(test06AuditConfigText(), 'llama3_1-8b', 'Offline');
  assert.deepEqual(progressPlan(settings, 'accuracy', 20), { samples: 20 });
  assert.deepEqual(progressPlan(settings, 'accuracy', 20, audit), { minDurationSeconds: 0, minQueryCount: 100 });
  assert.deepEqual(progressPlan(settings, 'performance', 20, new Map([['mode', { value: '1' }]])), { samples: 20 });
});
