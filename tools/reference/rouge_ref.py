#!/usr/bin/env python3
"""Independent reference for Google rouge_score's English ROUGE-1/2/L (tokenizer, NLTK-extensions Porter stemmer,
n-gram overlap, LCS), written from the published rules with the standard library only (rouge_score and nltk are
not installed here).

Usage:
  rouge_ref.py score JOBS.json     JOBS = {"pairs": [[target, prediction], ...], "stem": bool, "repeat": int}
      prints {"scores": [{"rouge1": [p, r, f], "rouge2": [...], "rougeL": [...]}...], "seconds": float}
  rouge_ref.py stem WORDS.json     prints the stems of a JSON list of lower-case words
"""
import json
import re
import sys
import time

VOWELS = set("aeiou")
IRREGULAR = {"skies": "sky", "sky": "sky", "dying": "die", "lying": "lie", "tying": "tie", "news": "news",
             "innings": "inning", "inning": "inning", "outings": "outing", "outing": "outing",
             "cannings": "canning", "canning": "canning", "howe": "howe", "proceed": "proceed",
             "exceed": "exceed", "succeed": "succeed"}


def cons(w, i):
    if w[i] in VOWELS:
        return False
    if w[i] == "y":
        return True if i == 0 else not cons(w, i - 1)
    return True


def measure(s):
    pattern = "".join("c" if cons(s, i) else "v" for i in range(len(s)))
    return pattern.count("vc")


def has_vowel(s):
    return any(not cons(s, i) for i in range(len(s)))


def double_cons(w):
    return len(w) >= 2 and w[-1] == w[-2] and cons(w, len(w) - 1)


def cvc(w):
    if len(w) >= 3 and cons(w, len(w) - 3) and not cons(w, len(w) - 2) and cons(w, len(w) - 1) and w[-1] not in "wxy":
        return True
    return len(w) == 2 and not cons(w, 0) and cons(w, 1)


def rules(w, table):
    """First matching suffix decides; its condition gates the replacement."""
    for suffix, repl, cond in table:
        if suffix == "*d":
            if double_cons(w):
                stem = w[:-2]
                return stem + repl if cond is None or cond(stem) else w
            continue
        if w.endswith(suffix):
            stem = w[: len(w) - len(suffix)] if suffix else w
            return stem + repl if cond is None or cond(stem) else w
    return w


def pos(s):
    return measure(s) > 0


def gt1(s):
    return measure(s) > 1


def porter(word):
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 2:
        return word
    w = word
    # 1a
    if w.endswith("ies") and len(w) == 4:
        w = w[:-3] + "ie"
    else:
        w = rules(w, [("sses", "ss", None), ("ies", "i", None), ("ss", "ss", None), ("s", "", None)])
    # 1b
    if w.endswith("ied"):
        w = w[:-3] + ("ie" if len(w) == 4 else "i")
    elif w.endswith("eed"):
        if measure(w[:-3]) > 0:
            w = w[:-3] + "ee"
    else:
        stem = None
        if w.endswith("ed") and has_vowel(w[:-2]):
            stem = w[:-2]
        elif w.endswith("ing") and has_vowel(w[:-3]):
            stem = w[:-3]
        if stem is not None:
            last = stem[-1] if stem else ""
            w = rules(stem, [("at", "ate", None), ("bl", "ble", None), ("iz", "ize", None),
                             ("*d", last, lambda s: last not in "lsz"),
                             ("", "e", lambda s: measure(s) == 1 and cvc(s))])
    # 1c
    w = rules(w, [("y", "i", lambda s: len(s) > 1 and cons(s, len(s) - 1))])
    # 2
    w = step2(w)
    # 3
    w = rules(w, [("icate", "ic", pos), ("ative", "", pos), ("alize", "al", pos), ("iciti", "ic", pos),
                  ("ical", "ic", pos), ("ful", "", pos), ("ness", "", pos)])
    # 4
    w = rules(w, [("al", "", gt1), ("ance", "", gt1), ("ence", "", gt1), ("er", "", gt1), ("ic", "", gt1),
                  ("able", "", gt1), ("ible", "", gt1), ("ant", "", gt1), ("ement", "", gt1), ("ment", "", gt1),
                  ("ent", "", gt1), ("ion", "", lambda s: measure(s) > 1 and s[-1:] in ("s", "t")),
                  ("ou", "", gt1), ("ism", "", gt1), ("ate", "", gt1), ("iti", "", gt1), ("ous", "", gt1),
                  ("ive", "", gt1), ("ize", "", gt1)])
    # 5a
    if w.endswith("e"):
        s = w[:-1]
        if measure(s) > 1 or (measure(s) == 1 and not cvc(s)):
            w = s
    # 5b
    w2 = w
    w = rules(w, [("ll", "l", lambda s: measure(w2[:-1]) > 1)])
    return w


def step2(w):
    if w.endswith("alli") and pos(w[:-4]):
        return step2(w[:-4] + "al")
    return rules(w, [("ational", "ate", pos), ("tional", "tion", pos), ("enci", "ence", pos), ("anci", "ance", pos),
                     ("izer", "ize", pos), ("bli", "ble", pos), ("alli", "al", pos), ("entli", "ent", pos),
                     ("eli", "e", pos), ("ousli", "ous", pos), ("ization", "ize", pos), ("ation", "ate", pos),
                     ("ator", "ate", pos), ("alism", "al", pos), ("iveness", "ive", pos), ("fulness", "ful", pos),
                     ("ousness", "ous", pos), ("aliti", "al", pos), ("iviti", "ive", pos), ("biliti", "ble", pos),
                     ("fulli", "ful", pos), ("logi", "log", lambda s: pos(w[:-3]))])


def tokenize(text, stem):
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    toks = re.split(r"\s+", text)
    if stem:
        toks = [porter(t) if len(t) > 3 else t for t in toks]
    return [t for t in toks if re.match(r"^[a-z0-9]+$", t)]


def prf(overlap, pred_n, tgt_n):
    p = overlap / max(pred_n, 1)
    r = overlap / max(tgt_n, 1)
    return [p, r, (2 * p * r / (p + r)) if p + r > 0 else 0.0]


def ngrams(toks, n):
    c = {}
    for i in range(len(toks) - n + 1):
        g = tuple(toks[i:i + n])
        c[g] = c.get(g, 0) + 1
    return c


def rouge_n(t, p, n):
    tc, pc = ngrams(t, n), ngrams(p, n)
    overlap = sum(min(c, tc[g]) for g, c in pc.items() if g in tc)
    return prf(overlap, sum(pc.values()), sum(tc.values()))


def lcs(a, b):
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            cur[j] = prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1])
        prev = cur
    return prev[-1]


def rouge_l(t, p):
    if not t or not p:
        return [0.0, 0.0, 0.0]
    m = lcs(t, p)
    pr, rc = m / len(p), m / len(t)
    return [pr, rc, (2 * pr * rc / (pr + rc)) if pr + rc > 0 else 0.0]


def main():
    with open(sys.argv[2], encoding="utf-8") as fh:
        job = json.load(fh)
    if sys.argv[1] == "stem":
        json.dump([porter(w) for w in job], sys.stdout)
        return
    stem = job.get("stem", False)
    start = time.perf_counter()
    for _ in range(job.get("repeat", 1)):
        out = []
        for target, pred in job["pairs"]:
            t, p = tokenize(target, stem), tokenize(pred, stem)
            out.append({"rouge1": rouge_n(t, p, 1), "rouge2": rouge_n(t, p, 2), "rougeL": rouge_l(t, p)})
    json.dump({"scores": out, "seconds": time.perf_counter() - start}, sys.stdout)


if __name__ == "__main__":
    main()
