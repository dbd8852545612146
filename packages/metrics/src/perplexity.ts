import { CftkitError } from "@cftkit/core/errors";

/** Log-likelihood of one held-out record: Σ log p over its scored tokens, and how many tokens that was. */
export interface RecordLogLikelihood {
  logprob: number;
  tokenCount: number;
  /** Optional grouping key (e.g. a language code) for per-group breakdowns. */
  group?: string;
}

export interface PerplexityResult {
  /** Token-weighted mean negative log-likelihood (nats/token) = −Σ logprob / Σ tokens. */
  meanNll: number;
  /** exp(meanNll): corpus perplexity. */
  perplexity: number;
  /** Mean over records of each record's own per-token NLL (unweighted by length). */
  meanRecordNll: number;
  records: number;
  tokens: number;
  byGroup?: Record<string, { meanNll: number; perplexity: number; records: number; tokens: number }>;
}

/** Aggregate per-record log-likelihoods into mean NLL and perplexity (overall and per group). */
export function aggregatePerplexity(records: RecordLogLikelihood[]): PerplexityResult {
  const scored = records.filter((r) => r.tokenCount > 0);
  if (scored.length === 0) throw new CftkitError("PPL_EMPTY", "no record with at least one scored token");
  for (const [i, r] of records.entries()) {
    if (!Number.isFinite(r.logprob) || r.logprob > 1e-9) {
      throw new CftkitError(
        "PPL_BAD_LOGPROB",
        `record ${i}: log-likelihood ${r.logprob} must be finite and ≤ 0`,
      );
    }
  }
  const sum = (rs: RecordLogLikelihood[]) => {
    let lp = 0;
    let tok = 0;
    for (const r of rs) {
      lp += r.logprob;
      tok += r.tokenCount;
    }
    return { meanNll: -lp / tok, perplexity: Math.exp(-lp / tok), records: rs.length, tokens: tok };
  };
  const total = sum(scored);
  let meanRecordNll = 0;
  for (const r of scored) meanRecordNll += -r.logprob / r.tokenCount;
  meanRecordNll /= scored.length;
  const result: PerplexityResult = { ...total, meanRecordNll };
  if (scored.some((r) => r.group !== undefined)) {
    const groups = new Map<string, RecordLogLikelihood[]>();
    for (const r of scored) {
      const g = r.group ?? "";
      const list = groups.get(g) ?? [];
      list.push(r);
      groups.set(g, list);
    }
    result.byGroup = Object.fromEntries(
      [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([g, rs]) => [g, sum(rs)]),
    );
  }
  return result;
}
