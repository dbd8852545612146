#!/usr/bin/env python3
"""Independent reference for the official SQuAD v1.1 (evaluate-v1.1.py) and MLQA (mlqa_evaluation_v1.py) rules.

Written from the published rules with the python3 standard library only (unicodedata, re, string), which is what
the official scripts themselves use, so Python's Unicode `\\b`, `str.lower()` and `str.split()` semantics hold here
by construction.

Usage:
  squad_mlqa_eval.py JOBS.json     JOBS = [{"dataset": path, "predictions": {id: text}, "scorer": "squad"|"mlqa", "lang": "xx"}]
  prints a JSON list of {"exact_match", "f1", "count", "per_question": [[em, f1], ...]} (one per job);
  JOBS = {"jobs": [...], "repeat": n} prints {"seconds": scoring time of n repeats, "results": [...]}
"""
import json
import re
import string
import sys
import unicodedata
from collections import Counter

SQUAD_PUNCT = set(string.punctuation)
MLQA_PUNCT = {chr(i) for i in range(sys.maxunicode) if unicodedata.category(chr(i)).startswith("P")}.union(string.punctuation)
MLQA_ARTICLES = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
}
WHITESPACE_LANGS = {"en", "es", "hi", "vi", "de", "ar"}


def squad_normalize(s, _lang=None):
    s = s.lower()
    s = "".join(c for c in s if c not in SQUAD_PUNCT)
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def _mixed(text):
    out, buf = [], ""
    for ch in text:
        if re.search("[\u4e00-\u9fa5]", ch) or ch in MLQA_PUNCT:
            if buf:
                out.extend(buf.split())
                buf = ""
            out.append(ch)
        else:
            buf += ch
    if buf:
        out.extend(buf.split())
    return out


def mlqa_normalize(s, lang):
    s = s.lower()
    s = "".join(c for c in s if c not in MLQA_PUNCT)
    if lang in MLQA_ARTICLES:
        s = re.sub(MLQA_ARTICLES[lang], " ", s)
    elif lang == "ar":
        s = re.sub("\\sال^|ال", " ", s)
    elif lang not in ("hi", "zh"):
        raise ValueError("Unknown Language " + lang)
    if lang in WHITESPACE_LANGS:
        toks = s.split()
    elif lang == "zh":
        toks = _mixed(s)
    else:
        raise ValueError("Unknown Language " + lang)
    return " ".join(t for t in toks if t.strip() != "")


def f1(pred, gold, norm, lang):
    p = norm(pred, lang).split()
    g = norm(gold, lang).split()
    common = Counter(p) & Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0
    precision = 1.0 * same / len(p)
    recall = 1.0 * same / len(g)
    return (2 * precision * recall) / (precision + recall)


def evaluate(dataset, predictions, norm, lang):
    em_sum = f1_sum = total = 0
    per = []
    for article in dataset:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                total += 1
                if qa["id"] not in predictions:
                    per.append([0, 0])
                    continue
                golds = [a["text"] for a in qa["answers"]]
                pred = predictions[qa["id"]]
                em = max(norm(pred, lang) == norm(g, lang) for g in golds)
                f = max(f1(pred, g, norm, lang) for g in golds)
                per.append([int(em), f])
                em_sum += em
                f1_sum += f
    return {"exact_match": 100.0 * em_sum / total, "f1": 100.0 * f1_sum / total, "count": total, "per_question": per}


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        jobs = json.load(fh)
    timed = isinstance(jobs, dict)  # {"jobs": [...], "repeat": n} → also report the scoring time
    repeat = jobs.get("repeat", 1) if timed else 1
    if timed:
        jobs = jobs["jobs"]
    cache = {}
    for job in jobs:
        if job["dataset"] not in cache:
            with open(job["dataset"], encoding="utf-8") as fh:
                cache[job["dataset"]] = json.load(fh)["data"]
    import time
    start = time.perf_counter()
    for _ in range(repeat):
        results = []
        for job in jobs:
            norm = squad_normalize if job["scorer"] == "squad" else mlqa_normalize
            results.append(evaluate(cache[job["dataset"]], job["predictions"], norm, job.get("lang", "en")))
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "results": results} if timed else results, sys.stdout)


if __name__ == "__main__":
    main()
