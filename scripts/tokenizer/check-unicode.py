"""Prints, for every Unicode code point, where Hugging Face's Llama 3 pre-tokenizer cuts a few
short probe texts around it. check-unicode.mjs prints the same for the Node pre-tokenizer, and
check-unicode.sh compares the two; a difference means the regex classes disagree somewhere.

    python check-unicode.py TOKENIZER_JSON OUT_FILE
"""

import sys

from tokenizers import Tokenizer

# Probes: letter/number/space classes, then the contractions under case-insensitive matching
# (each letter of s, t, re, ve, m, ll, d in turn is replaced by the code point).
PROBES = ["x{}x", "1{}1", " {} ", "x'{}x", "x'{}ex", "x'r{}x", "x'{}lx", "x'l{}x"]


def main():
    pre = Tokenizer.from_file(sys.argv[1]).pre_tokenizer
    with open(sys.argv[2], "w", encoding="ascii") as out:
        for cp in range(0x110000):
            if 0xD800 <= cp <= 0xDFFF:
                continue  # Python strings may hold them, but `tokenizers` refuses them
            c = chr(cp)
            cuts = [".".join(str(end) for _, (_, end) in pre.pre_tokenize_str(p.format(c))) for p in PROBES]
            out.write(f"{cp:x} {'|'.join(cuts)}\n")


if __name__ == "__main__":
    main()
