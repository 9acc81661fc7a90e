// A run's loadgen_* detail-log lines equal those of the official mlcommons-loadgen 6.0.17 wheel.
// test/fixtures/loadgen-wheel-6.0.17-detail.txt holds the wheel's own lines: obtained on
// 2026-12-02 by `pip download --only-binary :all: mlcommons-loadgen==6.0.17` (cp311 manylinux
// x86_64 wheel), installing it in a venv and running one Offline PerformanceOnly test with a
// null SUT; the loadgen_* records of its mlperf_log_detail.txt, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTest } from '../lib/loadgen/run-test.js';
import { parseDetail, readDetail } from '../lib/report/detail.js';
import { readFileSync } from 'node:fs';
import { nullSut, quickSettings, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('../../test/fixtures/loadgen-wheel-6.0.17-detail.txt', import.meta.url));
// Build dates are each build's own; everything else must match.
const KEYS = [
  'loadgen_version',
  'loadgen_git_commit_date',
  'loadgen_git_log_message',
  'loadgen_git_status_message',
  'loadgen_file_sha1',
];

test("provenance: loadgen_version, git lines and hashed file list equal the official wheel's", async () => {
  const wheel = parseDetail(readFileSync(fixture, 'utf8'));
  const outdir = tempDir('provenance');
  await runTest({
    sut: nullSut(),
    qsl: { totalSampleCount: 8 },
    settings: quickSettings('Offline', 'PerformanceOnly'),
    log: { outdir },
  });
  const ours = readDetail(join(outdir, 'mlperf_log_detail.txt'));
  for (const key of KEYS) {
    assert.notEqual(wheel.get(key), undefined, key);
    assert.deepEqual(ours.get(key), wheel.get(key), key);
  }
  assert.equal(ours.get('loadgen_version'), '6.0.17 @ d6147c7eb7');
  assert.match(String(ours.get('loadgen_build_date_utc')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
});
