/** Fixed-decimals number for tables; "—" for missing or non-finite values. */
export function fmt(value: number | undefined, digits = 3): string {
  return value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);
}

/** Signed delta, e.g. "+0.012" / "−0.034". */
export function fmtDelta(value: number | undefined, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  const text = Math.abs(value).toFixed(digits);
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : `±${text}`;
}
