// The scorers without any Node built-in: the entry bundlers pick for the browser ("browser" export condition)
// and `@cftkit/metrics/portable` everywhere. IFEval needs English Punkt tables: pass them with
// setEnglishPunktParameters(parsePunktTables(...)); the Node entry (index.ts) reads the package's own copy.
import "./ifeval/tinyld-static.js";

export * from "./scorers.js";
