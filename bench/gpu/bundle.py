"""Puts the staged artifacts back together on the GPU machine (see bench/gpu/stage.mjs).

The parts received so far lie in <stage>/parts; every artifact whose bytes they cover is cut out
of them, checked against the manifest's SHA-256 and unpacked: the app into <stage>/app, the
builder wheel into <stage>/site, the Node binary to <stage>/bin/node (checked again after
decompression), the provider archive kept as a file for setup-cuda. Artifacts already done are
left alone, so a part received twice costs nothing. Prints one status line.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def part_ranges(manifest):
    start = 0
    for part in manifest["parts"]:
        yield part, start, start + part["bytes"]
        start += part["bytes"]


def cut(manifest, stage, artifact, target):
    """Writes the artifact's bytes from the parts that hold them."""
    begin, end = artifact["offset"], artifact["offset"] + artifact["bytes"]
    with open(target, "wb") as out:
        for part, lo, hi in part_ranges(manifest):
            if hi <= begin or lo >= end:
                continue
            with open(os.path.join(stage, "parts", part["file"]), "rb") as f:
                f.seek(max(begin, lo) - lo)
                remaining = min(end, hi) - max(begin, lo)
                while remaining > 0:
                    chunk = f.read(min(remaining, 8 << 20))
                    out.write(chunk)
                    remaining -= len(chunk)


def unpack(kind, path, stage, manifest):
    if kind == "app":
        shutil.rmtree(os.path.join(stage, "app"), ignore_errors=True)
        subprocess.run(["tar", "-xJf", path, "-C", stage], check=True)
    elif kind == "wheel":
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile", "--upgrade", "--target", os.path.join(stage, "site"), path],
            check=True,
        )
    elif kind == "node":
        os.makedirs(os.path.join(stage, "bin"), exist_ok=True)
        binary = os.path.join(stage, "bin", "node")
        with open(binary, "wb") as out:
            subprocess.run(["xz", "-dc", path], stdout=out, check=True)
        os.chmod(binary, 0o755)
        if sha256_of(binary) != manifest["node"]["sha256"]:
            raise SystemExit(f"bundle: {binary} is not the pinned Node {manifest['node']['version']} binary")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", required=True)
    args = parser.parse_args()
    stage = args.stage
    with open(os.path.join(stage, "manifest.json")) as f:
        manifest = json.load(f)
    os.makedirs(os.path.join(stage, "files"), exist_ok=True)
    os.makedirs(os.path.join(stage, "done"), exist_ok=True)

    present = set()
    for part, _, _ in part_ranges(manifest):
        path = os.path.join(stage, "parts", part["file"])
        marker = os.path.join(stage, "done", f"{part['file']}.checked")
        if not os.path.exists(path):
            continue
        if not os.path.exists(marker):
            if os.path.getsize(path) != part["bytes"] or sha256_of(path) != part["sha256"]:
                os.remove(path)
                raise SystemExit(f"bundle: {part['file']} is damaged (size or SHA-256 differ from the manifest); carry it again")
            open(marker, "w").close()
        present.add(part["index"])

    ready, waiting = [], []
    for artifact in manifest["artifacts"]:
        name, kind = artifact["name"], artifact["kind"]
        marker = os.path.join(stage, "done", name)
        if os.path.exists(marker):
            ready.append(kind)
            continue
        needed = [p["index"] for p, lo, hi in part_ranges(manifest) if lo < artifact["offset"] + artifact["bytes"] and hi > artifact["offset"]]
        missing = [i for i in needed if i not in present]
        if missing:
            waiting.append(f"{kind} (needs part {','.join(map(str, missing))})")
            continue
        target = os.path.join(stage, "files", name)
        cut(manifest, stage, artifact, target)
        actual = sha256_of(target)
        if actual != artifact["sha256"]:
            os.remove(target)
            raise SystemExit(f"bundle: {name} has SHA-256 {actual}, not the manifest's {artifact['sha256']}")
        unpack(kind, target, stage, manifest)
        if kind != "provider":
            os.remove(target)
        open(marker, "w").close()
        ready.append(kind)
    total = len(manifest["parts"])
    print(f"bundle: parts {sorted(present)} of {total}; ready: {', '.join(ready) or 'nothing'}; waiting: {', '.join(waiting) or 'nothing'}")


if __name__ == "__main__":
    main()
