/**
 * Output in the Hugging Face Trainer's own format (transformers 5.x, as Axolotl prints it): tqdm bars and
 * metric dicts with values as 4-significant-digit strings, e.g.
 * `{'loss': '5.533', 'grad_norm': '1.266', 'learning_rate': '0.0005', 'epoch': '0.3333'}`.
 * The recorded real log is test-fixtures/trainer/hf-trainer-5.17-h200.log.
 */

/** Python's `f"{value:.4g}"`. */
export function pythonFormat4g(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return "0";
  const [mantissa, exponentText] = value.toExponential(3).split("e") as [string, string];
  const exponent = Number(exponentText);
  const strip = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exponent < -4 || exponent >= 4) {
    const sign = exponent < 0 ? "-" : "+";
    return `${strip(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return strip(value.toFixed(Math.max(0, 3 - exponent)));
}

/** A Trainer metrics dict line. */
export function metricsDictLine(values: Record<string, number>): string {
  const body = Object.entries(values)
    .map(([k, v]) => `'${k}': '${pythonFormat4g(v)}'`)
    .join(", ");
  return `{${body}}`;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** A tqdm bar line: ` 17%|█▋        | 1/6 [00:03<00:18,  3.65s/it]`. */
export function tqdmLine(done: number, total: number, elapsedSeconds: number): string {
  const fraction = total > 0 ? done / total : 1;
  const filled = Math.floor(fraction * 10);
  const bar = "█".repeat(filled).padEnd(10, " ");
  const perStep = done > 0 ? elapsedSeconds / done : 0;
  const rate = perStep >= 1 || done === 0 ? `${perStep.toFixed(2)}s/it` : `${(1 / perStep).toFixed(2)}it/s`;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4, " ");
  return `${pct}|${bar}| ${done}/${total} [${clock(elapsedSeconds)}<${clock(perStep * (total - done))}, ${rate}]`;
}
