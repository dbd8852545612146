export { buildProgram, runCli } from "./program.js";
export { CLI_ERROR_CODES } from "./error-codes.js";
