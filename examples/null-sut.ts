// A null SUT driven through LoadGen's Python API, call for call as an MLPerf Python harness
// writes it (lg.ConstructSUT, lg.ConstructQSL, lg.StartTest...). Run: npm run example:null-sut
import { mkdirSync } from 'node:fs';
import * as lg from 'mlperf-loadgen-node';

function issueQueries(samples: lg.QuerySample[]): void {
  // A real SUT starts inference here and completes later; this one answers at once.
  const responses = samples.map((sample) => new lg.QuerySampleResponse(sample.id, new Int32Array([sample.index])));
  lg.QuerySamplesComplete(responses);
}
const flushQueries = (): void => undefined;
const loadSamplesToRam = (indices: number[]): void => console.log(`load ${indices.length} samples`);
const unloadSamplesFromRam = (indices: number[]): void => console.log(`unload ${indices.length} samples`);

const settings = new lg.TestSettings();
settings.scenario = lg.TestScenario.SingleStream;
settings.mode = lg.TestMode.PerformanceOnly;
settings.min_duration_ms = 2000;
settings.single_stream_expected_latency_ns = 5000;

const logSettings = new lg.LogSettings();
logSettings.log_output.outdir = 'results/null-sut';
logSettings.enable_trace = false;
mkdirSync(logSettings.log_output.outdir, { recursive: true });

const sut = lg.ConstructSUT(issueQueries, flushQueries);
const qsl = lg.ConstructQSL(1024, 128, loadSamplesToRam, unloadSamplesFromRam);
await lg.StartTestWithLogSettings(sut, qsl, settings, logSettings);
lg.DestroyQSL(qsl);
lg.DestroySUT(sut);

const summary = lg.readSummary(`${logSettings.log_output.outdir}/mlperf_log_summary.txt`);
console.log(
  `LoadGen ${lg.loadgenVersion}: ${summary.scenario} ${summary.result}, ` +
    `${summary.fields['QPS w/ loadgen overhead']} queries/s (logs in ${logSettings.log_output.outdir}/)`,
);
