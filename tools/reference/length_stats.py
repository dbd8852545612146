#!/usr/bin/env python3
"""Independent reference for @cftkit/datasets length statistics on a SQuAD-layout file.

Prompt = instruction (template + "\\n\\n" + context) + "\\n" + question, as the datasets README defines
the QA record; words = str.split() (runs of non-whitespace); quantiles = nearest rank
(numpy 'inverted_cdf'). Prints JSON {rows, prompt: {min,max,mean,p50,p95}, output: {...}}.

usage: length_stats.py xquad.de.json TEMPLATE
"""
import json
import sys

import numpy as np


def stats(values):
    a = np.array(values)
    return {
        "min": int(a.min()),
        "max": int(a.max()),
        "mean": float(a.mean()),
        "p50": int(np.percentile(a, 50, method="inverted_cdf")),
        "p95": int(np.percentile(a, 95, method="inverted_cdf")),
    }


def main(path, template):
    doc = json.load(open(path, encoding="utf-8"))
    prompt, output = [], []
    for article in doc["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                instruction = template + "\n\n" + para["context"]
                prompt.append(len(instruction.split()) + len(qa["question"].split()))
                output.append(len(qa["answers"][0]["text"].split()))
    print(json.dumps({"rows": len(prompt), "prompt": stats(prompt), "output": stats(output)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
