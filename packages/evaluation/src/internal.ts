/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { lcsLength, pyIsLower, pyIsUpper, pyLower, pySplit, pyStrip, pythonJsonDumps } from "@cftkit/metrics";
export { scoreEchoedLogprobs } from "./tasks/openai-eval-model.js";
export { parseCsv } from "./tasks/csv.js";
export { hellaswagPreprocess, mmluItem } from "./tasks/multiple-choice-task.js";
export { findExecutable } from "./lm-eval-bridge.js";
