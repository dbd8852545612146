/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { gramJs } from "./linalg/singular-values.js";
export { bandToTridiagonal } from "./linalg/band-to-tridiagonal.js";
export { tridiagonalEigenvalues } from "./linalg/tridiagonal-eigenvalues.js";
export { snrParts, snrFromParts, quantileSorted, type SnrParts } from "./spectrum-snr.js";
