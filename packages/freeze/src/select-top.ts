export interface ScoredModule {
  module: string;
  type: string;
  value: number;
}

/**
 * Per type, the modules with the highest values: sorted descending (a stable sort, so ties keep the input
 * order — lowest layer first), keeping `floor(count · topPercent / 100)` (Spectrum's rule) or `topK`.
 * Returns a map type → selected module names in selection order. NaN sorts last.
 */
export function selectTop(
  entries: readonly ScoredModule[],
  limit: { topPercent: number } | { topK: number },
): Map<string, string[]> {
  const byType = new Map<string, ScoredModule[]>();
  for (const e of entries) {
    const list = byType.get(e.type) ?? [];
    list.push(e);
    byType.set(e.type, list);
  }
  const out = new Map<string, string[]>();
  for (const [type, list] of byType) {
    const key = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);
    const sorted = [...list].sort((a, b) => {
      const x = key(a.value);
      const y = key(b.value);
      return x === y ? 0 : x > y ? -1 : 1;
    });
    const count =
      "topPercent" in limit
        ? Math.floor((list.length * limit.topPercent) / 100)
        : Math.min(list.length, limit.topK);
    out.set(
      type,
      sorted.slice(0, count).map((e) => e.module),
    );
  }
  return out;
}
