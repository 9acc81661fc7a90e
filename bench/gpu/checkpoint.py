"""Writes a random-weight Hugging Face checkpoint with Llama-3.1-8B-Instruct's exact architecture.

The config is Llama-3.1-8B-Instruct's published config.json, value for value; the weights are
drawn by transformers' own initializer (normal, std = initializer_range 0.02, norms at 1) from a
fixed seed, then stored in bfloat16 like the real checkpoint. The tokenizer files are the
Llama-3.1 ones the project's npm dependency ships. `--tiny` keeps the vocabulary, tokenizer and
RoPE settings but shrinks the layers, for a check on a CPU.

Prints one JSON line: what was written, how long it took, and the measured weight statistics.
"""

import argparse
import json
import os
import shutil
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

# Llama-3.1-8B-Instruct's config.json as published (only the transformers version field left out).
LLAMA31_8B_INSTRUCT = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 128000,
    "eos_token_id": [128001, 128008, 128009],
    "hidden_act": "silu",
    "hidden_size": 4096,
    "initializer_range": 0.02,
    "intermediate_size": 14336,
    "max_position_embeddings": 131072,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 8,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
    "rope_theta": 500000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "use_cache": True,
    "vocab_size": 128256,
}

# Its generation_config.json as published.
LLAMA31_GENERATION = {
    "bos_token_id": 128000,
    "do_sample": True,
    "eos_token_id": [128001, 128008, 128009],
    "temperature": 0.6,
    "top_p": 0.9,
}

# A shape small enough for a CPU: same vocabulary, tokenizer, RoPE and head grouping (4:1).
TINY_OVERRIDES = {
    "hidden_size": 256,
    "intermediate_size": 512,
    "num_attention_heads": 8,
    "num_key_value_heads": 2,
    "num_hidden_layers": 2,
}

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")


def weight_stats(model):
    """Mean and std of a few weight tensors, to show the init is HF's (std ~0.02, norms 1)."""
    layer = model.model.layers[0]
    picks = {
        "embed_tokens": model.model.embed_tokens.weight,
        "q_proj": layer.self_attn.q_proj.weight,
        "down_proj": layer.mlp.down_proj.weight,
        "lm_head": model.lm_head.weight,
        "input_layernorm": layer.input_layernorm.weight,
    }
    return {name: {"mean": round(w.float().mean().item(), 5), "std": round(w.float().std().item(), 5)} for name, w in picks.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="checkpoint folder to write")
    parser.add_argument("--tokenizer-dir", required=True, help="folder holding tokenizer.json and tokenizer_config.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tiny", action="store_true", help="a small model of the same family, for a CPU check")
    args = parser.parse_args()

    started = time.time()
    config_dict = dict(LLAMA31_8B_INSTRUCT, **(TINY_OVERRIDES if args.tiny else {}))
    config = LlamaConfig(**config_dict)
    torch.manual_seed(args.seed)
    with torch.device(args.device):
        # Drawn in float32 by transformers' initializer, then rounded to bfloat16 like the real weights.
        model = LlamaForCausalLM(config)
    model = model.to(torch.bfloat16).eval()
    if args.device == "cuda":
        torch.cuda.synchronize()
    init_s = time.time() - started

    os.makedirs(args.out, exist_ok=True)
    saved = time.time()
    model.save_pretrained(args.out)
    # The published files, verbatim, so readers see the real Llama-3.1 config (save_pretrained
    # writes transformers' own rendering of it).
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config_dict, f, indent=2)
    with open(os.path.join(args.out, "generation_config.json"), "w") as f:
        json.dump(LLAMA31_GENERATION, f, indent=2)
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(args.tokenizer_dir, name), os.path.join(args.out, name))
    save_s = time.time() - saved

    print(
        json.dumps(
            {
                "checkpoint": args.out,
                "tiny": args.tiny,
                "seed": args.seed,
                "parameters": sum(p.numel() for p in model.parameters()),
                "bytes": sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out)),
                "init_s": round(init_s, 2),
                "save_s": round(save_s, 2),
                "weights": weight_stats(model),
                "torch": torch.__version__,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
