"""PyTorch eager generation of the benchmark checkpoint: the baseline, the copy bandwidth behind
the weight-streaming roofline, and Hugging Face's greedy tokens for the reference prompts.

- Baseline: `generate` (greedy, SDPA attention, transformers' dynamic cache) on random prompts
  of --prompt tokens, --new tokens each, at each batch size. A run with one new token times the
  prefill; ms per decode step is the rest divided by the remaining steps.
- Copy bandwidth: device-to-device copies of a large buffer, counted as bytes read plus written;
  one decode step must read every weight once, so weight bytes / bandwidth is its floor.
- References: the dataset's first prompts (equal-length groups, one batch each, no padding),
  greedy, with the checkpoint loaded in each dtype asked for; the engine's tokens are checked
  against them. The seconds they took include loading.

Prints one JSON line per measurement and writes everything to --out.
"""

import argparse
import json
import time

import torch
from transformers import LlamaForCausalLM

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def emit(record, sink):
    sink.append(record)
    print(json.dumps(record), flush=True)


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def greedy(model, ids, new_tokens, exact):
    """Greedy tokens after `ids` ([batch, length]); `exact` forces all `new_tokens` (no EOS stop)."""
    with torch.no_grad():
        out = model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens if exact else 0,
            do_sample=False,
            temperature=None,
            top_p=None,
            pad_token_id=128001,
        )
    return out[:, ids.shape[1] :]


def baseline(model, device, batches, prompt, new, sink):
    gen = torch.Generator(device="cpu").manual_seed(2)

    def timed(batch, tokens):
        ids = torch.randint(1000, 120000, (batch, prompt), generator=gen).to(device)
        sync(device)
        start = time.time()
        out = greedy(model, ids, tokens, exact=True)
        sync(device)
        assert out.shape[1] == tokens, out.shape
        return time.time() - start

    timed(1, 4)  # warm-up: kernels, allocator
    for batch in batches:
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        prefill = timed(batch, 1)
        total = timed(batch, new)
        step = (total - prefill) / (new - 1)
        emit(
            {
                "kind": "torch_eager",
                "batch": batch,
                "prompt_tokens": prompt,
                "new_tokens": new,
                "prefill_s": round(prefill, 4),
                "total_s": round(total, 4),
                "ms_per_step": round(step * 1e3, 3),
                "tokens_per_s": round(batch * new / total, 2),
                "decode_tokens_per_s": round(batch / step, 2),
                "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if device == "cuda" else None,
            },
            sink,
        )


def copy_bandwidth(device, sink, gib=2):
    x = torch.empty(gib * 2**30, dtype=torch.uint8, device=device)
    y = torch.empty_like(x)
    for _ in range(3):
        y.copy_(x)
    sync(device)
    start = time.time()
    reps = 10
    for _ in range(reps):
        y.copy_(x)
    sync(device)
    seconds = time.time() - start
    emit({"kind": "copy_bandwidth", "bytes_each": x.numel(), "reps": reps, "seconds": round(seconds, 5), "bytes_per_s_rw": 2 * reps * x.numel() / seconds}, sink)
    del x, y


def load(ckpt, dtype, device):
    # Loaded afresh in each dtype: casting a loaded model with .to() would also round the rotary
    # inverse frequencies, which transformers keeps in float32 whatever the weights are.
    # Straight onto the device where accelerate is there (no host copy of 16-32 GB beside the exports).
    try:
        model = LlamaForCausalLM.from_pretrained(ckpt, dtype=dtype, device_map=device)
    except (ValueError, ImportError):
        model = LlamaForCausalLM.from_pretrained(ckpt, dtype=dtype).to(device)
    model.eval()
    model.generation_config.do_sample = False
    return model


def references(ckpt, device, dataset, count, tokens, dtypes, sink):
    with open(dataset) as f:
        records = json.load(f)[:count]
    prompts = [r["tok_input"] for r in records]
    groups = {}
    for i, p in enumerate(prompts):
        groups.setdefault(len(p), []).append(i)
    out = {"prompts": count, "new_tokens": tokens, "dtypes": {}}
    for name in dtypes:
        started = time.time()
        model = load(ckpt, DTYPES[name], device)
        result = [None] * count
        for length, members in sorted(groups.items()):
            ids = torch.tensor([prompts[i] for i in members], device=device)
            generated = greedy(model, ids, tokens, exact=False).tolist()
            for i, row in zip(members, generated):
                # Rows that ended early are padded after their EOS; keep the tokens up to and with it.
                cut = next((k + 1 for k, t in enumerate(row) if t in (128001, 128008, 128009)), len(row))
                result[i] = row[:cut]
        del model
        if device == "cuda":
            torch.cuda.empty_cache()
        distinct = [len(set(r)) for r in result]
        out["dtypes"][name] = {"tokens": result, "seconds": round(time.time() - started, 2), "distinct_tokens_per_prompt": distinct}
        print(json.dumps({"kind": "reference", "dtype": name, "prompts": count, "seconds": out["dtypes"][name]["seconds"], "min_distinct": min(distinct), "mean_distinct": round(sum(distinct) / len(distinct), 1)}), flush=True)
    sink.append({"kind": "reference_summary", "dtypes": {k: {"seconds": v["seconds"], "min_distinct": min(v["distinct_tokens_per_prompt"])} for k, v in out["dtypes"].items()}})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ckpt", required=True)
    parser.add_argument("--out", required=True, help="JSON file for the measurements")
    parser.add_argument("--reference-out", help="JSON file for the reference tokens")
    parser.add_argument("--dataset", help="cnn_eval.json whose first prompts are the reference set")
    parser.add_argument("--reference-count", type=int, default=32)
    parser.add_argument("--reference-tokens", type=int, default=32)
    parser.add_argument("--reference-dtypes", default="bf16,fp16,fp32")
    parser.add_argument("--batches", default="1,8,32,64")
    parser.add_argument("--prompt", type=int, default=800)
    parser.add_argument("--new", type=int, default=128)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    sink = []
    started = time.time()
    model = load(args.ckpt, torch.bfloat16, args.device)
    sync(args.device)
    emit(
        {
            "kind": "torch_setup",
            "load_s": round(time.time() - started, 2),
            "torch": torch.__version__,
            "transformers": __import__("transformers").__version__,
            "attention": model.config._attn_implementation,
            "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
            "cuda": torch.version.cuda,
        },
        sink,
    )
    if not args.skip_baseline:
        baseline(model, args.device, [int(b) for b in args.batches.split(",")], args.prompt, args.new, sink)
        if args.device == "cuda":
            copy_bandwidth(args.device, sink)
    del model
    if args.device == "cuda":
        torch.cuda.empty_cache()
    if args.reference_out:
        refs = references(args.ckpt, args.device, args.dataset, args.reference_count, args.reference_tokens, args.reference_dtypes.split(","), sink)
        with open(args.reference_out, "w") as f:
            json.dump(refs, f)
    with open(args.out, "w") as f:
        json.dump(sink, f, indent=1)


if __name__ == "__main__":
    main()
