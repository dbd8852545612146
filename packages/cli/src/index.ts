export { buildProgram, runCli } from "./program.js";
export type { CommandModule } from "./command-module.js";
