#!/usr/bin/env bash
# Kernel-level profile of the engine's decode step on the GPU machine, which has no Nsight: builds
# kernel-trace/kernel_trace.cc (a CUPTI injection library) against the CUPTI found there, then runs
# engine-steps.js under it at batch 1 and 64 (BATCHES="1 256" for others), each twice: 2 and 130
# new tokens. The kernels of the prefill and the load are the same in both, so the difference is
# 128 decode steps' kernels;
# kernel-summary.mjs (run where the results land) turns the CSVs into a per-step table.
#
# Needs what run.sh start/next set up (the staged app, setup-cuda, the bf16 export).
#   bash bench/gpu/profile.sh   (writes $OUT/kernels-b<batch>-t<tokens>.csv and steps-*.json)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stage=${MLPERF_STAGE:-/tmp/mlperf-stage}
work=${MLPERF_WORK:-/tmp/mlperf-work}
out=${OUT:-$work/out}
py=${PYTHON:-python3}
model=${MODEL:-$work/export-bf16}
mkdir -p "$out"
nvidia_dir=$($py -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || echo /opt/torch/.venv/lib/python3.12/site-packages/nvidia)
export LD_LIBRARY_PATH=$nvidia_dir/cu13/lib:$nvidia_dir/cudnn/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

include="" library=""
for dir in /usr/local/cuda/extras/CUPTI /usr/local/cuda "$nvidia_dir/cu13" "$nvidia_dir/cuda_cupti"; do
  if [ -z "$include" ] && [ -f "$dir/include/cupti.h" ]; then include=$dir/include; fi
  if [ -z "$library" ]; then library=$(ls "$dir"/lib64/libcupti.so* "$dir"/lib/libcupti.so* 2>/dev/null | head -1); fi
done
[ -n "$include" ] && [ -n "$library" ] || { echo "profile: no CUPTI headers ($include) or library ($library) found" >&2; exit 1; }
command -v g++ >/dev/null || { echo "profile: no g++ on this machine" >&2; exit 1; }
record=$(grep -o 'CUpti_ActivityKernel[0-9]*' "$include/cupti_activity.h" | sort -V | tail -1)
echo "profile: CUPTI $include, $library, records $record"
g++ -std=c++17 -O2 -shared -fPIC -I"$include" -I/usr/local/cuda/include -DKERNEL_RECORD="$record" "$here/kernel-trace/kernel_trace.cc" \
  -o "$work/libkernel_trace.so" "$library" -Wl,-rpath,"$(dirname "$library")" || exit 1

for _ in $(seq 1 60); do [ -f "$model/genai_config.json" ] && break; sleep 5; done
[ -f "$model/genai_config.json" ] || { echo "profile: no export at $model yet" >&2; exit 1; }
cd "$stage/app" || exit 1
for batch in ${BATCHES:-1 64}; do
  for tokens in 2 130; do
    KERNEL_TRACE_OUT=$out/kernels-b$batch-t$tokens.csv CUDA_INJECTION64_PATH=$work/libkernel_trace.so \
      timeout 180 "$stage/bin/node" dist/bench/gpu/engine-steps.js --model "$model" --device cuda --batches "$batch" \
      --prompt-length 800 --new-tokens "$tokens" --out "$out/steps-b$batch-t$tokens.json" 2>&1 | tail -1
    echo "profile: batch $batch, $tokens tokens: $(wc -l <"$out/kernels-b$batch-t$tokens.csv" 2>/dev/null || echo no) kernel lines"
  done
done
