/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { guessDecoderLayerClass } from "./axolotl-config.js";
export {
  parsePythonLiteral,
  parsePythonLiteralAt,
  PythonLiteralError,
  type PythonValue,
} from "./python-literal.js";
