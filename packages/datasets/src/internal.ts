/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { listDataFiles } from "./read-rows.js";
export { JsonArrayScanner } from "./json-array-scanner.js";
export { choosePositions } from "./sample.js";
