#!/usr/bin/env python3
"""Independent Python reference for the IFEval instruction checkers that need neither NLTK nor langdetect (20 of
the 25), strict and loose, written from google-research `instruction_following_eval` rules with the standard
library only. Used by bench/scorers.ts as the Python baseline on the same inputs.

Usage: ifeval_subset.py INPUT.jsonl RESPONSES.jsonl REPEAT
prints {"seconds": float, "instructions": n, "strict": [[bool...]...], "loose": [[bool...]...]}
(instructions whose id is outside the subset are skipped and reported as null)
"""
import collections
import json
import re
import sys
import time


def _rel(actual, relation, threshold):
    if relation == "less than":
        return actual < threshold
    if relation == "at least":
        return actual >= threshold
    return None


def keywords_existence(v, kw):
    return all(re.search(k, v, flags=re.IGNORECASE) for k in kw["keywords"])


def keywords_frequency(v, kw):
    return _rel(len(re.findall(kw["keyword"].strip(), v, flags=re.IGNORECASE)), kw["relation"], kw["frequency"])


def forbidden(v, kw):
    return not any(re.search(r"\b" + w + r"\b", v, flags=re.IGNORECASE) for w in kw["forbidden_words"])


def letter_frequency(v, kw):
    count = collections.Counter(v.lower())[kw["letter"].strip().lower()]
    return count < kw["let_frequency"] if kw["let_relation"] == "less than" else count >= kw["let_frequency"]


def number_paragraphs(v, kw):
    paragraphs = re.split(r"\s?\*\*\*\s?", v)
    n = len(paragraphs)
    for i, p in enumerate(paragraphs):
        if not p.strip():
            if i == 0 or i == len(paragraphs) - 1:
                n -= 1
            else:
                return False
    return n == kw["num_paragraphs"]


def number_words(v, kw):
    return _rel(len(re.findall(r"\w+", v)), kw["relation"], kw["num_words"])


def nth_paragraph(v, kw):
    paragraphs = re.split(r"\n\n", v)
    n = len(paragraphs) - sum(1 for p in paragraphs if not p.strip())
    nth = kw["nth_paragraph"]
    if nth > n:
        return False
    p = paragraphs[nth - 1].strip()
    if not p:
        return False
    word = p.split()[0].strip().lstrip("'").lstrip('"')
    first = ""
    for ch in word:
        if ch in {".", ",", "?", "!", "'", '"'}:
            break
        first += ch.lower()
    return n == kw["num_paragraphs"] and first == kw["first_word"].lower()


def placeholders(v, kw):
    return len(re.findall(r"\[.*?\]", v)) >= kw["num_placeholders"]


def postscript(v, kw):
    marker = kw["postscript_marker"].strip()
    v = v.lower()
    if marker == "P.P.S":
        pat = r"\s*p\.\s?p\.\s?s.*$"
    elif marker == "P.S.":
        pat = r"\s*p\.\s?s\..*$"
    else:
        pat = r"\s*" + marker.lower() + r".*$"
    return bool(re.findall(pat, v, flags=re.MULTILINE))


def bullets(v, kw):
    a = re.findall(r"^\s*\*[^\*].*$", v, flags=re.MULTILINE)
    b = re.findall(r"^\s*-.*$", v, flags=re.MULTILINE)
    return len(a) + len(b) == kw["num_bullets"]


def constrained(v, kw):
    v = v.strip()
    return any(o in v for o in ("My answer is yes.", "My answer is no.", "My answer is maybe."))


def highlights(v, kw):
    n = sum(1 for h in re.findall(r"\*[^\n\*]*\*", v) if h.strip("*").strip())
    n += sum(1 for h in re.findall(r"\*\*[^\n\*]*\*\*", v) if h.removeprefix("**").removesuffix("**").strip())
    return n >= kw["num_highlights"]


def sections(v, kw):
    return len(re.split(r"\s?" + kw["section_spliter"].strip() + r"\s?\d+\s?", v)) - 1 >= kw["num_sections"]


def json_format(v, kw):
    v = v.strip().removeprefix("```json").removeprefix("```Json").removeprefix("```JSON").removeprefix("```").removesuffix("```").strip()
    try:
        json.loads(v)
    except ValueError:
        return False
    return True


def title(v, kw):
    return any(t.lstrip("<").rstrip(">").strip() for t in re.findall(r"<<[^\n]+>>", v))


def two_responses(v, kw):
    valid = []
    parts = v.split("******")
    for i, r in enumerate(parts):
        if not r.strip():
            if i != 0 and i != len(parts) - 1:
                return False
        else:
            valid.append(r)
    return len(valid) == 2 and valid[0].strip() != valid[1].strip()


def repeat_prompt(v, kw):
    return v.strip().lower().startswith(kw["prompt_to_repeat"].strip().lower())


def end_checker(v, kw):
    return v.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


def no_comma(v, kw):
    return not re.search(r"\,", v)


def quotation(v, kw):
    v = v.strip()
    return len(v) > 1 and v[0] == '"' and v[-1] == '"'


CHECKERS = {
    "keywords:existence": keywords_existence, "keywords:frequency": keywords_frequency,
    "keywords:forbidden_words": forbidden, "keywords:letter_frequency": letter_frequency,
    "length_constraints:number_paragraphs": number_paragraphs, "length_constraints:number_words": number_words,
    "length_constraints:nth_paragraph_first_word": nth_paragraph,
    "detectable_content:number_placeholders": placeholders, "detectable_content:postscript": postscript,
    "detectable_format:number_bullet_lists": bullets, "detectable_format:constrained_response": constrained,
    "detectable_format:number_highlighted_sections": highlights, "detectable_format:multiple_sections": sections,
    "detectable_format:json_format": json_format, "detectable_format:title": title,
    "combination:two_responses": two_responses, "combination:repeat_prompt": repeat_prompt,
    "startend:end_checker": end_checker, "punctuation:no_comma": no_comma, "startend:quotation": quotation,
}


def variants(r):
    lines = r.split("\n")
    first = "\n".join(lines[1:]).strip()
    last = "\n".join(lines[:-1]).strip()
    both = "\n".join(lines[1:-1]).strip()
    return [r, r.replace("*", ""), first, last, both, first.replace("*", ""), last.replace("*", ""), both.replace("*", "")]


def main():
    inputs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
    responses = {}
    for l in open(sys.argv[2], encoding="utf-8"):
        d = json.loads(l)
        responses[d["prompt"]] = d["response"]
    repeat = int(sys.argv[3])
    start = time.perf_counter()
    n = 0
    for _ in range(repeat):
        strict_all, loose_all, n = [], [], 0
        for inp in inputs:
            resp = responses[inp["prompt"]]
            vs = variants(resp)
            s_row, l_row = [], []
            for iid, kw in zip(inp["instruction_id_list"], inp["kwargs"]):
                fn = CHECKERS.get(iid)
                if fn is None:
                    s_row.append(None)
                    l_row.append(None)
                    continue
                kw = {k: v for k, v in kw.items() if v is not None}
                n += 1
                s_row.append(bool(resp.strip() and fn(resp, kw)))
                l_row.append(any(bool(r.strip() and fn(r, kw)) for r in vs))
            strict_all.append(s_row)
            loose_all.append(l_row)
    json.dump({"seconds": time.perf_counter() - start, "instructions": n, "strict": strict_all, "loose": loose_all}, sys.stdout)


if __name__ == "__main__":
    main()
