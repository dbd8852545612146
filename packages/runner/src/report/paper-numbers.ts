import { STRATEGY_CATALOGUE } from "@cftkit/trainer";

/**
 * Published numbers of the method's paper (Aggarwal et al., arXiv 2410.16006), shown next to a run's own
 * for comparison. They are the paper's, at 7B scale with real benchmarks, not something cftkit measured.
 */
export const PAPER_REFERENCE = {
  citation:
    "Aggarwal et al., Exploring Two-Phase Continual Instruction Fine-tuning for Multilingual Adaptation in LLMs (arXiv 2410.16006)",
  model: "Mistral-7B",
  /** Table 5: Instruct → MultiAlpaca (dissimilar phases). Phase 1 EA 0.449. */
  dissimilar: {
    pair: "Instruct → MultiAlpaca",
    phase1: { ea: 0.449 },
    des: 0.746,
    mpd_normalized: 1.0,
    phase2: {
      baseline: { ea: 0.332, ma: 0.302 },
      LF_H1: { ea: 0.336, ma: 0.209 },
      LF_H2: { ea: 0.294, ma: 0.263 },
      Spectrum: { ea: 0.363, ma: 0.237 },
      GR_5: { ea: 0.394, ma: 0.298 },
      GR_10: { ea: 0.394, ma: 0.274 },
      ER_10: { ea: 0.404, ma: 0.276 },
      LoRA: { ea: 0.341, ma: 0.321 },
    } as Record<string, { ea: number; ma: number }>,
  },
  /** Tables 1-2: Alpaca → MultiAlpaca (similar phases): no forgetting. */
  similar: {
    pair: "Alpaca → MultiAlpaca",
    phase1: { ea: 0.343, ma: 0.238 },
    des: 0.924,
    mpd_normalized: 0.29,
    phase2: { baseline: { ea: 0.371, ma: 0.338 } } as Record<string, { ea: number; ma: number }>,
  },
} as const;

/** The paper's Table 5 rows (dissimilar pair) in strategy-catalogue order, with Overall = mean(EA, MA). */
export function paperRows(): { strategy: string; ea: number; ma: number; overall: number }[] {
  const rows = PAPER_REFERENCE.dissimilar.phase2;
  return STRATEGY_CATALOGUE.filter((s) => rows[s.name]).map((s) => {
    const { ea, ma } = rows[s.name]!;
    return { strategy: s.name, ea, ma, overall: (ea + ma) / 2 };
  });
}
