// Faults a hostile test found (issue 10, points 1, 2, 6, 9, 10): settings and log outputs LoadGen
// would crash, hang or grow memory on are refused before it starts, with a coded error, and the
// same process then runs a normal test whose logs parse. Each case runs in a child process,
// where a crash would show as a signal or an exit code other than 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readDetail } from '../lib/report/detail.js';
import { TestMode, TestScenario } from '../lib/loadgen/enums.js';
import { scheduleSize } from '../lib/loadgen/settings/schedule-bounds.js';
import { toNativeTestSettings } from '../lib/loadgen/settings/fields.js';
import { testSettingsFrom } from '../lib/loadgen/settings/init.js';
import { tempDir } from './helpers.js';

const packageEntry = fileURLToPath(new URL('../lib/index.js', import.meta.url));

/**
 * In a child process: `attempt` (an expression awaiting a run or call that must fail), then an
 * accuracy run in the same process into OUTDIR/after. Prints the failure's code and message.
 */
function refusedThenRun(attempt: string, dir: string): { code: string; message: string; detail: string } {
  const script = join(dir, 'child.mjs');
  writeFileSync(
    script,
    `import { runTest, completeSamples, TestSettings } from ${JSON.stringify(packageEntry)};
     import { mkdirSync } from 'node:fs';
     const OUTDIR = ${JSON.stringify(dir)};
     const sut = { issueQuery: (ids) => { completeSamples(ids); } };
     const qsl = { totalSampleCount: 64 };
     let failure;
     try { ${attempt}; } catch (error) { failure = error; }
     if (!failure) { console.log('NOT REFUSED'); process.exit(3); }
     console.log(JSON.stringify({ code: failure.code, message: failure.message }));
     const result = await runTest({ sut, qsl, settings: { scenario: 'Offline', mode: 'AccuracyOnly' }, log: { outdir: OUTDIR + '/after' } });
     if (result.samplesCompleted !== 64) process.exit(4);`,
  );
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 0, `${child.stdout}\n${child.stderr}`);
  const { code, message } = JSON.parse(child.stdout.trim().split('\n')[0]!) as { code: string; message: string };
  const detail = join(dir, 'after', 'mlperf_log_detail.txt');
  assert.equal(readDetail(detail).errors.length, 0, readFileSync(detail, 'utf8'));
  return { code, message, detail };
}

const run = (settings: string, log = '{ outdir: OUTDIR }'): string =>
  `await runTest({ sut, qsl, settings: ${settings}, log: ${log} })`;

test('point 1: a log prefix naming a missing subfolder is refused before LoadGen starts; the next run works (3 times)', () => {
  for (let i = 0; i < 3; i++) {
    const dir = tempDir('faults-prefix');
    const { code, message } = refusedThenRun(
      run(`{ scenario: 'Offline' }`, `{ outdir: OUTDIR, prefix: 'run1/' }`),
      dir,
    );
    assert.equal(code, 'ERR_LOADGEN_LOG_OUTPUT');
    assert.ok(message.includes(join(dir, 'run1', 'summary.txt')), message);
    assert.match(message, /prefix 'run1\/'/);
  }
});

test('point 1: a log file LoadGen cannot open (a folder in its place) is refused, naming the file', () => {
  const dir = tempDir('faults-blocked');
  const logs = join(dir, 'logs');
  mkdirSync(join(logs, 'mlperf_log_trace.json'), { recursive: true });
  const { code, message } = refusedThenRun(run(`{ scenario: 'Offline' }`, `{ outdir: ${JSON.stringify(logs)} }`), dir);
  assert.equal(code, 'ERR_LOADGEN_LOG_OUTPUT');
  assert.ok(message.includes(join(logs, 'mlperf_log_trace.json')), message);
});

test('point 10: a log outdir that is a file gives ERR_LOADGEN_LOG_OUTPUT, not EEXIST/ENOTDIR', () => {
  const dir = tempDir('faults-file-outdir');
  writeFileSync(join(dir, 'afile'), 'x');
  const { code, message } = refusedThenRun(run(`{ scenario: 'Offline' }`, `{ outdir: OUTDIR + '/afile' }`), dir);
  assert.equal(code, 'ERR_LOADGEN_LOG_OUTPUT');
  assert.match(message, /afile/);
  const nested = refusedThenRun(run(`{ scenario: 'Offline' }`, `{ outdir: OUTDIR + '/afile/sub' }`), dir);
  assert.equal(nested.code, 'ERR_LOADGEN_LOG_OUTPUT');
});

test('point 6: a log outdir under /proc is refused without hanging', () => {
  const dir = tempDir('faults-proc');
  const { code, message } = refusedThenRun(run(`{ scenario: 'Offline' }`, `{ outdir: '/proc/loadgen-logs' }`), dir);
  assert.equal(code, 'ERR_LOADGEN_LOG_OUTPUT');
  assert.match(message, /\/proc/);
});

for (const [name, settings, field] of [
  ['--target-qps 1e12', `{ scenario: 'Server', serverTargetQps: 1e12 }`, 'server_target_qps'],
  ['minQueryCount 2**40', `{ scenario: 'Offline', minQueryCount: 2 ** 40 }`, 'min_query_count'],
  ['min query count 1e15 (Server)', `{ scenario: 'Server', minQueryCount: 1e15 }`, 'min_query_count'],
  [
    'MultiStream samples per query 0',
    `{ scenario: 'MultiStream', multiStreamSamplesPerQuery: 0 }`,
    'multi_stream_samples_per_query',
  ],
  [
    'MultiStream samples per query 2^40',
    `{ scenario: 'MultiStream', multiStreamSamplesPerQuery: 2 ** 40 }`,
    'multi_stream_samples_per_query',
  ],
  [
    'SingleStream expected latency 1e-300',
    `{ scenario: 'SingleStream', singleStreamExpectedLatencyNs: 1e-300 }`,
    'single_stream_expected_latency_ns',
  ],
  [
    'MultiStream expected latency 0.5 ns',
    `{ scenario: 'MultiStream', multiStreamExpectedLatencyNs: 0.5 }`,
    'multi_stream_expected_latency_ns',
  ],
  ['Server target qps 1e-300', `{ scenario: 'Server', serverTargetQps: 1e-300 }`, 'server_target_qps'],
  ['FindPeakPerformance in Offline', `{ scenario: 'Offline', mode: 'FindPeakPerformance' }`, 'mode'],
  ['min duration 1e30 ms', `{ scenario: 'Offline', minDurationMs: 1e30 }`, 'min_duration_ms'],
  ['min duration -1 ms', `{ scenario: 'Offline', minDurationMs: -1 }`, 'min_duration_ms'],
] as const) {
  test(`points 2, 6, 9: ${name} is a TypeError naming ${field}; the process lives on`, () => {
    const dir = tempDir('faults-settings');
    const { code, message } = refusedThenRun(run(settings), dir);
    assert.equal(code, 'ERR_LOADGEN_INVALID_SETTINGS', message);
    assert.ok(message.includes(field), message);
  });
}

test('the schedule estimate follows LoadGen: Server qps × duration, SingleStream 2 × duration / latency, Offline 1.1 × qps × duration', () => {
  const size = (init: object) => scheduleSize(toNativeTestSettings(testSettingsFrom(init as never)));
  assert.deepEqual(size({ scenario: 'Server', serverTargetQps: 100, minDurationMs: 600_000, minQueryCount: 100 }), {
    queries: 60_000,
    samples: 60_000,
    drivenBy: 'server_target_qps',
  });
  assert.equal(
    size({ scenario: 'SingleStream', singleStreamExpectedLatencyNs: 1e6, minDurationMs: 1000 }).queries,
    2000,
  );
  assert.equal(size({ scenario: 'Offline', offlineExpectedQps: 1000, minDurationMs: 10_000 }).samples, 11_000);
  assert.equal(TestScenario.Server, 2);
  assert.equal(TestMode.PerformanceOnly, 2);
});

test('point 6: FromConfig on /dev/zero and on a folder is ERR_LOADGEN_CONFIG, without hanging', () => {
  for (const path of ['/dev/zero', tempDir('faults-conf-dir')]) {
    const dir = tempDir('faults-conf');
    const { code, message } = refusedThenRun(
      `new TestSettings().FromConfig(${JSON.stringify(path)}, 'llama3_1-8b', 'Offline')`,
      dir,
    );
    assert.equal(code, 'ERR_LOADGEN_CONFIG');
    assert.ok(message.includes(path) && /not a regular file/.test(message), message);
  }
});

test('point 9: a user.conf line key=value without spaces, which LoadGen ignores, is warned about with file:line', () => {
  const dir = tempDir('faults-conf-glued');
  const conf = join(dir, 'user.conf');
  writeFileSync(conf, '# settings\n*.Offline.target_qps = 5\n*.Offline.min_duration=1000\n');
  const script = join(dir, 'child.mjs');
  writeFileSync(
    script,
    `import { TestSettings } from ${JSON.stringify(packageEntry)};
     const settings = new TestSettings();
     settings.FromConfig(${JSON.stringify(conf)}, 'llama3_1-8b', 'Offline');
     console.log(settings.offline_expected_qps, settings.min_duration_ms);`,
  );
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  // LoadGen applied the spaced line and skipped the glued one (its own default stays).
  assert.match(child.stdout, /^5 600000$/m);
  assert.ok(child.stderr.includes(`${conf}:3: '*.Offline.min_duration=1000' has no spaces around '='`), child.stderr);
});

test(
  'point 2: std::bad_alloc on LoadGen’s thread ends the run with ERR_LOADGEN_INTERNAL; the next run works (3 times)',
  { skip: totalmem() < 16 * 2 ** 30 ? 'needs a schedule that passes the memory bound on this machine' : false },
  () => {
    // Under a 5 GB address-space limit, a schedule the memory bound lets through (7.7 GB here) makes
    // LoadGen's allocation fail for real.
    for (let i = 0; i < 3; i++) {
      const dir = tempDir('faults-bad-alloc');
      const script = join(dir, 'child.mjs');
      writeFileSync(
        script,
        `import { runTest, completeSamples } from ${JSON.stringify(packageEntry)};
         const sut = { issueQuery: (ids) => completeSamples(ids) };
         try {
           await runTest({ sut, qsl: { totalSampleCount: 16 }, settings: { scenario: 'Offline', minQueryCount: 1.2e8 }, log: { outdir: ${JSON.stringify(dir)} + '/a' } });
           console.log('resolved');
         } catch (error) { console.log(error.code); }
         const result = await runTest({ sut, qsl: { totalSampleCount: 16 }, settings: { scenario: 'Offline', mode: 'AccuracyOnly' }, log: { outdir: ${JSON.stringify(dir)} + '/b' } });
         console.log('second', result.samplesCompleted);`,
      );
      const child = spawnSync('/bin/sh', ['-c', `ulimit -v 5000000 && exec "${process.execPath}" "${script}"`], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
      assert.equal(child.status, 0, `${child.stdout}\n${child.stderr}`);
      assert.match(child.stdout, /^ERR_LOADGEN_INTERNAL\nsecond 16$/m);
      assert.equal(readDetail(join(dir, 'b', 'mlperf_log_detail.txt')).errors.length, 0);
    }
  },
);

test('point 9: mlperf-llm run refuses --min-duration -1 and 1e30, --target-latency 1e-9 and --target-qps 1e12, naming them', () => {
  const cli = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
  const cwd = tempDir('faults-cli');
  for (const [flags, named] of [
    // Negative numbers are caught by the CLI's own flag check, before the settings are built.
    [['--min-duration', '-1'], /--min-duration -1: give a number of 0 or more/],
    [['--min-duration', '1e30'], /--min-duration must be .* \(got 1e\+30\)/],
    [['--scenario', 'SingleStream', '--target-latency', '1e-9'], /--target-latency must be at least 1e-6 \(1 ns\)/],
    [
      ['--scenario', 'Server', '--target-qps', '1e12'],
      /--target-qps must be a number from 1\/3600 .* to 1e9 \(got 1000000000000\)/,
    ],
  ] as const) {
    const child = spawnSync(process.execPath, [cli, 'run', ...flags], { cwd, encoding: 'utf8', timeout: 120_000 });
    assert.equal(child.signal, null, child.stderr);
    assert.equal(child.status, 1, `${flags.join(' ')}: ${child.stderr}`);
    assert.match(child.stderr, named);
  }
});
