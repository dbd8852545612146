export { buildProgram, runCli } from "./program.js";
export type { CommandModule } from "./command-module.js";
export { CLI_ERROR_CODES } from "./error-codes.js";
