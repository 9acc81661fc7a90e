#!/usr/bin/env bash
# Takes one carried part of the staged bundle (bench/gpu/stage.mjs wrote it to .device/part-N) into
# /tmp/mlperf-stage on the GPU machine, which keeps /tmp while it stays warm. Every artifact that
# the parts received so far cover is then cut out, SHA-256-checked and unpacked (bundle.py).
# Parts from another staging run reset the folder: their manifests would disagree.
# Usage: bash bench/gpu/receive.sh .device/part-N
set -euo pipefail
part=${1:?usage: receive.sh .device/part-N}
stage=${MLPERF_STAGE:-/tmp/mlperf-stage}
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$part/manifest.json" ] || { echo "receive: $part holds no manifest.json: carry the folder stage.mjs wrote" >&2; exit 1; }
mkdir -p "$stage/parts"
if [ -f "$stage/manifest.json" ] && ! cmp -s "$stage/manifest.json" "$part/manifest.json"; then
  echo "receive: $part comes from another staging run than the parts in $stage; starting over"
  rm -rf "$stage/parts" "$stage/done" "$stage/files"
  mkdir -p "$stage/parts"
fi
cp "$part/manifest.json" "$stage/manifest.json"
cp "$part"/bundle.* "$stage/parts/"
${PYTHON:-python3} "$here/bundle.py" --stage "$stage"
