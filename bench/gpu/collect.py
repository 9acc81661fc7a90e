"""Gathers everything the GPU benchmark has produced so far into one results.json (read by
bench/gpu/report.mjs): versions, the machine, each step's exit status and wall time, the PyTorch
eager figures, the copy bandwidth and roofline, the token check, the engine's ms per step and
each LoadGen run's result.json. Steps not run yet are listed under `remaining`.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

# bf16 weights of Llama-3.1-8B: 8.03e9 parameters x 2 bytes. Every decode step reads them all.
WEIGHT_BYTES = 16.06e9


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def python_versions(cache):
    versions = load(cache)
    if versions:
        return versions
    code = (
        "import importlib, json\n"
        "out = {}\n"
        "for name in ['torch', 'transformers', 'onnx', 'onnx_ir', 'onnxruntime', 'onnxruntime_genai', 'numpy', 'safetensors']:\n"
        "    try:\n"
        "        out[name] = importlib.import_module(name).__version__\n"
        "    except Exception as e:\n"
        "        out[name] = 'unavailable: ' + str(e).split(chr(10))[0][:120]\n"
        "print(json.dumps(out))\n"
    )
    try:
        text = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
        versions = json.loads(text.strip().splitlines()[-1])
    except Exception as e:  # noqa: BLE001 - recorded, not fatal
        versions = {"error": str(e)}
    with open(cache, "w") as f:
        json.dump(versions, f)
    return versions


def folder_bytes(path):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(path, "*")) if os.path.isfile(p)) if os.path.isdir(path) else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--stage", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--expect", default="", help="the steps this run plans, space-separated")
    parser.add_argument("--main", default="bf16", help="the export the engine runs")
    parser.add_argument("--js", default="fp16", help="the export the JS path runs")
    args = parser.parse_args()
    work = args.work

    steps = {}
    for path in sorted(glob.glob(os.path.join(work, "results", "step-*.json"))):
        record = load(path)
        if record:
            steps[record["step"]] = record
    torch_records = load(os.path.join(work, "results", "torch.json"), [])
    copy = next((r for r in torch_records if r.get("kind") == "copy_bandwidth"), None)
    roofline = None
    if copy:
        bandwidth = copy["bytes_per_s_rw"]
        roofline = {
            "weight_bytes": WEIGHT_BYTES,
            "copy_bytes_per_s_rw": bandwidth,
            "ms_per_step": WEIGHT_BYTES / bandwidth * 1e3,
            "batch1_tokens_per_s": bandwidth / WEIGHT_BYTES,
        }
    reference = load(os.path.join(work, "hf_reference.json"))
    runs = {}
    for path in sorted(glob.glob(os.path.join(work, "runs", "*", "result.json"))):
        runs[os.path.basename(os.path.dirname(path))] = load(path)
    manifest = load(os.path.join(args.stage, "manifest.json"), {})
    gpu = None
    try:
        # nvidia-smi's CSV line(s) (name, memory, driver), without df's lines after them.
        lines = open(os.path.join(work, "logs", "gpu.log")).read().splitlines()
        gpu = "\n".join(line for line in lines if "MiB" in line) or None
    except OSError:
        pass
    server_steps = sorted(name for name in steps if name.startswith("server-"))
    done = set(os.listdir(os.path.join(work, "done"))) if os.path.isdir(os.path.join(work, "done")) else set()
    result = {
        "schema": 1,
        "exports_used": {"engine": args.main, "js_path": args.js},
        "machine": {"gpu": gpu, "doctor": load(os.path.join(work, "results", "doctor.json"))},
        "versions": {
            "python": python_versions(os.path.join(work, "results", "versions.json")),
            "staged": {key: manifest.get(key) for key in ("node", "onnxruntime", "provider", "genai", "modules")},
        },
        "steps": {name: {k: v for k, v in record.items() if k != "records"} for name, record in steps.items()},
        "checkpoint": next(iter(steps.get("checkpoint", {}).get("records", [])), None),
        "dataset": next(iter(steps.get("dataset", {}).get("records", [])), None),
        "exports": {
            name[len("export-") :]: {"bytes": folder_bytes(os.path.join(work, name)), "wall_s": steps.get(name, {}).get("wall_s"), "rc": steps.get(name, {}).get("rc")}
            for name in sorted(set(os.listdir(work)) | set(steps))
            if name.startswith("export-")
        },
        "torch_eager": [r for r in torch_records if r.get("kind") in ("torch_setup", "torch_eager")],
        "roofline": roofline,
        "reference": None
        if reference is None
        else {name: {k: v for k, v in d.items() if k != "tokens"} for name, d in reference["dtypes"].items()},
        # By run, in the order they ran.
        "token_checks": {
            os.path.basename(path)[len("token-check-") : -len(".json")]: load(path)
            for path in sorted(glob.glob(os.path.join(work, "results", "token-check-*.json")), key=os.path.getmtime)
        },
        "teacher_forced": load(os.path.join(work, "results", "teacher-forced.json")),
        "engine_steps": load(os.path.join(work, "results", "engine-steps-data.json")) or steps.get("engine-steps", {}).get("records"),
        "engine_steps_graph": load(os.path.join(work, "results", "engine-steps-graph-data.json")),
        "runs": runs,
        "remaining": [name for name in args.expect.split() if name not in done] + ([] if server_steps else ["server sweep"]),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(args.out)


if __name__ == "__main__":
    main()
