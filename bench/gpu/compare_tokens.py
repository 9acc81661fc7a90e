"""Compares the harness's greedy tokens (LoadGen's accuracy log of a run on the reference
prompts) with Hugging Face's (torch_eager.py --reference-out): the first token of every prompt
and the first N tokens of each, per reference dtype; with --batched-log, also against the tokens of
a run that decoded the prompts together (this run decoding them one at a time): batch-of-N against
batch-1.

Prints one JSON line; writes it to --out too.
"""

import argparse
import json
import struct


def logged_tokens(path):
    """qsl index -> token ids (int32 little-endian, as the harness writes them)."""
    with open(path) as f:
        entries = json.load(f)
    tokens = {}
    for entry in entries:
        data = bytes.fromhex(entry["data"])
        tokens[entry["qsl_idx"]] = list(struct.unpack(f"<{len(data) // 4}i", data))
    return tokens


def compare(ours, reference, length):
    firsts = exact = 0
    mismatches = []
    for i, ref in enumerate(reference):
        got = ours.get(i)
        if got is None:
            mismatches.append({"prompt": i, "why": "not in the accuracy log"})
            continue
        want = ref[:length]
        if got[:1] == want[:1]:
            firsts += 1
        if got[: len(want)] == want:
            exact += 1
        else:
            at = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            mismatches.append({"prompt": i, "first_difference_at": at})
    n = len(reference)
    return {
        "prompts": n,
        "first_token_equal": firsts,
        "first_token_rate": round(firsts / n, 4),
        "prefix_equal": exact,
        "prefix_rate": round(exact / n, 4),
        "prefix_tokens": length,
        "mismatches": mismatches[:16],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accuracy-log", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--label", help="the run, as the report names it")
    parser.add_argument("--export", help="the precision of the export the run used")
    parser.add_argument("--batched-log", help="accuracy log of the same prompts decoded together")
    parser.add_argument("--out")
    args = parser.parse_args()
    ours = logged_tokens(args.accuracy_log)
    with open(args.reference) as f:
        ref = json.load(f)
    result = {"kind": "token_check", "label": args.label, "export": args.export,
              "by_dtype": {name: compare(ours, d["tokens"], args.tokens) for name, d in ref["dtypes"].items()}}
    if args.batched_log:
        batched = logged_tokens(args.batched_log)
        result["vs_batched"] = compare(ours, [batched.get(i, []) for i in range(len(batched))], args.tokens)
    print(json.dumps(result), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
