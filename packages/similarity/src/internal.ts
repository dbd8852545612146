/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { symmetricEigenSystem } from "./symmetric-eigen.js";
