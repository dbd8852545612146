/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { acquireRunLock, repairTornTail } from "./append-only-journal.js";
export { itemSeed } from "./generators.js";
export { countBy } from "./replay-files.js";
