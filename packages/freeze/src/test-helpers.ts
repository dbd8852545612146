import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Runs tools/reference/spectrum_snr.py (the independent numpy reference) and returns its stdout. */
export function reference(args: string[], input?: string): string {
  const script = fileURLToPath(new URL("../../../tools/reference/spectrum_snr.py", import.meta.url));
  return execFileSync("python3", [script, ...args], { encoding: "utf8", maxBuffer: 1 << 28, input });
}

/** Runs another reference script in tools/reference. */
export function referenceScript(name: string, args: string[], input?: string): string {
  const script = fileURLToPath(new URL(`../../../tools/reference/${name}`, import.meta.url));
  return execFileSync("python3", [script, ...args], { encoding: "utf8", maxBuffer: 1 << 28, input });
}

export function decodeNumber(x: number | string): number {
  if (typeof x === "number") return x;
  return x === "inf" ? Number.POSITIVE_INFINITY : x === "-inf" ? Number.NEGATIVE_INFINITY : Number.NaN;
}
