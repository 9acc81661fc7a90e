// This binding's side of the null-SUT benchmark, in the two styles it offers.
//
//   node null-sut.js <SingleStream|Server|Offline> <outdir> <min_duration_ms> <param> <python-api|batched>
//
// param: Server target QPS, or Offline expected QPS (ignored for SingleStream).
// python-api: ConstructSUT + QuerySamplesComplete with QuerySampleResponse objects, as a port of
// a Python harness writes it. batched: runTest + completeSamples(ids) on the typed arrays.
// Each SUT completes its samples inside the issue callback.
import * as lg from '../../lib/index.js';

const [scenario, outdir, minDurationArg, paramArg, variant] = process.argv.slice(2) as [
  lg.TestScenarioName,
  string,
  string,
  string,
  string,
];
const minDurationMs = Number(minDurationArg);
const param = Number(paramArg);

const settings = new lg.TestSettings();
settings.mode = lg.TestMode.PerformanceOnly;
settings.scenario = lg.TestScenario[scenario];
settings.min_duration_ms = minDurationMs;
settings.single_stream_expected_latency_ns = 1000;
if (scenario === 'Server') settings.server_target_qps = param;
settings.server_target_latency_ns = 10_000_000;
if (scenario === 'Offline') settings.offline_expected_qps = param;

const log = new lg.LogSettings();
log.log_output.outdir = outdir;
log.enable_trace = false;

if (variant === 'batched') {
  await lg.runTest({
    sut: { issueQuery: (ids) => void lg.completeSamples(ids) },
    qsl: { totalSampleCount: 1024 },
    settings,
    log,
  });
} else {
  const sut = lg.ConstructSUT(
    (samples) => lg.QuerySamplesComplete(samples.map((sample) => new lg.QuerySampleResponse(sample.id, null, 0))),
    () => undefined,
  );
  const qsl = lg.ConstructQSL(
    1024,
    1024,
    () => undefined,
    () => undefined,
  );
  await lg.StartTestWithLogSettings(sut, qsl, settings, log);
  lg.DestroyQSL(qsl);
  lg.DestroySUT(sut);
}
