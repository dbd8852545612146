import { formatTable } from "@cftkit/core";
import type { LayerDiffResult } from "./layer-diff.js";
import type { RandomLayersResult } from "./random-layers.js";
import type { SpectrumResult } from "./spectrum.js";

/**
 * The three selections in words, as `cftkit freeze …` prints them without --json: a table of the scores,
 * then the Axolotl YAML (plain text lines).
 */

/** The YAML as lines after an empty one (its final newline makes no extra line). */
const yamlLines = (yaml: string) => ["", ...yaml.replace(/\n$/, "").split("\n")];

/** Spectrum: module, type, shape, SNR and "top" for the selected modules; the files it wrote, if any. */
export function describeSpectrum(result: SpectrumResult): string[] {
  const rows = result.modules.map((m) => [
    m.module,
    m.type,
    `${m.rows}×${m.cols}`,
    result.snr[m.module]!.toPrecision(6),
    result.selected[m.type]?.includes(m.module) ? "top" : "",
  ]);
  return [
    ...formatTable(["module", "type", "shape", "snr", ""], rows),
    ...yamlLines(result.yaml),
    ...(result.files.yaml ? [`wrote ${result.files.snrResults} and ${result.files.yaml}`] : []),
  ];
}

/** The scan in one line (a log line): modules scanned, how many came from the cache, and how long it took. */
export function describeSpectrumScan(result: SpectrumResult): string {
  const cached = result.modules.filter((m) => m.cached).length;
  return `scanned ${result.modules.length} modules (${cached} from cache) in ${result.seconds.toFixed(1)} s`;
}

/** LF_H2: each module's ‖ΔW‖_F and relative change, "frozen" for the top-K. */
export function describeLayerDiff(result: LayerDiffResult): string[] {
  const rows = Object.entries(result.scores).map(([m, s]) => [
    m,
    s.toPrecision(6),
    result.relative_change[m]!.toPrecision(4),
    result.frozen.includes(m) ? "frozen" : "",
  ]);
  return [...formatTable(["module", "||ΔW||_F", "relative", ""], rows), ...yamlLines(result.yaml)];
}

/** LF_H1: the frozen layers and the seed that drew them. */
export function describeRandomLayers(result: RandomLayersResult): string[] {
  return [`frozen layers (seed ${result.seed}): ${result.layers.join(", ")}`, ...yamlLines(result.yaml)];
}
