// The Node entry: every scorer (portable.ts) plus the file readers and writers. Importing it registers the
// package's own data/punkt_tab/english/ as IFEval's sentence tables (read on first use).
export * from "./portable.js";
export { englishPunktTablesDir, loadPunktParameters } from "./ifeval/punkt-files.js";
export { readIfevalInputs, readIfevalResponses, writeIfevalOutputs } from "./ifeval/files.js";
