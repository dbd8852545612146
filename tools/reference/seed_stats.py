"""Independent reference for the quickstart's seed statistics (packages/runner/src/report/seed-statistics.ts).

- 95 % Student-t interval of a mean over seeds: mean +- t(0.975, n-1) * s / sqrt(n), s with ddof=1; the t
  quantiles are the printed table values (e.g. Abramowitz & Stegun table 26.10), not computed here.
- Paired interval: the same interval of the per-seed differences a - b.
- Spearman's rho: Pearson's r of ranks, ties given the mean of the ranks they span (as scipy.stats.rankdata
  'average'), ranks found by counting, not by sorting.
- The smallest two-sided p-value a rank correlation of n distinct values can reach: by enumerating all n!
  orderings of the ranks (exact permutation test).

Reads JSON on stdin: {"intervals": [[..]], "paired": [[[a..], [b..]]], "spearman": [[[x..], [y..]]],
"min_p": [n, ..]}; prints the same keys with results as JSON (null where undefined)."""
import itertools
import json
import math
import sys

import numpy as np

# t(0.975, df), df = 1..30, from the printed tables (5 significant digits or more).
T975 = {
    1: 12.7062047, 2: 4.30265273, 3: 3.18244631, 4: 2.77644511, 5: 2.57058184, 6: 2.44691185,
    7: 2.36462425, 8: 2.30600414, 9: 2.26215716, 10: 2.22813885, 11: 2.20098516, 12: 2.17881283,
    13: 2.16036866, 14: 2.14478669, 15: 2.13144955, 16: 2.11990530, 17: 2.10981558, 18: 2.10092204,
    19: 2.09302405, 20: 2.08596345, 21: 2.07961384, 22: 2.07387307, 23: 2.06865761, 24: 2.06389856,
    25: 2.05953855, 26: 2.05552944, 27: 2.05183052, 28: 2.04840714, 29: 2.04522964, 30: 2.04227246,
}


def interval(values):
    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    mean = float(v.mean())
    if n < 2:
        return {"mean": mean, "sd": None, "n": n, "half_width": None, "low": None, "high": None}
    sd = float(v.std(ddof=1))
    half = T975[n - 1] * sd / math.sqrt(n)
    return {"mean": mean, "sd": sd, "n": n, "half_width": half, "low": mean - half, "high": mean + half}


def average_ranks(values):
    v = list(values)
    out = []
    for x in v:
        below = sum(1 for y in v if y < x)
        equal = sum(1 for y in v if y == x)
        out.append(below + (equal + 1) / 2.0)
    return np.asarray(out, dtype=np.float64)


def spearman(x, y):
    if len(x) != len(y) or len(x) < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def min_p(n):
    """Two-sided exact permutation p-value of the most extreme ordering (rho = 1) among n! orderings."""
    ranks = list(range(1, n + 1))
    extreme = 0
    total = 0
    for perm in itertools.permutations(ranks):
        total += 1
        rho = spearman(ranks, list(perm)) if n > 1 else None
        if rho is not None and abs(rho) >= 1 - 1e-12:
            extreme += 1
    return extreme / total


cases = json.load(sys.stdin)
print(json.dumps({
    "intervals": [interval(v) for v in cases.get("intervals", [])],
    "paired": [interval(np.asarray(a) - np.asarray(b)) for a, b in cases.get("paired", [])],
    "spearman": [spearman(x, y) for x, y in cases.get("spearman", [])],
    "min_p": [min_p(n) for n in cases.get("min_p", [])],
}))
