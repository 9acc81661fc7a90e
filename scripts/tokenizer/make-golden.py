"""Writes test/fixtures/tokenizer/golden.json: reference ids and decodes from Hugging Face's
`tokenizers` for the texts in corpus.py, on the same tokenizer.json the Node code loads.

Run it through make-golden.sh, which builds the pinned virtual environment first:

    python make-golden.py --tokenizer PATH/tokenizer.json --out test/fixtures/tokenizer/golden.json
"""

import argparse
import hashlib
import json
import sys

import tokenizers
from tokenizers import Tokenizer

from corpus import CORPUS

# Llama 3.1 gave three of Llama 3.0's reserved ids a name; the bundled file still has the old
# ones. The Node loader applies the same table, so both sides see the same added tokens.
LLAMA31_NAMES = {
    128004: "<|finetune_right_pad_id|>",
    128008: "<|eom_id|>",
    128010: "<|python_tag|>",
}


def byte_chars():
    """The ByteLevel table: byte value -> the printable character that stands for it."""
    kept = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table = {}
    extra = 0
    for b in range(256):
        if b in kept:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    spec = json.loads(raw)
    for token in spec["added_tokens"]:
        if token["id"] in LLAMA31_NAMES and token["content"].startswith("<|reserved_special_token_"):
            token["content"] = LLAMA31_NAMES[token["id"]]
    return Tokenizer.from_str(json.dumps(spec)), hashlib.sha256(raw).hexdigest()


def token_id(tok, byte_values):
    """The id of the vocabulary entry spelling exactly these bytes; fails loudly if absent."""
    chars = byte_chars()
    text = "".join(chars[b] for b in byte_values)
    found = tok.token_to_id(text)
    if found is None:
        sys.exit(f"no vocabulary entry for bytes {bytes(byte_values)!r}")
    return found


def decode_cases(tok):
    """Hand-made id sequences for the decoder: cut UTF-8 characters, stray bytes, specials."""
    person = list("\U0001f9d1".encode())  # f0 9f a7 91: no entry spells its last two bytes
    head = token_id(tok, person[:2])
    tail = [token_id(tok, person[2:3]), token_id(tok, person[3:])]
    grin_head = token_id(tok, list("\U0001f600".encode())[:3])
    lone_continuation = token_id(tok, [0x80])
    latin1_e_acute = token_id(tok, [0xE9])
    bom = list("\ufeff".encode())
    hello = tok.encode("Hello", add_special_tokens=False).ids
    return [
        ("emoji-head-only", [head]),
        ("emoji-three-byte-head-only", [grin_head]),
        ("emoji-head-then-tail", [head] + tail),
        ("emoji-head-then-half-tail", [head, tail[0]]),
        ("emoji-tail-only", tail),
        ("emoji-tail-then-head", tail + [head]),
        ("emoji-split-by-special", [head, 128009] + tail),
        ("emoji-head-before-text", [head] + hello),
        ("lone-continuation-byte", [lone_continuation, lone_continuation]),
        ("latin1-byte", hello + [latin1_e_acute] + hello),
        ("bom-bytes-first", [token_id(tok, bom)] + hello),
        ("bos-only", [128000]),
        ("all-eos", [128001, 128008, 128009]),
        ("renamed-specials", [128004, 128008, 128010]),
        ("specials-between-text", [128000] + hello + [128006] + hello + [128007, 128255]),
        ("empty", []),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    tok, sha = load(args.tokenizer)
    names = [name for name, _ in CORPUS]
    if len(set(names)) != len(names):
        sys.exit("corpus names must be unique")

    encode = []
    for name, text in CORPUS:
        ids = tok.encode(text).ids  # add_special_tokens=True: the post-processor's BOS
        encode.append({
            "name": name,
            "text": text,
            "ids": ids,
            # The split regex's pieces over the whole text, in the ByteLevel alphabet.
            "preTokens": [piece for piece, _ in tok.pre_tokenizer.pre_tokenize_str(text)],
            "decodeSkip": tok.decode(ids, skip_special_tokens=True),
            "decodeKeep": tok.decode(ids, skip_special_tokens=False),
        })
    decode = [
        {
            "name": name,
            "ids": ids,
            "decodeSkip": tok.decode(ids, skip_special_tokens=True),
            "decodeKeep": tok.decode(ids, skip_special_tokens=False),
        }
        for name, ids in decode_cases(tok)
    ]

    # One case per line with its ids on that line: readable diffs, no id-per-line bloat.
    def dump(value):
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    lines = ["{"]
    lines.append(f'"generator":{dump("scripts/tokenizer/make-golden.sh")},')
    lines.append(f'"tokenizersVersion":{dump(tokenizers.__version__)},')
    lines.append(f'"tokenizerJsonSha256":{dump(sha)},')
    lines.append('"encode":[')
    lines.append(",\n".join(dump(case) for case in encode))
    lines.append("],")
    lines.append('"decode":[')
    lines.append(",\n".join(dump(case) for case in decode))
    lines.append("]")
    lines.append("}")
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(encode)} encode and {len(decode)} decode cases to {args.out}")


if __name__ == "__main__":
    main()
