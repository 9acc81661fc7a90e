// Process and thread lifecycle, each in a child process: the process exits by itself after a
// run, process.exit() in the middle of a run is clean, and a worker terminated mid-run leaves
// the process able to run the next test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const packageEntry = fileURLToPath(new URL('../lib/index.js', import.meta.url));

/** Runs an ES module as a child process; a hang fails through the timeout. */
function runChild(
  source: string,
  dir: string,
): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const script = join(dir, 'child.mjs');
  writeFileSync(
    script,
    source.replaceAll('PACKAGE', JSON.stringify(packageEntry)).replaceAll('OUTDIR', JSON.stringify(dir)),
  );
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

test('the process exits by itself after a run (nothing keeps the event loop alive)', () => {
  const dir = tempDir('exit-natural');
  const child = runChild(
    `import { runTest, completeSamples } from PACKAGE;
     const result = await runTest({
       sut: { issueQuery: (ids) => { completeSamples(ids); } },
       qsl: { totalSampleCount: 64 },
       settings: { scenario: 'SingleStream', mode: 'AccuracyOnly' },
       log: { outdir: OUTDIR },
     });
     console.log('completed', result.samplesCompleted);`,
    dir,
  );
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /completed 64/);
});

test('process.exit() in the middle of a run exits cleanly with LoadGen’s logs written', () => {
  const dir = tempDir('exit-midrun');
  const child = runChild(
    `import { runTest, completeSamples } from PACKAGE;
     let issued = 0;
     await runTest({
       sut: { issueQuery: (ids) => { if (++issued === 100) process.exit(7); setTimeout(() => completeSamples(ids), 1); } },
       qsl: { totalSampleCount: 64 },
       settings: { scenario: 'SingleStream', minDurationMs: 600000, singleStreamExpectedLatencyNs: 100000000 },
       log: { outdir: OUTDIR },
     });
     console.log('not reached');`,
    dir,
  );
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 7, child.stderr);
  assert.doesNotMatch(child.stdout, /not reached/);
  const summary = join(dir, 'mlperf_log_summary.txt');
  assert.ok(existsSync(summary));
  assert.match(readFileSync(summary, 'utf8'), /Scenario : SingleStream/);
});

test('terminating a worker in the middle of its run is clean, and the process can test again', () => {
  const dir = tempDir('worker');
  const child = runChild(
    `import { Worker } from 'node:worker_threads';
     import { runTest, completeSamples } from PACKAGE;
     const worker = new Worker(\`
       import { runTest, completeSamples } from \${JSON.stringify(PACKAGE)};
       import { parentPort } from 'node:worker_threads';
       let issued = 0;
       await runTest({
         sut: { issueQuery: (ids) => { if (++issued === 20) parentPort.postMessage('running'); setTimeout(() => completeSamples(ids), 1); } },
         qsl: { totalSampleCount: 64 },
         settings: { scenario: 'SingleStream', minDurationMs: 600000, singleStreamExpectedLatencyNs: 100000000 },
         log: { outdir: \${JSON.stringify(OUTDIR)} },
       });\`, { eval: true, type: 'module' });
     await new Promise((resolve) => worker.once('message', resolve));
     const code = await worker.terminate();
     console.log('worker exit', code);
     const result = await runTest({
       sut: { issueQuery: (ids) => { completeSamples(ids); } },
       qsl: { totalSampleCount: 32 },
       settings: { scenario: 'Offline', mode: 'AccuracyOnly' },
       log: { outdir: OUTDIR + '/after' },
     });
     console.log('after', result.samplesCompleted);`,
    dir,
  );
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /worker exit 1/);
  assert.match(child.stdout, /after 32/);
});

test('fast back-to-back Server runs settle each promise exactly once (no crash on late wake-ups)', () => {
  const dir = tempDir('server-burst');
  const child = runChild(
    `import { runTest, completeSamples, QuerySamplesComplete, QuerySampleResponse, ConstructSUT, ConstructQSL, StartTestWithLogSettings, TestSettings, LogSettings, TestScenario } from PACKAGE;
     for (let i = 0; i < 6; i++) {
       await runTest({
         sut: { issueQuery: (ids) => { completeSamples(ids); } },
         qsl: { totalSampleCount: 64 },
         settings: { scenario: 'Server', serverTargetQps: 50000, minDurationMs: 300 },
         log: { outdir: OUTDIR, enableTrace: false },
       });
       const settings = new TestSettings();
       settings.scenario = TestScenario.Server;
       settings.server_target_qps = 50000;
       settings.min_duration_ms = 300;
       const log = new LogSettings();
       log.log_output.outdir = OUTDIR;
       log.enable_trace = false;
       const sut = ConstructSUT((samples) => QuerySamplesComplete(samples.map((s) => new QuerySampleResponse(s.id))), () => {});
       await StartTestWithLogSettings(sut, ConstructQSL(64, 64, () => {}, () => {}), settings, log);
     }
     console.log('all settled');`,
    dir,
  );
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /all settled/);
});

test('very short accuracy runs back to back do not outrun LoadGen’s logging of the loaded set', () => {
  // LoadGen logs each loaded sample set by reference, up to 10 ms later; runs shorter than that
  // used to let its IO thread read the freed set.
  const dir = tempDir('short-runs');
  const child = runChild(
    `import { runTest, completeSamples } from PACKAGE;
     for (let i = 0; i < 12; i++) {
       for (const scenario of ['SingleStream', 'Offline']) {
         await runTest({
           sut: { issueQuery: (ids) => { completeSamples(ids); } },
           qsl: { totalSampleCount: 4 },
           settings: { scenario, mode: 'AccuracyOnly' },
           log: { outdir: OUTDIR, enableTrace: false },
         });
       }
     }
     console.log('all done');`,
    dir,
  );
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /all done/);
});

test("a worker whose own run was aborted refuses the main thread's ids instead of taking them for its drained ones", () => {
  const dir = tempDir('worker-foreign-ids');
  const child = runChild(
    `import { Worker } from 'node:worker_threads';
     import { runTest, completeSamples } from PACKAGE;
     const worker = new Worker(\`
       import { runTest, completeSamples } from \${JSON.stringify(PACKAGE)};
       import { parentPort } from 'node:worker_threads';
       // An aborted run: the sample it never completes, and every later one, is drained by the binding.
       const controller = new AbortController();
       await runTest({
         sut: { issueQuery: () => controller.abort() },
         qsl: { totalSampleCount: 16 },
         settings: { scenario: 'SingleStream', minDurationMs: 100, singleStreamExpectedLatencyNs: 10000000 },
         log: { outdir: \${JSON.stringify(OUTDIR + '/worker')} },
         signal: controller.signal,
       }).catch(() => {});
       parentPort.postMessage('ready');
       parentPort.on('message', (ids) => {
         try {
           parentPort.postMessage('took ' + completeSamples(ids));
         } catch (error) {
           parentPort.postMessage(error.code);
         }
       });\`, { eval: true, type: 'module' });
     await new Promise((resolve) => worker.once('message', resolve));
     const answers = [];
     await runTest({
       sut: {
         issueQuery: (ids) => {
           worker.postMessage(ids);
           worker.once('message', (answer) => { answers.push(answer); completeSamples(ids); });
         },
       },
       qsl: { totalSampleCount: 16 },
       settings: { scenario: 'SingleStream', mode: 'AccuracyOnly' },
       log: { outdir: OUTDIR + '/main' },
     });
     await worker.terminate();
     console.log(JSON.stringify([...new Set(answers)]), answers.length);`,
    dir,
  );
  assert.equal(child.signal, null, `killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^\["ERR_LOADGEN_UNKNOWN_RESPONSE_ID"\] 16$/m);
});
