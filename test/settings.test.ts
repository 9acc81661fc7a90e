// TestSettings / LogSettings: defaults equal LoadGen's own, every field is covered, malformed
// settings are TypeErrors naming the field, and config files go through LoadGen's FromConfig.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { completeFirstTokens, completeSamples } from '../lib/loadgen/completion.js';
import { LogSettings } from '../lib/loadgen/settings/log-settings.js';
import { native } from '../lib/loadgen/native.js';
import { ConstructQSL, ConstructSUT, StartTestWithLogSettings } from '../lib/loadgen/python-api.js';
import { runTest } from '../lib/loadgen/run-test.js';
import { TEST_SETTINGS_FIELDS, toNativeTestSettings } from '../lib/loadgen/settings/fields.js';
import { TestSettings } from '../lib/loadgen/settings/test-settings.js';
import { TestMode } from '../lib/loadgen/enums.js';
import { readDetail } from '../lib/report/detail.js';
import { readSummary } from '../lib/report/summary.js';
import { nullSut, tempDir } from './helpers.js';

test('every TestSettings field of LoadGen is covered, with LoadGen’s own defaults', () => {
  const cppDefaults = native.testSettingsDefaults();
  assert.deepEqual(new Set(TEST_SETTINGS_FIELDS.map((field) => field.native)), new Set(Object.keys(cppDefaults)));
  assert.deepEqual(toNativeTestSettings(new TestSettings()), cppDefaults);
});

test('LogSettings defaults are LoadGen’s', async () => {
  const { toNativeLogSettings } = await import('../lib/loadgen/settings/log-settings.js');
  assert.deepEqual(toNativeLogSettings(new LogSettings()), native.logSettingsDefaults());
});

test('FromConfig reads a user.conf on top of the embedded mlperf.conf, and the run uses it', async () => {
  const dir = tempDir('userconf');
  const userConf = join(dir, 'user.conf');
  writeFileSync(
    userConf,
    [
      '# a user.conf as a submitter writes it',
      'llama3_1-8b.Server.target_qps = 2000',
      'llama3_1-8b.Server.min_duration = 500',
      'llama3_1-8b.*.performance_sample_count_override = 64',
      '',
    ].join('\n'),
  );
  const settings = new TestSettings();
  assert.equal(settings.FromConfig(userConf, 'llama3_1-8b', 'Server'), 0);
  // From user.conf:
  assert.equal(settings.server_target_qps, 2000);
  assert.equal(settings.min_duration_ms, 500);
  assert.equal(settings.performance_sample_count_override, 64);
  // From LoadGen's embedded mlperf.conf:
  assert.equal(settings.use_token_latencies, true);
  assert.equal(settings.ttft_latency, 2_000_000_000);
  assert.equal(settings.tpot_latency, 100_000_000);
  assert.equal(settings.sample_concatenate_permutation, true);
  assert.equal(settings.qsl_rng_seed, 2085463073848966840n);
  assert.equal(settings.schedule_rng_seed, 16159082839903944936n);

  settings.scenario = 2; // Server
  settings.min_query_count = 100;
  const outdir = tempDir('userconf-run');
  const result = await runTest({
    sut: {
      issueQuery(ids, indices) {
        for (let i = 0; i < ids.length; i++) {
          const tokens = new Int32Array([indices[i]!, 7, 8]);
          completeFirstTokens(ids.subarray(i, i + 1), tokens, new Uint32Array([0, 4]));
          completeSamples(ids.subarray(i, i + 1), tokens, new Uint32Array([0, 12]), new Int32Array([3]));
        }
      },
    },
    qsl: { totalSampleCount: 64 },
    settings,
    log: { outdir },
  });
  const detail = readDetail(result.logFiles.detail);
  assert.equal(detail.get('effective_target_qps'), 2000);
  assert.equal(detail.get('effective_performance_sample_count'), 64);
  // A 64-bit seed is read exactly (a double would round it to 2085463073848967000).
  assert.equal(detail.get('effective_qsl_rng_seed'), '2085463073848966840');
  const summary = readSummary(result.logFiles.summary);
  assert.equal(summary.fields['ttft_latency (ns)'], '2000000000');
  assert.ok(summary.fields['99.00 percentile first token latency (ns)']);
});

test('a config file LoadGen rejects is an error naming the file, LoadGen’s code and the line', () => {
  const dir = tempDir('badconf');
  const badConf = join(dir, 'user.conf');
  writeFileSync(badConf, '*.Server.target_qps = 100\n*.Server.min_duration = ten\n');
  const settings = new TestSettings();
  assert.throws(
    () => settings.FromConfig(badConf, 'model', 'Server'),
    (error: Error & { code?: string }) =>
      error.code === 'ERR_LOADGEN_CONFIG' &&
      error.message.includes(badConf) &&
      error.message.includes('-22') &&
      error.message.includes('line 2'),
  );
  assert.equal(settings.server_target_qps, 1, 'nothing from a rejected file is applied');
  const missing = join(dir, 'missing.conf');
  assert.throws(
    () => settings.FromConfig(missing, 'model', 'Server'),
    (error: Error & { code?: string }) =>
      error.code === 'ERR_LOADGEN_CONFIG' && error.message.includes(missing) && error.message.includes('ENOENT'),
  );
  assert.throws(() => settings.FromConfig(badConf, 'model', 'Server', 7), { name: 'TypeError' });
});

const malformed: [string, Record<string, unknown>, RegExp][] = [
  [
    'a negative duration',
    { minDurationMs: -5 },
    /settings\.min_duration_ms must be a non-negative integer.*cannot be negative/,
  ],
  ['a wrong type', { serverTargetQps: '100' }, /settings\.server_target_qps must be a finite number > 0 \(got "100"\)/],
  [
    'an unknown scenario',
    { scenario: 'Interactive' },
    /settings\.scenario must be a TestScenario \(SingleStream, MultiStream, Server, Offline\)/,
  ],
  ['an unknown mode number', { mode: 9 }, /settings\.mode must be a TestMode/],
  [
    'a percentile given in percent',
    { serverTargetLatencyPercentile: 99 },
    /settings\.server_target_latency_percentile must be a fraction/,
  ],
  ['a non-boolean flag', { useTokenLatencies: 1 }, /settings\.use_token_latencies must be a boolean/],
  ['a fractional count', { minQueryCount: 1.5 }, /settings\.min_query_count must be a non-negative integer/],
  ['registered issue threads', { serverNumIssueQueryThreads: 2 }, /settings\.server_num_issue_query_threads must be 0/],
  [
    'a misspelt option',
    { minDuration: 5 },
    /settings\.minDuration is not a LoadGen setting \(did you mean minDurationMs\?\)/,
  ],
];

for (const [what, settings, message] of malformed) {
  test(`runTest rejects ${what} with a TypeError naming the field`, async () => {
    await assert.rejects(
      runTest({ sut: nullSut(), qsl: { totalSampleCount: 8 }, settings, log: { outdir: tempDir('malformed') } }),
      (error: TypeError & { code?: string }) =>
        error instanceof TypeError && error.code === 'ERR_LOADGEN_INVALID_SETTINGS' && message.test(error.message),
    );
  });
}

test('the Python-style StartTest validates settings the same way', async () => {
  const settings = new TestSettings();
  (settings as unknown as Record<string, unknown>).mode = 'Sometimes';
  const log = new LogSettings();
  log.log_output.outdir = tempDir('py-malformed');
  const sut = ConstructSUT(
    () => undefined,
    () => undefined,
  );
  const qsl = ConstructQSL(
    8,
    8,
    () => undefined,
    () => undefined,
  );
  await assert.rejects(StartTestWithLogSettings(sut, qsl, settings, log), /settings\.mode must be a TestMode/);
  settings.mode = TestMode.PerformanceOnly;
  log.enable_trace = 'yes' as unknown as boolean;
  await assert.rejects(
    StartTestWithLogSettings(sut, qsl, settings, log),
    /logSettings\.enable_trace must be a boolean/,
  );
});

test('a missing log folder is a clear error before LoadGen starts', async () => {
  const settings = new TestSettings();
  const log = new LogSettings();
  log.log_output.outdir = join(tempDir('nolog'), 'does', 'not', 'exist');
  await assert.rejects(
    StartTestWithLogSettings(
      ConstructSUT(
        () => undefined,
        () => undefined,
      ),
      ConstructQSL(
        8,
        8,
        () => undefined,
        () => undefined,
      ),
      settings,
      log,
    ),
    (error: Error & { code?: string }) =>
      error.code === 'ERR_LOADGEN_LOG_OUTPUT' && error.message.includes('does not exist'),
  );
});
