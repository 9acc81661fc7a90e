"""Writes a synthetic cnn_eval.json of MLPerf-length prompts for the GPU benchmark.

Records have MLPerf's schema ({instruction, input, tok_input, output}); the prompts are random
ordinary Llama-3.1 token ids after BOS, so their lengths are exact. The first records are the
reference set: groups of equal length, so Hugging Face can generate each group as one batch with
no padding (padding would change the reference it is compared with). The rest have lengths
spread evenly around the mean, as CNN-DailyMail's prompts are.

Prints one JSON line describing the file.
"""

import argparse
import json
import random

BOS = 128000
# Token ids of ordinary text pieces: below the 256 reserved special tokens that start at 128000,
# and above the single bytes and most short pieces.
FIRST_ID, LAST_ID = 1000, 120000


def prompt(rng, length):
    return [BOS] + [rng.randrange(FIRST_ID, LAST_ID) for _ in range(length - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", type=int, default=1024, help="records in all")
    parser.add_argument("--reference-lengths", default="704,800,896,992", help="prompt length of each reference group")
    parser.add_argument("--reference-group", type=int, default=8, help="prompts per reference group")
    parser.add_argument("--mean", type=int, default=800, help="mean prompt length of the other records")
    parser.add_argument("--spread", type=int, default=200, help="their lengths are uniform in mean +- spread")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    lengths = [int(n) for n in args.reference_lengths.split(",") for _ in range(args.reference_group)]
    if len(lengths) > args.samples:
        raise SystemExit(f"--samples {args.samples} is fewer than the {len(lengths)} reference prompts")
    lengths += [rng.randint(args.mean - args.spread, args.mean + args.spread) for _ in range(args.samples - len(lengths))]
    records = [
        {
            "instruction": "synthetic prompt of random token ids (GPU benchmark)",
            "input": f"synthetic prompt {i} ({n} tokens)",
            "tok_input": prompt(rng, n),
            "output": f"synthetic reference {i}",
        }
        for i, n in enumerate(lengths)
    ]
    with open(args.out, "w") as f:
        json.dump(records, f)
    print(
        json.dumps(
            {
                "dataset": args.out,
                "samples": len(records),
                "reference_prompts": args.reference_group * len(args.reference_lengths.split(",")),
                "reference_lengths": [int(n) for n in args.reference_lengths.split(",")],
                "mean_prompt_tokens": round(sum(lengths) / len(lengths), 1),
                "max_prompt_tokens": max(lengths),
                "seed": args.seed,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
