"""The Python reference of the null-SUT benchmark: LoadGen's official Python binding.

    python null_sut.py <SingleStream|Server|Offline> <outdir> <min_duration_ms> <param> <list|fast>

param: Server target QPS, or Offline expected QPS (ignored for SingleStream).
list: ConstructSUT (QuerySample objects); fast: ConstructFastSUT (lists of ids and indices).
Each SUT completes its samples inside the issue callback.
"""
import sys

import mlperf_loadgen as lg


def main():
    scenario, outdir, min_duration_ms, param, variant = sys.argv[1:6]

    def issue_list(samples):
        lg.QuerySamplesComplete([lg.QuerySampleResponse(s.id, 0, 0) for s in samples])

    def issue_fast(ids, indices):
        lg.QuerySamplesComplete([lg.QuerySampleResponse(i, 0, 0) for i in ids])

    def flush():
        pass

    if variant == "fast":
        sut = lg.ConstructFastSUT(issue_fast, flush)
    else:
        sut = lg.ConstructSUT(issue_list, flush)
    qsl = lg.ConstructQSL(1024, 1024, lambda indices: None, lambda indices: None)

    settings = lg.TestSettings()
    settings.mode = lg.TestMode.PerformanceOnly
    settings.min_duration_ms = int(min_duration_ms)
    if scenario == "SingleStream":
        settings.scenario = lg.TestScenario.SingleStream
        settings.single_stream_expected_latency_ns = 1000
    elif scenario == "Server":
        settings.scenario = lg.TestScenario.Server
        settings.server_target_qps = float(param)
        settings.server_target_latency_ns = 10_000_000
    else:
        settings.scenario = lg.TestScenario.Offline
        settings.offline_expected_qps = float(param)

    log_settings = lg.LogSettings()
    log_settings.log_output.outdir = outdir
    log_settings.enable_trace = False
    lg.StartTestWithLogSettings(sut, qsl, settings, log_settings)
    lg.DestroyQSL(qsl)
    if variant == "fast":
        lg.DestroyFastSUT(sut)
    else:
        lg.DestroySUT(sut)


if __name__ == "__main__":
    main()
