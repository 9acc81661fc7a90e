"""Scores greedy token sequences with Hugging Face's float32 forward pass of the same weights
(teacher forcing): each sequence, prompt and generated tokens, goes through the model once, and
every generated step is judged against the float32 logits at its position: is its token the
arg-max, and if not, how far its logit falls short of the maximum (the deficit), beside the
float32 top-2 gap there.

Free-running token equality is a poor check on random weights: the logits of a random model are
close to each other, so rounding alone flips many steps (HF's own bf16 and fp32 runs differ),
and after one flip the rest of the sequence differs. Teacher forcing judges every step on its
own; a wrong position, mask or cache row gives deficits the size of the logits' spread, rounding
gives deficits near the rounding of the logits. HF's own bf16/fp16 greedy tokens are scored the
same way, as the yardstick of what rounding alone does.

Prints one JSON line; writes it to --out too.
"""

import argparse
import json

import torch
from transformers import LlamaForCausalLM

# The harness's accuracy log is read as compare_tokens.py reads it (same folder, run as a script).
from compare_tokens import logged_tokens


def score(model, prompts, sequences, tokens):
    deficits, gaps, hits, steps = [], [], 0, 0
    for i, prompt in enumerate(prompts):
        generated = sequences.get(i)
        if not generated:
            continue
        generated = generated[:tokens]
        ids = torch.tensor([prompt + generated], device="cuda")
        with torch.no_grad():
            hidden = model.model(input_ids=ids).last_hidden_state[0]
            # The position before each generated token predicts it.
            at = torch.arange(len(prompt) - 1, len(prompt) - 1 + len(generated), device="cuda")
            logits = model.lm_head(hidden[at]).float()
        top = torch.topk(logits, 2, dim=-1)
        chosen = logits.gather(1, torch.tensor(generated, device="cuda")[:, None])[:, 0]
        deficits += (top.values[:, 0] - chosen).tolist()
        gaps += (top.values[:, 0] - top.values[:, 1]).tolist()
        hits += int((top.indices[:, 0] == torch.tensor(generated, device="cuda")).sum())
        steps += len(generated)
    d = sorted(deficits)
    g = sorted(gaps)
    return {
        "steps": steps,
        "argmax_rate": round(hits / steps, 4) if steps else None,
        "p99_deficit": round(d[min(len(d) - 1, int(len(d) * 0.99))], 5) if d else None,
        "max_deficit": round(d[-1], 5) if d else None,
        "median_gap": round(g[len(g) // 2], 5) if g else None,
        "deficit_over_median_gap": sum(1 for x in deficits if x > g[len(g) // 2]) if g else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ckpt", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--accuracy-log", action="append", default=[], help="NAME=PATH of a harness accuracy log")
    parser.add_argument("--reference", help="torch_eager.py's reference tokens (HF's own greedy runs)")
    parser.add_argument("--count", type=int, default=32)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--out")
    args = parser.parse_args()
    with open(args.dataset) as f:
        prompts = [r["tok_input"] for r in json.load(f)[: args.count]]
    sets = {}
    for item in args.accuracy_log:
        name, path = item.split("=", 1)
        sets[name] = logged_tokens(path)
    if args.reference:
        with open(args.reference) as f:
            for dtype, d in json.load(f)["dtypes"].items():
                sets[f"HF {dtype}"] = dict(enumerate(d["tokens"]))
    model = LlamaForCausalLM.from_pretrained(args.ckpt, dtype=torch.float32, device_map="cuda")
    model.eval()
    # Exact float32 matrix products: TF32 would round the reference itself.
    torch.backends.cuda.matmul.allow_tf32 = False
    result = {"kind": "teacher_forced", "reference": "HF float32", "prompts": len(prompts), "tokens": args.tokens, "sets": {}}
    for name, sequences in sets.items():
        result["sets"][name] = score(model, prompts, sequences, args.tokens)
    print(json.dumps(result), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
