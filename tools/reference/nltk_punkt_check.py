#!/usr/bin/env python3
"""Optional cross-check against the real NLTK (used when an interpreter with nltk is available, e.g. Debian's
python3-nltk): Punkt sentences and NLTK word tokens for a list of texts, with PunktParameters filled from the
plain-text punkt_tab tables in packages/metrics/data/punkt_tab/english/ (no nltk_data download needed).

Usage: nltk_punkt_check.py TEXTS.json  → prints [{"sentences": [...], "words": [...]}...]
"""
import json
import os
import sys
from collections import defaultdict

from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TAB = os.path.join(HERE, "..", "..", "packages", "metrics", "data", "punkt_tab", "english")


def lines(name):
    with open(os.path.join(TAB, name), encoding="utf-8") as fh:
        return [l.rstrip("\n") for l in fh if l.rstrip("\n")]


params = PunktParameters()
params.abbrev_types = set(lines("abbrev_types.txt"))
params.collocations = set(tuple(l.split("\t")) for l in lines("collocations.tab"))
params.sent_starters = set(lines("sent_starters.txt"))
params.ortho_context = defaultdict(int, {l.rsplit("\t", 1)[0]: int(l.rsplit("\t", 1)[1]) for l in lines("ortho_context.tab")})
sent = PunktSentenceTokenizer(params)
words = NLTKWordTokenizer()

with open(sys.argv[1], encoding="utf-8") as fh:
    texts = json.load(fh)
out = []
for t in texts:
    s = sent.tokenize(t)
    out.append({"sentences": s, "words": [w for x in s for w in words.tokenize(x)]})
json.dump(out, sys.stdout)
