#!/usr/bin/env python3
"""Independent AlpacaEval (annotator `alpaca_eval_gpt4`) scoring, written from alpaca_eval's documented protocol.

Reads JSON on stdin: {"items": [{"reply": <judge text or null when the outputs were identical>,
"model_shown_first": bool}, ...]} and prints {"preferences": [...], "win_rate", "standard_error", "n_wins",
"n_wins_base", "n_draws", "n_total", "n_unparsed"}:
  - the reply is a Python literal list of {'model': 'model_1'|'model_2', 'rank': 1|2} (parsed with ast.literal_eval);
    the preference in the shown order is the rank of model_1, flipped (3 - p) when the model's output was shown
    first, so 2 = the model won, 1 = the reference won; identical outputs are a draw (1.5); an unparseable reply
    is dropped;
  - win_rate = mean(preference - 1) * 100, standard_error = sample sd / sqrt(n) * 100.
"""
import ast
import json
import sys

import numpy as np


def rank_of_model_1(reply):
    try:
        ranking = ast.literal_eval(reply.strip())
        return [r["rank"] for r in ranking if r["model"] == "model_1"][0]
    except Exception:
        return None


def main():
    items = json.load(sys.stdin)["items"]
    preferences, unparsed = [], 0
    for item in items:
        if item["reply"] is None:
            preferences.append(1.5)
            continue
        rank = rank_of_model_1(item["reply"])
        if rank not in (1, 2):
            unparsed += 1
            continue
        preferences.append(3 - rank if item["model_shown_first"] else rank)
    p = np.asarray(preferences, dtype=np.float64) - 1
    n = len(p)
    print(json.dumps({
        "preferences": preferences,
        "win_rate": float(p.mean() * 100) if n else 0.0,
        "standard_error": float(p.std(ddof=1) / np.sqrt(n) * 100) if n > 1 else 0.0,
        "n_wins": int((p > 0.5).sum()),
        "n_wins_base": int((p < 0.5).sum()),
        "n_draws": int((p == 0.5).sum()),
        "n_total": n,
        "n_unparsed": unparsed,
    }))


if __name__ == "__main__":
    main()
