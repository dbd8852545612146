/**
 * A plain-text table with aligned columns, as lines: the header, a rule of dashes, then the rows; cells are
 * joined by two spaces and each line's trailing spaces are trimmed. The packages' `describe…` functions
 * print results with it.
 */
export function formatTable(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)];
}
