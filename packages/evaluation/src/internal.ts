/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { lcsLength } from "./rouge.js";
export { pyIsLower, pyIsUpper, pyLower, pySplit, pyStrip } from "./python-text.js";
export { pythonJsonDumps } from "./ifeval/evaluate.js";
export { scoreEchoedLogprobs } from "./tasks/openai-eval-model.js";
export { parseCsv } from "./tasks/csv.js";
export { hellaswagPreprocess, mmluItem } from "./tasks/multiple-choice-task.js";
export { findExecutable } from "./lm-eval-bridge.js";
