// The Node entry: every scorer plus the file readers and writers. Importing it registers the package's own
// data/punkt_tab/english/ as IFEval's sentence tables and a lazy require of tinyld (both load on first use).
import "./ifeval/tinyld-node.js";

export * from "./scorers.js";
export { englishPunktTablesDir, loadPunktParameters } from "./ifeval/punkt-files.js";
export { readIfevalInputs, readIfevalResponses, writeIfevalOutputs } from "./ifeval/files.js";
