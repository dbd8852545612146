/**
 * The package arrows (docs/architecture.md): which @cftkit packages each package may import. An arrow
 * `a → b` means b imports a. The dependency-arrow test checks every import and every declared
 * dependency against this one table.
 */
export const PACKAGE_ARROWS: Record<string, readonly string[]> = {
  core: [],
  safetensors: ["core"],
  datasets: ["core"],
  metrics: ["core"],
  lm: ["core", "safetensors"],
  freeze: ["core", "safetensors"],
  similarity: ["core", "safetensors"],
  replay: ["core", "datasets", "lm"],
  trainer: ["core", "datasets", "lm"],
  evaluation: ["core", "lm", "metrics"],
  runner: [
    "core",
    "safetensors",
    "datasets",
    "metrics",
    "lm",
    "freeze",
    "similarity",
    "replay",
    "trainer",
    "evaluation",
  ],
  cli: [
    "core",
    "safetensors",
    "datasets",
    "metrics",
    "lm",
    "freeze",
    "similarity",
    "replay",
    "trainer",
    "evaluation",
    "runner",
  ],
};
