import type { Command } from "commander";

/** Each file in src/commands/ exports one of these: it adds its (sub)commands to the program. */
export interface CommandModule {
  register(program: Command): void;
}
